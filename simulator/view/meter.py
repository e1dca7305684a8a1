"""The analogue meter: its needle reads the raw weighted sum and pins against a stop."""

from __future__ import annotations

import math

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
    nice_ticks,
    text_width,
)

SWEEP = 50.0  # degrees either side of straight up
STOP = SWEEP + 4.0  # where a pinned needle rests

_FACES: dict[tuple, pygame.Surface] = {}


def needle_angle(value: float, lo: float, hi: float) -> float:
    """Needle angle in degrees from straight up; beyond [lo, hi] it rests on a stop."""
    if math.isnan(value):
        return 0.0
    if value < lo:
        return -STOP
    if value > hi:
        return STOP
    return -SWEEP + (value - lo) / (hi - lo) * 2 * SWEEP


def _point(pivot, angle: float, r: float) -> tuple[float, float]:
    a = math.radians(angle)
    return pivot[0] + math.sin(a) * r, pivot[1] - math.cos(a) * r


def meter_geometry(face: pygame.Rect, s: float, theme: Theme) -> tuple[tuple[float, float], float]:
    """(pivot, radius of the scale arc) for a meter face rect: the pivot sits at the bottom
    edge, the labels above the arc."""
    label_h = line_height(font_px(theme.font_small, s, theme))
    label_w = text_width("−10", font_px(theme.font_small, s, theme))  # typical end label
    margin = max(4, round(5 * s))
    by_width = (face.w / 2 - margin - label_w * 0.6) / math.sin(math.radians(STOP + 4))
    by_height = face.h - 2 * margin - label_h - 0.12 * face.h
    radius = max(8.0, min(by_width, by_height))
    pivot = (face.centerx, face.bottom - 0.12 * face.h)
    return pivot, radius


def _major_ticks(lo: float, hi: float, radius: float, size_px: int) -> tuple[list[float], float]:
    """As many round-numbered labels as fit along the arc without touching."""
    for max_ticks in (8, 4, 2, 1):
        ticks = nice_ticks(lo, hi, max_ticks)
        if len(ticks) < 2:
            continue
        step = ticks[1] - ticks[0]
        label_w = max(text_width(format_number(v, step), size_px) for v in ticks)
        spacing = radius * math.radians(2 * SWEEP) * step / (hi - lo)
        if spacing >= label_w * 1.25:
            return ticks, step
    return [lo, hi], hi - lo


def _face(size: tuple[int, int], lo: float, hi: float, s: float, theme: Theme) -> pygame.Surface:
    key = (size, lo, hi, s, theme)
    face = _FACES.get(key)
    if face is not None:
        return face
    face = pygame.Surface(size, pygame.SRCALPHA)
    rect = face.get_rect()
    pygame.draw.rect(face, theme.meter_face, rect, border_radius=max(3, round(5 * s)))
    pivot, radius = meter_geometry(rect, s, theme)
    ink, width = theme.meter_ink, max(1, round(1.5 * s))
    arc = pygame.Rect(0, 0, round(2 * radius), round(2 * radius))
    arc.center = (round(pivot[0]), round(pivot[1]))
    pygame.draw.arc(face, ink, arc, math.radians(90 - SWEEP), math.radians(90 + SWEEP), width)
    size_px = font_px(theme.font_small, s, theme)
    ticks, step = _major_ticks(lo, hi, radius, size_px)
    minor = step / 5 if radius * math.radians(2 * SWEEP) * step / 5 / (hi - lo) >= 5 else step / 2
    for v in nice_ticks(lo, hi, max(1, round((hi - lo) / minor))):
        a = needle_angle(v, lo, hi)
        pygame.draw.line(face, ink, _point(pivot, a, radius), _point(pivot, a, radius * 0.94), 1)
    label_r = radius + line_height(size_px) * 0.62
    for v in ticks:
        a = needle_angle(v, lo, hi)
        pygame.draw.line(
            face, ink, _point(pivot, a, radius), _point(pivot, a, radius * 0.87), width + 1
        )
        draw_text(
            face, format_number(v, step), size_px, ink, _point(pivot, a, label_r), anchor="center"
        )
    _FACES[key] = face
    if len(_FACES) > 32:
        _FACES.pop(next(iter(_FACES)))
    return face


