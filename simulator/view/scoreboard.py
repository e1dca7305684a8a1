"""The scoreboard: the knobs' outcomes on every test picture, counted, each count a door to its
pictures.

One bulb: a 2x2 table (the digit's pictures and the others; bulb lit and dark) of hits,
misses, false alarms and correct rejections, with accuracy, the base rate, precision and
recall beside it. Ten bulbs: the 10x10 confusion matrix (rows the true digit, columns the
machine's answer), each digit's share read right at the end of its row. A click on a count
browses its pictures (the picture filter); the foot of the plate says which pictures the
retina goes through, with "show all" to let every picture through again.

``board`` is a :class:`simulator.scoreboard.Scoreboard` (read by attribute, so the view does
not import the engine). Drawing and hit-testing (:func:`scoreboard_target_at`) share one
geometry (:func:`scoreboard_geometry`), derived from the rect alone; a drawn board is kept
as a picture until the counts, the rect or the filter change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    wrap,
)

TITLE = "Scoreboard"
CLEAR = "show all"
HINT = "click a count to see its pictures"
ONE_COLS = ("bulb lit", "bulb dark")
ONE_WORDS = (("hits", "misses"), ("false alarms", "correct rejections"))

_DRAWN: dict[str, tuple] = {}  # the last drawing: (key, surface)


def scoreboard_size(ten: bool, s: float, theme: Theme | None = None) -> tuple[int, int, int]:
    """The room the scoreboard wants at text scale s: (width, narrowest width, height)."""
    from simulator.theme import THEME

    theme = theme or THEME
    small = font_px(theme.font_small, s, theme)
    line = line_height(small)
    if ten:  # ten rows of counts as tall as a line of them, three lines of words
        w = _ten_label_w(small, s) + 10 * _ten_cell_w(small, s) + _ten_end_w(small, s)
        w += 2 * _pad(s)
        return w, w, 2 * _pad(s) + 3 * line + round(8 * s) + 10 * line
    narrow = 2 * _pad(s) + _one_label_w(small, s) + 2 * _one_cell_w(small, s) + round(12 * s) \
        + _one_stats_w(small, s)
    return max(narrow, round(480 * s)), narrow, 2 * _pad(s) + 7 * line + round(8 * s)


def _one_label_w(small: int, s: float) -> int:
    return text_width("not 8s", small, bold=True) + round(8 * s)


def _one_cell_w(small: int, s: float) -> int:
    return text_width("rejections", small) + round(12 * s)  # the longest word in a count


def _one_stats_w(small: int, s: float) -> int:
    return text_width("precision", small) + text_width("100.00%", small, bold=True) \
        + round(16 * s)


def _ten_label_w(small: int, s: float) -> int:
    return text_width("8", small) + round(12 * s)


def _ten_cell_w(small: int, s: float) -> int:
    return text_width("1135", small) + round(8 * s)  # the largest digit's pictures: 1,135


def _ten_end_w(small: int, s: float) -> int:
    return text_width("100.0%", small) + round(10 * s)


def _pad(s: float) -> int:
    return max(4, round(6 * s))


@dataclass(frozen=True)
class ScoreGeometry:
    title_y: int  # the title line's middle
    cells: dict  # (row, col) -> Rect of each count (the click targets)
    row_labels: tuple  # Rect of each row's label
    col_labels: tuple  # Rect of each column's label
    ends: tuple  # ten bulbs: Rect of each row's share read right; one bulb: the stats' lines
    end_head: pygame.Rect  # the heading over the ends
    foot: pygame.Rect  # the line under the table: the score, the filter in force
    clear: pygame.Rect  # "show all" at the foot's right end (a filter in force)
    size: int  # the counts' font size


def scoreboard_geometry(rect: pygame.Rect, ten: bool, s: float,
                        theme: Theme | None = None) -> ScoreGeometry:
    from simulator.theme import THEME

    theme = theme or THEME
    rect = pygame.Rect(rect)
    pad, small = _pad(s), font_px(theme.font_small, s, theme)
    line = line_height(small)
    title_y = rect.y + pad + line // 2
    foot = pygame.Rect(rect.x + pad, rect.bottom - pad - line, rect.w - 2 * pad, line)
    clear_w = text_width(CLEAR, small) + round(14 * s)
    clear = pygame.Rect(foot.right - clear_w, foot.y - 1, clear_w, line + 2)
    top = rect.y + pad + line + round(4 * s)  # the column labels' line
    body = pygame.Rect(rect.x + pad, top + line, rect.w - 2 * pad, foot.y - round(3 * s) - top
                       - line)
    return (_ten_geometry if ten else _one_geometry)(body, top, line, title_y, foot, clear,
                                                     small, s, theme)


def _ten_geometry(body, top, line, title_y, foot, clear, small, s, theme) -> ScoreGeometry:
    label_w, end_w = _ten_label_w(small, s), _ten_end_w(small, s)
    cw = (body.w - label_w - end_w) / 10
    ch = body.h / 10
    cells, rows, cols, ends = {}, [], [], []
    x0 = body.x + label_w
    for i in range(10):
        y, y1 = round(body.y + i * ch), round(body.y + (i + 1) * ch)
        rows.append(pygame.Rect(body.x, y, label_w, y1 - y))
        ends.append(pygame.Rect(body.right - end_w, y, end_w, y1 - y))
        for j in range(10):
            x, x1 = round(x0 + j * cw), round(x0 + (j + 1) * cw)
            cells[i, j] = pygame.Rect(x, y, x1 - x - 1, y1 - y - 1)
    for j in range(10):
        x, x1 = round(x0 + j * cw), round(x0 + (j + 1) * cw)
        cols.append(pygame.Rect(x, top, x1 - x, line))
    size = fit_size("1135", max(9, min(small, round(ch))), 9, math.floor(cw) - 3)
    end_head = pygame.Rect(body.right - end_w, top, end_w, line)
    return ScoreGeometry(title_y, cells, tuple(rows), tuple(cols), tuple(ends), end_head, foot,
                         clear, size)


def _one_geometry(body, top, line, title_y, foot, clear, small, s, theme) -> ScoreGeometry:
    label_w = _one_label_w(small, s)
    table_w = max(round(body.w * 0.56), label_w + 2 * _one_cell_w(small, s))
    table_w = min(table_w, body.w - _one_stats_w(small, s) - round(12 * s))
    cw = (table_w - label_w) / 2
    ch = body.h / 2
    cells, rows, cols = {}, [], []
    for i in range(2):
        y, y1 = round(body.y + i * ch), round(body.y + (i + 1) * ch)
        rows.append(pygame.Rect(body.x, y, label_w, y1 - y))
        for j in range(2):
            x, x1 = round(body.x + label_w + j * cw), round(body.x + label_w + (j + 1) * cw)
            cells[i, j] = pygame.Rect(x + 1, y + 1, x1 - x - 3, y1 - y - 3)
    for j in range(2):
        x, x1 = round(body.x + label_w + j * cw), round(body.x + label_w + (j + 1) * cw)
        cols.append(pygame.Rect(x, top, x1 - x, line))
    stats = pygame.Rect(body.x + table_w + round(12 * s), top, 0, 0)
    stats.w, stats.h = body.right - stats.x, body.bottom - top
    step = stats.h / 4
    ends = tuple(pygame.Rect(stats.x, round(stats.y + k * step), stats.w, round(step))
                 for k in range(4))
    end_head = pygame.Rect(stats.x, top, stats.w, 0)
    size = fit_size("10,000", font_px(theme.font_value, s, theme), 9, round(cw) - 8)
    return ScoreGeometry(title_y, cells, tuple(rows), tuple(cols), ends, end_head, foot, clear,
                         size)


def scoreboard_target_at(rect: pygame.Rect, pos, ten: bool, s: float):
    """What a click at ``pos`` means: ("cell", (row, col)), ("clear", None) or None."""
    rect = pygame.Rect(rect)
    if not rect.collidepoint(pos):
        return None
    geo = scoreboard_geometry(rect, ten, s)
    if geo.clear.collidepoint(pos):
        return "clear", None
    for where, cell in geo.cells.items():
        if cell.collidepoint(pos):
            return "cell", where
    return None


def percent(v: float, decimals: int = 1) -> str:
    return "—" if not math.isfinite(v) else f"{v:.{decimals}%}"


# ---- drawing -----------------------------------------------------------------------------


def draw_scoreboard(surface: pygame.Surface, rect: pygame.Rect, board, theme: Theme, *,
                    ten: bool, chosen=None, showing: str = "") -> None:
    """The scoreboard of ``board`` (None: still being counted) in ``rect``; ``chosen`` is the
    (row, col) of the cell whose pictures the retina browses, ``showing`` the picture
    filter in force in words ("" when every picture is let through)."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    key = (board, tuple(rect), ten, chosen, showing, s, theme)
    last = _DRAWN.get("last")
    if last is None or len(last[0]) != len(key) or any(
            a is not b and a != b for a, b in zip(last[0], key, strict=True)):
        card = pygame.Surface(rect.size)
        card.fill(theme.background)
        local = pygame.Rect((0, 0), rect.size)
        _draw(card, local, board, theme, s, ten, chosen, showing)
        _DRAWN["last"] = last = (key, card)
    surface.blit(last[1], rect)


