"""What lies between the retina and the knobs, drawn where the board of 784 knobs sits with
direct wiring (:mod:`simulator.wiring`).

- **The plugboard** (the Mark I): the 20x20 photocells lit for the picture, a sample of the
  random patch cords (orange: excitatory, blue: inhibitory), the association units as lamps
  (lit: firing for this picture) and the board of knobs, one per association unit.
- **The hidden layer**: the hidden units' weight pictures as small boards, each framed by a
  lamp as bright as the unit's output for this picture, and the board of knobs, one per
  hidden unit.

Everything comes from the snapshot's :class:`~simulator.face_state.WiredState`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.boards import _palette, draw_small_board, picture_rect
from simulator.view.common import (
    begin,
    draw_plate,
    draw_text,
    font_px,
    line_height,
    text_width,
    wrap,
)
from simulator.view.knobs import knob_levels

PHOTO_SIDE = 20
CORDS_NOTE = ("Cords (a sample of the random wiring): orange +1, blue -1. A unit fires when "
              "more of its + cords than - cords reach lit photocells.")


def _grid_picture(values: np.ndarray, rows: int, cols: int, off, on) -> pygame.Surface:
    """rows x cols pixels coloured from ``off`` to ``on`` by values in 0..1."""
    t = np.clip(np.asarray(values, np.float32).reshape(rows, cols), 0.0, 1.0)[..., None]
    rgb = (np.array(off, np.float32) * (1 - t) + np.array(on, np.float32) * t).astype(np.uint8)
    return pygame.surfarray.make_surface(rgb.transpose(1, 0, 2))


def _blit_cells(surface, picture: pygame.Surface, where: pygame.Rect, rows: int, cols: int,
                gap_colour) -> None:
    """A small picture scaled to whole cells, with a hairline between cells when they are
    big enough to need one."""
    surface.blit(pygame.transform.scale(picture, where.size), where)
    cell = where.w / cols
    if cell >= 5:
        for c in range(1, cols):
            x = round(where.x + c * cell)
            pygame.draw.line(surface, gap_colour, (x, where.y), (x, where.bottom - 1))
        for r in range(1, rows):
            y = round(where.y + r * where.h / rows)
            pygame.draw.line(surface, gap_colour, (where.x, y), (where.right - 1, y))


def _title(surface, text: str, x: int, y: int, theme: Theme, s: float, bold=False, dim=False):
    size = font_px(theme.font_small, s, theme)
    colour = theme.text_dim if dim else theme.text
    return draw_text(surface, text, size, colour, (x, y), anchor="topleft", bold=bold)


@dataclass(frozen=True)
class WiringGeometry:
    """Where each part of a wiring's plate goes, from the plate's rect alone (drawing and
    hit-testing share it)."""

    inner: pygame.Rect
    knob_area: pygame.Rect  # the knob board with its title line
    knobs: pygame.Rect  # the knob board's picture: rows x cols square cells
    photo: pygame.Rect = field(default_factory=pygame.Rect)  # plugboard: the photocells
    units: pygame.Rect = field(default_factory=pygame.Rect)  # plugboard: the A-units' lamps
    note_y: int = 0  # plugboard: the cords' note
    boards: pygame.Rect = field(default_factory=pygame.Rect)  # hidden: the units' boards
    lamps: pygame.Rect = field(default_factory=pygame.Rect)  # hidden: the units' lamps


def wiring_geometry(rect: pygame.Rect, kind: str, grid: tuple[int, int], theme: Theme,
                    s: float) -> WiringGeometry:
    rect, (rows, cols) = pygame.Rect(rect), grid
    pad = max(6, round(10 * s))
    size = font_px(theme.font_small, s, theme)
    lh = line_height(size)
    inner = rect.inflate(-2 * pad, -2 * pad)

    def board_in(area: pygame.Rect) -> pygame.Rect:
        below = pygame.Rect(area.x, area.y + lh + round(4 * s), area.w,
                            area.h - lh - round(4 * s))
        return picture_rect(below, rows, cols)

    if kind == "plugboard":
        top_h = round(inner.h * 0.46)
        cell_area = pygame.Rect(inner.x, inner.y + lh + 4, top_h - lh - 4, top_h - lh - 4)
        photo = picture_rect(cell_area, PHOTO_SIDE, PHOTO_SIDE)
        gap = max(round(40 * s), inner.w // 10)
        unit_area = pygame.Rect(photo.right + gap, inner.y + lh + 4,
                                inner.right - photo.right - gap, top_h - lh - 4)
        units = picture_rect(unit_area, rows, cols)
        note_y = max(units.bottom, photo.bottom) + round(4 * s)
        y = note_y + lh * len(wrap(CORDS_NOTE, size, inner.w)) + round(8 * s)
        area = pygame.Rect(inner.x, y, inner.w, inner.bottom - y)
        return WiringGeometry(inner, area, board_in(area), photo=photo, units=units,
                              note_y=note_y)
    top_h = round(inner.h * 0.66)
    boards = pygame.Rect(inner.x, inner.y + lh + 4, inner.w, top_h - lh - 4)
    y = inner.y + top_h + round(6 * s)
    area = pygame.Rect(inner.x, y, inner.w // 2 - pad, inner.bottom - y)
    lamp_area = pygame.Rect(inner.centerx + pad, y, inner.w // 2 - pad, inner.bottom - y)
    lamps = picture_rect(pygame.Rect(lamp_area.x, y + lh + round(4 * s), lamp_area.w,
                                     lamp_area.h - lh - round(4 * s)), rows, cols)
    return WiringGeometry(inner, area, board_in(area), boards=boards, lamps=lamps)


def wired_knob_at(rect: pygame.Rect, kind: str, grid: tuple[int, int], pos, s: float,
                  theme: Theme | None = None) -> int | None:
    """The knob (its index, 0..units-1) of a wiring's knob board under ``pos``, or None."""
    from simulator.theme import THEME

    board = wiring_geometry(rect, kind, grid, theme or THEME, s).knobs
    if not board.collidepoint(pos):
        return None
    rows, cols = grid
    r = int((pos[1] - board.y) * rows / board.h)
    c = int((pos[0] - board.x) * cols / board.w)
    return min(r, rows - 1) * cols + min(c, cols - 1)


