"""The view: pure functions that draw the machine's state onto a surface they are given.

No event handling, no engine imports, no pygame_gui: NumPy and pygame only. The app owns the
window and calls `compute_layout(size)` on resize; each frame, `draw_machine(surface, layout,
state, theme)` draws the whole face from one frozen snapshot (`simulator.face_state`), with
the smaller draw_* functions for each instrument.
"""

from simulator.theme import THEME, Theme, font
from simulator.view.bulb import draw_bulb
from simulator.view.charts import chart_epoch_at, chart_point_at, draw_charts
from simulator.view.chrome import draw_background, draw_panel_background, draw_status
from simulator.view.face import chart_overlays, draw_machine
from simulator.view.knobs import draw_bias_knob, draw_knobs, knob_colour
from simulator.view.layout import (
    Layout,
    board_grid,
    compute_layout,
    knob_at,
    knob_rect,
    retina_cell_at,
    retina_grid,
)
from simulator.view.meter import draw_meter
from simulator.view.overlay import draw_help, draw_notice, draw_tooltip
from simulator.view.retina import draw_retina
from simulator.view.tiny import tiny_knob_at
from simulator.view.verdict import draw_verdict

__all__ = [
    "THEME",
    "Layout",
    "Theme",
    "board_grid",
    "compute_layout",
    "draw_background",
    "draw_bias_knob",
    "draw_bulb",
    "draw_charts",
    "draw_help",
    "chart_epoch_at",
    "chart_overlays",
    "chart_point_at",
    "draw_knobs",
    "draw_machine",
    "draw_meter",
    "draw_notice",
    "draw_panel_background",
    "draw_retina",
    "draw_status",
    "draw_tooltip",
    "draw_verdict",
    "font",
    "knob_at",
    "knob_colour",
    "knob_rect",
    "retina_cell_at",
    "retina_grid",
    "tiny_knob_at",
]
