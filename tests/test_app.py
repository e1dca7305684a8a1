"""The window, driven headless by synthetic events (tests/events.py).

Assertions are on the model, on the intents the widgets emit, and on a few probed pixels;
no golden images, no timing.
"""

import json
import subprocess
import sys
from pathlib import Path

import events as E
import numpy as np
import pygame
import pygame_gui
import pytest
from windows import make_app

from simulator import engine
from simulator import intents as I
from simulator.app import main
from simulator.controls import FaceInput
from simulator.panel import PANEL_SWITCHES as SWITCH_ORDER
from simulator.procedures import PROCEDURES
from simulator.storage import config_path, load_knobs, save_knobs
from simulator.view import knob_rect, retina_grid

ROOT = Path(__file__).resolve().parents[1]
CENTRE = 14 * 28 + 14


pytestmark = pytest.mark.usefixtures("in_tmp")


def lit_knob(app) -> int:
    """A knob whose sensor sees light in the picture on the retina."""
    pixels = app.machine.picture.pixels
    return int(np.argmax(pixels))


def post(*event_lists):
    for events in event_lists:
        for event in events:
            pygame.event.post(event)


def region_mean(app, rect) -> float:
    arr = pygame.surfarray.pixels3d(app.window)
    r = pygame.Rect(rect).clip(app.window.get_rect())
    value = float(arr[r.left:r.right, r.top:r.bottom].mean())
    del arr
    return value


def choose(app, name: str, text: str) -> None:
    """As if the person picked `text` in the panel's drop-down `name`."""
    menu = app.panel.elements[name]
    post([pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=text,
                             ui_element=menu, ui_object_id=menu.most_specific_combined_id)])
    app.frame()


# ---------------------------------------------------------------- turning knobs by hand


def test_drag_turns_a_knob_and_bulb_meter_score_follow(app):
    m = app.machine
    k = lit_knob(app)
    r = knob_rect(app.layout.board, k)
    w0, z0 = float(m.params[k, 0]), float(m.reading().z[0, 0])
    app.frame()
    score0 = m.score
    app.frame(E.drag(r.center, (r.centerx, r.centery - 40)))
    notches = 40 / 4
    step = m.knobs.turn_step()
    assert float(m.params[k, 0]) == pytest.approx(w0 + notches * step, rel=0.05)
    x = engine.prepare_inputs(m.picture.pixels[None], m.config.scale)[0, k]
    assert float(m.reading().z[0, 0]) == pytest.approx(z0 + x * (m.params[k, 0] - w0), abs=1e-4)
    assert m.score is not score0  # scored again the same frame
    assert app.face.selected == k
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    assert float(m.params[k, 0]) == w0  # the whole drag was one undo step


def test_bulb_and_meter_pixels_respond(app):
    m = app.machine
    lay = app.layout
    app.frame(E.key(pygame.K_c))  # a dark retina: the sum is the bias alone
    post(E.wheel(lay.bias.center, -10))
    app.frame()
    assert float(m.reading().output[0, 0]) < 0.5
    dark = region_mean(app, lay.bulb)
    app.frame(E.wheel(lay.bias.center, +20))
    app.frame()
    assert float(m.reading().output[0, 0]) > 0.5
    assert region_mean(app, lay.bulb) > dark + 5  # the glass glows
    # No activation: the output leaves 0..1 and the meter pins (red badge).
    choose(app, "activation", "none")
    app.frame(E.wheel(lay.bias.center, +40))
    app.frame()
    assert float(m.reading().output[0, 0]) > 1.0
    arr = pygame.surfarray.array3d(app.window)
    meter = arr[lay.meter.left:lay.meter.right, lay.meter.top:lay.meter.bottom].reshape(-1, 3)
    red = (meter[:, 0] > 180) & (meter[:, 1] < 100) & (meter[:, 2] < 100)
    assert red.sum() > 20


def test_scroll_and_fine_scroll(app):
    m = app.machine
    k = CENTRE
    r = knob_rect(app.layout.board, k)
    w0 = float(m.params[k, 0])
    app.frame(E.wheel(r.center, 1))
    step = m.knobs.turn_step()
    w1 = float(m.params[k, 0])
    assert w1 == pytest.approx(w0 + step, rel=0.05)
    app.frame(E.wheel(r.center, -1, mod=pygame.KMOD_SHIFT))
    assert float(m.params[k, 0]) == pytest.approx(w1 - 0.1 * m.knobs.turn_step(), rel=0.05)
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    assert float(m.params[k, 0]) == w0
    app.frame(E.key(pygame.K_y, pygame.KMOD_CTRL))
    assert float(m.params[k, 0]) == pytest.approx(w1)
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL | pygame.KMOD_SHIFT))
    assert float(m.params[k, 0]) == pytest.approx(w1 - 0.1 * step, rel=0.06)