def _draw(surface, rect, board, theme: Theme, s: float, ten: bool, chosen, showing) -> None:
    draw_plate(surface, rect, theme, s)
    geo = scoreboard_geometry(rect, ten, s, theme)
    small = font_px(theme.font_small, s, theme)
    pad = _pad(s)
    r = draw_text(surface, TITLE, small, theme.text, (rect.x + pad, geo.title_y),
                  anchor="midleft", bold=True)
    if board is None:
        draw_text(surface, "counting…", small, theme.text_dim, rect.center, anchor="center")
        return
    sub = ("rows: true digit, columns: answer" if ten else
           f"{board.n:,} test pictures, counted")
    draw_text(surface, sub, small, theme.text_dim, (r.right + round(8 * s), geo.title_y),
              anchor="midleft", max_width=rect.right - pad - r.right - round(8 * s))
    if ten:
        _draw_matrix(surface, geo, board, theme, s, small, chosen)
        foot = (f"right {percent(board.accuracy, 2)}  ·  commonest digit "
                f"{percent(board.base_rate, 2)}")
        if text_width(f"{foot}  ·  {HINT}", small) <= geo.foot.w:
            foot = f"{foot}  ·  {HINT}"
    else:
        _draw_table(surface, geo, board, theme, s, small, chosen)
        foot = HINT
    _draw_foot(surface, geo, foot, showing, theme, s, small)


