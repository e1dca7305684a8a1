"""One frozen FaceState, one function that draws it: the face without an App or a Machine."""

from dataclasses import replace

import numpy as np
import pygame
import pytest

from simulator import view, words
from simulator.face_state import FaceState, Note, Overlay
from simulator.procedures import StepFacts
from simulator.theme import THEME
from simulator.view.common import luminance


def hand_built(**changes) -> FaceState:
    """A frame's state written out by hand: a 1 in the retina's middle column, a board
    whose left half is positive and right half negative, a lit bulb."""
    light = np.zeros((28, 28), np.float32)
    light[4:24, 13:15] = 1.0
    weights = np.zeros((28, 28), np.float32)
    weights[:, :14], weights[:, 14:] = 0.2, -0.2
    state = FaceState(
        light=light, label=1, split="test", index=41, n_test=10_000, n_train=60_000,
        weights=weights.reshape(784), bias=-0.3, knob_scale=0.2, input_scale=1 / 255,
        ghost=None, turned=None, turned_age=99.0, facts=None,
        z=np.array([2.5], np.float32), output=np.array([0.924], np.float32), column=0,
        lit=True, answer=None, verdict="false alarm", free_sum=False, digit=5, bulbs=1,
        history=({"train_loss": 0.05, "train_acc": 0.95, "test_loss": 0.06, "test_acc": 0.94},
                 {"train_loss": 0.03, "train_acc": 0.97, "test_loss": 0.04, "test_acc": 0.96}),
        baseline=0.9108, epoch_progress=0.25, epoch=3, score=0.9612,
        procedure="Gradient descent", playing=True, note=None, note_age=99.0, diverged="",
        is_sample=False)
    return replace(state, **changes)


def draw(state, size=(1280, 800)) -> tuple[pygame.Surface, view.Layout]:
    surface = pygame.Surface(size)
    layout = view.compute_layout(size)
    view.draw_machine(surface, layout, state, THEME)
    return surface, layout


def mean_rgb(surface, rect) -> np.ndarray:
    return pygame.surfarray.array3d(surface.subsurface(rect)).astype(float).mean(axis=(0, 1))


def mean_light(surface, rect) -> float:
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).astype(float)
    return float(luminance(pixels.mean(axis=(0, 1))))


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800)])
def test_draw_machine_draws_a_hand_built_state(size):
    surface, lay = draw(hand_built(), size)
    x0, y0, cell = view.retina_grid(lay.retina)
    lit = surface.get_at((x0 + 13 * cell + cell // 2, y0 + 10 * cell + cell // 2))
    dark = surface.get_at((x0 + 3 * cell + cell // 2, y0 + 10 * cell + cell // 2))
    assert luminance(lit[:3]) > luminance(dark[:3]) + 0.4  # the retina shows the 1
    left = mean_rgb(surface, view.knob_rect(lay.board, 10 * 28 + 3))
    right = mean_rgb(surface, view.knob_rect(lay.board, 10 * 28 + 24))
    assert left[0] > left[2] + 20 and right[2] > right[0] + 20  # orange +, blue -
    dark_bulb, _ = draw(hand_built(lit=False, output=np.array([0.1], np.float32)), size)
    assert mean_light(surface, lay.bulb) > mean_light(dark_bulb, lay.bulb) + 0.03


def test_the_bulb_shows_the_states_answer_not_its_own():
    """At exactly 0.5 the machine says dark; the face draws what it is told."""
    at_half = hand_built(output=np.array([0.5], np.float32), z=np.array([0.0], np.float32))
    dark, lay = draw(replace(at_half, lit=False))
    lit, _ = draw(replace(at_half, lit=True))
    assert mean_light(lit, lay.bulb) > mean_light(dark, lay.bulb) + 0.01


def test_overlays_come_from_the_state():
    facts = StepFacts(rule="rosenblatt", pictures=1, label=5, target=5, ten=False, lit=False,
                      answer=None, turned=120)
    state = hand_built(facts=facts, turned=np.arange(120), turned_age=0.1,
                       procedure="Rosenblatt's rule",
                       overlay=Overlay(help=(("Space", "play / pause"),), message="hello"))
    plain, lay = draw(hand_built())
    busy, _ = draw(state)
    diff = np.abs(pygame.surfarray.array3d(busy).astype(int)
                  - pygame.surfarray.array3d(plain).astype(int)).sum(axis=2)
    assert (diff > 30).mean() > 0.3  # the help sheet darkens the whole window
    assert words.narration(facts, "Rosenblatt's rule").endswith("120 knobs turned up")


def test_status_line_words_the_state():
    state = hand_built(note=Note("epochs_done", {"epochs": 3}, 0.0), note_age=1.0)
    text = words.status_text(state, words.note_text(state.note))
    assert text.startswith("Test score 96.12%  (never a 5: 91.08%)")
    assert "3 epochs done" in text
    assert "test picture 42 / 10,000" in words.status_text(state, None)
