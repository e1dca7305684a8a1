"""Things drawn over the instruments: tooltip, help sheet, notice banner."""

from __future__ import annotations

import pygame

from simulator.theme import Theme
from simulator.view import common
from simulator.view.common import (
    begin,
    draw_progress_bar,
    draw_text,
    font_px,
    line_height,
    text_width,
    ui_scale,
    wrap,
)

_BACKDROPS: dict[tuple, pygame.Surface] = {}


def _backdrop(size: tuple[int, int], theme: Theme) -> pygame.Surface:
    key = (size, theme)
    sheet = _BACKDROPS.get(key)
    if sheet is None:
        _BACKDROPS.clear()
        sheet = pygame.Surface(size, pygame.SRCALPHA)
        sheet.fill((*theme.backdrop, theme.backdrop_alpha))
        _BACKDROPS[key] = sheet
    return sheet


def tooltip_rect(surface_size: tuple[int, int], pos, lines: list[str], theme: Theme) -> pygame.Rect:
    """Where draw_tooltip puts its box: below-right of pos, flipped/clamped to stay on screen."""
    common.use_font(theme)
    s = ui_scale(surface_size)
    size = font_px(theme.font_small, s, theme)
    pad = max(4, round(6 * s))
    w = max([text_width(t, size) for t in lines] + [10]) + 2 * pad
    h = len(lines) * line_height(size) + 2 * pad
    off = round(16 * s)
    sw, sh = surface_size
    x = pos[0] + off if pos[0] + off + w <= sw else pos[0] - off - w
    y = pos[1] + off if pos[1] + off + h <= sh else pos[1] - off - h
    x = max(0, min(x, sw - w))
    y = max(0, min(y, sh - h))
    return pygame.Rect(x, y, w, h)


def draw_tooltip(surface: pygame.Surface, pos, lines, theme: Theme) -> pygame.Rect:
    """A small box of text lines near `pos` (e.g. knob row, column, weight, contribution)."""
    lines = [str(t) for t in lines]
    if not lines:
        return pygame.Rect(pos, (0, 0))
    s = begin(surface, theme)
    box = tooltip_rect(surface.get_size(), pos, lines, theme)
    size = font_px(theme.font_small, s, theme)
    pad = max(4, round(6 * s))
    pygame.draw.rect(surface, theme.tooltip_bg, box, border_radius=max(3, round(4 * s)))
    pygame.draw.rect(surface, theme.tooltip_border, box, 1, border_radius=max(3, round(4 * s)))
    y = box.y + pad
    for i, text in enumerate(lines):
        draw_text(surface, text, size, theme.text if i == 0 else theme.text_dim, (box.x + pad, y))
        y += line_height(size)
    return box


def _keycap(surface, text: str, size: int, pos, theme: Theme, s: float) -> pygame.Rect:
    w = text_width(text, size) + round(12 * s)
    h = line_height(size) + round(4 * s)
    cap = pygame.Rect(0, 0, max(w, h), h)
    cap.midleft = pos
    pygame.draw.rect(surface, theme.panel_bg, cap, border_radius=max(3, round(4 * s)))
    pygame.draw.rect(surface, theme.tooltip_border, cap, 1, border_radius=max(3, round(4 * s)))
    draw_text(surface, text, size, theme.text, cap.center, anchor="center")
    return cap


