"""Where the weighted sums lie: a histogram of the bulb's sums over the test pictures, the
target digit's pictures against all the others, with the line where the bulb lights and the
ranges where a sigmoid is flat shaded.

It is the picture of the tutorial's freeze: with raw pixels (0..255) the sums run to the
thousands, nearly every picture lies far in the sigmoid's flat range, where its slope (and so
every knob's gradient) is next to nothing, and a bulb that never lights stays dark at the base
rate; inputs scaled to 0..1 keep the sums near the bend where the sigmoid can still learn.

`hist` is a :class:`simulator.clues.Histogram` (read by attribute), so the view does not import
the engine. Each group is drawn as its share per bin (the 5s are a tenth of the pictures; as
counts they would vanish under the rest): a translucent fill with an opaque outline each, so
both show where they overlap.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    clip_to,
    draw_plate,
    draw_text,
    font_px,
    line_height,
    mix,
    nice_step,
    nice_ticks,
    text_surface,
    text_width,
)
from simulator.view.predictions import compact_number

MIN_GAP_PX = 3  # a non-flat band narrower than this is drawn this wide, so it shows at all
FLAT_LABEL = "sigmoid flat: no gradient"

_CACHE: dict[tuple, pygame.Surface] = {}


class HistAxes:
    """Maps sums (x) and shares (y) to pixels inside the plot rect."""

    def __init__(self, rect: pygame.Rect, lo: float, hi: float, top: float):
        self.rect, self.lo, self.hi, self.top = pygame.Rect(rect), lo, hi, top

    def px(self, z: float) -> float:
        return self.rect.x + (z - self.lo) / (self.hi - self.lo) * (self.rect.w - 1)

    def py(self, share: float) -> float:
        return self.rect.bottom - 1 - share / self.top * (self.rect.h - 1)


def shares(hist) -> tuple[np.ndarray, np.ndarray]:
    """Each group's share (0..1) of its own pictures per bin: (target, other)."""
    t = np.asarray(hist.target, np.float64)
    o = np.asarray(hist.other, np.float64)
    return t / max(1.0, t.sum()), o / max(1.0, o.sum())


def _y_top(hist, plot_h: int, label_h: int) -> float:
    """The share at the plot's top: a round number with the tallest bar below the row of
    labels (the threshold's, the flat range's) that sits inside the top of the plot."""
    t, o = shares(hist)
    peak = max(float(t.max(initial=0)), float(o.max(initial=0)), 0.01)
    need = peak * plot_h / max(1, plot_h - label_h)
    step = nice_step(need, 3)
    return math.ceil(need / step - 1e-9) * step


def histogram_geometry(rect: pygame.Rect, hist, s: float, theme: Theme) -> dict:
    """The plot area and its axes for draw_histogram in `rect` (used by drawing and tests)."""
    rect = pygame.Rect(rect)
    pad = max(4, round(theme.pad * s))
    small = font_px(theme.font_small, s, theme)
    t_size = font_px(theme.font_title, s, theme)
    header_h = max(3, round(pad * 0.6)) + line_height(t_size) + line_height(small) + round(4 * s)
    label_w = text_width("100%", small) + round(8 * s)
    top = rect.y + header_h + round(4 * s)
    bottom = rect.bottom - pad - line_height(small) - round(4 * s)  # the x tick labels
    half = text_width("−1.76e3", small) // 2
    plot = pygame.Rect(
        rect.x + pad + label_w,
        top,
        max(10, rect.w - 2 * pad - label_w - half),
        max(10, bottom - top),
    )
    edges = np.asarray(hist.edges, np.float64)
    return {
        "header_h": header_h,
        "plot": plot,
        "axes": HistAxes(plot, float(edges[0]), float(edges[-1]),
                         _y_top(hist, plot.h, line_height(small) + round(4 * s))),
        "label_row": plot.y + round(2 * s),  # top of the labels inside the plot
    }


def flat_spans(axes: HistAxes, ranges) -> list[tuple[int, int]]:
    """Pixel columns [x0, x1) of the flat ranges inside the plot, keeping the non-flat band
    between them at least MIN_GAP_PX wide."""
    r = axes.rect
    spans = []
    for lo, hi in ranges or ():
        a, b = max(lo, axes.lo), min(hi, axes.hi)
        if b <= a:
            continue
        spans.append([round(axes.px(a)), round(axes.px(b)) + 1])
    spans.sort()
    for left, right in zip(spans, spans[1:], strict=False):
        gap = right[0] - left[1]
        if gap < MIN_GAP_PX:
            mid = (left[1] + right[0]) / 2
            left[1] = math.floor(mid - MIN_GAP_PX / 2)
            right[0] = left[1] + MIN_GAP_PX
    return [(max(r.x, a), min(r.right, b)) for a, b in spans if min(r.right, b) > max(r.x, a)]


