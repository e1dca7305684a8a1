"""Small knob boards: a bulb's weights as a picture of coloured cells (blue negative, orange
positive, the big board's colours), too small for pointers but readable as a picture.

:func:`draw_small_board` draws any weight vector on a grid of ``rows x cols`` cells with a
given colour scale (the ten bulbs' boards here; any board of other knobs alike).
:func:`draw_ten_boards` draws the band of ten bulbs: each bulb's board with one colour scale
for all ten (so they compare), its lamp and its output, the brightest marked as the answer
and the one on the big board framed. Drawing and hit-testing (:func:`board_slot_at`) share
one geometry (:func:`ten_boards_geometry`), derived from the band's rect alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from simulator.dims import board_shape
from simulator.theme import Theme, font
from simulator.view.common import (
    begin,
    cached,
    draw_plate,
    draw_text,
    font_px,
    line_height,
    mix,
    text_surface,
    text_width,
)
from simulator.view.knobs import LEVELS, format_weight, knob_colour, knob_levels, level_to_t

N_BULBS = 10
SCALE_PERCENTILE = 99  # the common colour scale: this percentile of |weight| over all boards
TITLE = "Ten bulbs"
HINT = "click a board to turn its knobs"

_PALETTES: dict[Theme, np.ndarray] = {}
_LEGENDS: dict[tuple, pygame.Surface] = {}


def common_scale(weights) -> float:
    """|weight| at full colour for several boards at once: a high percentile over all their
    knobs (robust to a few big ones), so that the boards compare."""
    w = np.abs(np.asarray(weights, dtype=np.float32))
    if w.size == 0 or not np.isfinite(w).all():
        return 1.0
    return max(float(np.percentile(w, SCALE_PERCENTILE)), 1e-6)


def _palette(theme: Theme) -> np.ndarray:
    """(2*LEVELS+1, 3) uint8: each knob level's colour."""
    return cached(_PALETTES, theme, lambda: np.array(
        [knob_colour(level_to_t(lv), theme) for lv in range(2 * LEVELS + 1)], np.uint8))


def board_picture(weights, rows: int, cols: int, scale: float, theme: Theme) -> pygame.Surface:
    """A surface of cols x rows pixels: one pixel per knob, in the knob's colour."""
    w = np.asarray(weights, dtype=np.float32).reshape(-1)
    if w.size != rows * cols:
        raise ValueError(f"{w.size} weights do not fill a {rows}x{cols} board")
    rgb = _palette(theme)[knob_levels(w, scale)].reshape(rows, cols, 3)
    return pygame.surfarray.make_surface(rgb.transpose(1, 0, 2))


def board_pictures(W, rows: int, cols: int, scale: float, theme: Theme) -> pygame.Surface:
    """The boards of the columns of W (rows*cols, k) side by side, one pixel per knob: a
    surface of k*cols x rows pixels (board d at x = d*cols), made in one go."""
    W = np.asarray(W, dtype=np.float32)
    k = W.shape[1]
    rgb = _palette(theme)[knob_levels(W, scale)]  # (rows*cols, k, 3) uint8
    return pygame.surfarray.make_surface(
        rgb.reshape(rows, cols, k, 3).transpose(2, 1, 0, 3).reshape(k * cols, rows, 3))


