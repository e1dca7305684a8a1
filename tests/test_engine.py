"""The engine against naive reference loops, and its contracts (determinism, guard, API)."""

import math
from dataclasses import replace

import numpy as np
import pytest

from simulator import engine
from simulator.engine import Config, RosenblattTrainer, Trainer, TrainingDiverged


@pytest.fixture(scope="module")
def digits():
    """600 synthetic 'pictures' with digit labels: enough to exercise every code path."""
    rng = np.random.default_rng(42)
    images = (rng.random((600, 28, 28)) ** 3 * 255).astype(np.uint8)  # (600, 28, 28) uint8
    labels = rng.integers(0, 10, size=600).astype(np.uint8)
    return images, labels


def naive_gd_epoch(params, images, labels, config, order, state):
    """The textbook loop: float64, fresh arrays every step, formulas written out."""
    X = np.hstack([images.reshape(len(images), -1) * config.scale, np.ones((len(images), 1))])
    Y = engine.make_targets(labels, config).astype(np.float64)
    P, lr = params.astype(np.float64), config.lr
    for start in range(0, len(X), config.batch_size):
        idx = order[start : start + config.batch_size]
        x, y = X[idx], Y[idx]
        z = x @ P
        a = {"none": z, "sigmoid": 1 / (1 + np.exp(-z))}.get(config.activation)
        if a is None:
            a = np.exp(z - z.max(1, keepdims=True))
            a /= a.sum(1, keepdims=True)
        n = len(x) if (config.loss == "ce" and config.activation == "softmax") else y.size
        if config.loss == "ce" and config.activation != "none":
            dz = (a - y) / n
        else:
            if config.loss == "mse":
                da = 2 * (a - y) / n
            elif config.loss == "mae":
                da = np.sign(a - y) / n
            else:
                p = np.clip(a, engine.CE_EPS, 1 - engine.CE_EPS)
                da = (p - y) / (p * (1 - p)) / n * (p == a)
            if config.activation == "none":
                dz = da
            elif config.activation == "sigmoid":
                dz = da * a * (1 - a)
            else:
                dz = a * (da - (da * a).sum(1, keepdims=True))
        g = x.T @ dz
        if config.optimizer == "sgd":
            P = P - lr * g
            continue
        state["t"] += 1
        t = state["t"]
        state["m"] = 0.9 * state["m"] + 0.1 * g
        state["v"] = 0.999 * state["v"] + 0.001 * g * g
        alpha = lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        P = P - alpha * state["m"] / (np.sqrt(state["v"]) + 1e-7)
    return P


SWITCHES = [
    dict(),  # the tutorial's fixed model: sigmoid, mse, adam
    dict(activation="none", loss="mse", optimizer="sgd", lr=1e-3),
    dict(activation="none", loss="mae"),
    dict(activation="sigmoid", loss="ce"),
    dict(activation="sigmoid", loss="mae", optimizer="sgd", lr=0.5),
    dict(activation="none", loss="ce", optimizer="sgd", lr=0.01),
    dict(activation="sigmoid", loss="mse", inputs="raw"),
    dict(bulbs=10, activation="softmax", loss="ce"),
    dict(bulbs=10, activation="softmax", loss="mse", batch_size=50),
    dict(bulbs=10, activation="sigmoid", loss="ce", optimizer="sgd", lr=0.1),
    dict(digit=3, batch_size=7, subset=333),  # a short last batch
]


@pytest.mark.parametrize("switches", SWITCHES, ids=lambda s: ",".join(map(str, s.values())))
def test_gradient_descent_matches_naive_loop(digits, switches):
    images, labels = digits
    config = Config(seed=3, **switches)
    n = config.subset or len(images)
    start = engine.init_knobs(config, np.random.default_rng(7))
    trainer = Trainer(config, images, labels, start.copy())
    state = {"t": 0, "m": 0.0, "v": 0.0}
    expected = start.astype(np.float64)
    order_rng = np.random.default_rng(config.seed)  # the trainer's rng draws the orders
    for _ in range(2):
        order = order_rng.permutation(n)
        expected = naive_gd_epoch(expected, images[:n], labels[:n], config, order, state)
        trainer.run_epoch()
    assert trainer.params.dtype == np.float32
    np.testing.assert_allclose(trainer.params, expected, rtol=2e-4, atol=2e-5)
    assert not np.array_equal(trainer.params, start), "the knobs did not move"


def naive_rosenblatt_epoch(params, images, labels, config, order):
    """The error-correction procedure (1962), literally: one picture at a time, change only on
    a mistake."""
    P = params.copy()
    for i in order:
        x = np.append(images[i].reshape(-1).astype(np.float32) * np.float32(config.scale), 1)
        x = x.astype(np.float32)
        if config.bulbs == 1:
            lit = float(x @ P[:, 0]) > 0
            wanted = bool(labels[i] == config.digit)
            if lit != wanted:
                P[:, 0] += np.float32(config.lr * (int(wanted) - int(lit))) * x
        else:
            answer = int(np.argmax(x @ P))
            if answer != labels[i]:
                P[:, labels[i]] += np.float32(config.lr) * x
                P[:, answer] -= np.float32(config.lr) * x
    return P