def test_keyboard_turns_the_selected_knob(app):
    m = app.machine
    r = knob_rect(app.layout.board, CENTRE)
    app.frame(E.click(r.center))
    assert app.face.selected == CENTRE
    w0 = float(m.params[CENTRE, 0])
    app.frame(E.key(pygame.K_UP) + E.key(pygame.K_UP))
    assert float(m.params[CENTRE, 0]) == pytest.approx(w0 + 2 * m.knobs.turn_step(), rel=0.05)
    app.frame(E.key(pygame.K_RIGHT, pygame.KMOD_CTRL))
    assert app.face.selected == CENTRE + 1
    app.frame(E.key(pygame.K_DOWN, pygame.KMOD_SHIFT))
    assert float(m.params[CENTRE + 1, 0]) < w0 + 10  # moved a little
    app.frame(E.key(pygame.K_0))
    assert m.params[CENTRE + 1, 0] == 0.0
    for _ in range(4):
        app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    assert float(m.params[CENTRE, 0]) == w0


def test_brush_paints_many_knobs_as_one_step(app):
    m = app.machine
    before = m.params.copy()
    app.frame(E.key(pygame.K_b))
    assert app.face.brush == "raise"
    a, b = knob_rect(app.layout.board, 10 * 28 + 5), knob_rect(app.layout.board, 10 * 28 + 20)
    app.frame(E.drag(a.center, b.center, steps=15))
    raised = np.flatnonzero(m.params[:, 0] > before[:, 0])
    assert len(raised) > 30 and set(raised) <= set(range(9 * 28, 12 * 28))
    assert not (m.params[:, 0] < before[:, 0]).any()
    app.frame(E.key(pygame.K_b) + E.key(pygame.K_b))
    assert app.face.brush == "zero"
    app.frame(E.drag(a.center, b.center, steps=15))
    assert (m.params[10 * 28 + 5: 10 * 28 + 21, 0] == 0).all()
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL) + E.key(pygame.K_z, pygame.KMOD_CTRL))
    np.testing.assert_array_equal(m.params, before)


def test_drawing_on_the_retina_changes_the_output(app):
    m = app.machine
    app.frame(E.click(app.panel.elements["clear"]))
    app.frame()
    assert m.picture.split == "drawn" and not m.picture.pixels.any()
    z_blank = float(m.reading().z[0, 0])
    x0, y0, cell = retina_grid(app.layout.retina)
    top = (x0 + 10 * cell, y0 + 6 * cell)
    bottom = (x0 + 14 * cell, y0 + 22 * cell)
    app.frame(E.drag(top, bottom, steps=4))
    lit = m.picture.pixels.reshape(28, 28).copy()
    assert lit[6:22, 9:16].max() == 255 and (lit > 0).sum() > 30
    assert float(m.reading().z[0, 0]) != pytest.approx(z_blank)
    assert region_mean(app, app.layout.retina) > 0
    app.frame(E.drag(top, bottom, button=3, steps=8))  # the right button erases
    assert m.picture.pixels.sum() < lit.sum() * 0.2


def test_hover_tooltip_names_the_knob(app):
    r = knob_rect(app.layout.board, 3 * 28 + 4)
    intents = app.face.handle(E.motion(r.center)[0])
    assert intents == []  # the knob under the mouse is the widget's own state, not an intent
    assert app.face.hover == 3 * 28 + 4
    app.frame(E.motion(r.center))
    assert app.face.hover == 3 * 28 + 4


# ---------------------------------------------------------------- the panel


def test_play_pause_and_steps_through_the_panel(app):
    m = app.machine
    play = app.panel.elements["play"]
    app.frame(E.click(play))
    app.frame()
    assert m.playing and m.mode == "gd"
    before = m.params.copy()
    for _ in range(100):  # the trainer is built in the background; frames go on
        app.frame()
        if not np.array_equal(before, m.params):
            break
    assert not np.array_equal(before, m.params)
    app.frame(E.click(play))
    app.frame()
    assert not m.playing
    paused = m.params.copy()
    app.frame()
    np.testing.assert_array_equal(paused, m.params)  # the knobs are the hand's again
    app.frame(E.click(app.panel.elements["step"]))
    app.frame()
    assert not np.array_equal(paused, m.params) and not m.playing
    epochs = m.run_epochs
    app.frame(E.click(app.panel.elements["epoch"]))
    for _ in range(200):
        app.frame()
        if not m.playing:
            break
    assert m.run_epochs == epochs + 1 and not m.playing