def draw_help(
    surface: pygame.Surface,
    rect: pygame.Rect,
    shortcuts,
    theme: Theme,
    *,
    title: str = "Keys and mouse",
    hint: str = "",
    note: str = "",
) -> None:
    """A help sheet over `rect`: (key, action) pairs in one or two columns on a dim backdrop,
    and a wrapped `note` under them."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    surface.blit(_backdrop(rect.size, theme), rect)
    pairs = [(str(k), str(a)) for k, a in shortcuts]
    size, t_size = font_px(theme.font_body, s, theme), font_px(theme.font_value, s, theme)
    row_h = line_height(size) + round(10 * s)
    pad = round(20 * s)
    key_w = max([text_width(k, size) for k, _ in pairs] + [20]) + round(24 * s)
    act_w = max([text_width(a, size) for _, a in pairs] + [60])
    col_w = key_w + act_w + round(16 * s)
    title_h = line_height(t_size) + round(14 * s)
    max_rows = max(1, (rect.h - 2 * pad - title_h - pad) // row_h)
    cols = 1 if len(pairs) <= max_rows or 2 * col_w + 3 * pad > rect.w else 2
    rows = -(-len(pairs) // cols) if pairs else 0
    width = min(rect.w - 2 * pad, cols * col_w + (cols + 1) * pad)
    n_size = font_px(theme.font_small, s, theme)
    note_lines = wrap(note, n_size, width - 2 * pad) if note else []
    note_h = len(note_lines) * line_height(n_size) + (pad // 2 if note_lines else 0)
    if rows:  # a short window: the rows close up so that the note still fits
        room = (rect.h - 4 * pad - title_h - note_h) // rows
        row_h = max(line_height(size) + 2, min(row_h, room))
    box = pygame.Rect(0, 0, width,
                      min(rect.h - 2 * pad, title_h + rows * row_h + note_h + 2 * pad))
    box.center = rect.center
    pygame.draw.rect(surface, theme.card_bg, box, border_radius=max(4, round(8 * s)))
    pygame.draw.rect(surface, theme.card_border, box, 1, border_radius=max(4, round(8 * s)))
    draw_text(surface, title, t_size, theme.text, (box.x + pad, box.y + pad))
    draw_text(
        surface,
        hint,
        font_px(theme.font_small, s, theme),
        theme.text_dim,
        (box.right - pad, box.y + pad + line_height(t_size) // 2),
        anchor="midright",
    )
    for i, (key, action) in enumerate(pairs):
        col, row = divmod(i, rows) if rows else (0, 0)
        x = box.x + pad + col * (col_w + pad)
        y = box.y + pad + title_h + row * row_h + row_h // 2
        if y + row_h // 2 > box.bottom:
            continue
        _keycap(surface, key, size, (x, y), theme, s)
        draw_text(
            surface,
            action,
            size,
            theme.text,
            (x + key_w, y),
            anchor="midleft",
            max_width=col_w - key_w,
        )
    y = box.y + pad + title_h + rows * row_h + pad // 2
    for line in note_lines:
        draw_text(surface, line, n_size, theme.text_dim, (box.x + pad, y))
        y += line_height(n_size)


def draw_notice(
    surface: pygame.Surface,
    rect: pygame.Rect,
    theme: Theme,
    *,
    text: str,
    progress: float | None = None,
) -> None:
    """A banner in `rect` with `text` (wrapped) and, when progress is given, a bar (0..1)."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    pad = max(4, round(10 * s))
    size = font_px(theme.font_body, s, theme)
    pygame.draw.rect(surface, theme.tooltip_bg, rect, border_radius=max(4, round(6 * s)))
    pygame.draw.rect(surface, theme.accent, rect, 1, border_radius=max(4, round(6 * s)))
    bar_h = max(4, round(6 * s)) if progress is not None else 0
    lines = wrap(str(text), size, rect.w - 2 * pad) or [""]
    room = max(1, (rect.h - 2 * pad - (bar_h + pad if bar_h else 0)) // line_height(size))
    lines = lines[:room]
    block = len(lines) * line_height(size) + (bar_h + pad if bar_h else 0)
    y = rect.y + max(pad // 2, (rect.h - block) // 2)
    for line in lines:
        draw_text(surface, line, size, theme.text, (rect.x + pad, y), max_width=rect.w - 2 * pad)
        y += line_height(size)
    if bar_h:
        bar = pygame.Rect(
            rect.x + pad, min(y + pad, rect.bottom - pad - bar_h), rect.w - 2 * pad, bar_h
        )
        draw_progress_bar(surface, bar, float(progress), theme)
