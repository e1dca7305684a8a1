"""Loss and accuracy per epoch, train and test, with the 'bulb never lit' base-rate line."""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    draw_header,
    draw_plate,
    draw_progress_bar,
    draw_text,
    font_px,
    format_number,
    line_height,
    nice_step,
    nice_ticks,
    text_width,
)

KEYS = ("train_loss", "train_acc", "test_loss", "test_acc")
MARKERS_UP_TO = 30  # epochs; beyond that the lines carry it alone
LOG_RATIO = 50.0  # loss range wider than this (max/min) is drawn on a log axis

_CACHE: dict[tuple, pygame.Surface] = {}


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
    rect: pygame.Rect, history, *, baseline=None, s: float = 1.0, theme: Theme | None = None
) -> dict:
    """Header, plot panels and axes of draw_charts for `rect` (used by drawing and tests)."""
    from simulator.theme import THEME

    theme = theme or THEME
    rect = pygame.Rect(rect)
    data = history_array(history)
    pad = max(4, round(theme.pad * s))
    small = font_px(theme.font_small, s, theme)
    header_h = line_height(font_px(theme.font_title, s, theme)) + round(6 * s)
    body = pygame.Rect(rect.x + pad, rect.y + header_h, rect.w - 2 * pad, rect.h - header_h - pad)
    gap = round(24 * s)
    left = pygame.Rect(body.x, body.y, (body.w - gap) // 2, body.h)
    right = pygame.Rect(left.right + gap, body.y, body.w - left.w - gap, body.h)
    lo, hi, log = loss_range(data)
    acc_lo, acc_hi = accuracy_range(data, baseline)
    xs = x_range(len(data))
    loss_axes = Axes(_plot_area(left, small, lo, hi, log, theme), xs, (lo, hi), log)
    acc_axes = Axes(_plot_area(right, small, acc_lo, acc_hi, False, theme), xs, (acc_lo, acc_hi))
    return {
        "header_h": header_h,
        "loss_panel": left,
        "acc_panel": right,
        "loss": loss_axes,
        "accuracy": acc_axes,
        "data": data,
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
    entry_w = sum(
        text_width(f"{n} {v}" if v else n, small) + m + round(33 * s) for n, _, _, v in entries
    )
    title = titles[0] if text_width(titles[0], small) + entry_w <= panel.w else titles[1]
    draw_text(surf, title, small, theme.text, (panel.x, y), anchor="midleft")
    x = panel.right
    for name, colour, marker, value in reversed(entries):
        text = f"{name} {value}" if value else name
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
    surf, axes: Axes, baseline: float, label: str, theme: Theme, small: int, s: float
) -> None:
    y = round(axes.py(baseline))
    r = axes.rect
    dash, width = max(6, round(8 * s)), max(1, round(2 * s))
    for x in range(r.x, r.right, 2 * dash):
        pygame.draw.line(surf, theme.chart_baseline, (x, y), (min(x + dash, r.right - 1), y), width)
    above = y - r.y > line_height(small) + 2
    draw_text(
        surf,
        label,
        small,
        theme.chart_baseline,
        (r.right - 4, y - 3 if above else y + 4),
        anchor="bottomright" if above else "topright",
    )


def _render_plots(size, history, baseline, label, theme: Theme, s: float) -> pygame.Surface:
    surf = pygame.Surface(size)
    surf.fill(theme.card_bg)
    g = chart_geometry(pygame.Rect((0, 0), size), history, baseline=baseline, s=s, theme=theme)
    data, n, small = g["data"], len(g["data"]), font_px(theme.font_small, s, theme)
    la, aa = g["loss"], g["accuracy"]
    max_y = max(2, la.rect.h // max(1, line_height(small) * 2))
    _draw_axes(
        surf, la, n, _y_ticks(la, *loss_range(data)[:2], False, min(4, max_y)), theme, small, s
    )
    _draw_axes(surf, aa, n, _y_ticks(aa, aa.y0, aa.y1, True, min(4, max_y)), theme, small, s)
    if baseline is not None and math.isfinite(baseline):
        _draw_baseline(surf, aa, baseline, label, theme, small, s)
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
) -> None:
    """Loss and accuracy per finished epoch (train and test), the base-rate line at
    `baseline` (accuracy of a bulb that never lights), epoch counter and progress bar.
    baseline_name replaces the line's "never a 5" wording (e.g. ten bulbs' "commonest digit")."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    pad = max(4, round(theme.pad * s))
    top = line_height(font_px(theme.font_title, s, theme)) + round(6 * s)  # as chart_geometry
    body = pygame.Rect(1, top, rect.w - 2, rect.h - top - pad // 2)
    small = rect.w < 80 or rect.h < 60
    draw_plate(surface, rect, theme, s, hole=None if small else body.move(rect.topleft))
    draw_header(surface, rect, theme, s, "Training", "loss and accuracy after each epoch")
    _draw_epoch(surface, rect, theme, s, epoch, epoch_progress)
    if small:
        return
    base = None if baseline is None or not math.isfinite(float(baseline)) else float(baseline)
    label = baseline_label(base, target_digit, baseline_name) if base is not None else ""
    data = history_array(history)
    key = (rect.size, data.tobytes(), data.shape, base, label, s, theme)
    plots = _CACHE.get(key)
    if plots is None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        plots = _render_plots(rect.size, history, base, label, theme, s)
        _CACHE[key] = plots
    surface.blit(plots, (rect.x + body.x, rect.y + body.y), area=body)


def _draw_epoch(surface, rect: pygame.Rect, theme: Theme, s: float, epoch: int, progress):
    pad = max(4, round(theme.pad * s))
    size = font_px(theme.font_body, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(font_px(theme.font_title, s, theme)) // 2
    right = rect.right - pad
    if progress is not None and math.isfinite(float(progress)):
        p = max(0.0, min(1.0, float(progress)))
        r = draw_text(
            surface, f"{p * 100:.0f}%", size, theme.text_dim, (right, mid), anchor="midright"
        )
        bar = pygame.Rect(0, 0, round(140 * s), max(4, round(6 * s)))
        bar.midright = (r.left - round(8 * s), mid)
        draw_progress_bar(surface, bar, p, theme)
        right = bar.left - round(10 * s)
    draw_text(surface, f"Epoch {int(epoch)}", size, theme.text, (right, mid), anchor="midright")