def test_mode_switch_from_the_table(app):
    menu = app.panel.elements["mode"]
    texts = [t for t, _ in app.panel._choices["mode"]]
    assert texts == [cls.label for cls in PROCEDURES.values()]
    assert menu.selected_option[0] == "By hand"
    choose(app, "mode", "Rosenblatt's rule")
    assert app.machine.mode == "rosenblatt" and app.machine.config.rule == "rosenblatt"
    app.frame(E.key(pygame.K_n))
    assert app.machine.picture.split == "train"  # the step showed its picture
    choose(app, "mode", "Trial and error")
    app.frame(E.key(pygame.K_SPACE))
    assert app.machine.playing and app.machine.mode == "trial"


def test_invalid_switch_gets_a_message_not_a_crash(app):
    choose(app, "activation", "softmax")
    m = app.machine
    assert m.config.activation == "sigmoid"
    assert "softmax needs ten bulbs" in " ".join(app.status_text())
    app.frame()
    assert app.panel.elements["activation"].selected_option[0] == "sigmoid"  # shown as it is


def test_every_control_has_a_tooltip(app):
    panel = app.panel
    controls = [n for n in panel.elements if not n.startswith(("head:", "label:"))]
    assert set(SWITCH_ORDER) <= set(controls)
    for name in controls:
        assert panel.tooltips.get(name), name
        assert panel.tooltip_at(panel.elements[name].rect.center)


def test_help_overlay_opens_and_escape_closes(app):
    app.frame(E.key(pygame.K_F1))
    assert app.help_open
    before = region_mean(app, app.layout.board)
    app.frame(E.key(pygame.K_ESCAPE))
    assert not app.help_open
    app.frame()
    assert region_mean(app, app.layout.board) > before  # the dim backdrop is gone
    app.frame(E.key(pygame.K_SLASH, pygame.KMOD_SHIFT, "?"))
    assert app.help_open
    app.frame(E.click(app.layout.board.center))
    assert not app.help_open


def test_switches_and_pictures_through_the_panel(app):
    m = app.machine
    choose(app, "digit", "3")
    assert m.config.digit == 3
    choose(app, "filter", "Only 3s")
    assert m.data.test_labels[m.picture.index] == 3
    app.frame(E.click(app.panel.elements["next"]))
    app.frame()
    assert m.data.test_labels[m.picture.index] == 3
    choose(app, "bulbs", "10 bulbs")
    assert m.params.shape == (785, 10)
    choose(app, "activation", "softmax")
    assert m.config.activation == "softmax"
    app.frame()
    app.frame(E.click(app.panel.elements["reset_zero"]))
    app.frame()
    assert not m.params.any()


def test_resize_keeps_the_panel_inside_the_window(app):
    for w, h in ((1024, 700), (1920, 1080), (960, 640), (1280, 800)):
        app.frame(E.resize(w, h))
        app.frame()
        assert app.window.get_size() == (w, h)
        panel = app.layout.panel
        for name, element in app.panel.elements.items():
            assert panel.contains(element.rect), (w, h, name, element.rect)
        assert app.panel.bottom <= h


# ---------------------------------------------------------------- knob files and session


def test_save_then_load_round_trip(app, tmp_path):
    m = app.machine
    path = tmp_path / "mine.npz"
    app.panel.elements["path"].set_text(str(path))
    choose(app, "inputs", "raw 0..255")
    app.frame(E.wheel(knob_rect(app.layout.board, 99).center, 3))
    saved = m.params.copy()
    app.frame(E.click(app.panel.elements["save"]))
    app.frame()
    assert path.exists() and config_path(path).exists()
    params, config, _ = load_knobs(path)
    np.testing.assert_array_equal(params, saved)
    assert config.inputs == "raw"
    app.frame(E.click(app.panel.elements["reset_zero"]))
    choose(app, "inputs", "scaled 0..1")
    app.frame()
    assert not m.params.any()
    app.frame(E.click(app.panel.elements["load"]))
    app.frame()
    np.testing.assert_array_equal(m.params, saved)
    assert m.config.inputs == "raw"
    assert app.panel.elements["inputs"].selected_option[0] == "raw 0..255"


