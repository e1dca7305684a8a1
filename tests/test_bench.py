"""The bench in the window: runs kept across restarts, shown on the charts, rewound; ten seeds
at once; the clues as views. Driven through the App with intents and synthetic events."""

import events as E
import numpy as np
import pygame
import pytest
import windows

from simulator import intents as I
from simulator import words
from simulator.app import App
from simulator.engine import Config
from simulator.runs import RunStore


def make_app(**kw) -> App:
    return windows.make_app(**{"record_runs": True, **kw})


def train(app, epochs=2, **switches):
    m = app.machine
    for name, value in switches.items():
        m.set_switch(name, value)
    m.set_switch("epochs", epochs)
    m.set_mode("gd")
    m.play()
    for _ in range(2000):
        app.frame()
        if not m.playing:
            break
    m.evaluator.wait()
    for _ in range(3):
        app.frame()
    m.bench.flush()


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # exports land beside the panel's knob file
    a = make_app()
    yield a
    a.machine.pause()
    a.machine.bench.close()


def test_runs_survive_a_restart_with_their_metrics_and_knobs(app):
    train(app, epochs=2, subset=200)
    run = app.machine.bench.runs[0]
    assert len(run.metrics) == 2 and len(run.knobs) == 2
    app.machine.bench.close()
    again = make_app()
    listed = again.machine.bench.runs
    assert [r.id for r in listed] == [run.id]
    assert listed[0].metrics[-1]["test_acc"] == run.metrics[-1]["test_acc"]
    np.testing.assert_array_equal(again.machine.bench.knobs_after(run.id, 2), run.knobs[1])
    again.machine.bench.close()


def test_a_damaged_run_record_is_skipped_with_a_notice(tmp_path):
    store = RunStore()
    store.directory.mkdir(parents=True, exist_ok=True)
    (store.directory / "20260101-000000-000000-dead.json").write_text("{ not json")
    app = make_app()
    assert app.machine.bench.runs == []
    assert "20260101-000000-000000-dead.json" in " ".join(app.status_text())
    app.machine.bench.close()


def test_rewind_puts_an_epochs_knobs_back_byte_for_byte_and_undo_returns(app):
    m = app.machine
    train(app, epochs=3, subset=200)
    run = m.bench.runs[0]
    after = m.params.copy()
    app.apply(I.Rewind(run.id, 1))
    np.testing.assert_array_equal(m.params, run.knobs[0])
    assert "after epoch 1" in words.note_text(m.note)
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    np.testing.assert_array_equal(m.params, after)
    app.frame(E.key(pygame.K_LEFTBRACKET))  # one epoch back from the last (3): epoch 2
    np.testing.assert_array_equal(m.params, run.knobs[1])


def test_clicking_an_epoch_on_the_charts_rewinds_to_it(app):
    m = app.machine
    train(app, epochs=3, subset=200)
    run = m.bench.runs[0]
    app.frame()
    point = None
    lay = app.layout
    for x in range(lay.charts.left, lay.charts.right, 3):  # find the live test curve's point
        for y in range(lay.charts.top, lay.charts.bottom, 3):
            from simulator import view

            p = view.chart_point_at(lay.charts, (x, y), list(m.history), (),
                                    baseline=m.baseline, surface_size=app.window.get_size())
            if p is not None and p.epoch == 2:
                point = (x, y)
                break
        if point:
            break
    assert point is not None
    app.frame(E.click(point))
    np.testing.assert_array_equal(m.params, run.knobs[1])


def test_shown_runs_are_overlaid_on_the_charts(app):
    m = app.machine
    train(app, epochs=2, subset=200, activation="none", inputs="raw")
    train(app, epochs=2, subset=200, activation="sigmoid", inputs="unit")
    first = m.bench.runs[1]
    app.apply(I.ShowRun(first.id, True))
    state = app.face_state()
    assert [r[0] for r in state.chart_runs] == [first.id]
    assert state.chart_runs[0][1].startswith("no activation, raw pixels")
    app.apply(I.ShowRun(first.id, False))
    assert app.face_state().chart_runs == ()


def test_the_bench_page_lists_runs_and_its_buttons_act(app, tmp_path):
    train(app, epochs=1, subset=200)
    app.apply(I.SetPage("bench"))
    app.frame()
    listing = app.panel.elements["bench:runs"]
    assert [item["text"] for item in listing.item_list] == [app.machine.bench.runs[0].label()]
    run_id = app.machine.bench.runs[0].id
    app.apply(I.ExportRun(run_id, "csv"))
    csv = (tmp_path / f"run-{run_id}.csv").read_text().splitlines()
    assert csv[0].startswith("epoch") and len(csv) == 2
    app.apply(I.RenameRun(run_id, "my first run"))
    app.frame()
    assert app.machine.bench.runs[0].label() == "my first run"
    assert RunStore().get(run_id).name == "my first run"
    app.apply(I.DeleteRun(run_id))
    assert app.machine.bench.runs == [] and not RunStore().list()[0]


def test_spread_seeds_trains_ten_runs_with_their_own_seeds(app):
    m = app.machine
    m.set_switch("subset", 300)
    m.set_switch("epochs", 2)
    app.apply(I.SpreadSeeds(10))
    for _ in range(3000):
        app.frame()
        if not m.playing:
            break
    m.evaluator.wait()
    for _ in range(3):
        app.frame()
    group = [r for r in m.bench.runs if r.group is not None]
    assert sorted(r.config.seed for r in group) == list(range(10))
    assert all(len(r.metrics) == 2 for r in group)
    assert len(app.face_state().chart_runs) == 10
    from simulator.engine import at_base_rate

    n_test = len(m.data.test_labels)
    frozen = sum(at_base_rate(r.final_accuracy(), m.baseline, n_test) for r in group)
    assert f"Epoch 2: {frozen} of 10 seeds froze at {m.baseline:.2%}" in m.bench.spread_note
    np.testing.assert_array_equal(m.params, next(r for r in group
                                                 if r.config.seed == 0).knobs[-1])


def test_spread_refuses_what_it_cannot_do(app):
    m = app.machine
    m.set_switch("bulbs", 10)
    m.set_switch("activation", "softmax")
    app.apply(I.SpreadSeeds(10))
    assert not m.playing and m.spreading is None
    assert "Not possible" in words.note_text(m.note)


def test_views_show_the_clues_from_the_snapshot(app):
    app.apply(I.ToggleView("strip"))
    app.apply(I.ToggleView("histogram"))
    app.frame()
    state = app.face_state()
    assert len(state.strip) == 10 and state.histogram.n == len(app.machine.data.test_labels)
    assert app.layout.strip.w > 0 and app.layout.histogram.w > 0
    m = app.machine
    raw = Config(activation="none", inputs="raw")
    m.put_knobs(np.full((785, 1), 0.05, np.float32), raw)
    state = app.face_state()
    assert all(p.output > 1 for p in state.strip if p.picture.any())  # far outside 0..1
    app.apply(I.ToggleView("strip"))
    assert app.layout.strip.w == 0 and app.face_state().strip is None