def wired_knob_rect(rect: pygame.Rect, kind: str, grid: tuple[int, int], index: int, s: float,
                    theme: Theme | None = None) -> pygame.Rect:
    """The cell of knob ``index`` on a wiring's knob board."""
    from simulator.theme import THEME

    board = wiring_geometry(rect, kind, grid, theme or THEME, s).knobs
    rows, cols = grid
    r, c = divmod(int(index), cols)
    x0, x1 = board.x + c * board.w / cols, board.x + (c + 1) * board.w / cols
    y0, y1 = board.y + r * board.h / rows, board.y + (r + 1) * board.h / rows
    return pygame.Rect(round(x0), round(y0), max(1, round(x1) - round(x0)),
                       max(1, round(y1) - round(y0)))


def draw_wiring(surface: pygame.Surface, rect: pygame.Rect, wired, theme: Theme,
                hover: int | None = None) -> None:
    """The wiring's plate in ``rect``; ``hover``: the knob under the mouse (framed)."""
    s = begin(surface, theme)
    rect = pygame.Rect(rect)
    draw_plate(surface, rect, theme, s)
    geo = wiring_geometry(rect, wired.kind, wired.grid, theme, s)
    if wired.kind == "plugboard":
        _draw_plugboard(surface, geo, wired, theme, s)
        what = "one per association unit, to the bulb"
    else:
        _draw_hidden(surface, geo, wired, theme, s)
        what = "to the bulb"
    _knob_board(surface, geo, wired, theme, s, what)
    if hover is not None and 0 <= hover < wired.units:
        cell = wired_knob_rect(rect, wired.kind, wired.grid, hover, s, theme)
        pygame.draw.rect(surface, theme.knob_hover, cell.inflate(2, 2), 1)


def _knob_board(surface, geo: WiringGeometry, wired, theme: Theme, s: float,
                what: str) -> None:
    """The knobs after the wiring: one per unit, coloured as the big board's knobs."""
    rows, cols = wired.grid
    area = geo.knob_area
    r = _title(surface, f"{wired.units} knobs", area.x, area.y, theme, s, bold=True)
    _title(surface, what, r.right + round(8 * s), area.y, theme, s, dim=True)
    draw_small_board(surface, geo.knobs, wired.knobs, rows, cols, wired.knob_scale, theme)
    pygame.draw.rect(surface, theme.card_border, geo.knobs.inflate(2, 2), 1)