def test_bad_file_leaves_the_knobs_untouched(app, tmp_path):
    m = app.machine
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"this is not a zip file")
    before = m.params.copy()
    app.panel.elements["path"].set_text(str(bad))
    app.frame(E.click(app.panel.elements["load"]))
    app.frame()
    np.testing.assert_array_equal(m.params, before)
    left = " ".join(app.status_text())
    assert "broken.npz" in left and "not a readable" in left and "unchanged" in left
    missing = tmp_path / "nowhere.npz"
    app.apply(I.LoadKnobs(str(missing)))
    assert "no such knob file" in " ".join(app.status_text())
    np.testing.assert_array_equal(m.params, before)


def test_close_and_reopen_restores_the_knobs_exactly(tmp_path):
    first = make_app(restore=True)
    m = first.machine
    first.frame(E.wheel(knob_rect(first.layout.board, 200).center, 7))
    choose(first, "seed", "4")
    choose(first, "loss", "MAE")
    first.frame(E.wheel(first.layout.bias.center, 3))
    first.apply(I.SetMode("rosenblatt"))
    knobs, config = m.params.copy(), m.config
    post(E.quit_event())
    assert first.run() == 0
    second = make_app(restore=True)
    assert second.machine.params.tobytes() == knobs.tobytes()
    assert second.machine.config == config
    assert second.machine.mode == "rosenblatt"


def test_bad_mnist_dir_leaves_the_sample_working_with_a_message(tmp_path):
    empty = tmp_path / "no-mnist-here"
    empty.mkdir()
    app = make_app(data=str(empty), load_full=True)
    if app.loader is not None:
        app.loader.wait(30)
    app.frame()
    left, right = app.status_text()
    assert "missing MNIST file" in left and "sample" in right
    assert app.machine.data.is_sample
    before = app.machine.params.copy()
    app.frame(E.key(pygame.K_SPACE))
    for _ in range(20):
        app.frame()
    assert app.machine.run_trained  # the machine works on the sample regardless
    assert not np.array_equal(before, app.machine.params)


def test_a_corrupt_session_is_reported_not_fatal():
    from simulator.session import session_path
    session_path().parent.mkdir(parents=True, exist_ok=True)
    session_path().write_bytes(b"garbage")
    app = make_app(restore=True)
    assert "Saved session not restored" in " ".join(app.status_text())
    assert np.isfinite(app.machine.params).all()


def test_ten_bulb_knobs_from_a_file(app, tmp_path):
    ten = engine.init_knobs(engine.Config(bulbs=10), np.random.default_rng(7))
    path = save_knobs(tmp_path / "ten.npz", ten, engine.Config(bulbs=10, activation="softmax",
                                                                 loss="ce", digit=3))
    app.apply(I.LoadKnobs(str(path)))
    app.frame()
    m = app.machine
    assert m.params.shape == (785, 10) and m.params.tobytes() == ten.tobytes()
    assert m.column == 3 and m.config.activation == "softmax"
    np.testing.assert_array_equal(m.weights, ten[:784, 3])  # the board shows the 3-bulb
    assert app.panel.elements["bulbs"].selected_option[0] == "10 bulbs"


def test_frames_runs_do_not_overwrite_the_session(tmp_path):
    app = make_app(restore=True, frames=3)
    app.frame(E.wheel(knob_rect(app.layout.board, 5).center, 3))
    app.run()
    from simulator.session import session_path
    assert not session_path().exists()


# ---------------------------------------------------------------- command line


