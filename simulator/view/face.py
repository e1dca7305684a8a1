"""The whole face in one call: :func:`draw_machine` draws a frame from a frozen
:class:`~simulator.face_state.FaceState` (the machine's snapshot with the window's overlay).

No model, no widgets: the same function serves the app, the tests and the screenshot tool.
A new view is a new drawer here plus the fields it needs in the snapshot.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from simulator import words
from simulator.dims import BIAS, N_PIXELS, SIDE
from simulator.theme import Theme
from simulator.view import common
from simulator.view.boards import draw_ten_boards
from simulator.view.bulb import draw_bulb
from simulator.view.charts import ChartRun, draw_charts
from simulator.view.chrome import draw_background, draw_panel_background, draw_status
from simulator.view.code import draw_code
from simulator.view.histogram import draw_histogram
from simulator.view.hud import draw_ten_bulbs, draw_turned_knobs, ten_bulbs_height, tooltip_lines
from simulator.view.knobs import draw_bias_knob, draw_knobs
from simulator.view.layout import Layout, knob_rect
from simulator.view.meter import draw_meter
from simulator.view.overlay import draw_help, draw_notice, draw_tooltip
from simulator.view.predictions import draw_predictions
from simulator.view.retina import draw_retina
from simulator.view.scoreboard import draw_scoreboard
from simulator.view.tiny import draw_tiny
from simulator.view.verdict import draw_verdict
from simulator.view.wiring import draw_wiring, wired_knob_rect

WIRING_NOTE = (
    "The Wiring switch: what lies between the retina and the knobs. Direct: each light sensor "
    "drives its own knob, the tutorial's simplification. Plugboard: the Mark I, first shown "
    "publicly in June 1960: 400 photocells in a 20x20 grid patched at random to 512 "
    "association units, its weights (potentiometers turned by electric motors) between those "
    "units and its response units, trained by the error-correction rule of Principles of "
    "Neurodynamics (1962). Hidden layer: a layer of units trained together with the knobs by "
    "gradient descent, which came decades later; the tutorial's next model has 100 of them.")
PIN_MARGIN = 0.005  # the meter's readout shows two decimals
TURNED_FADE_S = 0.8  # knobs a watched step turned stay ringed this long
STORY_S = 3.0  # a slow-motion step's narration stays this long


def draw_machine(surface: pygame.Surface, layout: Layout, state, theme: Theme,
                 ui=None) -> None:
    """Draw the machine's face from ``state``; ``ui`` (a pygame_gui manager, if any) is
    drawn over the panel's background before the overlays."""
    lay, o = layout, state.overlay
    draw_background(surface, theme, lay)
    hover = o.hover
    draw_retina(surface, lay.retina, state.light, theme,
                hover=divmod(hover, SIDE) if hover is not None and hover < N_PIXELS
                and state.wired is None else None)
    if state.wired is not None:
        draw_wiring(surface, lay.board, state.wired, theme, hover=hover)
    else:
        draw_knobs(surface, lay.board, state.weights, theme, scale=state.knob_scale,
                   selected=o.selected if o.selected != BIAS else None,
                   hover=hover if hover != BIAS else None, ghost=ghost_needles(state),
                   bulb=state.column if state.bulbs == 10 else None)
    if state.turned is not None and state.wired is None:
        draw_turned_knobs(surface, lay.board, state.turned, theme,
                          1.0 - state.turned_age / TURNED_FADE_S)
    draw_bias_knob(surface, lay.bias, state.bias, theme, scale=bias_scale(state.bias))
    draw_bulbs(surface, lay.bulb, state, theme, row=not lay.boards.w)
    if lay.boards.w and state.boards is not None:
        draw_ten_boards(surface, lay.boards, state.boards, state.output, state.column,
                        state.answer, theme)
    reach = meter_reach(state.weighted_sum, state.free_sum)
    draw_meter(surface, lay.meter, state.weighted_sum, theme, lo=-reach, hi=reach,
               pinned=not (-PIN_MARGIN <= state.bulb <= 1.0 + PIN_MARGIN))
    draw_verdict(surface, lay.verdict, theme, label=state.label, target_digit=state.digit,
                 predicted_yes=state.lit, verdict=state.verdict)
    one = state.bulbs == 1
    draw_charts(surface, lay.charts, list(state.history), theme, baseline=state.baseline,
                epoch_progress=state.epoch_progress, epoch=state.epoch,
                target_digit=state.digit if one else None,
                baseline_name=None if one else "commonest digit",
                overlays=chart_overlays(state), hover=o.chart_hover)
    if lay.strip.w and state.strip is not None:
        draw_predictions(surface, lay.strip, state.strip, theme)
    if lay.histogram.w and state.histogram is not None:
        draw_histogram(surface, lay.histogram, state.histogram, theme)
    if lay.scoreboard.w:
        draw_scoreboard_view(surface, lay.scoreboard, state, theme)
    if state.tiny is not None:
        draw_tiny(surface, lay.charts, state.tiny, theme)
    if state.code is not None:
        draw_code(surface, code_rect(lay), *state.code, theme)
    draw_panel_background(surface, lay.panel, theme)
    draw_status(surface, lay.status, theme, text=words.status_text(state, o.message),
                right_text=o.data_note)
    if ui is not None:
        ui.draw_ui(surface)
    draw_overlays(surface, lay, state, theme)


