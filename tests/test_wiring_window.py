"""The wirings in the window: the switch, the plugboard's lamps and the hidden layer's boards on
the face, training on full MNIST, and knob files of every wiring saved and loaded (a file of
another wiring switches the wiring, with a notice; a bad one changes nothing)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import events as E
import numpy as np
import pygame
import pygame_gui
import pytest
from windows import make_app

from simulator import intents as I
from simulator import wiring
from simulator.dims import DEFAULT_UNITS, N_PHOTOCELLS
from simulator.storage import load_knobs
from simulator.view import face
from simulator.view.wiring import wired_knob_at, wired_knob_rect

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT.parent / "shared" / "design" / "MACHINE.md"


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture(scope="module")
def full_app(mnist_dir):
    a = make_app(data=str(mnist_dir), load_full=True)
    while a.loader is not None:
        a.frame()
    assert not a.machine.data.is_sample
    yield a
    a.machine.pause()


def choose(app, name: str, text: str) -> None:
    """Choose ``text`` from the panel's drop-down ``name``, as a click would, and draw a
    frame; after a change of wiring, frames until the test rows (made in a thread) are
    ready, as a person would see them a moment later."""
    menu = app.panel.elements[name]
    pygame.event.post(pygame.event.Event(
        pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=text, ui_element=menu,
        ui_object_id=menu.most_specific_combined_id))
    app.frame()
    deadline = time.monotonic() + 60
    while not app.machine.test_rows_ready():
        assert time.monotonic() < deadline, "the wired test rows were never made"
        time.sleep(0.005)
        app.frame()


def train(app, epochs: int = 1) -> None:
    m = app.machine
    m.set_switch("epochs", epochs)
    m.play()
    while m.playing:
        app.frame()
    for _ in range(2):  # the epochs' scores, then the live score of the knobs as they stand
        m.evaluator.wait()
        app.frame()


def test_the_wiring_switch_rewires_the_machine_and_the_face_shows_it(app):
    m = app.machine
    choose(app, "wiring", "plugboard")
    assert m.config.wiring == "plugboard" and m.params.shape == (513, 1)
    assert "400 photocells patched at random into 512 association units" in app.status_text()[0]
    state = m.snapshot()
    board = wiring.plugboard(512, m.config.seed)
    pixels = m.picture.pixels[None, :]
    np.testing.assert_array_equal(state.wired.lamps, board.fire(pixels)[0])
    np.testing.assert_array_equal(state.wired.photocells, wiring.photocells(pixels)[0])
    assert state.wired.grid == (16, 32) and len(state.wired.knobs) == 512
    for cell, unit, sign in state.wired.cords:  # the cords drawn are the plugboard's own
        assert cell in board.cells[unit] and sign in board.signs[unit][board.cells[unit] == cell]
    # the bulb reads the knobs over the A-units' outputs
    z = float(board.rows(pixels)[0].astype(np.float32) @ m.params[:, 0])
    assert state.z[0] == pytest.approx(z, rel=1e-5, abs=1e-5)
    choose(app, "wiring", "hidden")
    assert m.config.wiring == "hidden" and m.hidden.shape == (785, 100)
    assert m.params.shape == (101, 1)
    state = m.snapshot()
    X = m.picture.pixels[None, :] * np.float32(m.config.scale)
    h = np.maximum(np.append(X, 1).astype(np.float32) @ m.hidden, 0)
    np.testing.assert_allclose(state.wired.lamps, h, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(state.wired.boards, m.hidden[:784].T)
    choose(app, "wiring", "direct")
    assert m.config.wiring == "direct" and m.params.shape == (785, 1) and m.hidden is None


def test_procedures_that_cannot_train_a_wiring_refuse_and_change_nothing(app):
    m = app.machine
    choose(app, "wiring", "hidden")
    before = m.params.copy()
    assert not m.set_mode("rosenblatt")
    assert "rosenblatt procedure works with direct or plugboard wiring" in app.status_text()[0]
    assert m.mode == "hand" and np.array_equal(m.params, before)
    assert m.set_switch("units", 0) is not False  # the wiring's own: accepted
    assert m.set_switch("wiring", "direct") is not False
    assert not m.set_switch("units", 64)  # direct wiring has no units
    assert "direct wiring has none" in app.status_text()[0]
    assert m.set_switch("wiring", "plugboard")
    m.toggle_ghost()  # needles for the retina's knobs: said, and none drawn
    assert "show with direct wiring" in app.status_text()[0]
    app.frame()
    assert m.ghost_on and m.ghost is None


def test_the_wirings_knob_board_turns_by_hand_with_undo(app):
    """The knobs after a wiring are knobs: scroll one on its board (the same geometry as
    drawn), or the bias; the rest stays, and Ctrl+Z puts it back."""
    m = app.machine
    for name, text in (("plugboard", "plugboard"), ("hidden", "hidden")):
        choose(app, "wiring", text)
        c = m.config
        grid = wiring.board_shape(wiring.n_units(c))
        before = m.params.copy()
        k = 37
        cell = wired_knob_rect(app.layout.board, name, grid, k, app.layout.scale)
        assert wired_knob_at(app.layout.board, name, grid, cell.center, app.layout.scale) == k
        app.frame(E.motion(cell.center))
        app.frame(E.wheel(cell.center, 3))
        moved = np.flatnonzero(m.params[:, 0] != before[:, 0])
        assert list(moved) == [k], moved
        app.frame()  # the tooltip names the unit
        assert app.face.hover == k
        app.frame(E.wheel(app.layout.bias.center, 2))  # the bias knob is the last row
        assert m.params[-1, 0] != before[-1, 0]
        m.undo()
        m.undo()
        assert np.array_equal(m.params, before)
        app.frame(E.wheel(app.layout.retina.center, 3))  # the retina has no knobs
        assert np.array_equal(m.params, before)


def test_knob_files_of_every_wiring_load_in_the_window_with_a_notice(app, tmp_path, mnist_dir):
    """Files written by the CLI load in the window: the wiring follows the file and says so;
    the window's own save reads back the same arrays."""
    m = app.machine
    for argv in (("--wiring", "plugboard", "--rule", "rosenblatt", "--units", "64"),
                 ("--wiring", "hidden", "--units", "16")):
        path = tmp_path / f"{argv[1]}.npz"
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "train", "--data", str(mnist_dir),
             "--subset", "2000", "--epochs", "1", "--quiet", "--no-record", "--json",
             "--save", str(path), *argv], cwd=ROOT, capture_output=True, text=True,
            timeout=300)
        assert done.returncode == 0, done.stderr
        json.loads(done.stdout.strip().splitlines()[-1])
        choose(app, "wiring", "direct")
        app.apply(I.LoadKnobs(str(path)))
        app.frame()
        saved = load_knobs(path)
        assert m.config.wiring == argv[1] and wiring.n_units(m.config) == int(argv[-1])
        np.testing.assert_array_equal(m.params, saved.params)
        if saved.hidden is not None:
            np.testing.assert_array_equal(m.hidden, saved.hidden)
        said = " ".join(app.status_text())
        assert "wired differently" in said, said
        # the window's Save writes the same arrays back
        again = tmp_path / f"again-{argv[1]}.npz"
        app.apply(I.SaveKnobs(str(again)))
        app.frame()
        back = load_knobs(again)
        np.testing.assert_array_equal(back.params, saved.params)
        assert back.config.wiring == argv[1]
        if saved.hidden is not None:
            np.testing.assert_array_equal(back.hidden, saved.hidden)