def picture_rect(rect: pygame.Rect, rows: int, cols: int) -> pygame.Rect:
    """Where a rows x cols board sits in ``rect``: centred, its cells square, whole pixels
    per cell when they can be 3 or more (else as large as fits, smoothed)."""
    rect = pygame.Rect(rect)
    cell = min(rect.w / cols, rect.h / rows)
    if cell >= 3:
        cell = math.floor(cell)
    w, h = max(1, round(cols * cell)), max(1, round(rows * cell))
    return pygame.Rect(rect.x + (rect.w - w) // 2, rect.y + (rect.h - h) // 2, w, h)


def draw_small_board(surface: pygame.Surface, rect: pygame.Rect, weights, rows: int,
                     cols: int, scale: float, theme: Theme) -> pygame.Rect:
    """Draw ``weights`` (rows*cols,) as a board of coloured cells inside ``rect`` with
    full colour at ``scale``; returns the picture's rect."""
    where = picture_rect(rect, rows, cols)
    picture = board_picture(weights, rows, cols, scale, theme)
    if where.w % cols == 0 and where.h % rows == 0:
        picture = pygame.transform.scale(picture, where.size)
    else:
        picture = pygame.transform.smoothscale(picture, where.size)
    surface.blit(picture, where)
    return where


# ---- the band of ten bulbs ---------------------------------------------------------------


def _pad(s: float) -> int:
    return max(4, round(6 * s))


def _caption_h(s: float, theme: Theme) -> int:
    return line_height(font_px(theme.font_small, s, theme)) + round(4 * s)


def _title_h(s: float, theme: Theme) -> int:
    return line_height(font_px(theme.font_small, s, theme)) + round(4 * s)


def band_height(width: int, s: float, theme: Theme | None = None) -> int:
    """The band's height for its width: a title line, then square boards with a caption."""
    from simulator.theme import THEME

    theme = theme or THEME
    pad = _pad(s)
    return 2 * pad + _title_h(s, theme) + _slot_w(width, s) + _caption_h(s, theme)


def _gap(s: float) -> int:
    return max(3, round(4 * s))


def _slot_w(width: int, s: float) -> int:
    """Every slot alike (so that every board is drawn alike): a whole number of pixels."""
    return max(1, (width - 2 * _pad(s) - (N_BULBS - 1) * _gap(s)) // N_BULBS)


@dataclass(frozen=True)
class BandGeometry:
    title_y: int  # the title line's middle
    slots: tuple  # (N_BULBS,) Rect: each bulb's board and caption (the click target)
    boards: tuple  # (N_BULBS,) Rect: where each board's picture may go
    captions: tuple  # (N_BULBS,) Rect: lamp, digit and output under each board


def ten_boards_geometry(rect: pygame.Rect, s: float, theme: Theme | None = None) -> BandGeometry:
    from simulator.theme import THEME

    theme = theme or THEME
    rect = pygame.Rect(rect)
    pad, title_h, cap_h = _pad(s), _title_h(s, theme), _caption_h(s, theme)
    top = rect.y + pad + title_h
    gap, slot_w = _gap(s), _slot_w(rect.w, s)
    x0 = rect.x + (rect.w - N_BULBS * slot_w - (N_BULBS - 1) * gap) // 2
    slot_h = rect.bottom - pad - top
    slots, boards, captions = [], [], []
    for d in range(N_BULBS):
        slot = pygame.Rect(x0 + d * (slot_w + gap), top, slot_w, slot_h)
        slots.append(slot)
        boards.append(pygame.Rect(slot.x + 2, slot.y + 2, slot.w - 4, slot.h - cap_h - 2))
        captions.append(pygame.Rect(slot.x, slot.bottom - cap_h, slot.w, cap_h))
    return BandGeometry(rect.y + pad + title_h // 2, tuple(slots), tuple(boards), tuple(captions))


def board_slot_at(rect: pygame.Rect, pos, s: float) -> int | None:
    """The bulb whose board (or caption) is under ``pos`` in the band ``rect``, or None."""
    if not pygame.Rect(rect).collidepoint(pos):
        return None
    for d, slot in enumerate(ten_boards_geometry(rect, s).slots):
        if slot.collidepoint(pos):
            return d
    return None


def output_text(v: float) -> str:
    """A bulb's output, short: two decimals in 0..1 (softmax, sigmoid), else 3 figures."""
    from simulator.view.predictions import compact_number

    v = float(v)
    return f"{v:.2f}" if 0.0 <= v <= 1.0 else compact_number(v)


def _legend(w: int, h: int, theme: Theme) -> pygame.Surface:
    def make():
        bar = pygame.Surface((w, h))
        for x in range(w):
            pygame.draw.line(bar, knob_colour(2 * x / max(1, w - 1) - 1, theme), (x, 0), (x, h))
        return bar

    return cached(_LEGENDS, (w, h, theme), make)


def _draw_title(surface, rect, geo: BandGeometry, scale: float, answer: int | None,
                theme: Theme, s: float) -> None:
    """'Ten bulbs', the answer (the brightest bulb), the hint; the colour scale at the right."""
    pad, size = _pad(s), font_px(theme.font_small, s, theme)
    lo, hi = format_weight(-scale), format_weight(scale)
    right = draw_text(surface, hi, size, theme.text_dim, (rect.right - pad, geo.title_y),
                      anchor="midright")
    bar = pygame.Rect(0, 0, max(30, round(70 * s)), max(5, round(8 * s)))
    bar.midright = (right.left - round(5 * s), geo.title_y)
    surface.blit(_legend(bar.w, bar.h, theme), bar)
    left = draw_text(surface, lo, size, theme.text_dim, (bar.left - round(5 * s), geo.title_y),
                     anchor="midright")
    r = draw_text(surface, TITLE, size, theme.text, (rect.x + pad, geo.title_y),
                  anchor="midleft", bold=True)
    x = r.right + round(10 * s)
    if answer is not None:
        r = draw_text(surface, f"answer: {answer}, the brightest", size, theme.lit_mark,
                      (x, geo.title_y), anchor="midleft")
        x = r.right + round(10 * s)
    room = left.left - x - round(12 * s)
    for text in (f"{HINT}; one colour scale for all", HINT):
        if text_width(text, size) <= room:
            draw_text(surface, text, size, theme.text_dim, (x, geo.title_y), anchor="midleft")
            break


def _draw_lamp(surface, centre, radius: int, output: float, answer: bool, theme: Theme) -> None:
    v = float(output)
    glow = 0.0 if not math.isfinite(v) else max(0.0, min(1.0, v))
    pygame.draw.circle(surface, mix(theme.bulb_off, theme.bulb_glow, glow ** 0.8), centre, radius)
    pygame.draw.circle(surface, theme.lit_mark if answer else theme.card_border, centre, radius,
                       max(1, radius // 3) if answer else 1)


def _draw_caption(surface, cap: pygame.Rect, d: int, output: float, answer: bool, big: bool,
                  theme: Theme, s: float) -> None:
    """The bulb's lamp (glowing with its output), its digit and its output; the answer's
    caption is lit like the lamp, the big board's digit bold."""
    size = font_px(theme.font_small, s, theme)
    if answer:
        pygame.draw.rect(surface, mix(theme.card_bg, theme.bulb_halo, 0.3), cap, border_radius=4)
    radius = max(3, cap.h // 2 - 2)
    lamp_x = cap.x + radius + max(2, round(3 * s))
    _draw_lamp(surface, (lamp_x, cap.centery), radius, output, answer, theme)
    colour = theme.lit_mark if answer else theme.text if big else theme.text_dim
    r = draw_text(surface, str(d), size, colour, (lamp_x + radius + round(4 * s), cap.centery),
                  anchor="midleft", bold=answer or big)
    text = output_text(output)
    if 0.0 <= float(output) <= 1.0:  # 0.00 .. 1.00: a hundred and one words, kept cached
        value = text_surface(text, size, colour)
    else:  # any number (no activation): changes every frame, not kept
        value = font(size).render(text, True, colour)
    if r.right + round(3 * s) + value.get_width() <= cap.right - 2:
        surface.blit(value, value.get_rect(midright=(cap.right - 2, cap.centery)))


def draw_ten_boards(surface: pygame.Surface, rect: pygame.Rect, boards, outputs, column: int,
                    answer: int | None, theme: Theme) -> None:
    """The band of ten bulbs: ``boards`` (n, 10) each bulb's weights, ``outputs`` (10,) the
    bulbs' outputs for the picture on the retina; ``column`` is on the big board (framed),
    ``answer`` (the brightest) is lit."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    W = np.asarray(boards, dtype=np.float32)
    if W.ndim != 2 or W.shape[1] != N_BULBS:
        raise ValueError(f"boards must be (n, {N_BULBS}) weights, got shape {W.shape}")
    rows, cols = board_shape(W.shape[0])
    scale = common_scale(W)
    draw_plate(surface, rect, theme, s)
    geo = ten_boards_geometry(rect, s, theme)
    _draw_title(surface, rect, geo, scale, answer, theme, s)
    frame = max(2, round(2 * s))
    strip = board_pictures(W, rows, cols, scale, theme)  # all ten at one pixel per knob
    size = picture_rect(geo.boards[0], rows, cols).size  # every slot is alike
    whole = size[0] % cols == 0 and size[1] % rows == 0
    if whole:  # whole pixels per knob: scaled once, all ten
        strip = pygame.transform.scale(strip, (N_BULBS * size[0], size[1]))
    for d in range(N_BULBS):
        slot, big = geo.slots[d], d == column
        if big:
            pygame.draw.rect(surface, theme.board_bg, slot, border_radius=4)
        pic = picture_rect(geo.boards[d], rows, cols)
        if whole:
            surface.blit(strip, pic, area=pygame.Rect(d * size[0], 0, *size))
        else:
            one = strip.subsurface(pygame.Rect(d * cols, 0, cols, rows))
            surface.blit(pygame.transform.smoothscale(one, size), pic)
        if big:
            pygame.draw.rect(surface, theme.knob_selected, pic.inflate(2 * frame, 2 * frame),
                             frame)
        _draw_caption(surface, geo.captions[d], d, outputs[d], d == answer, big, theme, s)