def draw_meter(
    surface: pygame.Surface,
    rect: pygame.Rect,
    weighted_sum: float,
    theme: Theme,
    *,
    lo: float = -10.0,
    hi: float = 10.0,
    pinned: bool = False,
) -> pygame.Rect:
    """Draw the meter reading `weighted_sum`; pinned (needle on its stop, red, 'PINNED')
    outside [lo, hi] or when `pinned` is set (the app sets it when the output leaves 0..1).
    Returns the face rect (see `meter_geometry` for the needle's pivot and length)."""
    rect = pygame.Rect(rect)
    s = begin(surface, theme)
    draw_plate(surface, rect, theme, s)
    value = float(weighted_sum)
    lo, hi = (float(lo), float(hi)) if hi > lo else (-10.0, 10.0)
    off_scale = not (lo <= value <= hi)
    pinned = bool(pinned) or off_scale
    body = draw_header(
        surface, rect, theme, s, "Meter", "" if pinned else "weighted sum", compact=True
    )
    pad = max(4, round(theme.pad * s))
    if pinned:
        _pinned_badge(surface, rect, theme, s, pad)
    value_size = font_px(theme.font_value, s, theme)
    face_rect = meter_face_rect(body, theme, s)
    if face_rect.w >= 20 and face_rect.h >= 16:
        surface.blit(_face(face_rect.size, lo, hi, s, theme), face_rect)
        _draw_needle(surface, face_rect, value, lo, hi, pinned, off_scale, theme, s)
    colour = theme.meter_pinned if pinned else theme.text
    draw_text(
        surface,
        f"Σ = {format_number(value)}",
        value_size,
        colour,
        (rect.x + pad, rect.bottom - pad - line_height(value_size) // 2),
        anchor="midleft",
        max_width=rect.w - 2 * pad,
    )
    return face_rect


def meter_face_rect(body: pygame.Rect, theme: Theme, s: float) -> pygame.Rect:
    """The cream face inside the plate area below the header (leaves a line for the reading)."""
    pad = max(4, round(theme.pad * s))
    value_h = line_height(font_px(theme.font_value, s, theme))
    return pygame.Rect(body.x + pad, body.y, body.w - 2 * pad, body.h - value_h - pad)


def _pinned_badge(surface, rect: pygame.Rect, theme: Theme, s: float, pad: int) -> None:
    size = font_px(theme.font_small, s, theme)
    mid = rect.y + max(3, round(pad * 0.6)) + line_height(font_px(theme.font_title, s, theme)) // 2
    r = pygame.Rect(0, 0, text_width("PINNED", size) + round(12 * s), line_height(size) + 2)
    r.midright = (rect.right - pad, mid)
    pygame.draw.rect(surface, theme.meter_pinned, r, border_radius=r.h // 2)
    draw_text(surface, "PINNED", size, theme.meter_face, r.center, anchor="center")


def _draw_needle(
    surface,
    face: pygame.Rect,
    value: float,
    lo: float,
    hi: float,
    pinned: bool,
    off_scale: bool,
    theme: Theme,
    s: float,
) -> None:
    pivot, radius = meter_geometry(face, s, theme)
    angle = needle_angle(value, lo, hi)
    if pinned and not off_scale and not math.isnan(value):
        angle = STOP if value >= (lo + hi) / 2 else -STOP
    side = 1 if angle > 0 else -1
    for stop in (-1, 1):
        colour = theme.meter_pinned if pinned and stop == side else theme.meter_ink
        pygame.draw.circle(
            surface, colour, _point(pivot, stop * (STOP + 4), radius * 0.97), max(2, round(3 * s))
        )
    needle = theme.meter_pinned if pinned else theme.meter_needle
    with clip_to(surface, face):
        pygame.draw.aaline(
            surface, needle, pivot, _point(pivot, angle, radius * 1.03), max(2, round(2.2 * s))
        )
        pygame.draw.circle(surface, needle, pivot, max(4, round(7 * s)))
