"""The tiny machine of the lesson's worked example (2x2 retina, 4 knobs, a bulb whose output
is the sum itself), drawn with the big machine's instruments at a larger size."""

from __future__ import annotations

import pygame

from simulator.theme import Theme
from simulator.view.bulb import draw_bulb
from simulator.view.common import begin, draw_plate, draw_text, font_px, mix
from simulator.view.knobs import draw_bias_knob
from simulator.view.meter import draw_meter

SIDE = 2


def tiny_layout(rect: pygame.Rect) -> dict:
    """Rects of the tiny machine's parts inside ``rect``: retina, four knobs, meter, bulb."""
    rect = pygame.Rect(rect)
    gap = max(4, rect.h // 30)
    h = rect.h - 2 * gap
    side = min(h, round(rect.w * 0.2))  # the retina; the knobs share what is left
    meter_w = bulb_w = round(rect.w * 0.17)
    retina = pygame.Rect(rect.x + gap, rect.y + gap + (h - side) // 2, side, side)
    knob_w = (rect.w - side - meter_w - bulb_w - 8 * gap) // 4
    x = retina.right + 2 * gap
    knobs = []
    for _ in range(SIDE * SIDE):
        knobs.append(pygame.Rect(x, rect.y + gap, knob_w, h))
        x += knob_w + gap
    meter = pygame.Rect(x + gap, rect.y + gap, meter_w, h)
    bulb = pygame.Rect(meter.right + gap, rect.y + gap, rect.right - gap - meter.right - gap, h)
    return {"retina": retina, "knobs": knobs, "meter": meter, "bulb": bulb}


def tiny_knob_at(rect: pygame.Rect, pos) -> int | None:
    """The tiny machine's knob (0..3) under ``pos``, or None."""
    for i, r in enumerate(tiny_layout(rect)["knobs"]):
        if r.collidepoint(pos):
            return i
    return None


def draw_tiny(surface: pygame.Surface, rect: pygame.Rect, tiny, theme: Theme) -> None:
    """``tiny``: (light (4,), knobs (4,), terms (4,), sum, lit) of the tiny machine."""
    light, knobs, _terms, total, lit = tiny
    s = begin(surface, theme)
    pygame.draw.rect(surface, theme.background, rect)
    lay = tiny_layout(rect)
    r = lay["retina"]
    draw_plate(surface, r, theme, s)
    cell = (r.w - 16) // SIDE
    size = font_px(theme.font_small, s, theme)
    for i, v in enumerate(light):
        row, col = divmod(i, SIDE)
        c = pygame.Rect(r.x + 8 + col * cell, r.y + 8 + row * cell, cell - 4, cell - 4)
        pygame.draw.rect(surface, mix(theme.retina_off, theme.retina_on, v), c)
        draw_text(surface, f"{round(v * 255)}", size, theme.text_dim if v > 0.5 else theme.text,
                  c.center, anchor="center")
    scale = max(1.0, max(abs(k) for k in knobs) * 1.2)
    for i, (kr, k) in enumerate(zip(lay["knobs"], knobs, strict=True)):
        draw_bias_knob(surface, kr, k, theme, scale=scale, label=f"w{i + 1}",
                       subtitle=f"× {light[i]:.2f}")
    draw_meter(surface, lay["meter"], total, theme, lo=-5.0, hi=5.0)  # its needle reads
    draw_bulb(surface, lay["bulb"], total, theme, lit=lit)