@pytest.mark.parametrize("bulbs", [1, 10])
def test_rosenblatt_rule_matches_naive_loop_exactly(digits, bulbs):
    images, labels = digits
    config = Config(rule="rosenblatt", bulbs=bulbs, seed=5, lr=0.5)
    start = engine.init_knobs(config, np.random.default_rng(1))
    trainer = RosenblattTrainer(config, images, labels, start.copy())
    expected, order_rng = start.copy(), np.random.default_rng(config.seed)
    for _ in range(2):
        order = order_rng.permutation(600)
        expected = naive_rosenblatt_epoch(expected, images, labels, config, order)
        trainer.run_epoch()
    np.testing.assert_array_equal(trainer.params, expected)


def test_rosenblatt_leaves_knobs_alone_when_right(digits):
    images, labels = digits
    config = Config(rule="rosenblatt")
    trainer = RosenblattTrainer(config, images, labels)
    assert not trainer.params.any(), "given no knobs, the rule starts from zero"
    X = engine.prepare_inputs(images, config.scale)
    for _ in range(50):
        before = trainer.params.copy()
        i = trainer.order[trainer.position] if trainer.order is not None else None
        trainer.step(1)
        i = trainer.last_batch[0] if i is None else i
        lit = float(X[i] @ before[:, 0]) > 0
        if lit == (labels[i] == 5):
            np.testing.assert_array_equal(trainer.params, before)
        else:
            assert not np.array_equal(trainer.params, before)


def test_same_seed_same_knobs_byte_for_byte(digits):
    images, labels = digits
    runs = []
    for seed in (11, 11, 12):
        trainer = Trainer(Config(seed=seed), images, labels)
        trainer.run_epoch()
        runs.append(trainer.params.tobytes())
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_small_steps_and_whole_epochs_take_one_path(digits):
    images, labels = digits
    whole, steps = (Trainer(Config(seed=2), images, labels) for _ in range(2))
    whole.run_epoch()
    while steps.epoch < 1:
        before = steps.position
        done = steps.step(3)
        assert done >= 1 and (steps.position == before + 3 * 32 or steps.epoch == 1)
    assert whole.params.tobytes() == steps.params.tobytes()
    assert steps.position == 0 and steps.epoch_progress == 0


def test_an_epoch_with_a_progress_bar_hears_every_batch_once(digits):
    """run_epoch(on_batches) reports about fifty times an epoch, every batch counted once,
    and turns the knobs exactly as the epoch in one call."""
    images, labels = digits
    quiet, heard_one = (Trainer(Config(seed=4), images, labels) for _ in range(2))
    heard: list[int] = []
    quiet.run_epoch()
    heard_one.run_epoch(heard.append)
    assert sum(heard) == heard_one.batches_per_epoch and min(heard) >= 1
    assert 1 < len(heard) <= engine.PROGRESS_STEPS + 1
    assert heard_one.params.tobytes() == quiet.params.tobytes()
    assert (heard_one.epoch, heard_one.position) == (1, 0)


def test_trainer_turns_the_callers_knobs_in_place(digits):
    images, labels = digits
    knobs = np.zeros((785, 1), np.float32)
    trainer = Trainer(Config(), images, labels, knobs)
    trainer.step(2)
    assert trainer.params is knobs and knobs.any()
    knobs[:] = 0  # a hand turning the knobs between batches is seen by the next batch
    trainer.step(1)
    assert np.abs(knobs).max() < 0.01


def test_evaluate_matches_a_loop_over_pictures(digits):
    images, labels = digits
    for config in (Config(), Config(bulbs=10, activation="softmax", loss="ce")):
        params = engine.init_knobs(config, np.random.default_rng(0))
        X = engine.prepare_inputs(images, config.scale)
        metrics = engine.evaluate(params, X, labels, config)
        right = 0
        for x, label in zip(X, labels, strict=True):
            a = engine.activate((x @ params)[None, :], config.activation)[0]
            right += (a.argmax() == label) if config.bulbs == 10 else ((a[0] > 0.5) == (label == 5))
        assert metrics.accuracy == pytest.approx(right / len(X))
        chunked = engine.evaluate_chunked(params, images, labels, config, chunk=128)
        assert chunked.accuracy == pytest.approx(metrics.accuracy)
        assert chunked.loss == pytest.approx(metrics.loss, rel=1e-5)