def test_a_bad_knob_file_of_a_wiring_changes_nothing(app, tmp_path):
    m = app.machine
    choose(app, "wiring", "plugboard")
    before, config = m.params.copy(), m.config
    good = tmp_path / "pb.npz"
    app.apply(I.SaveKnobs(str(good)))
    app.frame()
    with np.load(good) as data:
        arrays = dict(data)
    arrays["plugboard_signs"] = -arrays["plugboard_signs"]  # someone else's cords
    np.savez(good, **arrays)
    choose(app, "wiring", "hidden")
    hidden, params, config = m.hidden.copy(), m.params.copy(), m.config
    app.apply(I.LoadKnobs(str(good)))
    app.frame()
    assert "Not loaded" in " ".join(app.status_text()) and "patch cords" in \
        " ".join(app.status_text())
    assert m.config == config and np.array_equal(m.params, params)
    assert np.array_equal(m.hidden, hidden)
    assert before.shape == (513, 1)


def test_the_plugboard_and_the_hidden_layer_train_in_the_window(full_app):
    app, m = full_app, full_app.machine
    m.set_switch("wiring", "plugboard")
    m.set_mode("rosenblatt")
    m.reset_knobs("zero")  # the rule as it is stated: from zero knobs
    train(app, 10)
    assert m.run_epochs == 10 and m.history[-1]["test_acc"] >= 0.955  # as on the CLI
    assert not m.set_switch("wiring", "hidden")  # the rule cannot train it: refused, said
    assert "works with direct or plugboard wiring" in app.status_text()[0]
    assert m.set_mode("gd") and m.set_switch("wiring", "hidden")
    first = m.hidden.copy()
    train(app, 1)
    assert m.run_epochs == 1 and not np.array_equal(m.hidden, first)  # both layers learn
    assert m.history[-1]["test_acc"] > 0.97  # one bulb over 100 hidden units, one epoch
    X = wiring.knob_rows(m.config, m.data.test_images, m.hidden)
    said = (X @ m.params)[:, 0] > 0  # sigmoid output > 0.5
    accuracy = float(np.mean(said == (m.data.test_labels == 5)))
    assert m.score.accuracy == pytest.approx(accuracy, abs=1e-4)