def tick_label(v: float, step: float) -> str:
    """An x tick: whole numbers as they are up to 99,999 (−1200, not −1.2e3), else compact."""
    if step >= 1 and abs(v) < 1e5 and float(v).is_integer():
        return f"{v:.0f}".replace("-", "−")
    return compact_number(v)


def _hatch(surface, area: pygame.Rect, colour, step: int) -> None:
    with clip_to(surface, area):
        for x in range(area.x - area.h, area.right, step):
            pygame.draw.line(surface, colour, (x, area.bottom), (x + area.h, area.y))


def _bars(size, axes: HistAxes, counts_share: np.ndarray, edges, colour, alpha) -> tuple:
    """One group's bars: their fill (on an alpha layer, plot-relative) and outlines (one
    polyline per run of non-empty bins, in window coordinates)."""
    xs = [axes.px(e) for e in edges]
    ys = [axes.py(v) for v in counts_share]
    base = axes.rect.bottom - 1
    layer = pygame.Surface(size, pygame.SRCALPHA)
    outlines, line = [], []
    for i, y in enumerate(ys):
        if counts_share[i] > 0:
            x0, x1 = round(xs[i]), round(xs[i + 1])
            pygame.draw.rect(layer, (*colour, alpha),
                             (x0 - axes.rect.x, round(y) - axes.rect.y, max(1, x1 - x0),
                              base - round(y) + 1))
            line += [(xs[i], base)] if not line else []
            line += [(xs[i], y), (xs[i + 1], y)]
        elif line:
            outlines.append(line + [(xs[i], base)])
            line = []
    if line:
        outlines.append(line + [(xs[-1], base)])
    return layer, outlines


def _subtitle(hist) -> str:
    if hist.activation == "sigmoid" and hist.flat_fraction is not None:
        text = f"{hist.flat_fraction * 100:.1f}% of sums where the sigmoid is flat"
        if hist.stuck_fraction:
            text += f"; {hist.stuck_fraction * 100:.1f}% wrong and stuck there"
        return text
    if hist.threshold is None:
        return "ten bulbs: the brightest answers"
    if hist.activation == "none":
        return "no activation: the output is the sum itself"
    return "threshold unit: lit when the sum is above 0"


