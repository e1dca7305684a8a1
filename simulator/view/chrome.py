"""The frame around the instruments: window background, status line, control-panel column."""

from __future__ import annotations

import pygame

from simulator.theme import Theme
from simulator.view.common import begin, draw_text, fill_rect, font_px, gutters, text_width


def draw_background(surface: pygame.Surface, theme: Theme, layout=None) -> None:
    """Paint the window's background (call first each frame). With the frame's `layout`, only
    the gutters between instruments are painted: every instrument paints its own rect, so
    the window's pixels are written once, not twice (the biggest saving of the frame)."""
    if layout is None:
        surface.fill(theme.background)
        return
    for r in gutters(surface.get_size(), layout.rects().values()):
        fill_rect(surface, theme.background, r)


def draw_status(
    surface: pygame.Surface, rect: pygame.Rect, theme: Theme, *, text: str, right_text: str = ""
) -> None:
    """One status line: `text` on the left, `right_text` on the right (left wins if crowded)."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    fill_rect(surface, theme.status_bg, rect)
    pygame.draw.line(surface, theme.card_border, rect.topleft, (rect.right - 1, rect.y))
    size = font_px(theme.font_small, s, theme)
    pad = max(6, round(10 * s))
    mid = rect.centery
    right_w = text_width(right_text, size) if right_text else 0
    if right_text and right_w < rect.w * 0.45:
        draw_text(
            surface, right_text, size, theme.text_dim, (rect.right - pad, mid), anchor="midright"
        )
        room = rect.w - 3 * pad - right_w
    else:
        room = rect.w - 2 * pad
    draw_text(
        surface, text, size, theme.text, (rect.x + pad, mid), anchor="midleft", max_width=room
    )


def _screw(surface, centre, r: int, theme: Theme) -> None:
    pygame.draw.circle(surface, theme.screw, centre, r)
    pygame.draw.circle(surface, theme.knob_rim, centre, r, 1)
    d = r * 0.6
    pygame.draw.line(
        surface, theme.knob_rim, (centre[0] - d, centre[1] + d), (centre[0] + d, centre[1] - d), 1
    )


def draw_panel_background(
    surface: pygame.Surface, rect: pygame.Rect, theme: Theme, *, title: str = ""
) -> None:
    """The control panel's plate (the app lays pygame_gui widgets on top): fill, edge, screws."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    fill_rect(surface, theme.panel_bg, rect)
    fill_rect(surface, theme.panel_edge, (rect.x, rect.y, max(1, round(2 * s)), rect.h))
    r = max(3, round(4 * s))
    inset = r + max(3, round(4 * s))
    for cx, cy in (
        (rect.x + inset + 2, rect.y + inset),
        (rect.right - inset, rect.y + inset),
        (rect.x + inset + 2, rect.bottom - inset),
        (rect.right - inset, rect.bottom - inset),
    ):
        _screw(surface, (cx, cy), r, theme)
    if title:
        draw_text(
            surface,
            title,
            font_px(theme.font_title, s, theme),
            theme.text_dim,
            (rect.centerx, rect.y + inset),
            anchor="center",
        )