def _draw_plugboard(surface, geo: WiringGeometry, wired, theme: Theme, s: float) -> None:
    lh = line_height(font_px(theme.font_small, s, theme))
    inner, photo, units = geo.inner, geo.photo, geo.units
    _title(surface, "400 photocells", inner.x, inner.y, theme, s, bold=True)
    rows, cols = wired.grid
    fired = int(np.count_nonzero(wired.lamps))
    size = font_px(theme.font_small, s, theme)
    firing = f"{fired} firing"
    room = units.w - text_width(firing, size) - round(8 * s)
    for title in (f"{wired.units} association units", f"{wired.units} A-units", ""):
        if text_width(title, size, bold=True) <= room:
            break
    else:
        title, firing = f"{wired.units} A-units", ""
    _title(surface, title, units.x, inner.y, theme, s, bold=True)
    draw_text(surface, firing, size, theme.lit_mark, (units.right, inner.y), anchor="topright")
    _draw_cords(surface, wired, photo, units, rows, cols, theme)  # under the cells: the
    # cords show between the photocells and the units, where they run
    lit = _grid_picture(wired.photocells, PHOTO_SIDE, PHOTO_SIDE, theme.retina_off,
                        theme.retina_on)
    _blit_cells(surface, lit, photo, PHOTO_SIDE, PHOTO_SIDE, theme.board_bg)
    lamps = _grid_picture(wired.lamps, rows, cols, theme.bulb_off, theme.bulb_glow)
    _blit_cells(surface, lamps, units, rows, cols, theme.board_bg)
    y = geo.note_y
    for line in wrap(CORDS_NOTE, size, inner.w):
        draw_text(surface, line, size, theme.text_dim, (inner.x, y), anchor="topleft")
        y += lh


def _draw_cords(surface, wired, photo: pygame.Rect, units: pygame.Rect, rows: int, cols: int,
                theme: Theme) -> None:
    if wired.cords is None or not len(wired.cords):
        return
    span = photo.union(units)
    key = (wired.cords.tobytes(), wired.photocells.tobytes(), tuple(photo), tuple(units),
           theme)
    held = _CORDS.get("last")
    if held is None or held[0] != key:
        pc, uc = photo.w / PHOTO_SIDE, units.w / cols
        layer = pygame.Surface(span.size, pygame.SRCALPHA)
        for cell, unit, sign in wired.cords:
            r, c = divmod(int(cell), PHOTO_SIDE)
            ur, ucol = divmod(int(unit), cols)
            a = (photo.x - span.x + (c + 0.5) * pc, photo.y - span.y + (r + 0.5) * pc)
            b = (units.x - span.x + (ucol + 0.5) * uc,
                 units.y - span.y + (ur + 0.5) * units.h / rows)
            colour = theme.knob_positive if sign > 0 else theme.knob_negative
            lit = wired.photocells[int(cell)]
            pygame.draw.aaline(layer, (*colour, 200 if lit else 70), a, b)
        held = _CORDS["last"] = (key, layer)
    surface.blit(held[1], span)


_CORDS: dict = {}


def _draw_hidden(surface, geo: WiringGeometry, wired, theme: Theme, s: float) -> None:
    size = font_px(theme.font_small, s, theme)
    inner, area = geo.inner, geo.boards
    H = wired.units
    gr, gc = wired.grid
    r = _title(surface, f"{H} hidden units", inner.x, inner.y, theme, s, bold=True)
    for note in ("each one's weights on the retina; lit frame: its output now",
                 "weights on the retina; lit frame: output", "lit frame: output", ""):
        if r.right + round(10 * s) + text_width(note, size) <= inner.right:
            draw_text(surface, note, size, theme.text_dim, (inner.right, inner.y),
                      anchor="topright")
            break
    peak = float(wired.lamps.max()) if len(wired.lamps) and wired.lamps.max() > 0 else 1.0
    surface.blit(_hidden_grid(wired, area.size, peak, theme, s), area)
    active = int(np.count_nonzero(wired.lamps > 0))
    room = geo.inner.right - geo.lamps.x
    for title in (f"{active} of {H} units on", f"{active} of {H} on", f"{active} on"):
        if text_width(title, size, bold=True) <= room:
            break
    _title(surface, title, geo.lamps.x, geo.knob_area.y, theme, s, bold=True)
    lamps = _grid_picture(wired.lamps / peak, gr, gc, theme.bulb_off, theme.bulb_glow)
    _blit_cells(surface, lamps, geo.lamps, gr, gc, theme.board_bg)


