"""The procedures behind the mode switch, driven through the machine model (no window)."""

import json
import math
import time

import numpy as np

from simulator import cli, engine, words
from simulator.engine import Config, Trainer
from simulator.machine import Machine
from simulator.procedures import PROCEDURES, Pace
from simulator.rules import RULES, Rule


def inputs(m, i):
    """(785,) the inputs of training picture i at the machine's input scale."""
    return engine.prepare_inputs(m.data.train_images[i : i + 1], m.config.scale)[0]


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


class NudgeTrainer(Trainer):
    """A made-up rule: every batch raises the bias by 1."""

    def _make_gd_step(self):
        def nudge(idx):
            self.params[784, 0] += 1.0
            self.steps += 1

        return nudge


def test_a_new_procedure_plugs_in_through_the_table(machine, monkeypatch, capsys, mnist_dir):
    monkeypatch.setitem(RULES, "nudge", Rule("nudge", "Nudge", "adds 1 to the bias",
                                             NudgeTrainer, lr=1.0))
    m = Machine(machine.data)
    assert "nudge" in PROCEDURES and PROCEDURES["nudge"].label == "Nudge"
    m.set_mode("nudge")
    assert m.config.rule == "nudge" and m.config.lr == 1.0
    bias = m.bias
    m.step("batch")
    assert m.bias == bias + 1.0
    # ... and the command line runs it too, by name
    code = cli.main(["--rule", "nudge", "--data", str(mnist_dir), "--subset", "64",
                     "--epochs", "1", "--quiet", "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["config"]["rule"] == "nudge" and summary["epochs"] == 1


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
        x = inputs(m, i)
        lit = float(x @ before[:, 0]) > 0
        right = lit == (m.data.train_labels[i] == 5)
        story = words.narration(progress.facts, m.procedure.label)
        if right:
            rights += 1
            np.testing.assert_array_equal(before, m.params)
            assert len(progress.turned) == 0 and "left alone" in story
        else:
            wrongs += 1
            assert len(progress.turned) > 0 and "turned" in story
            # error-correction: params += lr (y - lit) x
            sign = 1.0 if m.data.train_labels[i] == 5 else -1.0
            expected = before[:, 0] + np.float32(m.config.lr * sign) * x
            np.testing.assert_allclose(m.params[:, 0], expected, rtol=1e-6)
    assert rights and wrongs


def test_trial_and_error_in_slow_motion_turns_one_knob_at_a_time(machine):
    m = machine
    m.set_mode("trial")
    pictures, knobs_tried = set(), []
    for _ in range(60):
        before = m.params.copy()
        progress = m.procedure.advance(m, math.inf, Pace(max_steps=1, watch=True))
        i, facts = progress.shown, progress.facts
        x = inputs(m, i)
        z0, z1 = float(x @ before[:, 0]), float(x @ m.params[:, 0])
        if m.data.train_labels[i] == 5:
            assert z1 >= z0
        else:
            assert z1 <= z0
        moved = np.flatnonzero(before[:, 0] != m.params[:, 0])
        assert set(moved) <= {facts.knob} and (facts.knob == 784 or x[facts.knob] > 0)
        assert (len(moved) == 1) == (facts.turns != 0)
        assert "knob" in words.narration(facts, m.procedure.label)
        pictures.add(i)
        knobs_tried.append(facts.knob)
    assert len(pictures) == 1  # sixty knobs of the first picture, one after the other
    assert knobs_tried == sorted(knobs_tried)


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
    assert "3 epochs done" in words.note_text(m.note)


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
    assert m.turned is not None and m.facts is not None


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
        x = inputs(m, i)
        answer, label = int(np.argmax(x @ before)), int(m.data.train_labels[i])
        story = words.narration(progress.facts, m.procedure.label)
        assert f"the brightest bulb said {answer}" in story
        if answer != label:
            assert f"the {label}-bulb's knobs up" in story
            assert (m.params[:, label] > before[:, label]).any()
        stories.add(answer == label)
    assert False in stories


def test_a_run_that_settles_on_a_dark_bulb_is_told_as_the_base_rate_trap(sample):
    """The story's trial and error with no activation on raw pixels drifts every knob down
    (nine pictures in ten are not 5s): the bulb never lights, and the machine says so."""
    m = Machine(sample, Config(activation="none", inputs="raw", subset=300, epochs=1))
    m.set_mode("trial")
    m.play()
    frames_until_training(m, 0.05)
    while m.playing:
        m.advance(0.05, 1 / 60)
    m.evaluator.wait()
    m.poll()
    assert m.history[0]["test_acc"] == m.baseline
    assert m.note.kind == "never_lit"
    assert f"{m.baseline:.2%}" in words.note_text(m.note)