def test_the_help_card_says_what_each_wiring_is_with_the_dates():
    note = face.WIRING_NOTE
    for words in ("Direct", "the tutorial's simplification", "Plugboard", "June 1960",
                  "400 photocells", "20x20 grid", "512", "(1962)", "Hidden layer",
                  "decades later", "100"):
        assert words in note, words
    assert N_PHOTOCELLS == 400 and DEFAULT_UNITS == {"direct": 0, "plugboard": 512,
                                                     "hidden": 100}
    if DESIGN.exists():
        page = " ".join(DESIGN.read_text(encoding="utf-8").split())
        for words in ("June 1960", "400 photocells in a 20x20 grid", "512 association units",
                      "Principles of Neurodynamics (1962)", "hidden layer (100 ReLU units)"):
            assert words in page, words


@pytest.mark.parametrize("wiring_name", ["plugboard", "hidden"])
def test_the_clues_and_the_scoreboard_read_the_wired_knobs(app, wiring_name):
    """The strip, the histogram and the scoreboard take the knobs' own inputs: the A-units'
    outputs or the hidden units', for every one of the test pictures."""
    from simulator import clues

    m = app.machine
    choose(app, "wiring", wiring_name)
    for view in ("strip", "histogram", "scoreboard"):
        app.apply(I.ToggleView(view))
    app.frame()
    state = m.snapshot(frozenset({"strip", "histogram", "scoreboard"}))
    X = wiring.knob_rows(m.config, m.data.test_images, m.hidden)
    said = (X @ m.params)[:, 0]
    assert [p.z for p in state.strip] == pytest.approx(list(said[:10]), rel=1e-4, abs=1e-4)
    for p in state.strip:  # the thumbnails are the pictures, not the rows
        assert np.array_equal(p.picture, m.data.test_images[p.index])
    wanted = clues.sum_histogram(m.params, X, m.data.test_labels, m.config, 0)
    assert state.histogram.z_min == pytest.approx(wanted.z_min, rel=1e-5)
    board = state.scoreboard
    lit = 1 / (1 + np.exp(-said)) > 0.5
    five = m.data.test_labels == 5
    assert (board.hits, board.misses, board.false_alarms) == (
        int(np.sum(lit & five)), int(np.sum(~lit & five)), int(np.sum(lit & ~five)))
    assert board.n == len(m.data.test_labels)


def test_close_and_reopen_keeps_the_wiring_and_both_layers():
    first = make_app(restore=True)
    m = first.machine
    choose(first, "wiring", "hidden")
    m.hidden[3, 7] += 0.5  # a hidden layer that is not the seed's fresh one
    m.knobs_changed()
    first.frame(E.wheel(first.layout.bias.center, 3))
    knobs, hidden, config = m.params.copy(), m.hidden.copy(), m.config
    pygame.event.post(E.quit_event()[0])
    assert first.run() == 0
    second = make_app(restore=True)
    assert second.machine.config == config and config.wiring == "hidden"
    assert second.machine.params.tobytes() == knobs.tobytes()
    assert second.machine.hidden.tobytes() == hidden.tobytes()
