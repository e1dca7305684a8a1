"""One lit rule: at exactly the threshold (weighted sum 0, output 0.5) every part of the
machine says the bulb is dark: the engine, the bulb and verdict on the face, the live score,
the command line and every procedure."""

import json
import math
from dataclasses import replace

import numpy as np

from simulator import cli, engine
from simulator.engine import Config
from simulator.machine import Machine
from simulator.procedures import PROCEDURES, Pace
from simulator.storage import save_knobs

ZERO = np.zeros((785, 1), np.float32)  # every weighted sum is exactly 0


def test_the_engine_reads_the_threshold_as_dark(sample):
    X = engine.prepare_inputs(sample.test_images[:50], 1 / 255)
    for config in (Config(), Config(rule="rosenblatt"), Config(rule="trial")):
        said = engine.predict(ZERO, X, config)
        assert (said.z == 0).all() and not said.answer.any()
    assert (engine.predict(ZERO, X, Config()).output == 0.5).all()  # sigmoid(0) = 0.5
    half = ZERO.copy()
    half[784] = 0.5  # no activation: the output is the sum, exactly 0.5
    said = engine.predict(half, X, Config(activation="none"))
    assert (said.output == 0.5).all() and not said.answer.any()


def test_the_face_verdict_and_live_score_agree(sample):
    m = Machine(sample, Config(), ZERO)
    m.set_picture_filter("target")  # a 5 on the retina: a dark bulb misses it
    state = m.snapshot()
    assert state.bulb == 0.5 and state.weighted_sum == 0.0
    assert not state.lit and state.verdict == "miss"
    m.update_score(force=True)
    assert m.score.accuracy == engine.baseline_accuracy(sample.test_labels)  # never lit


def test_the_command_line_agrees(tmp_path, capsys, mnist_dir):
    path = save_knobs(tmp_path / "zero.npz", ZERO, Config())
    code = cli.main(["--load", str(path), "--epochs", "0", "--predict", "4", "--json",
                     "--data", str(mnist_dir)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    rows = [line for line in out if "weighted sum" in line]
    assert len(rows) == 4 and all(line.endswith("lit: no") for line in rows)
    assert json.loads(out[-1])["test_accuracy"] == 0.9108  # the base rate: never lit


def test_every_procedure_agrees(sample):
    for name, procedure in PROCEDURES.items():
        if not procedure.trains:
            continue
        m = Machine(sample, Config(), ZERO)
        m.set_mode(name)
        progress = m.procedure.advance(m, math.inf, Pace(max_steps=1, watch=True))
        assert progress.facts.lit is False, name  # the narration's bulb, before the step
    # Rosenblatt's threshold unit at z = 0 is dark: right on a non-5 (knobs stay),
    # a miss on a 5 (the picture is added to the knobs).
    labels = sample.train_labels
    for i in (int(np.flatnonzero(labels != 5)[0]), int(np.flatnonzero(labels == 5)[0])):
        trainer = PROCEDURES["rosenblatt"].spec.trainer(
            replace(Config(rule="rosenblatt"), subset=1), sample.train_images[i:i + 1],
            labels[i:i + 1], ZERO.copy())
        trainer.step(1)
        assert trainer.params.any() == (labels[i] == 5)
