"""The Code view: the Keras code a person would write for the machine's switches, over the
board and the bulb's column; lines that just changed glow for a moment."""

from __future__ import annotations

import functools

import pygame

from simulator.theme import Theme
from simulator.view.common import begin, draw_plate, draw_text, font_px, line_height, mix


@functools.lru_cache(maxsize=1)
def mono_font() -> str | None:
    """A monospaced font file on this machine, if there is one (else the theme's)."""
    return pygame.font.match_font("dejavusansmono,liberationmono,couriernew,monospace")


def draw_code(surface: pygame.Surface, rect: pygame.Rect, lines, changed, glow: float,
              theme: Theme, *, copy_note: str = "Ctrl+C copies it") -> None:
    """``lines`` of code in ``rect``; ``changed`` line numbers lit with ``glow`` (1..0)."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    draw_plate(surface, rect, theme, s)
    title = font_px(theme.font_title, s, theme)
    pad = max(6, round(10 * s))
    draw_text(surface, "Keras code for these switches", title, theme.text,
              (rect.x + pad, rect.y + pad))
    draw_text(surface, copy_note, font_px(theme.font_small, s, theme), theme.text_dim,
              (rect.right - pad, rect.y + pad + line_height(title) // 2), anchor="midright")
    top = rect.y + pad + line_height(title) + pad // 2
    mono = mono_font()
    size = font_px(theme.font_small - 1, s, theme)
    smallest = max(10, round(10 * s))  # readable; longer code says how much more there is
    while size > smallest and len(lines) * line_height(size, mono) > rect.bottom - pad - top:
        size -= 1
    step = line_height(size, mono)
    fits = max(1, (rect.bottom - pad // 2 - top) // step)
    if len(lines) > fits:
        more = len(lines) - fits + 1
        lines = [*lines[:fits - 1], f"# … {more} more lines: Ctrl+C copies all of it, or run "
                                    "'python main.py code' with these switches"]
    glow_bg = mix(theme.card_bg, theme.accent, 0.35 * glow)
    for i, line in enumerate(lines):
        y = top + i * step
        if i in changed and glow > 0:
            pygame.draw.rect(surface, glow_bg, (rect.x + 2, y, rect.w - 4, step))
        colour = theme.text_dim if line.lstrip().startswith("#") else theme.text
        draw_text(surface, line, size, colour, (rect.x + pad, y), name=mono,
                  max_width=rect.w - 2 * pad)
