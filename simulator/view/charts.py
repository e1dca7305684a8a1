"""Loss and accuracy per epoch, train and test, with the 'bulb never lit' base-rate line.

Other runs can be overlaid (`ChartRun`): each in its own colour from the theme's colour-blind
safe `run_colours`, test solid and train dashed, with a compact legend; the live run is then
drawn in the text colour. `chart_point_at` (hover) and `chart_epoch_at` (click to pick an epoch)
hit-test with the same geometry as the drawing, derived from the rect, the window's size and the
data alone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    draw_header,
    draw_plate,
    draw_progress_bar,
    draw_text,
    ellipsize,
    font_px,
    format_number,
    line_height,
    mix,
    nice_step,
    nice_ticks,
    text_width,
    ui_scale,
    use_font,
)

KEYS = ("train_loss", "train_acc", "test_loss", "test_acc")
MARKERS_UP_TO = 30  # epochs; beyond that the lines carry it alone
LOG_RATIO = 50.0  # loss range wider than this (max/min) is drawn on a log axis

_CACHE: dict[tuple, pygame.Surface] = {}

LIVE_RUN = -1  # the run index of the live history (overlaid runs count from 0)


@dataclass(frozen=True)
class ChartRun:
    """Another run to overlay on the charts."""

    name: str  # the legend's words (truncated to fit)
    history: Sequence  # its epochs: dicts of KEYS, as draw_charts' history
    colour: int = 0  # index into theme.run_colours (kept by the caller, so a run keeps it)
    dim: bool = False  # drawn faded and thinner, behind the others


class ChartPoint(NamedTuple):
    """A point of a chart under the pointer."""

    run: int  # LIVE_RUN, or the index of the run in `overlays`
    epoch: int  # 1-based: the run's history[epoch - 1]
    value: float  # the value at that point
    key: str  # which curve: one of KEYS


def run_colour(run: ChartRun, theme: Theme) -> tuple[int, int, int]:
    """The colour a run's curves are drawn in (faded when the run is dim)."""
    colour = theme.run_colours[int(run.colour) % len(theme.run_colours)]
    return mix(colour, theme.card_bg, theme.run_dim) if run.dim else colour


def history_array(history) -> np.ndarray:
    """(n_epochs, 4) float64 of KEYS, NaN where missing."""
    rows = [
        [_number(d.get(k)) if isinstance(d, dict) else math.nan for k in KEYS]
        for d in history or []
    ]
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(KEYS))


