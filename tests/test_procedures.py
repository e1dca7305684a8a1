"""The procedures behind the mode switch, driven through the machine model (no window)."""

import math
import time

import numpy as np

from simulator import engine
from simulator.engine import Config
from simulator.machine import Machine
from simulator.procedures import PROCEDURES, Pace, Procedure, Progress


def frames_until_training(m, budget=0.02):
    """Frames go on while a new trainer is built in the background; then it trains."""
    for _ in range(500):
        progress = m.advance(budget, 1 / 60)
        if not progress.preparing:
            return progress
        time.sleep(0.005)
    raise AssertionError("the trainer was never ready")


def test_table_lists_every_procedure_with_words_for_the_panel():
    assert list(PROCEDURES) == ["hand", "trial", "rosenblatt", "gd"]
    for name, cls in PROCEDURES.items():
        assert cls.name == name and cls.label and cls.tooltip
    assert not PROCEDURES["hand"].trains and PROCEDURES["gd"].trains


def test_a_new_procedure_plugs_in_through_the_table(machine, monkeypatch):
    class Nudge(Procedure):
        name, label, tooltip, trains, rule = "nudge", "Nudge", "adds 1 to the bias", True, "gd"

        def advance(self, m, budget_s, pace):
            m.params[784, 0] += 1.0
            return Progress(steps=1)

    monkeypatch.setitem(PROCEDURES, "nudge", Nudge)
    m = Machine(machine.data)
    m.set_mode("nudge")
    m.play()
    bias = m.bias
    m.advance(0.01, 1 / 60)
    assert m.bias == bias + 1.0


def test_gradient_descent_trains_the_shared_knobs_within_budget(machine):
    m = machine
    m.set_mode("gd")
    m.play()
    before = m.params.copy()
    progress = frames_until_training(m)
    assert progress.steps > 0
    assert m.procedure.trainer.params is m.params  # one array: hand and engine
    assert not np.array_equal(before, m.params)
    assert progress.seconds < 0.2


def test_a_hand_turn_while_paused_is_seen_by_the_next_step(machine):
    m = machine
    m.set_mode("gd")
    m.step("batch")  # builds the trainer
    m.set_knob(300, 5.0)
    trainer = m.procedure.trainer
    assert trainer.params[300, 0] == np.float32(5.0)
    m.step("batch")
    assert m.procedure.trainer is trainer  # same knobs, same optimizer state
    assert abs(m.params[300, 0] - 5.0) < 0.01  # trained on from 5.0, not from before


def test_rosenblatt_turns_knobs_only_on_wrong_answers(machine):
    m = machine
    m.set_mode("rosenblatt")
    assert m.config.rule == "rosenblatt"
    rights = wrongs = 0
    for _ in range(40):
        before = m.params.copy()
        progress = m.procedure.advance(m, math.inf, Pace(max_steps=1, watch=True))
        i = progress.shown
        x = m.inputs(m.data.train_images[i].reshape(784).astype(np.float32))
        lit = float(x @ before[:, 0]) > 0
        right = lit == (m.data.train_labels[i] == 5)
        if right:
            rights += 1
            np.testing.assert_array_equal(before, m.params)
            assert len(progress.turned) == 0 and "left alone" in progress.story
        else:
            wrongs += 1
            assert len(progress.turned) > 0 and "turned" in progress.story
            # error-correction: params += lr (y - lit) x
            sign = 1.0 if m.data.train_labels[i] == 5 else -1.0
            expected = before[:, 0] + np.float32(m.config.lr * sign) * x
            np.testing.assert_allclose(m.params[:, 0], expected, rtol=1e-6)
    assert rights and wrongs


def test_trial_and_error_keeps_only_turns_that_help(machine):
    m = machine
    m.set_mode("trial")
    for _ in range(30):
        before = m.params.copy()
        progress = m.procedure.advance(m, math.inf, Pace(max_steps=1, watch=True))
        i = progress.shown
        x = m.inputs(m.data.train_images[i].reshape(784).astype(np.float32))
        z0, z1 = float(x @ before[:, 0]), float(x @ m.params[:, 0])
        if m.data.train_labels[i] == 5:
            assert z1 >= z0
        else:
            assert z1 <= z0
        moved = np.flatnonzero(before[:, 0] != m.params[:, 0])
        assert set(moved) <= set(progress.turned.tolist())
        assert all(j == 784 or x[j] > 0 for j in moved)  # only knobs that see light


def test_an_epoch_end_is_scored_for_the_charts(sample):
    m = Machine(sample, Config(subset=64, batch_size=32))
    m.set_mode("gd")
    m.play()
    frames_until_training(m, 0.05)
    for _ in range(5):
        m.advance(0.05, 1 / 60)
    assert m.run_epochs >= 2
    m.evaluator.wait()
    m.poll()
    assert len(m.history) == m.run_epochs
    row = m.history[0]
    assert set(row) == {"train_loss", "train_acc", "test_loss", "test_acc"}
    assert 0 <= row["test_acc"] <= 1


def test_play_stops_after_the_configured_epochs(sample):
    m = Machine(sample, Config(subset=40, epochs=3))
    m.set_mode("rosenblatt")
    m.play()
    frames_until_training(m, 0.05)
    for _ in range(50):
        m.advance(0.05, 1 / 60)
    assert not m.playing and m.run_epochs == 3
    assert "3 epochs done" in m.message


def test_divergence_pauses_with_the_engines_message(sample):
    m = Machine(sample, Config(activation="none", inputs="raw", optimizer="sgd", lr=10.0))
    m.set_mode("gd")
    m.play()
    frames_until_training(m, 0.05)
    for _ in range(30):
        m.advance(0.05, 1 / 60)
        if not m.playing:
            break
    assert not m.playing
    assert "diverged" in m.diverged and "learning rate" in m.diverged
    assert np.isfinite(m.params).all()


def test_slow_motion_shows_each_training_picture(machine):
    m = machine
    m.set_mode("rosenblatt")
    m.set_speed(0.0)  # 2 pictures a second
    m.play()
    assert m.advance(0.01, 0.1).steps == 0  # 0.2 of a picture owed
    m.procedure._trainer(m, wait=True)
    progress = m.advance(0.01, 0.5)
    assert progress.steps == 1
    assert m.picture.split == "train" and m.picture.index == progress.shown
    assert m.turned is not None and m.story


def test_ten_bulbs_train(sample):
    m = Machine(sample, Config(bulbs=10, activation="softmax", loss="ce"))
    m.set_mode("gd")
    m.play()
    before = m.params.copy()
    frames_until_training(m)
    assert m.params.shape == (785, 10) and not np.array_equal(before, m.params)
    score = engine.evaluate(m.params, m.X_test, m.data.test_labels, m.config)
    m.update_score(force=True)
    assert m.score.accuracy == score.accuracy


def test_ten_bulbs_rosenblatt_narrates_the_brightest_bulb(sample):
    m = Machine(sample, Config(bulbs=10, rule="rosenblatt", lr=1.0))
    m.set_mode("rosenblatt")
    stories = set()
    for _ in range(20):
        before = m.params.copy()
        progress = m.procedure.advance(m, math.inf, Pace(max_steps=1, watch=True))
        i = progress.shown
        x = m.inputs(m.data.train_images[i].reshape(784).astype(np.float32))
        answer, label = int(np.argmax(x @ before)), int(m.data.train_labels[i])
        assert f"the brightest bulb said {answer}" in progress.story
        if answer != label:
            assert f"the {label}-bulb's knobs up" in progress.story
            assert (m.params[:, label] > before[:, label]).any()
        stories.add(answer == label)
    assert False in stories
