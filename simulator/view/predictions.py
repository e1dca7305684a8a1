"""The tutorial's debugging print, drawn: ten test pictures with the bulb's raw output and
weighted sum under each (``model.predict(x_test[:10])``).

Outputs outside 0..1 (not probabilities: nothing squashes the sum) are printed in the theme's
`out_of_range` colour on a tinted pill; a lit bulb is a filled dot beside the label and a glowing
frame around the picture, an unlit one a hollow dot. The items are
:class:`simulator.clues.PicturePrediction` values (read by attribute: ``picture``, ``label``,
``output``, ``z``, ``lit``, ``is_target``), so the view does not import the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    cached,
    clip_to,
    draw_plate,
    draw_text,
    ellipsize,
    font_px,
    line_height,
    mix,
    text_width,
)

_THUMBS: dict[tuple, pygame.Surface] = {}


def compact_number(v: float) -> str:
    """Three significant digits, a real minus sign and a short exponent below 0.001 and from
    1000 up: 0.973, −2.87, 415, −1.76e3, 1.18e−4."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    text = f"{v:.3g}"
    if "e" not in text and not 1e-3 <= abs(float(text)) < 1e3:
        text = f"{v:.2e}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def out_of_range(output: float) -> bool:
    """An output that is not a probability (outside 0..1, or not a number)."""
    return not (0.0 <= float(output) <= 1.0)


def _thumbnail(picture, size: int, theme: Theme) -> pygame.Surface:
    pixels = np.asarray(picture)
    key = (pixels.tobytes(), pixels.dtype.str, size, theme.retina_off, theme.retina_on)

    def make() -> pygame.Surface:
        light = np.clip(np.nan_to_num(pixels.astype(np.float32).reshape(28, 28)), 0, None)
        if light.max() > 1.0:  # pixel values 0..255; light in 0..1 is taken as it is
            light = light / 255.0
        light = np.clip(light, 0.0, 1.0)[..., None]
        off = np.asarray(theme.retina_off, np.float32)
        on = np.asarray(theme.retina_on, np.float32)
        rgb = np.rint(off + (on - off) * light).astype(np.uint8)  # (28, 28, 3)
        small = pygame.surfarray.make_surface(rgb.transpose(1, 0, 2))
        if size % 28 == 0:
            return pygame.transform.scale(small, (size, size))
        return pygame.transform.smoothscale(small, (size, size))

    return cached(_THUMBS, key, make, limit=64)