def _draw_foot(surface, geo: ScoreGeometry, text: str, showing: str, theme: Theme, s: float,
               small: int) -> None:
    if not showing:
        draw_text(surface, text, small, theme.text_dim, geo.foot.midleft, anchor="midleft",
                  max_width=geo.foot.w)
        return
    pygame.draw.rect(surface, mix(theme.card_bg, theme.accent, 0.22), geo.clear, border_radius=4)
    pygame.draw.rect(surface, theme.accent, geo.clear, 1, border_radius=4)
    draw_text(surface, CLEAR, small, theme.text, geo.clear.center, anchor="center")
    room = geo.clear.x - geo.foot.x - round(8 * s)
    draw_text(surface, f"Pictures: {showing}", small, theme.accent, geo.foot.midleft,
              anchor="midleft", max_width=room)


def _draw_matrix(surface, geo: ScoreGeometry, board, theme: Theme, s: float, small: int,
                 chosen) -> None:
    counts = board.counts
    rows = counts.sum(axis=1)
    for j, r in enumerate(geo.col_labels):
        draw_text(surface, str(j), small, theme.text_dim, r.center, anchor="center")
    draw_text(surface, "right", small, theme.text_dim, geo.end_head.midright, anchor="midright")
    shares = board.per_digit
    for i, r in enumerate(geo.row_labels):
        draw_text(surface, str(i), small, theme.text, r.center, anchor="center", bold=True)
        end = geo.ends[i]
        draw_text(surface, percent(float(shares[i])), small, theme.text, end.midright,
                  anchor="midright")
        for j in range(10):
            cell, v = geo.cells[i, j], int(counts[i, j])
            share = v / rows[i] if rows[i] else 0.0
            tone = theme.hit if i == j else theme.miss
            strength = share if i == j else min(1.0, 6.0 * share)
            pygame.draw.rect(surface, mix(theme.board_bg, tone, 0.12 + 0.5 * strength), cell)
            colour = theme.text if v else theme.text_dim
            draw_text(surface, str(v) if v else "·", geo.size, colour, cell.center,
                      anchor="center")
    if chosen is not None and chosen in geo.cells:
        pygame.draw.rect(surface, theme.knob_selected, geo.cells[chosen].inflate(2, 2),
                         max(2, round(2 * s)))


