"""What the window tests share: a headless App on the bundled sample, a blank surface, the
check that a layout fits its window."""

from itertools import combinations

import pygame

from simulator.app import App, Options
from simulator.theme import THEME


def make_app(**kw) -> App:
    """The window, headless (conftest.py), on the bundled sample with nothing restored, after
    its first frame; ``kw`` sets any of its Options."""
    options = Options(load_full=False, restore=False, pace=False)
    for k, v in kw.items():
        setattr(options, k, v)
    app = App(options)
    app.frame()
    return app


def blank(size=(1280, 800)) -> pygame.Surface:
    """A window-sized surface in the background colour, to draw one instrument on."""
    surface = pygame.Surface(size)
    surface.fill(THEME.background)
    return surface


def assert_fits(rects: dict[str, pygame.Rect], size: tuple[int, int]) -> None:
    """Every laid-out rect is non-empty, inside the window, and overlaps no other."""
    window = pygame.Rect((0, 0), size)
    for name, r in rects.items():
        assert r.w > 0 and r.h > 0, name
        assert window.contains(r), f"{name} {r} leaves the {size} window"
    for (a, ra), (b, rb) in combinations(rects.items(), 2):
        assert not ra.colliderect(rb), f"{a} {ra} overlaps {b} {rb}"
