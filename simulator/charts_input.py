"""The charts (and the lesson's tiny machine over them) as a widget: mouse events -> intents.

It keeps its own state (the point under the mouse); a click on a point of a run puts that
run's knobs of that epoch back (a Rewind intent), the wheel turns a tiny machine's knob.
"""

from __future__ import annotations

import pygame

from . import intents as I
from . import view


class ChartsInput:
    def __init__(self) -> None:
        self.hover: tuple | None = None  # (run, epoch) of the point under the mouse

    def handle(self, event, rect: pygame.Rect, state, surface_size, tiny: bool,
               mouse) -> list:
        """``state``: the frame last drawn (its histories are what the charts show)."""
        if tiny:
            return self._tiny(event, rect, mouse)
        if state is None or event.type not in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN):
            return []
        overlays = view.chart_overlays(state)
        point = view.chart_point_at(rect, event.pos, list(state.history), overlays,
                                    baseline=state.baseline, surface_size=surface_size)
        self.hover = None if point is None else (point.run, point.epoch)
        if event.type != pygame.MOUSEBUTTONDOWN or event.button != 1:
            return []
        if point is not None:
            run_id = None if point.run < 0 else state.chart_runs[point.run][0]
            return [I.Rewind(run_id, point.epoch)]
        n = max([len(state.history)] + [len(h) for _, _, h, _ in state.chart_runs])
        epoch = view.chart_epoch_at(rect, event.pos, n, surface_size=surface_size)
        return [] if epoch is None or not state.history else [I.Rewind(None, epoch)]

    @staticmethod
    def _tiny(event, rect, mouse) -> list:
        """The tiny machine's knobs turn under the wheel (Shift: fine), as the big ones do."""
        if event.type != pygame.MOUSEWHEEL:
            return []
        index = view.tiny_knob_at(rect, mouse)
        if index is None or not event.y:
            return []
        fine = bool(pygame.key.get_mods() & pygame.KMOD_SHIFT)
        return [I.TurnTinyKnob(index, float(event.y) * (0.01 if fine else 0.1))]