def code_rect(lay: Layout) -> pygame.Rect:
    """The Code view lies over the knob board and the bulb's column."""
    return lay.board.union(lay.verdict).union(lay.bulb)


def chart_overlays(state) -> tuple[ChartRun, ...]:
    """The kept runs shown on the charts, as the charts draw them."""
    return tuple(ChartRun(name, history, colour) for _, name, history, colour in state.chart_runs)


def meter_reach(z: float, free_sum: bool) -> float:
    """The meter's full scale. With nothing bounding the output it stays at 10, so that the
    tutorial's runaway sums pin the needle; a sigmoid or a threshold unit cannot leave 0..1,
    so the meter ranges by decades (10, 100, ...) like a multimeter, and its needle reads."""
    if free_sum:
        return 10.0
    return 10.0 ** max(1, math.ceil(math.log10(abs(z)))) if np.isfinite(z) and z else 10.0


def bias_scale(bias: float) -> float:
    """Full deflection for the bias knob: a power of two above |bias|, so it rarely jumps."""
    b = abs(bias) if np.isfinite(bias) else 1.0
    return float(max(1.0, 2.0 ** np.ceil(np.log2(max(b, 1e-9) * 1.1))))


def ghost_needles(state) -> np.ndarray | None:
    """The ghost directions, scaled so the strongest reaches 60% of full deflection."""
    g = state.ghost
    if g is None:
        return None
    peak = float(np.max(np.abs(g))) or 1.0
    return g * np.float32(0.6 * state.knob_scale / peak)


def draw_scoreboard_view(surface: pygame.Surface, rect: pygame.Rect, state, theme: Theme) -> None:
    """The scoreboard, the cell whose pictures the retina browses marked, the filter said."""
    from simulator.scoreboard import cell_fits, cell_index

    board, which = state.scoreboard, state.picture_filter
    ten = state.bulbs == 10 if board is None else board.bulbs == 10
    chosen = cell_index(which) if cell_fits(which, 10 if ten else 1) else None
    showing = "" if which == "all" else words.filter_label(which, state.digit)
    draw_scoreboard(surface, rect, board, theme, ten=ten, chosen=chosen, showing=showing)


def draw_bulbs(surface: pygame.Surface, rect: pygame.Rect, state, theme: Theme,
               row: bool = True) -> None:
    """The bulb on show; with ten bulbs, the row of all ten under it (the brightest marked),
    unless ``row`` is off (the ten boards show their bulbs)."""
    if state.bulbs == 1 or not row:
        draw_bulb(surface, rect, state.bulb, theme, lit=state.lit)
        return
    strip_h = ten_bulbs_height(surface, theme)
    top = pygame.Rect(rect.x, rect.y, rect.w, rect.h - strip_h)
    draw_bulb(surface, top, state.bulb, theme, lit=state.lit)
    strip = pygame.Rect(rect.x, top.bottom, rect.w, strip_h)
    pygame.draw.rect(surface, theme.card_bg, strip)
    draw_ten_bulbs(surface, strip.inflate(-8, -4), state.output, state.column, state.answer,
                   theme)


