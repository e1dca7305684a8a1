"""The story's trial-and-error procedure: exactly the naive loop, knob by knob, turn by turn."""

import dataclasses

import numpy as np
import pytest

import simulator.trial as trial_module
from simulator.engine import Config, activate, baseline_accuracy, evaluate, prepare_inputs
from simulator.trial import BULBS, TURNS_CAP, KnobTry, TrialAndError

LR = TrialAndError.lr


def naive_trial(config, images, labels, epochs, params=None, bulb=None):
    """The procedure as simulator/trial.py's docstring tells it, one turn at a time."""
    n = min(config.subset, len(images)) if config.subset else len(images)
    X, labels = prepare_inputs(images[:n], config.scale), labels[:n]
    rng = np.random.default_rng(config.seed)
    params = TrialAndError.fresh_knobs(config, rng) if params is None else params.copy()
    turn = np.float32(config.lr if config.inputs == "unit" else config.lr / 255)
    if bulb is None:
        def bulb(z):
            return activate(np.array([z], np.float32), config.activation)[0]
    for _ in range(epochs):
        order = rng.permutation(n)
        if config.bulbs == 10:  # the bulb to dim, for each place in the order
            others = (labels[order].astype(int) + rng.integers(1, 10, size=n)) % 10
        for p, i in enumerate(order):
            x = X[i]
            if config.bulbs == 10:
                jobs = [(labels[i], True), (others[p], False)]
            else:
                jobs = [(0, labels[i] == config.digit)]
            for b, brighter in jobs:
                w = params[:, b]
                z = x @ w
                out = bulb(z)
                for j in np.flatnonzero(x > 0):  # the lit sensors, then the bias
                    for sign in (np.float32(1), np.float32(-1)):  # up first
                        kept = 0
                        while kept < TURNS_CAP:
                            z_new = z + sign * (x[j] * turn)
                            out_new = bulb(z_new)
                            if not (out_new > out if brighter else out_new < out):
                                break  # not better: this turn is undone
                            w[j] = w[j] + sign * turn
                            z, out, kept = z_new, out_new, kept + 1
                        if kept or out_new == out:  # turns kept, or no change: next knob
                            break
    return params


