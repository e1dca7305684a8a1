"""Shared drawing helpers: window scale, cached text, colour mixing, instrument plates."""

from __future__ import annotations

import math

import pygame

from simulator.theme import Theme, font

REFERENCE_SIZE = (1280, 800)
MIN_SCALE, MAX_SCALE = 0.93, 1.3

_TEXT: dict[tuple, pygame.Surface] = {}
_TEXT_LIMIT = 2048


def remember(cache: dict, key, value, limit: int = 8):
    """Store value in a per-size sprite cache, forgetting everything once it holds `limit`
    entries (a resized window leaves the old sizes behind)."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


def cached(cache: dict, key, make, limit: int = 8):
    """``cache[key]``, made by ``make()`` and remembered (see `remember`) the first time."""
    value = cache.get(key)
    return remember(cache, key, make(), limit) if value is None else value


def ui_scale(size: tuple[int, int]) -> float:
    """How much bigger than at 1280x800 text and strokes are drawn in a window of `size`."""
    s = min(size[0] / REFERENCE_SIZE[0], size[1] / REFERENCE_SIZE[1])
    return max(MIN_SCALE, min(MAX_SCALE, s))


_FONT_NAME: str | None = None  # the theme's font, set by begin() at the top of each drawer


def use_font(theme: Theme) -> None:
    global _FONT_NAME
    _FONT_NAME = theme.font_name


def begin(surface: pygame.Surface, theme: Theme) -> float:
    """Start a public drawer: adopt the theme's font; return the window's text/stroke scale."""
    use_font(theme)
    return ui_scale(surface.get_size())


def font_px(base: int, s: float, theme: Theme) -> int:
    return max(theme.font_min, round(base * s))


def mix(a, b, t: float) -> tuple[int, int, int]:
    """Colour between a (t=0) and b (t=1)."""
    t = 0.0 if t < 0 else 1.0 if t > 1 else t
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def luminance(c) -> float:
    return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255.0


def text_surface(text: str, size: int, colour, *, bold: bool = False, name=None) -> pygame.Surface:
    """Rendered text, cached (the same labels are drawn every frame)."""
    name = name or _FONT_NAME
    key = (text, size, tuple(colour), bold, name)
    surf = _TEXT.get(key)
    if surf is None:
        if len(_TEXT) >= _TEXT_LIMIT:
            _TEXT.clear()
        surf = font(size, bold, name).render(text, True, colour)
        _TEXT[key] = surf
    return surf


_WIDTHS: dict[tuple, int] = {}


def text_width(text: str, size: int, *, bold: bool = False, name=None) -> int:
    name = name or _FONT_NAME
    key = (text, size, bold, name)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= _TEXT_LIMIT:
            _WIDTHS.clear()
        width = _WIDTHS[key] = font(size, bold, name).size(text)[0]
    return width


def line_height(size: int, name=None) -> int:
    return font(size, False, name or _FONT_NAME).get_linesize()


def ellipsize(text: str, size: int, max_width: int, *, bold: bool = False, name=None) -> str:
    if max_width <= 0:
        return ""
    if text_width(text, size, bold=bold, name=name) <= max_width:
        return text
    while text and text_width(text + "…", size, bold=bold, name=name) > max_width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def draw_text(
    surface: pygame.Surface,
    text: str,
    size: int,
    colour,
    pos,
    *,
    anchor: str = "topleft",
    bold: bool = False,
    max_width: int | None = None,
    name=None,
) -> pygame.Rect:
    """Blit one line of text with `anchor` (any pygame.Rect position name) at `pos`."""
    if max_width is not None:
        text = ellipsize(text, size, max_width, bold=bold, name=name)
    if not text:
        return pygame.Rect(pos, (0, 0))
    surf = text_surface(text, size, colour, bold=bold, name=name)
    r = surf.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
    surface.blit(surf, r)
    return r


def fit_size(text: str, size: int, min_size: int, max_width: int, *, bold=False, name=None) -> int:
    """The largest font size <= size (but >= min_size) at which `text` fits in max_width."""
    while size > min_size and text_width(text, size, bold=bold, name=name) > max_width:
        size -= 1
    return size


def wrap(text: str, size: int, max_width: int, *, name=None) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and text_width(trial, size, name=name) > max_width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def fill_rect(surface: pygame.Surface, colour, rect) -> None:
    """Fill a rect, fast. Measured: SDL's fill (Surface.fill, draw.rect without radius) takes
    up to 0.7 ms for two 22x728 strips on a cold 1920-wide surface; pygame's own rounded-rect
    path takes 0.1 ms and, at radius 1, still covers every pixel."""
    pygame.draw.rect(surface, colour, rect, border_radius=1)


def draw_plate(
    surface: pygame.Surface,
    rect: pygame.Rect,
    theme: Theme,
    s: float,
    *,
    hole: pygame.Rect | None = None,
) -> None:
    """An instrument's plate: rounded card with a hairline border.

    hole: an area inside the plate that the caller will cover completely (a sprite grid, a
    cached chart); it is not filled, so those pixels are written once per frame, not twice.
    """
    rect = pygame.Rect(rect)
    radius = max(3, round(theme.radius * s))
    for corner in (
        (rect.x, rect.y),
        (rect.right - radius, rect.y),
        (rect.x, rect.bottom - radius),
        (rect.right - radius, rect.bottom - radius),
    ):
        fill_rect(surface, theme.background, (*corner, radius, radius))
    if hole is None:
        pygame.draw.rect(surface, theme.card_bg, rect, border_radius=radius)
    else:
        hole = pygame.Rect(hole).clip(rect)
        pygame.draw.rect(
            surface,
            theme.card_bg,
            (rect.x, rect.y, rect.w, hole.y - rect.y + radius),
            border_top_left_radius=radius,
            border_top_right_radius=radius,
        )
        pygame.draw.rect(
            surface,
            theme.card_bg,
            (rect.x, hole.bottom - radius, rect.w, rect.bottom - hole.bottom + radius),
            border_bottom_left_radius=radius,
            border_bottom_right_radius=radius,
        )
        for strip in (
            (rect.x, hole.y, hole.x - rect.x, hole.h),
            (hole.right, hole.y, rect.right - hole.right, hole.h),
        ):
            if strip[2] > 0:
                fill_rect(surface, theme.card_bg, strip)
    pygame.draw.rect(surface, theme.card_border, rect, width=1, border_radius=radius)


_GUTTERS: dict[tuple, list[pygame.Rect]] = {}


def gutters(size: tuple[int, int], rects) -> list[pygame.Rect]:
    """The parts of a window of `size` that none of `rects` cover, as a few rects (cached)."""
    rects = [pygame.Rect(r) for r in rects]
    key = (tuple(size), tuple(tuple(r) for r in rects))
    if key in _GUTTERS:
        return _GUTTERS[key]
    w, h = size
    xs = sorted({0, w, *(min(max(v, 0), w) for r in rects for v in (r.left, r.right))})
    ys = sorted({0, h, *(min(max(v, 0), h) for r in rects for v in (r.top, r.bottom))})
    out = []
    for y0, y1 in zip(ys, ys[1:], strict=False):
        run = None
        for x0, x1 in zip(xs, xs[1:], strict=False):
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            covered = any(
                r.left <= centre[0] < r.right and r.top <= centre[1] < r.bottom for r in rects
            )
            if not covered and run is not None and run.right == x0:
                run.w = x1 - run.x
            elif not covered:
                run = pygame.Rect(x0, y0, x1 - x0, y1 - y0)
                out.append(run)
    if len(_GUTTERS) > 16:
        _GUTTERS.clear()
    _GUTTERS[key] = out
    return out


def draw_header(
    surface: pygame.Surface,
    rect: pygame.Rect,
    theme: Theme,
    s: float,
    title: str,
    subtitle: str = "",
    *,
    header_h: int | None = None,
    title_colour=None,
    compact: bool = False,
) -> pygame.Rect:
    """Plate title (bold) and subtitle (dim) at the top of `rect`; returns the area below.

    With header_h the title sits on line one and the subtitle on line two, both shrunk if the
    fixed header height demands it; without, they share one line when they fit, else two
    (or, when compact, the subtitle is left out).
    """
    pad = max(4, round(theme.pad * s))
    inner_w = rect.w - 2 * pad
    t_size = font_px(theme.font_title, s, theme)
    s_size = font_px(theme.font_small, s, theme)
    colour = title_colour or theme.text
    x, y = rect.x + pad, rect.y + max(3, round(pad * 0.6))
    if header_h is not None:
        avail = header_h - (y - rect.y) - 2
        while line_height(t_size) + (line_height(s_size) if subtitle else 0) > avail and t_size > 9:
            t_size, s_size = t_size - 1, max(9, s_size - 1)
        draw_text(surface, title, t_size, colour, (x, y), max_width=inner_w)
        if subtitle:
            draw_text(
                surface,
                subtitle,
                fit_size(subtitle, s_size, max(9, s_size - 2), inner_w),
                theme.text_dim,
                (x, y + line_height(t_size)),
                max_width=inner_w,
            )
        return pygame.Rect(rect.x, rect.y + header_h, rect.w, rect.h - header_h)
    r = draw_text(surface, title, t_size, colour, (x, y), max_width=inner_w)
    bottom = y + line_height(t_size)
    if subtitle:
        sub_w = text_width(subtitle, s_size)
        if r.right + pad + sub_w <= rect.right - pad:
            draw_text(
                surface,
                subtitle,
                s_size,
                theme.text_dim,
                (r.right + round(6 * s), r.bottom - round(1 * s)),
                anchor="bottomleft",
            )
        elif not compact:
            draw_text(surface, subtitle, s_size, theme.text_dim, (x, bottom), max_width=inner_w)
            bottom += line_height(s_size)
    top = bottom + round(2 * s)
    return pygame.Rect(rect.x, top, rect.w, max(0, rect.bottom - top))


def draw_progress_bar(surface, rect: pygame.Rect, fraction: float, theme: Theme) -> None:
    fraction = 0.0 if not fraction == fraction else max(0.0, min(1.0, float(fraction)))
    radius = rect.h // 2
    pygame.draw.rect(surface, theme.progress_bg, rect, border_radius=radius)
    if fraction > 0:
        fill = pygame.Rect(rect.x, rect.y, max(rect.h, round(rect.w * fraction)), rect.h)
        pygame.draw.rect(surface, theme.accent, fill, border_radius=radius)


def clip_to(surface: pygame.Surface, rect: pygame.Rect):
    """Context manager: restrict drawing to rect (restores the previous clip)."""
    return _Clip(surface, rect)


class _Clip:
    def __init__(self, surface, rect):
        self.surface, self.rect = surface, pygame.Rect(rect)

    def __enter__(self):
        self.old = self.surface.get_clip()
        self.surface.set_clip(self.rect.clip(self.old))
        return self.surface

    def __exit__(self, *exc):
        self.surface.set_clip(self.old)
        return False


def nice_step(span: float, max_ticks: int) -> float:
    """A 1-2-5 step that splits `span` into at most `max_ticks` intervals."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, max_ticks)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Round-numbered ticks within [lo, hi]."""
    step = nice_step(hi - lo, max_ticks)
    i, ticks = math.ceil(lo / step - 1e-9), []
    while i * step <= hi + step * 1e-9 and len(ticks) < 1000:
        ticks.append(round(i * step, 12) + 0.0)
        i += 1
    return ticks


def format_number(v: float, step: float | None = None) -> str:
    """Short label for a tick or reading, with a real minus sign."""
    if not math.isfinite(v):
        return "nan" if v != v else ("∞" if v > 0 else "−∞")
    if step is not None and abs(v) < 1e6:
        decimals = 0
        while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
            decimals += 1
        text = f"{v:.{decimals}f}"
    else:
        a = abs(v)
        text = f"{v:.2f}" if a < 1000 else f"{v:.4g}" if a < 1e6 else f"{v:.3g}"
    return text.replace("-", "−")