def draw_overlays(surface: pygame.Surface, lay: Layout, state, theme: Theme) -> None:
    """Boxes over the face: knob tooltip, notices, narration, long messages, help."""
    s, o = lay.scale, state.overlay
    if o.hover is not None and o.show_tooltip:
        draw_knob_tooltip(surface, lay, state, theme)
    if o.notice or state.diverged:
        w = min(lay.board.w - 40, round(560 * s))
        box = pygame.Rect(0, 0, w, round((96 if state.diverged else 74) * s))
        box.midtop = (lay.board.centerx, lay.board.y + round(56 * s))
        if state.diverged:
            draw_notice(surface, box, theme, text=state.diverged + "  (Esc closes)")
        else:
            draw_notice(surface, box, theme, text=o.notice, progress=o.notice_progress)
    if state.facts is not None and state.turned is not None and state.turned_age < STORY_S:
        box = pygame.Rect(0, 0, min(lay.charts.w - 40, round(620 * s)), round(58 * s))
        box.midtop = (lay.charts.centerx, lay.charts.y + round(40 * s))
        draw_notice(surface, box, theme, text=words.narration(state.facts, state.procedure))
    elif o.message:
        draw_long_message(surface, lay, state, theme)
    if o.panel_tip:
        draw_tooltip(surface, o.mouse, tooltip_lines(o.panel_tip, theme, surface), theme)
    if o.help:
        draw_help(surface, surface.get_rect(), list(o.help), theme,
                  hint="Esc, F1 or a click closes", note=WIRING_NOTE)


def draw_long_message(surface: pygame.Surface, lay: Layout, state, theme: Theme) -> None:
    """A message too long for the status line is shown whole, just above it."""
    s, o = lay.scale, state.overlay
    size = common.font_px(theme.font_small, s, theme)
    room = lay.status.w - common.text_width(o.data_note, size) - round(40 * s)
    if common.text_width(words.status_text(state, o.message), size) <= room:
        return
    width = min(lay.charts.w - 40, round(720 * s))
    body = common.font_px(theme.font_body, s, theme)
    lines = len(common.wrap(o.message, body, width - round(20 * s)))
    height = lines * common.line_height(body) + round(20 * s)
    box = pygame.Rect(0, 0, width, min(height, lay.charts.h - 8))
    box.midbottom = (lay.charts.centerx, lay.charts.bottom - round(6 * s))
    draw_notice(surface, box, theme, text=o.message)


def draw_knob_tooltip(surface: pygame.Surface, lay: Layout, state, theme: Theme) -> None:
    """Row, column, weight, and this picture's contribution (input x weight)."""
    index = state.overlay.hover
    wired = state.wired
    if wired is not None and index < len(state.weights):
        w, x = float(state.weights[index]), float(wired.lamps[index])
        unit = "association unit" if wired.kind == "plugboard" else "hidden unit"
        lines = [f"Knob of {unit} {index}", f"weight {w:+.4f}",
                 f"unit's output {x:.3g} × weight = {x * w:+.4f}"]
        cell = wired_knob_rect(lay.board, wired.kind, wired.grid, index, lay.scale, theme)
        draw_tooltip(surface, cell.center, lines, theme)
        return
    if index == BIAS or wired is not None:
        w = state.bias
        lines = ["Bias (the threshold, sign flipped)", f"weight {w:+.4f}",
                 f"constant input 1 × weight = {w:+.4f}"]
        anchor = lay.bias.center
    else:
        row, col = divmod(index, SIDE)
        w = float(state.weights[index])
        x = float(state.light.reshape(N_PIXELS)[index]) * 255.0 * state.input_scale
        lines = [f"Knob row {row}, column {col}", f"weight {w:+.4f}",
                 f"input {x:.3g} × weight = {x * w:+.4f}"]
        anchor = knob_rect(lay.board, index).center
    draw_tooltip(surface, anchor, lines, theme)