def test_main_refuses_a_missing_data_dir(capsys, tmp_path):
    assert main(["--data", str(tmp_path / "nope"), "--frames", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such directory" in err[0]


def test_main_refuses_a_bad_load_file(capsys, tmp_path):
    bad = tmp_path / "k.npz"
    bad.write_text("nope")
    assert main(["--load", str(bad), "--frames", "1", "--sample"]) == 2
    assert "not a readable" in capsys.readouterr().err


def test_main_stats_and_screenshot(capsys, tmp_path):
    shot = tmp_path / "shot.png"
    code = main(["--sample", "--fresh", "--frames", "5", "--stats", "--screenshot", str(shot),
                 "--size", "1024x700"])
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    stats = json.loads(last)
    for key in ("frames", "fps_mean", "frame_ms_p50", "frame_ms_p95", "frame_ms_max",
                "render_ms_p95", "epochs_done", "test_accuracy"):
        assert key in stats
    assert stats["frames"] == 5 and stats["window"] == [1024, 700]
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1024, 700)


# ---------------------------------------------------------------- full MNIST


def test_cli_knobs_open_in_the_window_with_the_same_score(mnist_dir, tmp_path):
    path = tmp_path / "k.npz"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "--data", str(mnist_dir), "--epochs", "1",
         "--quiet", "--json", "--save", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout.strip().splitlines()[-1])
    app = make_app(data=str(mnist_dir), load_full=True, load=None)
    if app.loader is not None:
        app.loader.wait(30)
    app.frame()
    assert not app.machine.data.is_sample
    app.apply(I.LoadKnobs(str(path)))
    app.frame()
    params, config, _ = load_knobs(path)
    X = engine.prepare_inputs(app.machine.data.test_images, config.scale)
    expected = engine.evaluate(params, X, app.machine.data.test_labels, config)
    assert app.machine.score.accuracy == expected.accuracy
    assert f"Test score {expected.accuracy:.2%}" in app.status_text()[0]
    reported = [v for k, v in _flat(cli).items() if "test" in k and "acc" in k]
    assert any(abs(v - expected.accuracy) < 1e-9 for v in reported), cli


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif isinstance(v, int | float):
            out[f"{prefix}{k}"] = float(v)
    return out


def test_train_on_full_mnist_reaches_a_sane_score(mnist_dir):
    app = make_app(data=str(mnist_dir), load_full=True, train=True, speed="max")
    if app.loader is not None:
        app.loader.wait(30)
    for _ in range(3000):
        app.frame()
        app.machine.evaluator.wait(0.0)
        if app.machine.history:
            break
    m = app.machine
    m.evaluator.wait()
    m.poll()
    assert not m.data.is_sample and m.run_epochs >= 1 and m.history
    assert m.history[0]["test_acc"] > 0.95
    assert m.history[0]["train_acc"] > 0.95
    saved = make_session_save(app)
    assert saved.exists()


def make_session_save(app):
    from simulator.session import session_path
    app.save_session()
    return session_path()


# ---------------------------------------------------------------- fuzz


def test_twenty_thousand_random_events(app):
    rng = np.random.default_rng(1234)
    m = app.machine
    keys = [pygame.K_SPACE, pygame.K_n, pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP,
            pygame.K_DOWN, pygame.K_r, pygame.K_f, pygame.K_g, pygame.K_c, pygame.K_b,
            pygame.K_0, pygame.K_z, pygame.K_y, pygame.K_F1, pygame.K_ESCAPE, pygame.K_1,
            pygame.K_2, pygame.K_3, pygame.K_a, pygame.K_PAGEUP, pygame.K_DELETE, pygame.K_h,
            pygame.K_F3, pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET]
    mods = [0, 0, 0, pygame.KMOD_SHIFT, pygame.KMOD_CTRL, pygame.KMOD_CTRL | pygame.KMOD_SHIFT]
    sizes = [(1024, 700), (1280, 800), (1920, 1080), (960, 640), (1500, 900)]
    total = 0
    while total < 20_000:
        w, h = app.window.get_size()
        batch = []
        while len(batch) < 40:
            kind = rng.integers(100)
            pos = (int(rng.integers(w)), int(rng.integers(h)))
            mod = int(mods[rng.integers(len(mods))])
            if kind < 30:
                batch += E.click(pos, button=int(rng.choice([1, 1, 3])), mod=mod)
            elif kind < 50:
                end = (int(rng.integers(w)), int(rng.integers(h)))
                batch += E.drag(pos, end, button=int(rng.choice([1, 3])),
                                steps=int(rng.integers(1, 6)), mod=mod)
            elif kind < 65:
                batch += E.wheel(pos, int(rng.integers(-5, 6)), mod=mod)
            elif kind < 90:
                k = int(keys[rng.integers(len(keys))])
                batch += E.key(k, mod, "?" if k == pygame.K_SLASH else "")
            elif kind < 91:
                batch += E.resize(*sizes[rng.integers(len(sizes))])
            else:
                batch += E.motion(pos)
        total += len(batch)
        app.frame(batch)
        assert np.isfinite(m.params).all()
        assert m.params.dtype == np.float32 and m.params.shape[0] == 785
    m.pause()


def test_face_input_emits_intents_without_a_model():
    lay = __import__("simulator.view", fromlist=["compute_layout"]).compute_layout((1280, 800))
    face = FaceInput(lay)
    r = knob_rect(lay.board, 42)
    out = face.handle(E.press(r.center)[0])
    assert out == [I.BeginGesture("turn")] and face.selected == 42
    out = face.handle(E.motion((r.centerx, r.centery - 8))[0])
    assert I.TurnKnob(42, 2.0, fine=False) in out
    assert face.handle(E.release(r.center)[0]) == [I.EndGesture()]