CASES = {  # the sample's first pictures, 2 epochs: every path of trial.py is taken
    "sigmoid-unit": dict(activation="sigmoid", inputs="unit"),
    "sigmoid-raw": dict(activation="sigmoid", inputs="raw"),  # saturated at 0.0 and 1.0
    "none-raw": dict(activation="none", inputs="raw"),  # z too large for small turns
    "ten-sigmoid-unit": dict(activation="sigmoid", inputs="unit", bulbs=10),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_exactly_the_naive_loop(sample, case):
    n = 150 if "ten" in case else 250  # pictures; ten bulbs: two bulbs a picture
    config = Config(subset=n, seed=3, lr=LR, **CASES[case])
    images, labels = sample.train_images, sample.train_labels
    trial = TrialAndError(config, images, labels)
    for epoch in range(2):
        assert trial.step(7) == 7  # in pieces, as the window calls it
        trial.run_epoch()
        assert (trial.epoch, trial.position, trial.steps) == (epoch + 1, 0, n * (epoch + 1))
    expected = naive_trial(config, images, labels, epochs=2)
    assert trial.params.dtype == np.float32 and trial.params.shape == (785, config.bulbs)
    assert np.array_equal(trial.params, expected)
    assert not np.array_equal(expected, naive_trial(config, images, labels, epochs=0))


def wobbly(z):
    """A bulb that is not monotone: a sawtooth on z (exact float32 arithmetic, so that a
    scalar and an array give the same values). Brighter can mean turning down."""
    z = np.asarray(z, np.float32)
    return z + np.float32(0.07) * ((z * np.float32(25)) % np.float32(1))


def test_exactly_the_naive_loop_with_a_bulb_that_is_not_monotone(sample, monkeypatch):
    monkeypatch.setitem(BULBS, "none", wobbly)  # the checks catch every surprise
    config = Config(subset=120, seed=1, lr=0.02, activation="none", bulbs=10)
    images, labels = sample.train_images, sample.train_labels
    trial = TrialAndError(config, images, labels)
    tried = []
    monkeypatch.setattr(trial, "_try_knob", lambda *a: tried.append(a[3]) or
                        TrialAndError._try_knob(trial, *a))
    trial.run_epoch()
    expected = naive_trial(config, images, labels, epochs=1, bulb=lambda z: wobbly(z)[()])
    assert np.array_equal(trial.params, expected)
    assert {1, -1} <= set(tried)  # knobs redone turn by turn, for both wishes


def test_the_bulb_is_engine_activate():
    z = np.concatenate([np.linspace(-120, 120, 200_001, dtype=np.float32),
                        np.float32([-1e30, -88.8, -88.72, -88.7, 16.6, 17.0, 1e30, 0.0])])
    for activation in ("none", "sigmoid"):
        with np.errstate(over="ignore"):
            expected = activate(z, activation)
            assert np.array_equal(BULBS[activation](z), expected)
            scalars = np.array([BULBS[activation](v) for v in z[::997]], np.float32)
            assert BULBS[activation](z).dtype == np.float32
        assert np.array_equal(scalars, expected[::997])


def test_one_turn_moves_the_weighted_sum_as_much_on_raw_as_on_unit_inputs():
    unit = TrialAndError(Config(inputs="unit", lr=0.05), np.zeros((1, 28, 28), np.uint8), [0])
    raw = TrialAndError(Config(inputs="raw", lr=0.05), np.zeros((1, 28, 28), np.uint8), [0])
    assert unit.turn == np.float32(0.05)
    assert raw.turn == np.float32(0.05 / 255)
    assert 200 * raw.turn == pytest.approx(200 / 255 * unit.turn)


def test_a_picture_is_shown_once_per_epoch_in_a_fresh_order(sample):
    trial = TrialAndError(Config(subset=40, lr=LR), sample.train_images, sample.train_labels)
    shown = []
    for _ in range(40):
        assert trial.step() == 1
        shown.append(int(trial.last_batch[-1]))
    assert sorted(shown) == list(range(40)) and trial.epoch == 1 and trial.position == 0
    assert trial.step(0) == 0
    assert trial.step(30) == 30 and trial.epoch_progress == 0.75
    assert trial.step(30) == 10  # never past the end of the epoch
    assert (trial.epoch, trial.position, trial.steps) == (2, 0, 80)
    expected = np.random.default_rng(0)
    TrialAndError.fresh_knobs(trial.config, expected)
    assert shown == list(expected.permutation(40))


@pytest.mark.parametrize("case", ["sigmoid-raw", "ten-sigmoid-unit", "none-raw"])
def test_knob_by_knob_gives_the_same_knobs_as_picture_by_picture(sample, case):
    config = Config(subset=60, seed=5, lr=LR, **CASES[case])
    images, labels = sample.train_images, sample.train_labels
    whole = TrialAndError(config, images, labels)
    whole.step(25)
    slow = TrialAndError(config, images, labels)
    rng = np.random.default_rng(9)
    tries = []
    while slow.position < 25:
        p = slow.position
        knobs = {0: 10_000, 1: int(rng.integers(1, 40)), 2: 0}[p % 3]
        for _ in range(knobs):  # pictures done knob by knob, begun so, or not
            before = slow.params.copy()
            tries.append(slow.step_knob())
            check_knob_try(tries[-1], before, slow, config, images, labels)
            if tries[-1].picture_done:
                break
        if slow.position == p:
            assert slow.step(1) == 1  # finish it picture by picture
    assert np.array_equal(slow.params, whole.params)
    assert (slow.position, slow.steps, slow.epoch) == (whole.position, whole.steps, 0)
    assert any(t.turns for t in tries) and any(t.picture_done for t in tries)
    slow.run_epoch()
    whole.run_epoch()
    assert np.array_equal(slow.params, whole.params) and slow.epoch == 1


def check_knob_try(t: KnobTry, before, trial, config, images, labels):
    """The facts of one knob's trial agree with the knobs and with the picture."""
    assert isinstance(t, KnobTry) and t.label == labels[t.picture]
    changed = np.argwhere(before != trial.params)
    assert len(changed) == (1 if t.turns else 0)
    if t.turns:
        assert tuple(changed[0]) == (t.knob, t.bulb)
        step = trial.turn if t.turns > 0 else -trial.turn
        w = before[t.knob, t.bulb]
        for _ in range(abs(t.turns)):
            w = np.float32(w + np.float32(step))
        assert w == trial.params[t.knob, t.bulb]
    x = prepare_inputs(images[t.picture : t.picture + 1], config.scale)[0]
    assert x[t.knob] > 0 and abs(t.turns) <= TURNS_CAP
    assert t.output_after == activate(np.float32([t.z_after]), config.activation)[0]
    target = t.bulb == (labels[t.picture] if config.bulbs == 10 else 0)
    if config.bulbs == 1:
        target = labels[t.picture] == config.digit
    assert t.wanted == ("brighter" if target else "dimmer")
    if t.wanted == "brighter":
        assert t.output_after >= t.output_before
    else:
        assert t.output_after <= t.output_before
    if t.epoch_done:
        assert t.picture_done and trial.position == 0


def test_a_whole_picture_knob_by_knob(sample):
    config = Config(subset=30, seed=2, lr=LR, activation="none", inputs="raw")
    images, labels = sample.train_images, sample.train_labels
    whole, slow = (TrialAndError(config, images, labels) for _ in range(2))
    whole.step(1)
    tries = [slow.step_knob()]
    while not tries[-1].picture_done:
        tries.append(slow.step_knob())
    assert np.array_equal(slow.params, whole.params) and slow.position == 1
    x = prepare_inputs(images[tries[0].picture : tries[0].picture + 1], config.scale)[0]
    assert [t.knob for t in tries] == list(np.flatnonzero(x))  # lit knobs, then the bias
    assert tries[-1].knob == 784
    assert all(a.z_after == b.z_before for a, b in zip(tries[:-1], tries[1:], strict=True))
    assert int(slow.last_batch[-1]) == tries[0].picture


def test_a_subset_is_the_first_pictures(sample):
    images, labels = sample.train_images, sample.train_labels
    sub = TrialAndError(Config(subset=50, seed=4, lr=LR), images, labels)
    assert sub.n_train == 50
    seen = set()
    while sub.epoch == 0:
        sub.step(7)
        seen.add(int(sub.last_batch[-1]))
    assert max(seen) < 50
    first = TrialAndError(Config(seed=4, lr=LR), images[:50], labels[:50])
    first.run_epoch()
    assert np.array_equal(sub.params, first.params)


def test_one_seed_same_knobs(sample):
    images, labels = sample.train_images, sample.train_labels

    def knobs(seed):
        trial = TrialAndError(Config(subset=80, seed=seed, lr=LR), images, labels)
        trial.run_epoch()
        return trial.params

    assert np.array_equal(knobs(7), knobs(7))
    assert not np.array_equal(knobs(7), knobs(8))


def test_the_knobs_are_shared_in_place(sample):
    params = np.zeros((785, 1), np.float32)
    trial = TrialAndError(Config(subset=20, lr=LR), sample.train_images, sample.train_labels,
                          params)
    trial.run_epoch()
    assert trial.params is params and params.any()


@pytest.mark.parametrize("bad, words", [
    (dict(images=np.zeros((5, 27, 27), np.uint8)), r"\(5, 27, 27\)"),
    (dict(images=np.zeros((5,), np.uint8)), r"\(5,\)"),
    (dict(labels=np.zeros((5, 1), np.uint8)), r"\(5, 1\)"),
    (dict(labels=np.zeros(4, np.uint8)), "5 pictures but 4 labels"),
    (dict(images=np.zeros((0, 28, 28), np.uint8), labels=np.zeros(0)), "no training"),
    (dict(params=np.zeros((784, 1), np.float32)), r"\(784, 1\)"),
    (dict(params=np.zeros((785, 10), np.float32)), "10 bulb"),
    (dict(config=Config(bulbs=10, activation="softmax")), "softmax"),
])
def test_bad_shapes_are_refused(bad, words):
    args = dict(config=Config(), images=np.zeros((5, 28, 28), np.uint8),
                labels=np.zeros(5, np.uint8), params=None)
    args.update(bad)
    with pytest.raises(ValueError, match=words):
        TrialAndError(**args)


def test_it_has_the_trainers_face():
    assert TrialAndError.name == "trial" and TrialAndError.label == "Trial and error"
    assert isinstance(TrialAndError.tooltip, str) and 20 < len(TrialAndError.tooltip) < 300
    assert 0 < TrialAndError.lr and TrialAndError.per_picture
    fields = {f.name for f in dataclasses.fields(KnobTry)}
    assert {"picture", "label", "knob", "turns", "z_before", "z_after", "output_before",
            "output_after", "wanted", "picture_done", "epoch_done"} <= fields
    assert trial_module.TURNS_CAP == TURNS_CAP >= 1


def test_one_epoch_of_the_story_beats_a_bulb_that_never_lights(mnist_dir):
    from simulator.data import load_mnist

    mnist = load_mnist(str(mnist_dir))
    config = Config(lr=LR, seed=0)  # the default switches: a sigmoid on inputs 0..1
    trial = TrialAndError(config, mnist.train_images, mnist.train_labels)
    trial.run_epoch()  # about 1.5 s
    X = prepare_inputs(mnist.test_images, config.scale)
    score = evaluate(trial.params, X, mnist.test_labels, config).accuracy
    base = baseline_accuracy(mnist.test_labels)
    assert base == pytest.approx(0.9108)
    assert score > base + 0.03, f"{score:.4f} after one epoch"  # 96.3% for seed 0
