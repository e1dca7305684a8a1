"""The hand: knob edits on the shared array, one undo step per gesture. NumPy only."""

import numpy as np
import pytest

from simulator.hand import BIAS, LIMIT, HandTuner


@pytest.fixture
def knobs():
    return np.random.default_rng(0).uniform(-0.1, 0.1, (785, 1)).astype(np.float32)


def test_turn_moves_one_knob_in_place(knobs):
    shared = knobs  # the engine's Trainer holds this very array
    hand = HandTuner(shared)
    before = knobs.copy()
    assert hand.turn(100, 0.25)
    assert shared[100, 0] == np.float32(before[100, 0] + np.float32(0.25))
    changed = np.flatnonzero(shared[:, 0] != before[:, 0])
    assert changed.tolist() == [100]


def test_a_gesture_is_one_undo_step(knobs):
    hand = HandTuner(knobs)
    start = knobs.copy()
    hand.begin()
    for _ in range(10):
        hand.turn(5, 0.01)
    hand.turn(BIAS, -1.0)
    hand.end()
    after = knobs.copy()
    assert hand.undo()
    np.testing.assert_array_equal(knobs, start)
    assert not hand.undo()  # only one step
    assert hand.redo()
    np.testing.assert_array_equal(knobs, after)


def test_new_edit_clears_redo(knobs):
    hand = HandTuner(knobs)
    hand.turn(1, 0.1)
    hand.end()
    hand.undo()
    assert hand.can_redo
    hand.turn(2, 0.1)
    hand.end()
    assert not hand.can_redo


def test_undo_closes_an_open_gesture_first(knobs):
    hand = HandTuner(knobs)
    start = knobs.copy()
    hand.turn(3, 0.5)  # gesture left open, as during a drag
    assert hand.can_undo
    assert hand.undo()
    np.testing.assert_array_equal(knobs, start)


def test_unchanged_gesture_makes_no_step(knobs):
    hand = HandTuner(knobs)
    hand.begin()
    hand.turn(3, 0.0)
    assert not hand.end()
    assert not hand.can_undo


def test_brush_raises_lowers_and_zeroes_a_patch(knobs):
    hand = HandTuner(knobs)
    centre = 14 * 28 + 14
    before = knobs.copy()
    touched = hand.brush(centre, "raise", 0.2)
    patch = [centre + dr * 28 + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    assert sorted(touched) == sorted(patch)
    delta = (knobs - before)[:, 0]
    assert delta[centre] == pytest.approx(0.2, abs=1e-6)
    assert delta[centre + 1] == pytest.approx(0.1, abs=1e-6)  # gentler at the rim
    assert delta[centre + 29] == pytest.approx(0.05, abs=1e-6)
    hand.brush(centre, "zero", 0.2)
    assert knobs[centre, 0] == 0.0
    hand.brush(centre, "lower", 0.3)
    assert knobs[centre, 0] == pytest.approx(-0.3)
    hand.end()
    assert hand.undo()
    np.testing.assert_array_equal(knobs, before)


def test_brush_at_the_edge_stays_on_the_board(knobs):
    hand = HandTuner(knobs)
    assert sorted(hand.brush(0, "raise", 0.1)) == [0, 1, 28, 29]
    with pytest.raises(ValueError, match="brush mode"):
        hand.brush(0, "paint", 0.1)


def test_knobs_stay_finite_and_within_their_stops(knobs):
    hand = HandTuner(knobs)
    assert not hand.set(7, float("nan"))
    assert not hand.turn(7, float("inf"))
    hand.turn(8, 1e30)
    assert knobs[8, 0] == np.float32(LIMIT)
    assert np.isfinite(knobs).all()
    with pytest.raises(ValueError, match="0..784"):
        hand.turn(785, 1.0)


def test_ten_bulbs_column(knobs):
    ten = np.zeros((785, 10), np.float32)
    hand = HandTuner(ten, column=3)
    hand.turn(10, 1.0)
    assert ten[10, 3] == 1.0 and ten.sum() == 1.0


def test_replace_and_attach(knobs):
    hand = HandTuner(knobs)
    start = knobs.copy()
    assert hand.replace(np.zeros_like(knobs))
    assert not knobs.any()
    hand.undo()
    np.testing.assert_array_equal(knobs, start)
    with pytest.raises(ValueError, match="shape"):
        hand.replace(np.zeros((785, 10), np.float32))
    ten = np.zeros((785, 10), np.float32)
    hand.attach(ten, column=5)
    assert not hand.can_undo and not hand.can_redo  # another machine: history dropped
