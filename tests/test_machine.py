"""The machine model behind the window: score, pictures, retina, switches, knob files."""

import numpy as np
import pytest

from simulator import engine, words
from simulator.engine import Config
from simulator.machine import speed_rate


def said(m) -> str:
    """The machine's latest note, in the window's words."""
    return words.note_text(m.note)


def test_live_score_is_the_engines_evaluate(machine):
    m = machine
    m.update_score(force=True)
    expected = engine.evaluate(m.params, engine.prepare_inputs(m.data.test_images, 1 / 255),
                               m.data.test_labels, m.config)
    assert m.score == expected
    assert not m.update_score()  # nothing changed: no work
    m.turn(400, 3.0)
    assert m.update_score()


def test_reading_follows_the_knobs_and_the_retina(machine):
    m = machine
    z0 = float(m.reading().z[0, 0])
    m.set_knob(784, m.bias + 1.0)
    assert float(m.reading().z[0, 0]) == pytest.approx(z0 + 1.0, abs=1e-5)
    m.clear_retina()
    assert m.picture.split == "drawn" and m.picture.label is None
    empty = float(m.reading().z[0, 0])
    assert empty == pytest.approx(m.bias, abs=1e-6)  # a dark retina: only the bias
    m.paint(14.0, 14.0)
    assert m.picture.pixels.reshape(28, 28)[13:15, 13:15].min() > 200
    x = engine.prepare_inputs(m.picture.pixels[None], m.config.scale)[0]
    assert float(m.reading().z[0, 0]) == pytest.approx(float(x @ m.params[:, 0]), abs=1e-5)
    m.paint(14.0, 14.0, erase=True)
    assert m.picture.pixels.reshape(28, 28)[13, 13] == 0


def test_pictures_filters(machine):
    m = machine
    labels = m.data.test_labels
    m.set_picture_filter("target")
    for _ in range(5):
        m.show_picture("next")
        assert labels[m.picture.index] == 5
    m.set_picture_filter("other")
    m.show_picture("random")
    assert labels[m.picture.index] != 5
    m.set_picture_filter("misclassified")
    said_ = engine.predict(m.params, m.X_test, m.config)
    wrong = said_.answer != (labels == 5)
    for _ in range(3):
        m.show_picture("next")
        assert wrong[m.picture.index]
    m.set_picture_filter("all")
    i = m.picture.index
    m.show_picture("next")
    m.show_picture("previous")
    assert m.picture.index == i


def test_invalid_switch_is_refused_with_a_message(machine):
    m = machine
    before = (m.config, m.params.copy())
    assert not m.set_switch("activation", "softmax")
    assert "softmax needs ten bulbs" in said(m)
    assert m.config == before[0]
    np.testing.assert_array_equal(m.params, before[1])


def test_switches_keep_the_knobs_except_seed_and_bulbs(machine):
    m = machine
    knobs = m.params.copy()
    assert m.set_switch("loss", "ce") and m.set_switch("inputs", "raw")
    np.testing.assert_array_equal(m.params, knobs)
    assert m.X_test[0, 784] == 1.0 and m.X_test.max() > 1.0  # raw inputs now
    assert m.set_switch("seed", 3)
    np.testing.assert_array_equal(m.params, engine.init_knobs(m.config, np.random.default_rng(3)))
    m.undo()
    np.testing.assert_array_equal(m.params, knobs)
    assert m.set_switch("bulbs", 10)
    assert m.params.shape == (785, 10) and m.column == 5
    assert m.set_switch("activation", "softmax") and m.set_switch("digit", 7)
    assert m.column == 7
    m.turn(10, 2.0)
    assert np.flatnonzero(m.params[10] != engine.init_knobs(
        m.config, np.random.default_rng(3))[10]).tolist() == [7]


def test_put_knobs_applies_the_files_switches(machine):
    m = machine
    params = np.full((785, 1), 0.01, np.float32)
    m.set_mode("gd")
    m.put_knobs(params, Config(rule="rosenblatt", inputs="raw", digit=3))
    np.testing.assert_array_equal(m.params, params)
    assert m.config.inputs == "raw" and m.config.digit == 3
    assert m.mode == "rosenblatt"  # knobs trained by the rule are read by the rule
    with pytest.raises(ValueError):
        m.put_knobs(np.full((785, 1), np.nan, np.float32), None)
    np.testing.assert_array_equal(m.params, params)


def test_speed_curve():
    rates = [speed_rate(s) for s in np.linspace(0, 0.99, 40)]
    assert rates[0] == pytest.approx(2.0)
    assert speed_rate(0.5) == pytest.approx(60.0)
    assert all(b > a for a, b in zip(rates, rates[1:], strict=False))
    assert speed_rate(1.0) is None


def test_ghost_needles_point_downhill(machine):
    m = machine
    m.toggle_ghost()
    assert m.update_ghost(force=True)
    g = m.ghost
    assert g.shape == (785,) and np.isfinite(g).all() and np.abs(g).max() > 0
    X = engine.prepare_inputs(m.data.train_images[:2000], 1 / 255)
    labels = m.data.train_labels[:2000]
    loss0 = engine.evaluate(m.params, X, labels, m.config).loss
    m.params[:, 0] += 1e-3 * g / np.abs(g).max()
    assert engine.evaluate(m.params, X, labels, m.config).loss < loss0


def test_each_procedure_keeps_its_own_learning_rate(machine):
    m = machine
    m.set_mode("gd")
    assert m.config.lr == 0.001
    m.set_mode("rosenblatt")  # whole-picture steps: its knob turns can be seen
    assert m.config.lr == 1.0 and m.config.rule == "rosenblatt"
    assert m.set_switch("lr", 0.1)
    m.set_mode("gd")
    assert m.config.lr == 0.001
    assert m.set_switch("lr", 0.01)
    m.set_mode("hand")  # the hand keeps whatever is set
    assert m.config.lr == 0.01
    m.set_mode("rosenblatt")
    assert m.config.lr == 0.1
    m.set_mode("gd")
    assert m.config.lr == 0.01


def test_knobs_from_a_file_keep_their_learning_rate_when_training_starts(machine):
    m = machine
    m.put_knobs(m.params.copy(), Config(lr=0.01))
    m.set_mode("gd")
    assert m.config.lr == 0.01
    m.put_knobs(m.params.copy(), Config(rule="rosenblatt", lr=0.5))
    m.set_mode("hand")
    m.set_mode("rosenblatt")
    assert m.config.lr == 0.5


def test_a_failing_procedure_stops_with_a_message_not_a_traceback(machine, monkeypatch):
    m = machine
    m.set_mode("gd")
    m.play()

    def broken(*args, **kwargs):
        raise MemoryError("no room for the training rows")

    monkeypatch.setattr(m.procedure, "advance", broken)
    m.advance(0.01, 1 / 60)
    assert not m.playing
    assert "Training stopped: MemoryError: no room" in said(m)


def test_a_procedure_that_cannot_work_with_the_switches_is_refused(sample):
    from simulator.machine import Machine

    m = Machine(sample, Config(bulbs=10, activation="softmax", loss="ce"))
    m.set_mode("gd")
    before = (m.mode, m.config)
    assert not m.set_mode("trial")  # trial and error needs a bulb of its own (no softmax)
    assert (m.mode, m.config) == before
    assert "trial procedure works with activation none or sigmoid" in said(m)