def _bulb_dot(surface, centre, radius: int, lit: bool, theme: Theme) -> None:
    if lit:
        pygame.draw.circle(surface, mix(theme.card_bg, theme.lit_mark, 0.35), centre, radius + 2)
        pygame.draw.circle(surface, theme.lit_mark, centre, radius)
    else:
        pygame.draw.circle(surface, theme.bulb_filament_off, centre, radius, max(1, radius // 3))


def _pill(surface, text: str, size: int, centre, theme: Theme, s: float, warn: bool, max_w: int):
    text = ellipsize(text, size, max_w)
    if warn:
        w = min(max_w, text_width(text, size) + round(8 * s))
        h = line_height(size)
        box = pygame.Rect(0, 0, w, h)
        box.center = centre
        pygame.draw.rect(surface, theme.out_of_range_bg, box, border_radius=max(2, h // 3))
        return draw_text(surface, text, size, theme.out_of_range, centre, anchor="center")
    return draw_text(surface, text, size, theme.text, centre, anchor="center")


def predictions_geometry(rect: pygame.Rect, n: int, s: float, theme: Theme) -> dict:
    """Header height, the row-label column and each picture's cell (used by drawing and tests):
    cells[i] = (thumbnail rect, label centre, output centre, sum centre)."""
    rect = pygame.Rect(rect)
    pad = max(4, round(theme.pad * s))
    small = font_px(theme.font_small, s, theme)
    title = font_px(theme.font_title, s, theme)
    header_h = max(3, round(pad * 0.6)) + line_height(title) + round(2 * s)
    body = pygame.Rect(rect.x + pad, rect.y + header_h, rect.w - 2 * pad,
                       rect.h - header_h - max(3, pad // 2))
    label_w = max(text_width(t, small) for t in ("output", "sum")) + round(8 * s)
    row_h = line_height(small)
    thumb_h = max(8, body.h - 2 * row_h - round(2 * s))
    cells_x = body.x + label_w
    slots = max(n, 10)
    cell_w = max(1, (body.right - cells_x) // slots)
    digit_w = text_width("8", font_px(theme.font_value, s, theme), bold=True) + round(6 * s)
    thumb = max(8, min(thumb_h, cell_w - digit_w - round(12 * s)))
    cells = []
    for i in range(n):
        x = cells_x + i * cell_w
        block = thumb + digit_w
        left = x + (cell_w - block) // 2
        t = pygame.Rect(left, body.y + (thumb_h - thumb) // 2, thumb, thumb)
        label = (t.right + digit_w // 2 + round(2 * s), t.y + t.h * 0.32)
        out_y = body.y + thumb_h + round(2 * s) + row_h // 2
        cells.append((t, label, (x + cell_w / 2, out_y), (x + cell_w / 2, out_y + row_h)))
    return {
        "header_h": header_h,
        "body": body,
        "label_x": body.x,
        "cell_w": cell_w,
        "row_h": row_h,
        "cells": cells,
        "output_y": body.y + thumb_h + round(2 * s) + row_h // 2,
    }


def draw_predictions(
    surface: pygame.Surface,
    rect: pygame.Rect,
    items,
    theme: Theme,
    *,
    title: str | None = None,
    subtitle: str = "the tutorial's model.predict",
) -> None:
    """A strip of (up to) ten test pictures: each thumbnail with its label and lit mark, and
    under it the bulb's raw output (warning colour when outside 0..1) and weighted sum."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    items = list(items or [])
    with clip_to(surface, rect):
        draw_plate(surface, rect, theme, s)
        g = predictions_geometry(rect, len(items), s, theme)
        _draw_header(surface, rect, theme, s, title or _title(len(items)), subtitle)
        small = font_px(theme.font_small, s, theme)
        if not items:
            draw_text(surface, "no test pictures", small, theme.text_dim, g["body"].center,
                      anchor="center")
            return
        y = g["output_y"]
        draw_text(surface, "output", small, theme.text_dim, (g["label_x"], y), anchor="midleft")
        draw_text(surface, "sum", small, theme.text_dim, (g["label_x"], y + g["row_h"]),
                  anchor="midleft")
        value = font_px(theme.font_value, s, theme)
        dot = max(3, round(4 * s))
        cell_w = g["cell_w"]
        for item, (thumb, label, out_c, sum_c) in zip(items, g["cells"], strict=False):
            lit = bool(item.lit)
            surface.blit(_thumbnail(item.picture, thumb.w, theme), thumb)
            frame = thumb.inflate(4, 4) if lit else thumb.inflate(2, 2)
            pygame.draw.rect(surface, theme.lit_mark if lit else theme.thumb_frame, frame,
                             2 if lit else 1)
            colour = theme.accent if getattr(item, "is_target", False) else theme.text
            draw_text(surface, str(item.label), value, colour, label, anchor="center", bold=True)
            _bulb_dot(surface, (round(label[0]), round(thumb.bottom - dot - 1)), dot, lit, theme)
            output = float(item.output)
            _pill(surface, compact_number(output), small, out_c, theme, s, out_of_range(output),
                  cell_w - 2)
            draw_text(surface, compact_number(float(item.z)), small, theme.text_dim, sum_c,
                      anchor="center", max_width=cell_w - 2)


def _title(n: int) -> str:
    words = {10: "ten"}
    return f"Raw outputs of {words.get(n, n)} test pictures"


def _draw_header(surface, rect: pygame.Rect, theme: Theme, s: float, title: str,
                 sub: str) -> None:
    """Title and the tutorial's call on the left; a key (lit, outside 0..1) on the right."""
    pad = max(4, round(theme.pad * s))
    t_size = font_px(theme.font_title, s, theme)
    small = font_px(theme.font_small, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(t_size) // 2
    # the key, right to left
    key = "outside 0..1"
    pill = pygame.Rect(0, 0, text_width(key, small) + round(8 * s), line_height(small))
    pill.midright = (rect.right - pad, mid)
    _pill(surface, key, small, pill.center, theme, s, True, pill.w)
    r = draw_text(surface, "lit", small, theme.text_dim, (pill.left - round(14 * s), mid),
                  anchor="midright")
    dot = max(3, round(4 * s))
    _bulb_dot(surface, (r.left - dot - round(5 * s), mid), dot, True, theme)
    key_left = r.left - 2 * dot - round(12 * s)
    room = key_left - (rect.x + pad) - round(12 * s)
    tr = draw_text(surface, title, t_size, theme.text, (rect.x + pad, mid), anchor="midleft",
                   max_width=room)
    sub_room = key_left - tr.right - round(20 * s)
    if sub and text_width(sub, small) <= sub_room:
        draw_text(surface, sub, small, theme.text_dim, (tr.right + round(8 * s), mid + 1),
                  anchor="midleft")