def _draw_table(surface, geo: ScoreGeometry, board, theme: Theme, s: float, small: int,
                chosen) -> None:
    d = board.digit
    rows = board.counts.sum(axis=1)
    for j, r in enumerate(geo.col_labels):
        draw_text(surface, ONE_COLS[j], small, theme.text_dim, r.center, anchor="center")
    labels = (f"{d}s", f"not {d}s")
    colours = ((theme.hit, theme.miss), (theme.false_alarm, theme.correct_rejection))
    for i, r in enumerate(geo.row_labels):
        y = r.centery - line_height(small) // 2
        draw_text(surface, labels[i], small, theme.text, (r.x, y), anchor="midleft", bold=True)
        draw_text(surface, f"{int(rows[i]):,}", small, theme.text_dim,
                  (r.x, y + line_height(small)), anchor="midleft")
        for j in range(2):
            cell, colour = geo.cells[i, j], colours[i][j]
            pygame.draw.rect(surface, mix(theme.card_bg, colour, 0.16), cell, border_radius=4)
            pygame.draw.rect(surface, mix(theme.card_bg, colour, 0.6), cell, 1, border_radius=4)
            _draw_count(surface, cell, ONE_WORDS[i][j], int(board.counts[i, j]), colour,
                        geo.size, small, theme)
    if chosen is not None and chosen in geo.cells:
        pygame.draw.rect(surface, theme.knob_selected, geo.cells[chosen].inflate(4, 4),
                         max(2, round(2 * s)), border_radius=5)
    stats = (("accuracy", percent(board.accuracy, 2), "answers right"),
             (f"never a {d}", percent(board.base_rate, 2), "the base rate"),
             ("precision", percent(board.precision), f"lit bulbs that were {d}s"),
             ("recall", percent(board.recall), f"{d}s that lit the bulb"))
    line = line_height(small)
    x = geo.ends[0].x + max(text_width(name, small) for name, _, _ in stats) + round(10 * s)
    indent = round(8 * s)
    for (name, value, why), r in zip(stats, geo.ends, strict=True):
        room = max(0, r.h // line - 1)  # lines for the number's meaning, under it
        said = wrap(why, small, r.w - indent)
        if len(said) > room:  # the meaning does not fit in full: kept to one line
            said = [why] if room else []
        y = r.centery - line * len(said) // 2
        draw_text(surface, name, small, theme.text_dim, (r.x, y), anchor="midleft")
        draw_text(surface, value, small, theme.text, (x, y), anchor="midleft", bold=True)
        for k, part in enumerate(said):
            draw_text(surface, part, small, theme.text_dim, (r.x + indent, y + (k + 1) * line),
                      anchor="midleft", max_width=r.w - indent)


def _draw_count(surface, cell: pygame.Rect, word: str, count: int, colour, size: int,
                small: int, theme: Theme) -> None:
    """A cell of the one-bulb table: its word (on two lines if it must) above its count."""
    lines = [word] if text_width(word, small) <= cell.w - 6 else word.split(" ", 1)
    text = f"{count:,}"
    size = fit_size(text, size, small, cell.w - 6)
    if len(lines) * line_height(small) + line_height(size) > cell.h - 2:
        size = small
    y = cell.centery - (len(lines) * line_height(small) + line_height(size)) // 2
    for part in lines:
        draw_text(surface, part, small, colour, (cell.centerx, y), anchor="midtop",
                  max_width=cell.w - 4)
        y += line_height(small)
    draw_text(surface, text, size, theme.text, (cell.centerx, y), anchor="midtop", bold=True)
