"""Where each instrument sits in the window, and which knob or sensor is under the mouse.

Light flows left to right, as in the story: retina (and the bias knob) -> the board of 784
knobs -> bulb, meter and verdict; the charts run underneath; the control panel is a column on
the right. The board is the hero: the largest square whose knob grid is a whole number of
pixels per knob.

The sensor and knob grids are derived from their rects alone (`board_grid`, `retina_grid`), so
drawing and hit-testing always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame
from pygame import Rect

from simulator.view.common import ui_scale

N = 28  # sensors (and knobs) per side

PANEL_MIN, PANEL_MAX = 300, 340
SIDE_MIN = 136  # narrowest side column that still fits its labels at 13 px
SIDE_MAX = 420


@dataclass(frozen=True)
class Layout:
    retina: Rect
    board: Rect
    bias: Rect
    bulb: Rect
    meter: Rect
    verdict: Rect
    charts: Rect
    panel: Rect
    status: Rect
    scale: float = 1.0  # text/stroke scale relative to 1280x800
    strip: Rect = field(default_factory=Rect)  # the raw outputs of ten pictures (empty: hidden)
    histogram: Rect = field(default_factory=Rect)  # the weighted sums' histogram (empty: hidden)
    boards: Rect = field(default_factory=Rect)  # ten bulbs' small boards (empty: one bulb)
    scoreboard: Rect = field(default_factory=Rect)  # the test set's outcomes (empty: hidden)

    def rects(self) -> dict[str, Rect]:
        names = ("retina", "board", "bias", "bulb", "meter", "verdict", "charts", "panel",
                 "status", "strip", "histogram", "boards", "scoreboard")
        return {name: getattr(self, name) for name in names if getattr(self, name).w > 0}


# ---- the board: a square plate, a title strip, then 28 x 28 knob cells --------------------


def _board_header(cell: int) -> int:
    return max(22, min(38, round(cell * 1.3) + 4))


def _board_inset(cell: int) -> int:
    return max(3, cell // 4)


def _board_side(cell: int) -> int:
    return N * cell + _board_header(cell) + _board_inset(cell)


def board_grid(board: Rect) -> tuple[int, int, int]:
    """(x, y, cell): top-left of the knob grid inside `board` and pixels per knob."""
    board = Rect(board)
    side = min(board.w, board.h)
    cell = max(1, side // N)
    while cell > 1 and _board_side(cell) > side:
        cell -= 1
    grid = N * cell
    x = board.x + (board.w - grid) // 2
    y = board.y + _board_header(cell)
    return x, y, cell


def board_header_height(board: Rect) -> int:
    return _board_header(board_grid(board)[2])


# ---- the retina: a plate with a two-line title, then 28 x 28 photocells --------------------


def _retina_header(width: int) -> int:
    return max(38, min(60, round(width * 0.1) + 24))


def _retina_pad(width: int) -> int:
    return max(5, width // 28)


def retina_grid(retina: Rect) -> tuple[int, int, int]:
    """(x, y, cell): top-left of the sensor grid inside `retina` and pixels per sensor."""
    retina = Rect(retina)
    hdr, pad = _retina_header(retina.w), _retina_pad(retina.w)
    cell = max(1, min(retina.w - 2 * pad, retina.h - hdr - pad) // N)
    x = retina.x + (retina.w - N * cell) // 2
    return x, retina.y + hdr, cell


def retina_header_height(retina: Rect) -> int:
    return _retina_header(Rect(retina).w)


def _retina_height(width: int) -> int:
    pad = _retina_pad(width)
    return _retina_header(width) + N * ((width - 2 * pad) // N) + pad


# ---- hit-testing -------------------------------------------------------------------------


def _cell_at(x0: int, y0: int, cell: int, pos) -> tuple[int, int] | None:
    col = (int(pos[0]) - x0) // cell
    row = (int(pos[1]) - y0) // cell
    if 0 <= row < N and 0 <= col < N:
        return row, col
    return None


def knob_at(board: Rect, pos) -> int | None:
    """Flat index row*28+col of the knob under `pos`, or None."""
    hit = _cell_at(*board_grid(board), pos)
    return None if hit is None else hit[0] * N + hit[1]


def retina_cell_at(retina: Rect, pos) -> tuple[int, int] | None:
    """(row, col) of the sensor under `pos`, or None."""
    return _cell_at(*retina_grid(retina), pos)


def knob_rect(board: Rect, index: int) -> Rect:
    """Screen rect of knob `index` (for tooltips and highlights)."""
    x0, y0, cell = board_grid(board)
    row, col = divmod(int(index), N)
    return Rect(x0 + col * cell, y0 + row * cell, cell, cell)


# ---- the whole window --------------------------------------------------------------------


def _largest_cell(limit: int) -> int:
    cell = max(1, limit // N)
    while cell > 1 and _board_side(cell) > limit:
        cell -= 1
    return cell


def _stack(x: int, y: int, w: int, heights: list[int], gap: int) -> list[Rect]:
    rects = []
    for h in heights:
        rects.append(Rect(x, y, w, h))
        y += h + gap
    return rects


STRIP_SHARE = 0.14  # of the window's height, for the strip of ten raw outputs
HISTOGRAM_SHARE = 0.42  # of the charts' width, for the histogram beside them


def compute_layout(size: tuple[int, int], views=frozenset()) -> Layout:
    """Rects for every instrument in a window of `size` (legible from 1024x700 up); the
    extra `views` shown ("strip", "histogram", "scoreboard"; "boards": the ten bulbs' small
    boards, shown with ten bulbs) take room from the board and the charts."""
    from simulator.view.boards import band_height
    from simulator.view.scoreboard import scoreboard_size

    w, h = max(320, int(size[0])), max(240, int(size[1]))
    s = ui_scale((w, h))
    gap = max(4, round(8 * s))
    panel_w = max(min(PANEL_MIN, w // 3), min(PANEL_MAX, round(w * 0.25)))
    status_h = round(26 * s)
    panel = Rect(w - panel_w, 0, panel_w, h)
    status = Rect(0, h - status_h, w - panel_w, status_h)
    work = Rect(gap, gap, w - panel_w - 2 * gap, h - status_h - 2 * gap)

    strip_h = round(STRIP_SHARE * h) if "strip" in views else 0
    band_h = band_height(work.w, s) if "boards" in views else 0
    score_w, score_min, score_h = scoreboard_size("boards" in views, s) \
        if "scoreboard" in views else (0, 0, 0)
    # the scoreboard stands beside the strip and the charts, as tall as both together
    charts_min = max(round(0.225 * h) + (strip_h + gap if strip_h else 0), score_h) + (
        band_h + gap if band_h else 0)
    side_min = max(SIDE_MIN, round(136 * s))
    cell = min(
        _largest_cell(work.w - 2 * side_min - 2 * gap), _largest_cell(work.h - charts_min - gap)
    )
    side_b = _board_side(cell)
    side_w = min(round(SIDE_MAX * s), (work.w - side_b - 2 * gap) // 2)
    left_x = work.x + (work.w - side_b - 2 * side_w - 2 * gap) // 2
    board = Rect(left_x + side_w + gap, work.y, side_b, side_b)

    retina_h = min(_retina_height(side_w), side_b // 2)
    retina, bias = _stack(left_x, work.y, side_w, [retina_h, side_b - retina_h - gap], gap)
    right_x = board.right + gap
    avail = side_b - 2 * gap
    bulb_h, meter_h = round(avail * 0.34), round(avail * 0.34)
    short = min(round(136 * s) - (avail - bulb_h - meter_h), (bulb_h + meter_h) // 4)
    if short > 0:  # a small board (more views shown): the verdict keeps room for its word
        bulb_h, meter_h = bulb_h - short // 2, meter_h - (short - short // 2)
    bulb, meter, verdict = _stack(
        right_x, work.y, side_w, [bulb_h, meter_h, avail - bulb_h - meter_h], gap
    )
    charts = Rect(work.x, board.bottom + gap, work.w, work.bottom - board.bottom - gap)
    strip = histogram = boards = scoreboard = Rect(0, 0, 0, 0)
    if band_h:
        boards = Rect(charts.x, charts.y, charts.w, band_h)
        charts = Rect(charts.x, boards.bottom + gap, charts.w, charts.bottom - boards.bottom - gap)
    if score_w:
        score_w = min(score_w, max(charts.w // 2, score_min), charts.w - 2 * gap)
        scoreboard = Rect(charts.right - score_w, charts.y, score_w, charts.h)
        charts = Rect(charts.x, charts.y, charts.w - score_w - gap, charts.h)
    if strip_h:
        strip = Rect(charts.x, charts.y, charts.w, strip_h)
        charts = Rect(charts.x, strip.bottom + gap, charts.w, charts.bottom - strip.bottom - gap)
    if "histogram" in views:
        hist_w = round(charts.w * HISTOGRAM_SHARE)
        histogram = Rect(charts.right - hist_w, charts.y, hist_w, charts.h)
        charts = Rect(charts.x, charts.y, charts.w - hist_w - gap, charts.h)
    return Layout(retina, board, bias, bulb, meter, verdict, charts, panel, status, scale=s,
                  strip=strip, histogram=histogram, boards=boards, scoreboard=scoreboard)


def window_scale(surface: pygame.Surface) -> float:
    return ui_scale(surface.get_size())