def _number(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


# ---- axes --------------------------------------------------------------------------------


def accuracy_range(data: np.ndarray, baseline: float | None) -> tuple[float, float]:
    """y range of the accuracy plot: 100% at the top, a round step below the lowest value."""
    values = data[:, [1, 3]].ravel()
    values = values[np.isfinite(values)]
    if baseline is not None and math.isfinite(baseline):
        values = np.append(values, baseline)
    low = float(values.min()) if values.size else 0.0
    low = max(0.0, min(low, 1.0))
    step = 0.05 if low > 0.6 else 0.1 if low > 0.2 else 0.2
    lo = max(0.0, math.floor((low - 0.015) / step) * step)
    return lo, 1.0


def loss_range(data: np.ndarray) -> tuple[float, float, bool]:
    """(lo, hi, log) of the loss plot."""
    values = data[:, [0, 2]].ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0, False
    vmin, vmax = float(values.min()), float(values.max())
    if vmin > 0 and vmax / vmin > LOG_RATIO:
        return 10 ** math.floor(math.log10(vmin)), 10 ** math.ceil(math.log10(vmax)), True
    hi = vmax * 1.08 if vmax > 0 else 1.0
    lo = min(0.0, vmin * 1.08)
    return lo, nice_ticks(lo, hi, 4)[-1] if nice_ticks(lo, hi, 4)[-1] >= vmax else hi, False


def x_range(n: int) -> tuple[float, float]:
    if n <= 12:
        return 0.5, max(n, 5) + 0.5
    return 1.0, float(n)


class Axes:
    """Maps data to pixels inside a plot rect."""

    def __init__(
        self, rect: pygame.Rect, x: tuple[float, float], y: tuple[float, float], log: bool = False
    ):
        self.rect, self.x0, self.x1, self.log = rect, x[0], x[1], log
        self.y0, self.y1 = (math.log10(y[0]), math.log10(y[1])) if log else y

    def px(self, x: float) -> float:
        return self.rect.x + (x - self.x0) / (self.x1 - self.x0) * (self.rect.w - 1)

    def py(self, y: float) -> float:
        y = math.log10(y) if self.log else y
        return self.rect.bottom - 1 - (y - self.y0) / (self.y1 - self.y0) * (self.rect.h - 1)


def chart_geometry(
    rect: pygame.Rect,
    history,
    *,
    baseline=None,
    s: float = 1.0,
    theme: Theme | None = None,
    overlays: Sequence[ChartRun] = (),
) -> dict:
    """Header, plot panels and axes of draw_charts for `rect` (used by drawing, hit-testing
    and tests). With overlays the axes span every run; "runs" lists (run index, data)."""
    from simulator.theme import THEME

    theme = theme or THEME
    rect = pygame.Rect(rect)
    live = history_array(history)
    runs = [(LIVE_RUN, live)] + [(i, history_array(r.history)) for i, r in enumerate(overlays)]
    data = np.concatenate([d for _, d in runs]) if overlays else live
    n = max(len(d) for _, d in runs)
    pad = max(4, round(theme.pad * s))
    small = font_px(theme.font_small, s, theme)
    header_h = line_height(font_px(theme.font_title, s, theme)) + round(6 * s)
    body = pygame.Rect(rect.x + pad, rect.y + header_h, rect.w - 2 * pad, rect.h - header_h - pad)
    gap = round(24 * s)
    left = pygame.Rect(body.x, body.y, (body.w - gap) // 2, body.h)
    right = pygame.Rect(left.right + gap, body.y, body.w - left.w - gap, body.h)
    lo, hi, log = loss_range(data)
    acc_lo, acc_hi = accuracy_range(data, baseline)
    xs = x_range(n)
    loss_axes = Axes(_plot_area(left, small, lo, hi, log, theme), xs, (lo, hi), log)
    acc_axes = Axes(_plot_area(right, small, acc_lo, acc_hi, False, theme), xs, (acc_lo, acc_hi))
    return {
        "header_h": header_h,
        "loss_panel": left,
        "acc_panel": right,
        "loss": loss_axes,
        "accuracy": acc_axes,
        "data": live,
        "all": data,
        "runs": runs,
        "n": n,
    }


def _plot_area(panel: pygame.Rect, small: int, lo, hi, log, theme: Theme) -> pygame.Rect:
    label_w = max(text_width(t, small) for t in ("100%", "0.00", "1e−3", "−0.00"))
    right_margin = text_width("000", small) // 2 + 2  # room for the last epoch's label
    top = panel.y + line_height(small) + 4
    bottom = panel.bottom - line_height(small) - 2
    return pygame.Rect(
        panel.x + label_w + 6,
        top,
        max(10, panel.w - label_w - 6 - right_margin),
        max(10, bottom - top),
    )


# ---- drawing -----------------------------------------------------------------------------


def _y_ticks(axes: Axes, lo: float, hi: float, percent: bool, max_ticks: int):
    if axes.log:
        return [
            (10.0**e, f"1e{e}".replace("-", "−"))
            for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1)
        ]
    step = nice_step(hi - lo, max_ticks)
    if percent:
        return [(v, f"{v * 100:.0f}%") for v in nice_ticks(lo, hi, max_ticks)]
    return [(v, format_number(v, step)) for v in nice_ticks(lo, hi, max_ticks)]


def _draw_axes(surf, axes: Axes, n: int, yticks, theme: Theme, small: int, s: float) -> None:
    r = axes.rect
    for v, text in yticks:
        y = round(axes.py(v))
        pygame.draw.line(surf, theme.chart_grid, (r.x, y), (r.right - 1, y))
        draw_text(surf, text, small, theme.text_dim, (r.x - 5, y), anchor="midright")
    max_x = max(2, r.w // max(1, round(48 * s)))
    step = max(1, round(nice_step(max(n, 5) - 1, max_x)))
    for e in range(step if step > 1 else 1, max(n, 5) + 1, step):
        x = round(axes.px(e))
        if r.x <= x < r.right:
            pygame.draw.line(surf, theme.chart_axis, (x, r.bottom), (x, r.bottom + 3))
            draw_text(surf, str(e), small, theme.text_dim, (x, r.bottom + 3), anchor="midtop")
    pygame.draw.line(surf, theme.chart_axis, (r.x, r.y), (r.x, r.bottom))
    pygame.draw.line(surf, theme.chart_axis, (r.x, r.bottom), (r.right - 1, r.bottom))


def _draw_series(surf, axes: Axes, ys: np.ndarray, colour, marker: str, s: float) -> None:
    """A line through the finite points (gaps at NaN) with markers when epochs are few."""
    points = [
        (axes.px(i + 1), axes.py(v)) if math.isfinite(v) and (v > 0 or not axes.log) else None
        for i, v in enumerate(ys)
    ]
    run: list = []
    for p in points + [None]:
        if p is None:
            if len(run) > 1:
                pygame.draw.lines(surf, colour, False, run, max(2, round(2 * s)))
            run = []
        else:
            run.append(p)
    if len(ys) > MARKERS_UP_TO:
        return
    m = max(3, round(3.5 * s))
    for p in points:
        if p is None:
            continue
        if marker == "circle":
            pygame.draw.circle(surf, colour, p, m)
        else:
            pygame.draw.rect(surf, colour, (p[0] - m, p[1] - m, 2 * m, 2 * m))


def _draw_legend(
    surf, panel: pygame.Rect, titles: tuple[str, str], entries, theme: Theme, small: int, s: float
) -> None:
    """Plot title on the left (the short one if crowded), legend entries on the right."""
    y = panel.y + line_height(small) // 2
    m = max(3, round(3.5 * s))

    def entry_w(values: bool) -> int:
        return sum(text_width(f"{n} {v}" if v and values else n, small) + m + round(33 * s)
                   for n, _, _, v in entries)

    title = titles[0] if text_width(titles[0], small) + entry_w(True) <= panel.w else titles[1]
    values = text_width(title, small) + entry_w(True) <= panel.w  # crowded: the names alone
    draw_text(surf, title, small, theme.text, (panel.x, y), anchor="midleft")
    if text_width(title, small) + entry_w(False) > panel.w:
        return  # too narrow for a legend (the other plot's names the same colours)
    x = panel.right
    for name, colour, marker, value in reversed(entries):
        text = f"{name} {value}" if value and values else name
        r = draw_text(surf, text, small, theme.text_dim, (x, y), anchor="midright")
        m = max(3, round(3.5 * s))
        cx = r.left - m - round(10 * s)
        pygame.draw.line(surf, colour, (cx - 9 * s, y), (cx + 9 * s, y), max(2, round(2 * s)))
        if marker == "circle":
            pygame.draw.circle(surf, colour, (cx, y), m)
        else:
            pygame.draw.rect(surf, colour, (cx - m, y - m, 2 * m, 2 * m))
        x = cx - 9 * s - round(14 * s)


def _last(ys: np.ndarray) -> float:
    finite = ys[np.isfinite(ys)]
    return float(finite[-1]) if finite.size else math.nan


def _draw_baseline(
    surf,
    axes: Axes,
    baseline: float,
    label: str,
    theme: Theme,
    small: int,
    s: float,
    curves: Sequence[np.ndarray] = (),
) -> None:
    """The dashed base-rate line and its label: above the line if there is room, else below;
    and on the other side if a curve (accuracy series in `curves`) runs through the label."""
    y = round(axes.py(baseline))
    r = axes.rect
    dash, width = max(6, round(8 * s)), max(1, round(2 * s))
    for x in range(r.x, r.right, 2 * dash):
        pygame.draw.line(surf, theme.chart_baseline, (x, y), (min(x + dash, r.right - 1), y), width)
    box = pygame.Rect(0, 0, text_width(label, small), line_height(small))
    box.bottomright = (r.right - 4, y - 3)
    above = y - r.y > line_height(small) + 2
    if above and curves and _crossed(box, axes, curves):
        below = box.copy()
        below.topright = (r.right - 4, y + 4)
        above = r.bottom - below.bottom < 0 or _crossed(below, axes, curves)
    draw_text(
        surf,
        label,
        small,
        theme.chart_baseline,
        (r.right - 4, y - 3 if above else y + 4),
        anchor="bottomright" if above else "topright",
    )


def _crossed(box: pygame.Rect, axes: Axes, curves: Sequence[np.ndarray]) -> bool:
    """Whether any curve (values per epoch) passes through box."""
    hit = box.inflate(4, 4)
    for ys in curves:
        pts = [(axes.px(i + 1), axes.py(v)) for i, v in enumerate(ys) if math.isfinite(v)]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            if max(x0, x1) < hit.left or min(x0, x1) > hit.right:
                continue
            for t in np.linspace(0.0, 1.0, max(2, int(abs(x1 - x0) // 3) + 2)):
                if hit.collidepoint(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t):
                    return True
        if len(pts) == 1 and hit.collidepoint(pts[0]):
            return True
    return False


def _render_plots(
    size, history, baseline, label, theme: Theme, s: float, overlays: Sequence[ChartRun] = ()
) -> pygame.Surface:
    surf = pygame.Surface(size)
    surf.fill(theme.card_bg)
    g = chart_geometry(
        pygame.Rect((0, 0), size), history, baseline=baseline, s=s, theme=theme, overlays=overlays
    )
    data, n, small = g["data"], g["n"], font_px(theme.font_small, s, theme)
    la, aa = g["loss"], g["accuracy"]
    max_y = max(2, la.rect.h // max(1, line_height(small) * 2))
    _draw_axes(
        surf, la, n, _y_ticks(la, *loss_range(g["all"])[:2], False, min(4, max_y)), theme, small, s
    )
    _draw_axes(surf, aa, n, _y_ticks(aa, aa.y0, aa.y1, True, min(4, max_y)), theme, small, s)
    if baseline is not None and math.isfinite(baseline):
        curves = [d[:, c] for _, d in g["runs"] for c in (1, 3)]
        _draw_baseline(surf, aa, baseline, label, theme, small, s, curves)
    if overlays:
        _draw_overlaid(surf, g, overlays, theme, small, s)
        _draw_panel_titles(surf, g, theme, s)
        return surf
    for axes, col in ((la, 0), (aa, 1)):
        with_clip = surf.get_clip()
        surf.set_clip(axes.rect.inflate(8, 8))
        _draw_series(surf, axes, data[:, col], theme.chart_train, "circle", s)
        _draw_series(surf, axes, data[:, col + 2], theme.chart_test, "square", s)
        surf.set_clip(with_clip)
    log = " (log scale)" if la.log else ""
    loss_titles = ("Loss per epoch" + log, "Loss" + log)
    last = [_last(data[:, i]) for i in range(4)]
    _draw_legend(
        surf,
        g["loss_panel"],
        loss_titles,
        [
            ("train", theme.chart_train, "circle", _fmt_loss(last[0])),
            ("test", theme.chart_test, "square", _fmt_loss(last[2])),
        ],
        theme,
        small,
        s,
    )
    _draw_legend(
        surf,
        g["acc_panel"],
        ("Accuracy per epoch", "Accuracy"),
        [
            ("train", theme.chart_train, "circle", _fmt_acc(last[1])),
            ("test", theme.chart_test, "square", _fmt_acc(last[3])),
        ],
        theme,
        small,
        s,
    )
    if n == 0:
        for axes in (la, aa):
            draw_text(
                surf,
                "no finished epoch yet",
                small,
                theme.text_dim,
                (axes.rect.centerx, axes.rect.y + axes.rect.h * 0.3),
                anchor="center",
            )
    return surf


def _fmt_loss(v: float) -> str:
    if math.isnan(v):
        return ""
    if abs(v) < 100:
        return format_number(v)
    return f"{v:.0f}" if abs(v) < 1e6 else f"{v:.2g}".replace("+", "")


def _fmt_acc(v: float) -> str:
    return "" if math.isnan(v) else f"{v * 100:.1f}%"


def baseline_label(baseline: float, target_digit: int | None, name: str | None = None) -> str:
    who = name or (f"never a {target_digit}" if target_digit is not None else "bulb never lit")
    return f"{who}: {baseline * 100:.2f}%"


def draw_charts(
    surface: pygame.Surface,
    rect: pygame.Rect,
    history,
    theme: Theme,
    *,
    baseline: float | None,
    epoch_progress: float | None = None,
    epoch: int = 0,
    target_digit: int | None = None,
    baseline_name: str | None = None,
    overlays: Sequence[ChartRun] | None = None,
    hover: tuple[int, int] | None = None,
    live_name: str = "this run",
) -> None:
    """Loss and accuracy per finished epoch (train and test), the base-rate line at
    `baseline` (accuracy of a bulb that never lights), epoch counter and progress bar.
    baseline_name replaces the line's "never a 5" wording (e.g. ten bulbs' "commonest digit").

    overlays: other runs drawn over the same axes, each in its colour (test solid, train
    dashed), the live `history` then in the text colour and named `live_name` in the legend
    (pass an empty history to show only the overlaid runs). hover: (run, epoch) of a point to
    ring and explain in a tooltip (run LIVE_RUN or an index into overlays; epoch 1-based), as
    `chart_point_at` returns them."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    pad = max(4, round(theme.pad * s))
    top = line_height(font_px(theme.font_title, s, theme)) + round(6 * s)  # as chart_geometry
    body = pygame.Rect(1, top, rect.w - 2, rect.h - top - pad // 2)
    small = rect.w < 80 or rect.h < 60
    draw_plate(surface, rect, theme, s, hole=None if small else body.move(rect.topleft))
    overlays = tuple(overlays or ())
    subtitle = "" if overlays else "loss and accuracy after each epoch"
    epoch_left = _draw_epoch(surface, rect, theme, s, epoch, epoch_progress)
    room = epoch_left - rect.x - pad - text_width("Training", font_px(theme.font_title, s, theme))
    if text_width(subtitle, font_px(theme.font_small, s, theme)) + round(16 * s) > room:
        subtitle = ""  # a narrow plate (the scoreboard beside it): the title alone
    draw_header(surface, rect, theme, s, "Training", subtitle)
    if overlays:
        _draw_run_legend(surface, rect, history, overlays, live_name, theme, s, epoch_left)
    if small:
        return
    base = None if baseline is None or not math.isfinite(float(baseline)) else float(baseline)
    label = baseline_label(base, target_digit, baseline_name) if base is not None else ""
    data = history_array(history)
    runs_key = tuple(
        (r.name, r.colour, r.dim, history_array(r.history).tobytes(), len(r.history))
        for r in overlays
    )
    key = (rect.size, data.tobytes(), data.shape, base, label, s, theme, runs_key, live_name)
    plots = _CACHE.get(key)
    if plots is None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        plots = _render_plots(rect.size, history, base, label, theme, s, overlays)
        _CACHE[key] = plots
    surface.blit(plots, (rect.x + body.x, rect.y + body.y), area=body)
    if hover is not None:
        _draw_hover(surface, rect, history, overlays, hover, base, live_name, theme, s)


def _draw_epoch(surface, rect: pygame.Rect, theme: Theme, s: float, epoch: int, progress) -> int:
    """The epoch counter (and the running epoch's progress) at the header's right; returns
    the left edge of what it drew."""
    pad = max(4, round(theme.pad * s))
    size = font_px(theme.font_body, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(font_px(theme.font_title, s, theme)) // 2
    right = rect.right - pad
    epoch_text = f"Epoch {int(epoch)}"
    if progress is not None and math.isfinite(float(progress)):
        p = max(0.0, min(1.0, float(progress)))
        r = draw_text(
            surface, f"{p * 100:.0f}%", size, theme.text_dim, (right, mid), anchor="midright"
        )
        title_w = text_width("Training", font_px(theme.font_title, s, theme))
        room = r.left - rect.x - 2 * pad - title_w - text_width(epoch_text, size) - round(36 * s)
        bar = pygame.Rect(0, 0, min(round(140 * s), room), max(4, round(6 * s)))
        bar.midright = (r.left - round(8 * s), mid)
        if bar.w >= round(30 * s):  # (a narrow plate: the percentage alone)
            draw_progress_bar(surface, bar, p, theme)
            right = bar.left - round(10 * s)
        else:
            right = r.left - round(8 * s)
    r = draw_text(surface, epoch_text, size, theme.text, (right, mid), anchor="midright")
    return r.left


# ---- overlaid runs -------------------------------------------------------------------------


def _polylines(axes: Axes, ys: np.ndarray) -> tuple[list[list], list]:
    """The runs of consecutive drawable points (gaps at NaN) and every point (None at gaps)."""
    points = [
        (axes.px(i + 1), axes.py(v)) if math.isfinite(v) and (v > 0 or not axes.log) else None
        for i, v in enumerate(ys)
    ]
    lines, run = [], []
    for p in points + [None]:
        if p is None:
            if run:
                lines.append(run)
            run = []
        else:
            run.append(p)
    return lines, points


def _dashed(surf, colour, points, width: int, dash: float, gap: float) -> None:
    """A dashed polyline (the pattern runs on across corners)."""
    on, left = True, dash
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        seg = math.hypot(x1 - x0, y1 - y0)
        t = 0.0
        while t < seg - 1e-9:
            step = min(left, seg - t)
            if on:
                a, b = t / seg, (t + step) / seg
                pygame.draw.line(
                    surf, colour,
                    (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                    (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                    width,
                )
            t += step
            left -= step
            if left <= 1e-9:
                on = not on
                left = dash if on else gap


def _draw_run(surf, axes: Axes, data: np.ndarray, col: int, colour, s: float, dim: bool) -> None:
    """One run on one plot: train (column col) dashed and thin, test (col + 2) solid."""
    thin = 1 if dim else max(1, round(1.5 * s))
    thick = max(1, round(1.5 * s)) if dim else max(2, round(2 * s))
    for line in _polylines(axes, data[:, col])[0]:
        if len(line) > 1:
            _dashed(surf, colour, line, thin, max(4, 6 * s), max(3, 4 * s))
    lines, points = _polylines(axes, data[:, col + 2])
    for line in lines:
        if len(line) > 1:
            pygame.draw.lines(surf, colour, False, line, thick)
    if dim or len(data) > MARKERS_UP_TO:
        return
    m = max(2, round(2.5 * s))
    for p in points:
        if p is not None:
            pygame.draw.rect(surf, colour, (p[0] - m, p[1] - m, 2 * m, 2 * m))


def _draw_overlaid(surf, g: dict, overlays: Sequence[ChartRun], theme: Theme, small, s) -> None:
    """Every run on both plots: dim runs first, then the others, the live run on top."""
    order = [i for i, r in enumerate(overlays) if r.dim]
    order += [i for i, r in enumerate(overlays) if not r.dim]
    datas = dict(g["runs"])
    for axes, col in ((g["loss"], 0), (g["accuracy"], 1)):
        clip = surf.get_clip()
        surf.set_clip(axes.rect.inflate(8, 8))
        for i in order:
            run = overlays[i]
            _draw_run(surf, axes, datas[i], col, run_colour(run, theme), s, run.dim)
        _draw_run(surf, axes, datas[LIVE_RUN], col, theme.text, s, False)
        surf.set_clip(clip)
    if g["n"] == 0:
        for axes in (g["loss"], g["accuracy"]):
            draw_text(surf, "no finished epoch yet", small, theme.text_dim,
                      (axes.rect.centerx, axes.rect.y + axes.rect.h * 0.3), anchor="center")


def _draw_panel_titles(surf, g: dict, theme: Theme, s: float) -> None:
    """With overlays: each plot's title, and on the loss plot the line styles (test solid,
    train dashed); the runs' colours are named in the header (`_draw_run_legend`)."""
    small = font_px(theme.font_small, s, theme)
    lp, ap = g["loss_panel"], g["acc_panel"]
    y = lp.y + line_height(small) // 2
    sw = round(18 * s)
    x = lp.right
    for text, dashed in (("train", True), ("test", False)):
        r = draw_text(surf, text, small, theme.text_dim, (x, y), anchor="midright")
        a, b = (r.left - round(4 * s) - sw, y), (r.left - round(4 * s), y)
        if dashed:
            _dashed(surf, theme.text_dim, [a, b], max(1, round(1.5 * s)), 4 * s, 3 * s)
        else:
            pygame.draw.line(surf, theme.text_dim, a, b, max(2, round(2 * s)))
        x = a[0] - round(12 * s)
    log = " (log scale)" if g["loss"].log else ""
    room = x - lp.x - round(8 * s)
    title = "Loss per epoch" + log
    title = title if text_width(title, small) <= room else "Loss" + log
    draw_text(surf, title, small, theme.text, (lp.x, y), anchor="midleft", max_width=room)
    draw_text(surf, "Accuracy per epoch", small, theme.text, (ap.x, y), anchor="midleft",
              max_width=ap.w)


def legend_entries(history, overlays: Sequence[ChartRun], live_name: str, theme: Theme):
    """(name, colour) of each run the legend names: the live run (when it has epochs) first."""
    entries = [(live_name, theme.text)] if len(history_array(history)) else []
    return entries + [(r.name, run_colour(r, theme)) for r in overlays]


def _draw_run_legend(
    surface, rect: pygame.Rect, history, overlays: Sequence[ChartRun], live_name: str,
    theme: Theme, s: float, right: int,
) -> None:
    """One swatch and name per run on the header line, between the title and the epoch
    counter (`right`); names are shortened to fit, and runs that cannot fit at all are
    counted ("+2")."""
    pad = max(4, round(theme.pad * s))
    t_size = font_px(theme.font_title, s, theme)
    small = font_px(theme.font_small, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(t_size) // 2
    left = rect.x + pad + text_width("Training", t_size) + round(16 * s)
    right = right - round(16 * s)
    entries = legend_entries(history, overlays, live_name, theme)
    sw, gap, inner = round(16 * s), round(14 * s), round(5 * s)
    names = _legend_names(tuple(n for n, _ in entries), small, right - left, sw + inner + gap,
                          gap)
    shown = len(names)
    x = left
    for name, (_, colour) in zip(names, entries[:shown], strict=True):
        pygame.draw.line(surface, colour, (x, mid), (x + sw, mid), max(2, round(3 * s)))
        r = draw_text(surface, name, small, theme.text_dim, (x + sw + inner, mid),
                      anchor="midleft")
        x = r.right + gap
    if shown < len(entries) and right - left > 0:
        draw_text(surface, f"+{len(entries) - shown}", small, theme.text_dim, (x, mid),
                  anchor="midleft")


@functools.lru_cache(maxsize=64)
def _legend_names(names: tuple, small: int, room: int, per_entry: int, gap: int) -> tuple:
    """The legend's names, shortened to share ``room``, for as many runs as fit (the same
    runs frame after frame: worked out once)."""
    min_name = text_width("abcd…", small)
    shown, caps = len(names), []
    while shown > 0:
        more = len(names) - shown
        more_w = text_width(f"+{more}", small) + gap if more else 0
        budget = room - more_w - shown * per_entry
        caps = _share_widths([text_width(n, small) for n in names[:shown]], budget)
        if min(caps) >= min(min_name, *(text_width(n, small) for n in names[:shown])):
            break
        shown -= 1
    return tuple(shorten(n, small, c) for n, c in zip(names[:shown], caps, strict=False))


def shorten(text: str, size: int, max_width: int) -> str:
    """`text` cut in the middle to fit max_width ("sigmoid, raw…seed 5"): run names tend to
    differ at their ends."""
    if text_width(text, size) <= max_width:
        return text
    head, tail = len(text) - len(text) // 2, len(text) // 2
    while head + tail > 0:
        if tail >= head:
            tail -= 1
        else:
            head -= 1
        short = text[:head].rstrip() + "…" + text[len(text) - tail:].lstrip() if tail else (
            text[:head].rstrip() + "…")
        if text_width(short, size) <= max_width:
            return short
    return ""


def _share_widths(widths: list[int], budget: int) -> list[int]:
    """Widths for names sharing `budget`: short names keep theirs, the long ones share the
    rest equally."""
    caps = list(widths)
    if sum(widths) <= budget:
        return caps
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    left, rest = budget, len(widths)
    for i in order:
        fair = left // rest
        caps[i] = min(widths[i], fair)
        left -= caps[i]
        rest -= 1
    return caps


def _fmt_pair(acc: float, loss: float) -> str:
    parts = [p for p in (_fmt_acc(acc), f"loss {_fmt_loss(loss)}" if _fmt_loss(loss) else "") if p]
    return " · ".join(parts) if parts else "—"


def _draw_hover(surface, rect, history, overlays, hover, baseline, live_name, theme, s) -> None:
    """Ring the hovered run's points at that epoch and explain them in a box inside rect."""
    try:
        run, epoch = int(hover[0]), int(hover[1])
    except (TypeError, ValueError, IndexError):
        return
    g = chart_geometry(rect, history, baseline=baseline, s=s, theme=theme, overlays=overlays)
    datas = dict(g["runs"])
    data = datas.get(run)
    if data is None or not 1 <= epoch <= len(data):
        return
    row = data[epoch - 1]
    if overlays:
        colour = theme.text if run == LIVE_RUN else run_colour(overlays[run], theme)
        name = live_name if run == LIVE_RUN else overlays[run].name
    else:
        colour, name = theme.text, live_name
    ring = max(5, round(6 * s))
    anchor = None
    for key_index, axes in ((3, g["accuracy"]), (1, g["accuracy"]), (2, g["loss"]),
                            (0, g["loss"])):
        v = row[key_index]
        if not math.isfinite(v) or (axes.log and v <= 0):
            continue
        p = (round(axes.px(epoch)), round(axes.py(v)))
        pygame.draw.circle(surface, theme.tooltip_bg, p, ring + 1, 3)
        pygame.draw.circle(surface, colour if overlays else theme.text, p, ring, 2)
        anchor = anchor or p
    if anchor is None:
        return
    small = font_px(theme.font_small, s, theme)
    lines = [
        (f"{ellipsize(name, small, round(220 * s))} · epoch {epoch}", theme.text),
        (f"test {_fmt_pair(row[3], row[2])}", theme.text_dim),
        (f"train {_fmt_pair(row[1], row[0])}", theme.text_dim),
    ]
    pad = max(4, round(6 * s))
    w = max(text_width(t, small) for t, _ in lines) + 2 * pad
    h = len(lines) * line_height(small) + 2 * pad
    off = round(12 * s)
    box = pygame.Rect(anchor[0] + off, anchor[1] + off, w, h)
    if box.right > rect.right - 2:
        box.right = anchor[0] - off
    if box.bottom > rect.bottom - 2:
        box.bottom = anchor[1] - off
    box.clamp_ip(rect.inflate(-4, -4))
    pygame.draw.rect(surface, theme.tooltip_bg, box, border_radius=max(3, round(4 * s)))
    pygame.draw.rect(surface, theme.tooltip_border, box, 1, border_radius=max(3, round(4 * s)))
    pygame.draw.line(surface, colour, (box.x + 1, box.y + pad), (box.x + 1, box.bottom - pad), 2)
    y = box.y + pad
    for text, c in lines:
        draw_text(surface, text, small, c, (box.x + pad, y))
        y += line_height(small)


# ---- hit-testing ---------------------------------------------------------------------------


def chart_point_at(
    rect: pygame.Rect,
    pos,
    history,
    overlays: Sequence[ChartRun] = (),
    *,
    baseline: float | None = None,
    surface_size: tuple[int, int] = (1280, 800),
    theme: Theme | None = None,
    reach: float | None = None,
) -> ChartPoint | None:
    """The drawn point (any run, any curve, either plot) nearest to `pos`, if within `reach`
    pixels (default 8 at 1280x800), else None. Pass what draw_charts was given: rect,
    history, overlays and baseline, and the window's size (the charts scale with it)."""
    from simulator.theme import THEME

    theme = theme or THEME
    use_font(theme)
    s = ui_scale(surface_size)
    reach = max(4.0, 8 * s) if reach is None else float(reach)
    g = chart_geometry(rect, history, baseline=baseline, s=s, theme=theme,
                       overlays=tuple(overlays or ()))
    best, best_d = None, reach
    px, py = float(pos[0]), float(pos[1])
    for run, data in g["runs"]:
        for k, key in enumerate(KEYS):
            axes = g["loss"] if k % 2 == 0 else g["accuracy"]
            if not len(data) or not axes.rect.inflate(8, 8).collidepoint(px, py):
                continue
            v = data[:, k]
            ok = np.isfinite(v) & ((v > 0) if axes.log else True)
            if not ok.any():
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(v) if axes.log else v
            ys = axes.rect.bottom - 1 - (y - axes.y0) / (axes.y1 - axes.y0) * (axes.rect.h - 1)
            xs = axes.px(np.arange(1, len(v) + 1, dtype=np.float64))
            d = np.where(ok, np.hypot(xs - px, ys - py), np.inf)
            i = int(np.argmin(d))
            if d[i] <= best_d:
                best, best_d = ChartPoint(run, i + 1, float(v[i]), key), float(d[i])
    return best


def chart_epoch_at(
    rect: pygame.Rect,
    pos,
    n_epochs: int,
    *,
    surface_size: tuple[int, int] = (1280, 800),
    theme: Theme | None = None,
) -> int | None:
    """The epoch (1..n_epochs) whose column of either plot holds `pos`, or None: a click that
    picks an epoch. n_epochs: the longest shown history's length (it sets the x axis)."""
    from simulator.theme import THEME

    n = int(n_epochs)
    if n < 1:
        return None
    theme = theme or THEME
    use_font(theme)
    g = chart_geometry(rect, [{}] * n, s=ui_scale(surface_size), theme=theme)
    for axes in (g["loss"], g["accuracy"]):
        r = axes.rect
        if not (r.x - 4 <= pos[0] < r.right + 4 and r.y <= pos[1] < r.bottom):
            continue
        x = axes.x0 + (pos[0] - r.x) / max(1, r.w - 1) * (axes.x1 - axes.x0)
        epoch = round(x)
        return epoch if 1 <= epoch <= n else None
    return None
