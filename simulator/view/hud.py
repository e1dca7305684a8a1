"""Small drawings the app lays over the view's instruments: knobs that just turned (slow
motion), the row of ten bulbs, wrapped tooltips. Pure functions of what they are given."""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import draw_text, font_px, line_height, ui_scale, wrap
from simulator.view.layout import knob_rect


def draw_turned_knobs(surface: pygame.Surface, board: pygame.Rect, indices, theme: Theme,
                      fade: float) -> None:
    """Ring the knobs the last watched step turned; `fade` 1 = fresh, 0 = gone."""
    if indices is None or fade <= 0:
        return
    colour = tuple(round(c * (0.35 + 0.65 * fade)) for c in theme.knob_selected)
    for i in np.asarray(indices)[:784]:
        if 0 <= i < 784:
            r = knob_rect(board, int(i))
            pygame.draw.rect(surface, colour, r, 1)


def draw_ten_bulbs(surface: pygame.Surface, rect: pygame.Rect, outputs, chosen: int,
                   answer: int | None, theme: Theme) -> None:
    """Ten small lamps 0..9 in a strip (the brightest answers); `chosen` is on the board."""
    outputs = np.asarray(outputs, dtype=np.float64)
    n = 10
    s = ui_scale(surface.get_size())
    cell = rect.w / n
    radius = max(4, min(int(cell * 0.32), rect.h // 3))
    size = font_px(theme.font_small - 2, s, theme)
    for d in range(n):
        cx = round(rect.x + cell * (d + 0.5))
        cy = rect.y + radius + 2
        v = float(outputs[d]) if math.isfinite(outputs[d]) else 0.0
        glow = min(1.0, max(0.0, v))
        colour = tuple(round(a + (b - a) * glow) for a, b in zip(theme.bulb_off, theme.bulb_glow,
                                                                strict=True))
        pygame.draw.circle(surface, colour, (cx, cy), radius)
        ring = theme.accent if d == answer else theme.card_border
        pygame.draw.circle(surface, ring, (cx, cy), radius, 2 if d == answer else 1)
        text_colour = theme.text if d == chosen else theme.text_dim
        draw_text(surface, str(d), size, text_colour, (cx, cy + radius + 2), anchor="midtop",
                  bold=d == chosen)


def tooltip_lines(text: str, theme: Theme, surface: pygame.Surface, width: int = 300) -> list[str]:
    s = ui_scale(surface.get_size())
    return wrap(text, font_px(theme.font_small, s, theme), round(width * s))


def ten_bulbs_height(surface: pygame.Surface, theme: Theme) -> int:
    s = ui_scale(surface.get_size())
    return round(20 * s) + line_height(font_px(theme.font_small - 2, s, theme))
