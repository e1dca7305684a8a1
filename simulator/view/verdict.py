"""The verdict plate: the question, the machine's answer, the true label and the verdict."""

from __future__ import annotations

import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    draw_plate,
    draw_text,
    fit_size,
    font_px,
    line_height,
    mix,
    text_width,
)

VERDICTS = ("hit", "miss", "false alarm", "correct rejection")


def verdict_colour(verdict: str | None, theme: Theme):
    return {
        "hit": theme.hit,
        "miss": theme.miss,
        "false alarm": theme.false_alarm,
        "correct rejection": theme.correct_rejection,
    }.get(verdict, theme.text_dim)


def _question(surface, rect: pygame.Rect, theme: Theme, s: float, digit, pad: int) -> int:
    """'Is it a 5?' with the digit in the accent colour; returns the y below it."""
    size = font_px(theme.font_title, s, theme)
    big = round(size * 1.45)
    x, base = rect.x + pad, rect.y + max(3, round(pad * 0.6)) + line_height(big) - 2
    r = draw_text(surface, "Is it a ", size, theme.text, (x, base), anchor="bottomleft")
    d = draw_text(
        surface,
        "?" if digit is None else str(digit),
        big,
        theme.accent,
        (r.right, base + round(2 * s)),
        anchor="bottomleft",
    )
    draw_text(surface, "?", size, theme.text, (d.right + 1, base), anchor="bottomleft")
    return base + round(4 * s)


def _row(surface, rect, y, label, value, colour, theme: Theme, s: float, pad: int) -> int:
    size = font_px(theme.font_small, s, theme)
    v_size = font_px(theme.font_value, s, theme)
    h = max(line_height(size), line_height(v_size))
    mid = y + h // 2
    r = draw_text(surface, label, size, theme.text_dim, (rect.x + pad, mid), anchor="midleft")
    v_size = fit_size(value, v_size, size, rect.right - pad - r.right - round(6 * s))
    draw_text(surface, value, v_size, colour, (rect.right - pad, mid), anchor="midright")
    return y + h


def draw_verdict(
    surface: pygame.Surface,
    rect: pygame.Rect,
    theme: Theme,
    *,
    label,
    target_digit,
    predicted_yes,
    verdict,
) -> None:
    """Draw 'Is it a <target>?', the answer YES/no, the true label (None = hand-drawn) and the
    verdict word (hit, miss, false alarm, correct rejection) in its colour."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    pad = max(4, round(theme.pad * s))
    draw_plate(surface, rect, theme, s)
    top = _question(surface, rect, theme, s, target_digit, pad)
    gap = max(2, round(4 * s))
    row_h = max(
        line_height(font_px(theme.font_small, s, theme)),
        line_height(font_px(theme.font_value, s, theme)),
    )
    badge_h = line_height(font_px(theme.font_value, s, theme)) + 2 * pad
    block = 2 * row_h + 3 * gap + badge_h
    y = top + max(0, (rect.bottom - pad - top - block) // 2)
    answer = "—" if predicted_yes is None else "YES" if predicted_yes else "no"
    colour = theme.bulb_glow if predicted_yes else theme.text
    y = _row(surface, rect, y + gap, "Answer", answer, colour, theme, s, pad)
    truth = "—" if label is None else str(label)
    y = _row(surface, rect, y + gap, "True label", truth, theme.text, theme, s, pad)
    _draw_badge(
        surface,
        rect,
        y + 2 * gap,
        verdict,
        theme,
        s,
        pad,
        blank="HAND-DRAWN" if label is None else "—",
    )


def _draw_badge(
    surface, rect: pygame.Rect, y: int, verdict, theme: Theme, s: float, pad: int, blank: str = "—"
):
    """The verdict word in a pill of its colour (two lines if the plate is narrow)."""
    word = verdict.upper() if verdict in VERDICTS else blank
    colour = verdict_colour(verdict, theme)
    inner_w = rect.w - 2 * pad
    size = fit_size(word, font_px(theme.font_value, s, theme), theme.font_min, inner_w - 2 * pad)
    lines = [word] if text_width(word, size) <= inner_w - 2 * pad else word.split(" ", 1)
    h = min(rect.bottom - pad - y, len(lines) * line_height(size) + 2 * pad)
    if h < line_height(size):
        return
    badge = pygame.Rect(rect.x + pad, y, inner_w, h)
    radius = min(h // 2, round(14 * s))
    pygame.draw.rect(surface, mix(theme.card_bg, colour, 0.18), badge, border_radius=radius)
    pygame.draw.rect(surface, colour, badge, width=max(1, round(1.5 * s)), border_radius=radius)
    ty = badge.centery - (len(lines) - 1) * line_height(size) / 2
    for line in lines:
        draw_text(
            surface, line, size, colour, (badge.centerx, ty), anchor="center", max_width=inner_w - 4
        )
        ty += line_height(size)
