"""The bulb: glass that glows with the machine's output, a halo once it counts as lit."""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import (
    begin,
    clip_to,
    draw_header,
    draw_plate,
    draw_text,
    font_px,
    format_number,
    line_height,
    mix,
    remember,
)

GLOW_LEVELS = 48

_GLASS: dict[tuple, pygame.Surface] = {}
_HALOS: dict[tuple, pygame.Surface] = {}


def brightness(output: float) -> float:
    """Glow in 0..1: the output clipped to 0..1 (NaN counts as dark)."""
    out = float(output)
    return 0.0 if math.isnan(out) else max(0.0, min(1.0, out))


def _glass_sprite(radius: int, level: int, lit: bool, theme: Theme) -> pygame.Surface:
    """Glass, filament and screw base; 2x supersampled. Sprite is 2r wide, 3.3r tall."""
    key = (radius, level, lit, theme)
    sprite = _GLASS.get(key)
    if sprite is not None:
        return sprite
    if len(_GLASS) > 300:
        _GLASS.clear()
    k = 2
    r = radius * k
    w, h = 2 * r, round(3.3 * r)
    big = pygame.Surface((w, h), pygame.SRCALPHA)
    b = level / GLOW_LEVELS
    glass = mix(theme.bulb_off, theme.bulb_glow, b**0.8)
    cx, cy = r, r
    neck_top, neck_bot = cy + 0.62 * r, cy + 1.55 * r
    pygame.draw.polygon(
        big,
        glass,
        [
            (cx - 0.78 * r, cy + 0.6 * r),
            (cx + 0.78 * r, cy + 0.6 * r),
            (cx + 0.42 * r, neck_bot),
            (cx - 0.42 * r, neck_bot),
        ],
    )
    pygame.draw.circle(big, glass, (cx, cy), r - k)
    core = mix(glass, (255, 252, 240), 0.55 * b if lit else 0.2 * b)
    pygame.draw.circle(big, core, (cx, cy + 0.08 * r), r * 0.55)
    pygame.draw.circle(
        big, mix(glass, (255, 255, 255), 0.35), (cx - 0.42 * r, cy - 0.45 * r), r * 0.16
    )
    filament = mix(theme.bulb_filament_off, (255, 250, 235), b)
    fw = max(k, round(r * 0.06))
    zig = [(cx - 0.3 * r + i * 0.12 * r, cy + (0.02 if i % 2 else -0.1) * r) for i in range(6)]
    pygame.draw.lines(big, filament, False, zig, fw)
    for x in (cx - 0.3 * r, cx + 0.3 * r):
        pygame.draw.line(
            big, theme.bulb_filament_off, (x, cy - 0.04 * r), (x, neck_top + 0.5 * r), fw
        )
    _draw_base(big, cx, neck_bot, r, theme)
    sprite = pygame.transform.smoothscale(big, (w // k, h // k))
    _GLASS[key] = sprite
    return sprite


def _draw_base(big, cx: float, top: float, r: float, theme: Theme) -> None:
    band_h = 0.2 * r
    for i in range(4):
        colour = theme.bulb_base if i % 2 == 0 else theme.bulb_base_dark
        half = 0.44 * r - i * 0.03 * r
        pygame.draw.rect(
            big,
            colour,
            (cx - half, top + i * band_h, 2 * half, band_h + 1),
            border_radius=round(band_h / 2),
        )
    pygame.draw.circle(big, theme.bulb_base_dark, (cx, top + 4 * band_h + 0.05 * r), 0.14 * r)


def _halo(radius: int, theme: Theme) -> pygame.Surface:
    """Soft radial glow: alpha falls smoothly to nothing at `radius`."""
    key = (radius, theme)
    halo = _HALOS.get(key)
    if halo is None:
        size = 2 * radius
        halo = pygame.Surface((size, size), pygame.SRCALPHA)
        halo.fill((*theme.bulb_halo, 0))
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5 - radius
        d = np.sqrt(xx * xx + yy * yy) / radius
        alpha = np.clip(1.0 - d, 0.0, 1.0) ** 2.2 * 235
        pygame.surfarray.pixels_alpha(halo)[:] = alpha.T.astype(np.uint8)
        remember(_HALOS, key, halo, limit=4)
    return halo


def draw_bulb(
    surface: pygame.Surface,
    rect: pygame.Rect,
    output: float,
    theme: Theme,
    *,
    lit: bool,
) -> None:
    """Draw the bulb for the machine's `output`; `lit` (halo, 'LIT') is the machine's own
    answer (:func:`simulator.engine.predict`), never decided here."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    draw_plate(surface, rect, theme, s)
    b = brightness(output)
    out = float(output)
    body = draw_header(surface, rect, theme, s, "Bulb", "lit means YES", compact=True)
    cap_size = font_px(theme.font_body, s, theme)
    cap_h = line_height(cap_size)
    pad = max(4, round(theme.pad * s))
    avail = pygame.Rect(body.x + pad, body.y, body.w - 2 * pad, body.h - cap_h - pad)
    radius = int(max(4, min(avail.w / 2.6, avail.h / 3.3, 70 * s)))
    top = avail.y + (avail.h - 3.3 * radius) / 2
    centre = (avail.centerx, top + radius)
    if lit:
        halo_r = round(radius * 2.4)
        halo = _halo(halo_r, theme)
        halo.set_alpha(round(110 + 145 * b))
        with clip_to(surface, rect.inflate(-2, -2)):
            surface.blit(halo, halo.get_rect(center=centre))
    glass = _glass_sprite(radius, round(b * GLOW_LEVELS), lit, theme)
    surface.blit(glass, glass.get_rect(midtop=(centre[0], centre[1] - radius)))
    state = "LIT" if lit else "off"
    value = format_number(out)
    cap_y = rect.bottom - pad - cap_h // 2
    r = draw_text(
        surface,
        f"output {value}",
        cap_size,
        theme.text_dim,
        (rect.x + pad, cap_y),
        anchor="midleft",
        max_width=rect.w - 2 * pad,
    )
    if r.right + pad + 30 * s < rect.right:
        draw_text(
            surface,
            state,
            cap_size,
            theme.bulb_glow if lit else theme.text_dim,
            (rect.right - pad, cap_y),
            anchor="midright",
        )
