"""Every colour, size and font of the machine's face, named by the role it plays.

The look: a warm, dark instrument panel (Rosenblatt's Mark I was a rack of potentiometers, patch
cables and a lamp), kept calm and legible for a classroom. Knob colours use a colour-blind-safe
blue/orange diverging pair with a near-neutral grey at zero.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pygame

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    # Surfaces
    background: RGB = (21, 19, 17)  # the window behind the cards
    panel_bg: RGB = (36, 33, 29)  # control-panel column (pygame_gui widgets sit on it)
    panel_edge: RGB = (62, 56, 48)
    card_bg: RGB = (30, 28, 25)  # each instrument's plate
    card_border: RGB = (56, 51, 44)
    board_bg: RGB = (19, 18, 16)  # behind the knobs and the retina
    status_bg: RGB = (15, 14, 12)
    screw: RGB = (78, 72, 63)

    # Text
    text: RGB = (236, 229, 214)
    text_dim: RGB = (158, 150, 136)
    accent: RGB = (242, 180, 80)  # amber: the target digit, progress bars

    # Knobs (weights): blue = negative, orange = positive, warm grey = zero
    knob_positive: RGB = (245, 150, 45)
    knob_negative: RGB = (72, 158, 240)
    knob_zero: RGB = (74, 71, 66)
    knob_highlight: RGB = (255, 250, 240)  # light catching each knob's upper-left edge
    knob_rim: RGB = (12, 11, 10)
    knob_pointer: RGB = (250, 246, 238)  # on dark knob faces
    knob_pointer_dark: RGB = (22, 20, 18)  # on bright knob faces
    knob_selected: RGB = (255, 228, 100)
    knob_hover: RGB = (236, 229, 214)
    knob_ghost: RGB = (190, 255, 225)
    knob_ghost_alpha: int = 165
    knob_cell_tint: float = 0.5  # how much of a knob's colour bleeds into its cell
    knob_gamma: float = 0.8  # <1 lifts small weights so the picture reads

    # Retina
    retina_off: RGB = (11, 13, 17)
    retina_on: RGB = (255, 242, 210)
    retina_lens_alpha: int = 120  # darkening at each photocell's corners

    # Bulb
    bulb_off: RGB = (60, 55, 48)
    bulb_glow: RGB = (255, 205, 105)
    bulb_halo: RGB = (255, 180, 70)
    bulb_filament_off: RGB = (105, 96, 84)
    bulb_base: RGB = (128, 122, 112)
    bulb_base_dark: RGB = (70, 66, 60)

    # Meter
    meter_face: RGB = (233, 224, 199)
    meter_ink: RGB = (44, 38, 31)
    meter_needle: RGB = (28, 24, 20)
    meter_pinned: RGB = (222, 62, 48)

    # Charts
    chart_train: RGB = (245, 160, 60)
    chart_test: RGB = (98, 188, 240)
    chart_baseline: RGB = (196, 186, 168)
    chart_grid: RGB = (50, 46, 41)
    chart_axis: RGB = (112, 105, 94)
    # Runs overlaid on the charts, one colour each: the Okabe-Ito palette (colour-blind safe;
    # its black left out on this dark face), in the order runs are given colours
    run_colours: tuple[RGB, ...] = (
        (230, 159, 0),  # orange
        (86, 180, 233),  # sky blue
        (0, 158, 115),  # bluish green
        (240, 228, 66),  # yellow
        (204, 121, 167),  # reddish purple
        (213, 94, 0),  # vermillion
        (0, 114, 178),  # blue
    )
    run_dim: float = 0.55  # how far a dimmed run's colour fades into the plate

    # The clues: ten pictures' raw outputs, the histogram of weighted sums
    out_of_range: RGB = (250, 100, 80)  # a bulb output outside 0..1 (not a probability)
    out_of_range_bg: RGB = (78, 34, 28)  # the tint behind such a number
    lit_mark: RGB = (255, 205, 105)  # marks a lit bulb (the bulb's glow)
    thumb_frame: RGB = (66, 61, 54)  # the frame of an unlit picture's thumbnail
    hist_target: RGB = (230, 159, 0)  # pictures of the target digit (Okabe-Ito orange)
    hist_other: RGB = (86, 180, 233)  # all other pictures (Okabe-Ito sky blue)
    hist_fill_alpha: int = 80  # the bars' fill; their outlines are opaque
    hist_threshold: RGB = (236, 229, 214)  # the line where the bulb lights
    hist_flat: RGB = (50, 44, 62)  # where a sigmoid is flat (shaded)
    hist_flat_hatch: RGB = (74, 66, 94)  # its hatching (the shading is not colour alone)

    # Verdicts (never colour alone: the word is always printed)
    hit: RGB = (72, 204, 150)
    miss: RGB = (250, 108, 88)
    false_alarm: RGB = (232, 138, 208)
    correct_rejection: RGB = (128, 184, 236)

    # Overlays
    tooltip_bg: RGB = (14, 13, 12)
    tooltip_border: RGB = (110, 102, 90)
    backdrop: RGB = (6, 5, 4)
    backdrop_alpha: int = 190
    progress_bg: RGB = (52, 48, 42)

    # Fonts (None = pygame's bundled default font, which works everywhere). Sizes in pixels at
    # the reference window 1280x800; the view scales them with the window (never below 13 px).
    font_name: str | None = None
    font_small: int = 14
    font_body: int = 16
    font_title: int = 17
    font_value: int = 20
    font_big: int = 30
    font_min: int = 13

    # Geometry at 1280x800
    gap: int = 8
    pad: int = 8
    radius: int = 6


THEME = Theme()

_FONTS: dict[tuple[str | None, int, bool], pygame.font.Font] = {}


def _default_font_path() -> str | None:
    path = os.path.join(os.path.dirname(pygame.__file__), pygame.font.get_default_font())
    return path if os.path.exists(path) else None


def font(size: int, bold: bool = False, name: str | None = None) -> pygame.font.Font:
    """A cached font of `size` pixels (pygame's default font unless `name` is a font file)."""
    size = max(1, int(size))
    key = (name, size, bold)
    cached = _FONTS.get(key)
    if cached is not None:
        return cached
    if not pygame.font.get_init():
        pygame.font.init()
    path = name or _default_font_path()
    # Font(None, n) shrinks the default font to 0.6875 n; asking for the file keeps n = pixels.
    f = pygame.font.Font(path, size) if path else pygame.font.Font(None, round(size / 0.6875))
    if bold:
        f.set_bold(True)
    _FONTS[key] = f
    return f
