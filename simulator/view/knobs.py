"""The board of 784 knobs (the weight picture) and the big bias knob.

Each knob shows its weight twice: by colour (blue negative, warm grey zero, orange positive;
the colour also bleeds into the knob's cell so the board reads as a picture) and by pointer
angle (-135 deg at -scale, straight up at 0, +135 deg at +scale, like a potentiometer).

Speed: weights are quantised to 2*LEVELS+1 steps; one sprite per (cell size, level) is drawn
once, supersampled, and the board is then 784 blits in one `fblits` call.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    cached,
    draw_header,
    draw_plate,
    draw_text,
    font_px,
    line_height,
    luminance,
    mix,
    remember,
    text_width,
)
from simulator.view.layout import N, board_grid, board_header_height

LEVELS = 64  # quantisation steps per sign: 135/64 ~ 2 degrees per step
MAX_ANGLE = 135.0
KNOB_RADIUS = 0.43  # of the cell
_SUPERSAMPLE = 4

_SPRITES: dict[tuple, list[pygame.Surface]] = {}
_GHOSTS: dict[tuple, list[pygame.Surface]] = {}
_RINGS: dict[tuple, pygame.Surface] = {}
_POSITIONS: dict[tuple, list[tuple[int, int]]] = {}
_BIG: dict[tuple, pygame.Surface] = {}
_LEGENDS: dict[tuple, pygame.Surface] = {}


# ---- weight -> level -> (angle, colour) --------------------------------------------------


def knob_levels(weights, scale: float) -> np.ndarray:
    """(n,) int levels in 0..2*LEVELS for weights, LEVELS meaning zero."""
    scale = float(scale) if np.isfinite(scale) and scale > 0 else 1.0
    t = np.nan_to_num(np.asarray(weights, dtype=np.float32) / scale, nan=0.0)
    return (np.rint(np.clip(t, -1.0, 1.0) * LEVELS) + LEVELS).astype(np.intp)


def level_to_t(level: int) -> float:
    return (level - LEVELS) / LEVELS


def knob_angle(t: float) -> float:
    """Pointer angle in degrees, clockwise from straight up, for t = weight/scale."""
    return MAX_ANGLE * max(-1.0, min(1.0, t))


def knob_colour(t: float, theme: Theme) -> tuple[int, int, int]:
    """Face colour for t = weight/scale: neutral at 0, full blue/orange at -1/+1."""
    t = max(-1.0, min(1.0, t))
    end = theme.knob_positive if t > 0 else theme.knob_negative
    return mix(theme.knob_zero, end, abs(t) ** theme.knob_gamma)


def cell_colour(t: float, theme: Theme) -> tuple[int, int, int]:
    mag = abs(max(-1.0, min(1.0, t))) ** theme.knob_gamma
    return mix(theme.board_bg, knob_colour(t, theme), theme.knob_cell_tint * mag)


def pointer_colour(face, t: float, theme: Theme):
    """Light on dark faces, dark on bright ones; quieter on small weights so the colour
    picture, not 784 pointers, is what the eye sees first."""
    ink = theme.knob_pointer if luminance(face) < 0.6 else theme.knob_pointer_dark
    return mix(face, ink, 0.55 + 0.45 * min(1.0, abs(t)))


def _tip(cx: float, cy: float, angle_deg: float, length: float) -> tuple[float, float]:
    a = math.radians(angle_deg)
    return cx + math.sin(a) * length, cy - math.cos(a) * length


def _thick_line(surf, colour, a, b, width: float) -> None:
    w = max(1, round(width))
    pygame.draw.line(surf, colour, a, b, w)
    pygame.draw.circle(surf, colour, a, w / 2)
    pygame.draw.circle(surf, colour, b, w / 2)


# ---- sprites -----------------------------------------------------------------------------


def _draw_knob_body(surf, centre, radius: float, t: float, theme: Theme, k: float) -> None:
    """Rim, face with a soft top-left light, and pointer, at supersampled scale k."""
    face = knob_colour(t, theme)
    rim = max(1.0, radius * 0.13)
    cx, cy = centre
    pygame.draw.circle(surf, theme.knob_rim, centre, radius)
    pygame.draw.circle(surf, mix(face, theme.knob_highlight, 0.3), (cx, cy), radius - rim)
    pygame.draw.circle(surf, face, (cx + rim * 0.35, cy + rim * 0.45), radius - rim * 1.45)
    tip = _tip(cx, cy, knob_angle(t), radius - rim * 1.2)
    _thick_line(surf, pointer_colour(face, t, theme), (cx, cy), tip, max(1.6 * k, radius * 0.24))


def _knob_sprite(cell: int, level: int, theme: Theme) -> pygame.Surface:
    k = _SUPERSAMPLE
    big = pygame.Surface((cell * k, cell * k))
    t = level_to_t(level)
    big.fill(cell_colour(t, theme))
    c = cell * k / 2
    _draw_knob_body(big, (c, c), cell * k * KNOB_RADIUS, t, theme, k)
    return pygame.transform.smoothscale(big, (cell, cell))


def knob_sprites(cell: int, theme: Theme) -> list[pygame.Surface]:
    return cached(_SPRITES, (cell, theme), lambda: [
        _knob_sprite(cell, lv, theme) for lv in range(2 * LEVELS + 1)], limit=4)


def _ghost_sprite(cell: int, level: int, theme: Theme) -> tuple[pygame.Surface, tuple[int, int]]:
    """A faint second needle, cropped to its bounding box (alpha blits cost by area)."""
    k = _SUPERSAMPLE
    big = pygame.Surface((cell * k, cell * k), pygame.SRCALPHA)
    c, r = cell * k / 2, cell * k * KNOB_RADIUS
    angle = knob_angle(level_to_t(level))
    start, end = _tip(c, c, angle, r * 0.3), _tip(c, c, angle, r * 1.15)
    width = max(1.2 * k, r * 0.17)
    _thick_line(big, (*theme.knob_rim, theme.knob_ghost_alpha), start, end, width + 1.2 * k)
    _thick_line(big, (*theme.knob_ghost, theme.knob_ghost_alpha), start, end, width)
    sprite = pygame.transform.smoothscale(big, (cell, cell))
    box = sprite.get_bounding_rect()
    return sprite.subsurface(box).copy(), box.topleft


def _ghost_sprites(cell: int, theme: Theme) -> list[tuple[pygame.Surface, tuple[int, int]]]:
    return cached(_GHOSTS, (cell, theme), lambda: [
        _ghost_sprite(cell, lv, theme) for lv in range(2 * LEVELS + 1)], limit=4)


def _ring(cell: int, colour, width_frac: float) -> pygame.Surface:
    key = (cell, tuple(colour), width_frac)
    ring = _RINGS.get(key)
    if ring is None:
        k = _SUPERSAMPLE
        pad = max(2, cell // 5)
        size = cell + 2 * pad
        big = pygame.Surface((size * k, size * k), pygame.SRCALPHA)
        width = max(1.5 * k, cell * k * width_frac)
        pygame.draw.circle(
            big,
            (*colour, 255),
            (size * k / 2, size * k / 2),
            (cell / 2 + pad * 0.55) * k,
            round(width),
        )
        ring = remember(_RINGS, key, pygame.transform.smoothscale(big, (size, size)), limit=16)
    return ring


def _positions(x0: int, y0: int, cell: int) -> list[tuple[int, int]]:
    key = (x0, y0, cell)
    pos = _POSITIONS.get(key)
    if pos is None:
        if len(_POSITIONS) > 64:
            _POSITIONS.clear()
        pos = [(x0 + c * cell, y0 + r * cell) for r in range(N) for c in range(N)]
        _POSITIONS[key] = pos
    return pos


# ---- the board ---------------------------------------------------------------------------


def format_weight(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    if v == 0:
        return "0"
    a = abs(v)
    text = f"{a:.3f}" if a < 10 else f"{a:.1f}" if a < 1000 else f"{a:.3g}"
    return ("+" if v > 0 else "−") + text


def _legend_bar(w: int, h: int, theme: Theme) -> pygame.Surface:
    key = (w, h, theme)
    bar = _LEGENDS.get(key)
    if bar is None:
        bar = pygame.Surface((w, h))
        for x in range(w):
            t = 2 * x / max(1, w - 1) - 1
            pygame.draw.line(bar, knob_colour(t, theme), (x, 0), (x, h))
        remember(_LEGENDS, key, bar)
    return bar


def _draw_board_header(surface, rect, theme: Theme, s: float, scale: float, n: int,
                       bulb: int | None) -> None:
    hdr = board_header_height(rect)
    pad = max(4, round(theme.pad * s))
    size = min(font_px(theme.font_small, s, theme), max(9, hdr - 8))
    mid = rect.y + hdr // 2 + 1
    bar_w, bar_h = max(40, round(rect.w * 0.14)), max(6, round(hdr * 0.32))
    lo, hi = format_weight(-scale), format_weight(scale)
    right = rect.right - pad
    r_hi = draw_text(surface, hi, size, theme.text_dim, (right, mid), anchor="midright")
    bar_rect = pygame.Rect(0, 0, bar_w, bar_h)
    bar_rect.midright = (r_hi.left - round(5 * s), mid)
    surface.blit(_legend_bar(bar_w, bar_h, theme), bar_rect)
    r_lo = draw_text(
        surface, lo, size, theme.text_dim, (bar_rect.left - round(5 * s), mid), anchor="midright"
    )
    title_size = min(font_px(theme.font_title, s, theme), max(9, hdr - 6))
    r = draw_text(surface, "Knobs", title_size, theme.text, (rect.x + pad, mid), anchor="midleft")
    room = r_lo.left - r.right - round(16 * s)
    subs = (f"{n} weights, one per sensor", f"{n} weights") if bulb is None else (
        f"of the {bulb}-bulb: {n} weights", f"of the {bulb}-bulb")
    for sub in subs:
        if text_width(sub, size) <= room:
            colour = theme.text_dim if bulb is None else theme.knob_selected
            draw_text(surface, sub, size, colour, (r.right + round(7 * s), mid), anchor="midleft")
            break


def draw_knobs(
    surface: pygame.Surface,
    rect: pygame.Rect,
    weights,
    theme: Theme,
    *,
    scale: float,
    selected: int | None = None,
    hover: int | None = None,
    ghost=None,
    contribution=None,
    bulb: int | None = None,
) -> None:
    """Draw the 28x28 board of knobs for `weights` (784,) inside `rect`; ``bulb``: the digit
    of the bulb these knobs feed, named in the header (ten bulbs).

    scale: |weight| drawn at full deflection and full colour (pass a robust max, e.g. the 99th
    percentile of |weights|). ghost: optional (784,) turn per knob, drawn as a faint second
    needle at the angle of weights+ghost. contribution is accepted and currently not drawn
    (the tooltip reports it).
    """
    rect = pygame.Rect(rect)
    w = np.asarray(weights, dtype=np.float32).reshape(-1)
    if w.shape != (N * N,):
        raise ValueError(f"weights must have 784 values, got shape {np.shape(weights)}")
    s = begin(surface, theme)
    x0, y0, cell = board_grid(rect)
    draw_plate(surface, rect, theme, s, hole=pygame.Rect(x0, y0, N * cell, N * cell))
    _draw_board_header(surface, rect, theme, s, float(scale), w.size, bulb)
    levels = knob_levels(w, scale)
    sprites, positions = knob_sprites(cell, theme), _positions(x0, y0, cell)
    surface.fblits([(sprites[lv], p) for lv, p in zip(levels.tolist(), positions, strict=True)])
    if ghost is not None:
        g = np.asarray(ghost, dtype=np.float32).reshape(-1)
        if g.shape != w.shape:
            raise ValueError(f"ghost must have 784 values, got shape {np.shape(ghost)}")
        g_levels = knob_levels(w + g, scale)
        moved = np.flatnonzero(g_levels != levels)
        ghosts = _ghost_sprites(cell, theme)
        blits = []
        for i, lv in zip(moved.tolist(), g_levels[moved].tolist(), strict=True):
            sprite, (ox, oy) = ghosts[lv]
            blits.append((sprite, (positions[i][0] + ox, positions[i][1] + oy)))
        surface.fblits(blits)
    for index, colour, width in (
        (hover, theme.knob_hover, 0.08),
        (selected, theme.knob_selected, 0.13),
    ):
        if index is not None and 0 <= int(index) < N * N:
            ring = _ring(cell, colour, width)
            px, py = positions[int(index)]
            surface.blit(ring, ring.get_rect(center=(px + cell / 2, py + cell / 2)))


# ---- the bias knob -----------------------------------------------------------------------


def _big_knob(diameter: int, level: int, theme: Theme) -> pygame.Surface:
    key = (diameter, level, theme)
    sprite = _BIG.get(key)
    if sprite is None:
        if len(_BIG) > 400:
            _BIG.clear()
        k = 2 if diameter < 200 else 1
        big = pygame.Surface((diameter * k, diameter * k), pygame.SRCALPHA)
        c = diameter * k / 2
        _draw_knob_body(big, (c, c), c - k, level_to_t(level), theme, k)
        sprite = pygame.transform.smoothscale(big, (diameter, diameter))
        _BIG[key] = sprite
    return sprite


def _draw_dial(surface, centre, radius: float, theme: Theme, s: float) -> None:
    """Tick marks around the bias knob: -, 0, + at the ends and top."""
    cx, cy = centre
    for i in range(11):
        angle = -MAX_ANGLE + i * 27
        major = i in (0, 5, 10)
        inner = radius * (1.07 if major else 1.1)
        pygame.draw.line(
            surface,
            theme.text_dim if major else theme.chart_axis,
            _tip(cx, cy, angle, inner),
            _tip(cx, cy, angle, radius * 1.2),
            max(1, round((2 if major else 1) * s)),
        )
    size = font_px(theme.font_small, s, theme)
    for angle, mark in ((-MAX_ANGLE, "−"), (0, "0"), (MAX_ANGLE, "+")):
        draw_text(
            surface, mark, size, theme.text_dim, _tip(cx, cy, angle, radius * 1.38), anchor="center"
        )


def draw_bias_knob(
    surface: pygame.Surface,
    rect: pygame.Rect,
    value: float,
    theme: Theme,
    *,
    scale: float,
    label: str = "bias",
    subtitle: str = "threshold = −bias",
) -> None:
    """One big knob for the bias (the bulb's threshold, with its sign flipped), value printed;
    the tiny machine of the lesson draws its knobs with it too."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    draw_plate(surface, rect, theme, s)
    title = label[:1].upper() + label[1:]
    body = draw_header(surface, rect, theme, s, title, subtitle)
    pad = max(4, round(theme.pad * s))
    value_size = font_px(theme.font_value, s, theme)
    value_h = line_height(value_size)
    avail_h = body.h - value_h - 2 * pad
    radius = min((rect.w - 2 * pad) / 2 / 1.55, avail_h / 2 / 1.45, 90 * s)
    if radius < 6:
        draw_text(
            surface,
            format_weight(float(value)),
            value_size,
            theme.text,
            body.center,
            anchor="center",
        )
        return
    cy = body.y + pad + (avail_h - 2 * radius * 1.45) / 2 + radius * 1.45
    centre = (rect.centerx, cy)
    _draw_dial(surface, centre, radius, theme, s)
    level = int(knob_levels([value], scale)[0])
    sprite = _big_knob(max(4, round(2 * radius)), level, theme)
    surface.blit(sprite, sprite.get_rect(center=centre))
    draw_text(
        surface,
        format_weight(float(value)),
        value_size,
        theme.text,
        (rect.centerx, cy + radius * 1.3 + pad * 0.5),
        anchor="midtop",
    )