def test_switches_a_procedure_ignores_are_greyed_out_with_the_reason():
    app = make_app()
    app.machine.set_mode("rosenblatt")
    app.frame()
    elements = app.panel.elements
    assert not elements["loss"].is_enabled and not elements["optimizer"].is_enabled
    assert elements["lr"].is_enabled and elements["inputs"].is_enabled
    assert "Rosenblatt's rule does not use it" in app.panel.tooltips["activation"]
    app.machine.set_mode("gd")
    app.frame()
    assert all(app.panel.elements[name].is_enabled for name in ("loss", "optimizer", "batch_size"))
    assert "does not use it" not in app.panel.tooltips["activation"]


def test_a_drop_down_opens_and_picks_with_real_clicks():
    app = make_app()
    menu = app.panel.elements["activation"]
    app.frame(E.click(menu))
    for _ in range(3):  # pygame_gui answers the click through the event queue
        app.frame()
    assert app.panel.expanded
    expanded = menu.menu_states["expanded"]
    option = next(b for b in expanded.options_selection_list.item_list
                  if b["text"] == "none")["button_element"]
    app.frame(E.click(option))
    for _ in range(3):
        app.frame()
    assert app.machine.config.activation == "none" and not app.panel.expanded


def test_a_refused_choice_does_not_stay_shown_and_choices_do_not_rebuild_the_panel():
    app = make_app()
    play = app.panel.elements["play"]
    menu = app.panel.elements["activation"]
    app.frame(E.click(menu))
    for _ in range(3):
        app.frame()
    option = next(b for b in menu.menu_states["expanded"].options_selection_list.item_list
                  if b["text"] == "softmax")["button_element"]
    app.frame(E.click(option))
    for _ in range(3):
        app.frame()
    assert app.machine.config.activation == "sigmoid"  # softmax needs ten bulbs: refused
    assert app.panel.elements["activation"].selected_option[0] == "sigmoid"
    assert "softmax needs ten bulbs" in " ".join(app.status_text())
    assert app.panel.elements["play"] is play  # only the drop-down was made anew
    app.machine.set_switch("loss", "mae")
    app.frame()
    assert app.panel.elements["loss"].selected_option[0] == "MAE"
    assert app.panel.elements["play"] is play


def test_the_meter_ranges_by_decades_unless_the_sum_can_run_away():
    from simulator.view.face import meter_reach

    def _meter_reach(z, config):
        return meter_reach(z, config.activation == "none" and not config.threshold_unit)
    from simulator.engine import Config

    assert _meter_reach(-1755.0, Config(activation="none")) == 10.0  # the tutorial's clue
    assert _meter_reach(-11.78, Config(rule="rosenblatt")) == 100.0
    assert _meter_reach(3.0, Config()) == 10.0
    assert _meter_reach(250.0, Config()) == 1000.0
    assert _meter_reach(float("nan"), Config()) == 10.0


def test_a_killed_window_comes_back_with_its_last_epochs_knobs(tmp_path, sample):
    """The real window in a child process, killed with SIGKILL once an epoch has ended:
    the next start restores the knobs of that epoch, byte for byte."""
    import os
    import signal
    import time

    from simulator.session import _read_gui, session_path

    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--train", "--sample",
                              "--fresh", "--speed", "normal"], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if session_path().exists() and _read_gui(session_path()).get("epochs", 0) >= 1:
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"no epoch was saved: {child.stderr.read().decode()[-500:]}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    epochs = _read_gui(session_path())["epochs"]
    trainer = engine.Trainer(engine.Config(), sample.train_images, sample.train_labels,
                             engine.init_knobs(engine.Config(), np.random.default_rng(0)))
    for _ in range(epochs):
        trainer.run_epoch()
    app = make_app(restore=True)
    np.testing.assert_array_equal(app.machine.params, trainer.params)


def test_a_refused_mode_does_not_stay_shown(app):
    choose(app, "bulbs", "10 bulbs")
    choose(app, "activation", "softmax")
    choose(app, "mode", "Trial and error")
    app.frame()
    assert app.machine.mode == "hand" and app.machine.config.activation == "softmax"
    assert app.panel.elements["mode"].selected_option[0] == "By hand"
    assert "works with activation none or sigmoid" in " ".join(app.status_text())