def test_a_chunked_score_counts_the_right_answers_whole(digits):
    """However the pictures are cut into chunks, the accuracy is the count of right
    answers over all of them, exactly (not a sum of rounded shares)."""
    images, labels = digits
    config = Config()
    params = engine.init_knobs(config, np.random.default_rng(3))
    X = engine.prepare_inputs(images, config.scale)
    lit = (X @ params)[:, 0] > 0.0  # a sigmoid's output is above 0.5 exactly where z > 0
    right = int(np.sum(lit == (labels == config.digit)))
    for chunk in (1, 7, 128, 333, len(images)):
        scored = engine.evaluate_chunked(params, images, labels, config, chunk=chunk)
        assert scored.accuracy == right / len(images) and scored.n == len(images)
    # 15 of 22 and 1 of 30 right are 16 of 52, though 15/22 * 22 is not 15 in floats
    parts = [engine.Metrics(0.5, 15 / 22, 22), engine.Metrics(0.25, 1 / 30, 30),
             engine.Metrics(float("nan"), float("nan"), 0)]  # an empty part counts for nothing
    combined = engine.combine_metrics(parts)
    assert combined.accuracy == 16 / 52 and combined.n == 52
    assert combined.loss == pytest.approx((0.5 * 22 + 0.25 * 30) / 52)


@pytest.mark.parametrize("switches", [
    {}, {"loss": "mae"}, {"loss": "ce"}, {"activation": "none", "loss": "ce"},
    {"activation": "none", "inputs": "raw"},
])
def test_loss_values_score_each_column_as_loss_value_scores_one_run(digits, switches):
    images, labels = digits
    config = replace(Config(), **switches)
    rng = np.random.default_rng(4)
    params = np.hstack([engine.init_knobs(config, rng) for _ in range(3)])  # 3 runs
    outputs = engine.activate(engine.prepare_inputs(images, config.scale) @ params,
                              config.activation)
    Y = engine.make_targets(labels, config)
    together = engine.loss_values(outputs, Y, config)
    assert together.shape == (3,)
    for i in range(3):
        assert together[i] == pytest.approx(engine.loss_value(outputs[:, i : i + 1], Y, config),
                                            rel=1e-12)


def test_descent_direction_lowers_the_loss(digits):
    images, labels = digits
    config = Config()
    X = engine.prepare_inputs(images, config.scale)
    params = engine.init_knobs(config, np.random.default_rng(0))
    before = engine.evaluate(params, X, labels, config).loss
    after = engine.evaluate(params + 0.5 * engine.descent_direction(params, X, labels, config),
                            X, labels, config).loss
    assert after < before


def test_divergence_stops_and_rolls_back_to_finite_knobs(digits):
    images, labels = digits
    config = Config(activation="none", optimizer="sgd", lr=1e6, inputs="raw")
    trainer = Trainer(config, images, labels)
    with pytest.raises(TrainingDiverged, match="rolled back"):
        trainer.run_epoch()
    assert np.isfinite(trainer.params).all()


def test_baseline_is_the_never_lit_bulb():
    labels = np.array([5, 1, 2, 5, 3, 1, 1, 0], np.uint8)
    assert engine.baseline_accuracy(labels, 5) == 6 / 8
    assert engine.baseline_accuracy(labels, 5, bulbs=10) == 3 / 8


@pytest.mark.parametrize(
    "switches, message",
    [
        (dict(activation="softmax"), "softmax needs ten bulbs"),
        (dict(bulbs=3), "bulbs must be one of 1, 10; got 3"),
        (dict(digit=12), "digit must be one of 0, 1, .*9; got 12"),
        (dict(lr=-1.0), "lr must be above 0, got -1.0"),
        (dict(loss="hinge"), "loss must be one of"),
        (dict(batch_size=0), "batch_size"),
    ],
)
def test_bad_switches_are_named(switches, message):
    with pytest.raises(ValueError, match=message):
        Config(**switches).validate()


def test_bad_shapes_are_named(digits):
    images, labels = digits
    with pytest.raises(ValueError, match=r"got shape \(600, 27, 28\)"):
        engine.prepare_inputs(images[:, :27], 1.0)
    with pytest.raises(ValueError, match="600 pictures but 599 labels"):
        Trainer(Config(), images, labels[:599])
    with pytest.raises(ValueError, match=r"knobs must have shape"):
        Trainer(Config(), images, labels, np.zeros((784, 1), np.float32))


@pytest.mark.parametrize("batch_size", [150, 600], ids=["large-batch", "full-batch"])
def test_large_batches_stream_float_rows_and_match_naive_loop(digits, monkeypatch, batch_size):
    monkeypatch.setattr(engine, "SMALL_BATCH", 64)
    images, labels = digits
    config = Config(batch_size=batch_size, optimizer="sgd", lr=0.5, seed=1)
    start = engine.init_knobs(config, np.random.default_rng(0))
    trainer = Trainer(config, images, labels, start.copy())
    assert trainer.rows.dtype == np.float32
    order = np.random.default_rng(config.seed).permutation(600)
    expected = naive_gd_epoch(start, images, labels, config, order, {"t": 0})
    trainer.run_epoch()
    np.testing.assert_allclose(trainer.params, expected, rtol=2e-4, atol=2e-5)


def test_the_math_knows_no_screen():
    """engine, data, storage and the command line import without pygame or tfds."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; sys.modules['pygame'] = None; sys.modules['tensorflow_datasets'] = None\n"
            "import simulator.engine, simulator.data, simulator.storage, simulator.cli\n"
            "import simulator.machine, simulator.procedures, simulator.hand\n"
            "assert 'tensorflow' not in sys.modules")
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
