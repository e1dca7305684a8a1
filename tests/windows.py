"""What the window tests share: a headless App on the bundled sample, a blank surface."""

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