_GRIDS: dict = {}
_TILES: dict = {}


def _hidden_grid(wired, size: tuple[int, int], peak: float, theme: Theme,
                 s: float) -> pygame.Surface:
    """The hidden units' boards, each framed by its lamp, as one surface of ``size``, made
    in NumPy in one go (about 2 ms), and again only when the boards or the lamps change
    (while training at full speed the retina's picture stays, and the machine hands new
    boards a few times a second)."""
    key = (wired.version, size, peak, wired.lamps.tobytes(), theme, s)
    held = _GRIDS.get("last")
    if held is not None and held[0] == key:
        return held[1]
    gr, gc = wired.grid
    w, h = size
    pitch = max(3, int(min(w / gc, h / gr)))  # whole pixels a board, its frame and a gap
    inset = max(1, round(2 * s)) if pitch >= 8 else 0
    face = max(1, pitch - 1 - 2 * inset)
    tiles = _tiles(wired, face, theme)  # (units, face, face, 3)
    t = np.clip(wired.lamps / peak, 0.0, 1.0)[:, None]
    off, on = np.array(theme.bulb_off, np.float32), np.array(theme.bulb_glow, np.float32)
    frames = (off * (1 - t) + on * t).astype(np.uint8)
    frames[wired.lamps <= 0] = theme.card_border
    canvas = np.empty((gr * pitch, gc * pitch, 3), np.uint8)
    canvas[:] = theme.card_bg
    grid = canvas.reshape(gr, pitch, gc, pitch, 3)
    grid[:, : pitch - 1, :, : pitch - 1] = frames.reshape(gr, 1, gc, 1, 3)
    grid[:, inset : inset + face, :, inset : inset + face] = (
        tiles.reshape(gr, gc, face, face, 3).transpose(0, 2, 1, 3, 4))
    surface = pygame.Surface(size)
    surface.fill(theme.card_bg)
    picture = pygame.surfarray.make_surface(canvas.transpose(1, 0, 2))
    surface.blit(picture, ((w - gc * pitch) // 2, 0))
    _GRIDS["last"] = (key, surface)
    return surface


def _tiles(wired, face: int, theme: Theme) -> np.ndarray:
    """(units, face, face, 3) uint8: each hidden unit's 28x28 weights averaged down (or up)
    to face x face and coloured as knobs, with one colour scale for all of them."""
    key = (wired.version, wired.boards.shape, wired.boards_scale, face, theme)
    held = _TILES.get("last")
    if held is not None and held[0] == key:
        return held[1]
    n, side = len(wired.boards), int(math.isqrt(wired.boards.shape[1]))
    A = _area_matrix(face, side)  # (face, side)
    small = A @ wired.boards.reshape(n, side, side) @ A.T  # (n, face, face)
    packed = _packed_palette(theme).take(knob_levels(small, wired.boards_scale))
    tiles = packed.view(np.uint8).reshape(n, face, face, 4)[..., :3]
    _TILES["last"] = (key, tiles)
    return tiles


_PACKED: dict = {}


def _packed_palette(theme: Theme) -> np.ndarray:
    """The knob colours as one 32-bit word each (R, G, B, 0 in memory): one ``take`` colours a
    whole mosaic."""
    held = _PACKED.get(theme)
    if held is None:
        rgb = _palette(theme)
        rgba = np.zeros((len(rgb), 4), np.uint8)
        rgba[:, :3] = rgb
        held = _PACKED[theme] = rgba.view(np.uint32).reshape(-1)
    return held


@functools.cache
def _area_matrix(out: int, side: int) -> np.ndarray:
    """(out, side) float32: row i averages the part of 0..side that cell i of out covers."""
    A = np.zeros((out, side), np.float32)
    for i in range(out):
        lo, hi = i * side / out, (i + 1) * side / out
        for j in range(side):
            A[i, j] = max(0.0, min(hi, j + 1) - max(lo, j))
    return A / A.sum(axis=1, keepdims=True)