def _render(size, hist, theme: Theme, s: float, title: str) -> pygame.Surface:
    surf = pygame.Surface(size)
    rect = surf.get_rect()
    draw_plate(surf, rect, theme, s)
    small = font_px(theme.font_small, s, theme)
    g = histogram_geometry(rect, hist, s, theme)
    axes: HistAxes = g["axes"]
    plot = g["plot"]
    legend_left = _draw_legend(surf, rect, hist, theme, s)
    pad = max(4, round(theme.pad * s))
    t_size = font_px(theme.font_title, s, theme)
    y = rect.y + max(3, round(pad * 0.6))
    draw_text(surf, title, t_size, theme.text, (rect.x + pad, y),
              max_width=legend_left - rect.x - pad)
    draw_text(surf, _subtitle(hist), small, theme.text_dim, (rect.x + pad, y + line_height(t_size)),
              max_width=rect.w - 2 * pad)

    # flat ranges, shaded and hatched
    spans = flat_spans(axes, hist.flat)
    for x0, x1 in spans:
        area = pygame.Rect(x0, plot.y, x1 - x0, plot.h)
        pygame.draw.rect(surf, theme.hist_flat, area)
        _hatch(surf, area, theme.hist_flat_hatch, max(5, round(7 * s)))

    # grid and y ticks (share of each group)
    top = axes.top
    for v in nice_ticks(0.0, top, 3 if plot.h > 70 else 2):
        y = round(axes.py(v))
        if v > 0:
            pygame.draw.line(surf, theme.chart_grid, (plot.x, y), (plot.right - 1, y))
        text = f"{v * 100:.0f}%" if top >= 0.03 else f"{v * 100:.1f}%"
        draw_text(surf, text, small, theme.text_dim, (plot.x - 5, y), anchor="midright")

    # the two groups: other first, target over it
    t_share, o_share = shares(hist)
    edges = np.asarray(hist.edges, np.float64)
    width = max(1, round(1.5 * s))
    for counts, colour in ((o_share, theme.hist_other), (t_share, theme.hist_target)):
        layer, outlines = _bars(plot.size, axes, counts, edges, colour, theme.hist_fill_alpha)
        surf.blit(layer, plot)
        with clip_to(surf, plot.inflate(2, 2)):
            for pts in outlines:
                pygame.draw.lines(surf, colour, False, pts, width)

    # axes and x ticks
    pygame.draw.line(surf, theme.chart_axis, (plot.x, plot.y), (plot.x, plot.bottom))
    pygame.draw.line(surf, theme.chart_axis, (plot.x, plot.bottom), (plot.right - 1, plot.bottom))
    tick_w = text_width("−1.76e3", small) + round(14 * s)
    max_ticks = max(2, plot.w // tick_w)
    last_right = -1e9
    step = nice_step(axes.hi - axes.lo, max_ticks)
    for v in nice_ticks(axes.lo, axes.hi, max_ticks):
        x = round(axes.px(v))
        if not plot.x <= x < plot.right:
            continue
        label = tick_label(v, step)
        w = text_width(label, small)
        if x - w / 2 < last_right + round(6 * s):
            continue
        pygame.draw.line(surf, theme.chart_axis, (x, plot.bottom), (x, plot.bottom + 3))
        draw_text(surf, label, small, theme.text_dim, (x, plot.bottom + 3), anchor="midtop")
        last_right = x + w / 2

    # the threshold line and its label; the flat label in the widest flat span
    label_row = g["label_row"]
    taken: list[pygame.Rect] = []
    if hist.threshold is not None and axes.lo <= hist.threshold <= axes.hi:
        x = round(axes.px(hist.threshold))
        pygame.draw.line(surf, theme.hist_threshold, (x, plot.y), (x, plot.bottom),
                         max(2, round(2 * s)))
        text = f"lit above {compact_number(hist.threshold)}"
        w = text_width(text, small)
        right_side = x + round(6 * s) + w <= plot.right - 3
        anchor = "topleft" if right_side else "topright"
        pos = (x + round(6 * s), label_row) if right_side else (x - round(5 * s), label_row)
        taken.append(_label(surf, text, small, theme.hist_threshold, pos, anchor, theme))
    if spans:
        x0, x1 = max(spans, key=lambda sp: sp[1] - sp[0])
        w = text_width(FLAT_LABEL, small)
        centre = plot.centerx if (hist.threshold is None) else round(axes.px(hist.threshold))
        at_left = (x0 + x1) / 2 < centre
        box = pygame.Rect(0, label_row, w, line_height(small))
        if at_left:
            box.left = x0 + round(6 * s)
        else:
            box.right = x1 - round(6 * s)
        box.clamp_ip(plot.inflate(-6, 0))
        if any(box.colliderect(t.inflate(8, 0)) for t in taken):  # the span's other end
            box.left = x0 + round(6 * s)
            if any(box.colliderect(t.inflate(8, 0)) for t in taken):  # or a row lower
                box.top = label_row + line_height(small)
        _label(surf, FLAT_LABEL, small, theme.text, box.topleft, "topleft", theme)
    if hist.n == 0:
        draw_text(surf, "no pictures", small, theme.text_dim, plot.center, anchor="center")
    return surf


def _label(surf, text: str, size: int, colour, pos, anchor: str, theme: Theme) -> pygame.Rect:
    """A label inside the plot, on a backing of the plate's colour so that hatching and bars
    do not run through its letters."""
    image = text_surface(text, size, colour)
    r = image.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
    pygame.draw.rect(surf, theme.card_bg, r.inflate(6, 0), border_radius=3)
    surf.blit(image, r)
    return r


def _draw_legend(surf, rect: pygame.Rect, hist, theme: Theme, s: float) -> int:
    """The two groups with their counts, right-aligned on the title line; returns its left."""
    pad = max(4, round(theme.pad * s))
    small = font_px(theme.font_small, s, theme)
    t_size = font_px(theme.font_title, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(t_size) // 2
    x = rect.right - pad
    entries = (
        (f"% of the {hist.n_target:,} {hist.digit}s", theme.hist_target),
        (f"% of the {hist.n_other:,} others", theme.hist_other),
    )
    box = round(12 * s)
    for text, colour in reversed(entries):
        r = draw_text(surf, text, small, theme.text_dim, (x, mid), anchor="midright")
        sw = pygame.Rect(0, 0, box, box)
        sw.midright = (r.left - round(5 * s), mid)
        pygame.draw.rect(surf, mix(theme.card_bg, colour, theme.hist_fill_alpha / 255), sw)
        pygame.draw.rect(surf, colour, sw, max(1, round(1.5 * s)))
        x = sw.left - round(14 * s)
    return x


def draw_histogram(
    surface: pygame.Surface,
    rect: pygame.Rect,
    hist,
    theme: Theme,
    *,
    title: str | None = None,
) -> None:
    """The weighted sums of the bulb on show over the test pictures: target and not-target
    shares per bin, the threshold line, the sigmoid's flat ranges shaded, axes and a legend."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    title = title or f"Weighted sums of {hist.n:,} test pictures"
    key = (
        rect.size, s, theme, title, hist.edges.tobytes(), hist.target.tobytes(),
        hist.other.tobytes(), hist.threshold, hist.flat, hist.flat_fraction,
        hist.stuck_fraction, hist.digit, hist.activation, hist.n,
    )
    image = _CACHE.get(key)
    if image is None:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        image = _CACHE[key] = _render(rect.size, hist, theme, s, title)
    surface.blit(image, rect)
