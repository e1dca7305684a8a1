"""The machine's face as a widget: mouse and keys over the board, bias and retina -> intents.

No model state here beyond the gesture under way: `FaceInput.handle(event)` returns the
intents a raw pygame event means, given where the instruments are (the layout). The app
applies them.
"""

from __future__ import annotations

import math

import pygame

from . import intents as I
from .dims import BIAS, SIDE, board_shape, n_units
from .scoreboard import cell_filter
from .view import knob_at, retina_grid
from .view.boards import board_slot_at
from .view.scoreboard import scoreboard_target_at
from .view.wiring import wired_knob_at

PIXELS_PER_NOTCH = 4  # a drag of 4 px turns a knob one notch (a tenth of full scale)
BRUSH_CYCLE = (None, "raise", "lower", "zero")
OPPOSITE = {"raise": "lower", "lower": "raise", "zero": "zero"}

SHORTCUTS = [
    ("Space", "play / pause the chosen procedure"),
    ("N", "one step (a batch, or one picture)"),
    ("E", "one whole epoch"),
    ("1 / 2 / 3", "speed: slow motion / normal / full"),
    ("Left / Right", "previous / next picture"),
    ("R", "a random picture"),
    ("F", "picture filter: all, only 5s, not 5s, misclassified"),
    ("Drag a knob", "turn it (Shift: fine)"),
    ("Wheel over a knob", "turn it (Shift: fine)"),
    ("Up / Down", "turn the selected knob (Shift: fine)"),
    ("Ctrl + arrows", "select the neighbouring knob"),
    ("0 / Delete", "zero the selected knob"),
    ("B", "brush: off, raise, lower, zero (right button: opposite)"),
    ("Ctrl+Z", "undo"),
    ("Ctrl+Y, Ctrl+Shift+Z", "redo"),
    ("G", "ghost needles: the way gradient descent would turn"),
    ("Draw on the retina", "your own digit (right button erases)"),
    ("C", "clear the retina"),
    ("Click a small board", "ten bulbs: its knobs on the big board"),
    ("Click a scoreboard count", "browse its pictures (again: all pictures)"),
    ("Ctrl+S / Ctrl+O", "save / load the knobs (path in the panel)"),
    ("[ / ]", "rewind the knobs one epoch back / forth (or click an epoch on the charts)"),
    ("F2 / F3", "the lesson, chapter by chapter / the Bench (runs, seeds, clues)"),
    ("Ctrl+C", "copy the Keras code for the switches (the lesson's Code view)"),
    ("F1 or ?", "this help;  Esc closes it"),
]


def _fine(mods: int) -> bool:
    return bool(mods & pygame.KMOD_SHIFT)


class FaceInput:
    """Turns raw events over the retina, the knob board and the bias knob into intents."""

    def __init__(self, layout) -> None:
        self.layout = layout
        self.mouse = (-1, -1)
        self.mods = 0
        self.brush: str | None = None
        self.selected: int | None = None
        self.hover: int | None = None
        self._drag: dict | None = None
        self.wired: tuple | None = None  # (kind, (rows, cols)): a wiring fills the board
        self.bias_index = BIAS

    def follow(self, machine) -> None:
        """Take the machine's wiring: None (direct), or the wiring's kind and the grid of its
        knob board; and the bias knob's index (784 with direct wiring, after the units'
        knobs otherwise)."""
        c = machine.config
        wired = None if c.wiring == "direct" else (c.wiring, board_shape(n_units(c)))
        bias_index = machine.knobs.bias_index
        if wired != self.wired or bias_index != self.bias_index:
            self.selected = self.hover = None
            self.cancel()
        self.wired, self.bias_index = wired, bias_index

    # ---- helpers ----------------------------------------------------------------------------

    def _mods(self, event) -> int:
        mod = getattr(event, "mod", None)
        if mod is None:
            mod = self.mods | pygame.key.get_mods()
        return int(mod)

    def target_at(self, pos) -> tuple[str, object] | None:
        """('knob', index) | ('bias', 784) | ('retina', (row_f, col_f)) | ('board', digit)
        (a small board of ten bulbs) | ('pictures', filter) (a scoreboard's count, or its
        "show all") under `pos`."""
        lay = self.layout
        index = (knob_at(lay.board, pos) if self.wired is None else
                 wired_knob_at(lay.board, *self.wired, pos, lay.scale))
        if index is not None:
            return "knob", index
        if lay.bias.collidepoint(pos):
            return "bias", self.bias_index
        if lay.boards.collidepoint(pos):
            digit = board_slot_at(lay.boards, pos, lay.scale)
            return None if digit is None else ("board", digit)
        if lay.scoreboard.collidepoint(pos):
            ten = lay.boards.w > 0  # the band of boards is laid out with ten bulbs
            hit = scoreboard_target_at(lay.scoreboard, pos, ten, lay.scale)
            if hit is None:
                return None
            return "pictures", "all" if hit[0] == "clear" else cell_filter(10 if ten else 1,
                                                                          *hit[1])
        x0, y0, cell = retina_grid(lay.retina)
        row, col = (pos[1] - y0) / cell, (pos[0] - x0) / cell
        if 0 <= row < SIDE and 0 <= col < SIDE:
            return "retina", (row, col)
        return None

    @property
    def dragging(self) -> str | None:
        """The kind of gesture under way: turn, brush, paint, or None."""
        return None if self._drag is None else self._drag["kind"]

    @property
    def busy(self) -> bool:
        """A drag, stroke or brush is under way."""
        return self._drag is not None

    def cancel(self) -> list:
        """Drop the gesture under way (window lost the mouse, overlay opened)."""
        if self._drag is None:
            return []
        kind = self._drag["kind"]
        self._drag = None
        return [] if kind == "paint" else [I.EndGesture()]

    def move_selection(self, drow: int, dcol: int) -> None:
        """Select the neighbouring knob (from the board's middle if none is selected)."""
        if self.wired is not None:
            return
        start = self.selected if self.selected not in (None, BIAS) else SIDE * SIDE // 2 + SIDE // 2
        row, col = divmod(start, SIDE)
        self.selected = (min(SIDE - 1, max(0, row + drow)) * SIDE
                         + min(SIDE - 1, max(0, col + dcol)))

    # ---- events -----------------------------------------------------------------------------

    def handle(self, event) -> list:
        if event.type == pygame.MOUSEMOTION:
            return self._motion(event)
        if event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3):
            return self._press(event)
        if event.type == pygame.MOUSEBUTTONUP and event.button in (1, 3):
            return self._release(event)
        if event.type == pygame.MOUSEWHEEL:
            return self._wheel(event)
        if event.type in (pygame.KEYDOWN, pygame.KEYUP):
            self.mods = int(getattr(event, "mod", 0))
            if event.type == pygame.KEYDOWN:
                return self.key(event)
        if event.type == pygame.WINDOWLEAVE:
            self.hover = None
            return self.cancel()
        return []

    def _press(self, event) -> list:
        self.mouse = tuple(event.pos)
        hit = self.target_at(event.pos)
        if hit is None:
            return self.cancel()
        kind, where = hit
        out = self.cancel()
        right = event.button == 3
        if kind == "retina":
            self._drag = {"kind": "paint", "erase": right, "at": where}
            return out + [I.PaintRetina(where[0], where[1], erase=right)]
        if kind == "board":
            return out if right else out + [I.SetSwitch("digit", where)]
        if kind == "pictures":
            return out if right else out + [I.SetPictureFilter(where, toggle=True)]
        if kind == "knob" and (self.brush or right) and self.wired is None:
            mode = self.brush or "lower"
            mode = OPPOSITE[mode] if right and self.brush else mode
            self._drag = {"kind": "brush", "mode": mode, "at": where}
            fine = _fine(self._mods(event))
            return out + [I.BeginGesture("brush"), I.BrushKnobs(where, mode, fine)]
        if right:
            return out
        if kind == "knob" and self.wired is not None and self.brush:
            return out  # the brush paints the retina's board (neighbours on 28x28)
        self.selected = where
        self._drag = {"kind": "turn", "index": where, "y": event.pos[1], "rest": 0.0}
        return out + [I.BeginGesture("turn")]

    def _motion(self, event) -> list:
        self.mouse = tuple(event.pos)
        out = self._hover(event.pos)
        drag = self._drag
        if drag is None:
            return out
        if drag["kind"] == "turn":
            dy = drag["y"] - event.pos[1]
            drag["y"] = event.pos[1]
            if dy:
                out.append(I.TurnKnob(drag["index"], dy / PIXELS_PER_NOTCH,
                                      fine=_fine(self._mods(event))))
        elif drag["kind"] == "brush":
            index = knob_at(self.layout.board, event.pos)
            if index is not None and index != drag["at"]:
                drag["at"] = index
                out.append(I.BrushKnobs(index, drag["mode"], _fine(self._mods(event))))
        elif drag["kind"] == "paint":
            hit = self.target_at(event.pos)
            if hit is not None and hit[0] == "retina":
                out.extend(self._stroke(drag, hit[1]))
        return out

    def _stroke(self, drag, to) -> list:
        """Pen positions every half sensor from the last one, so fast strokes stay whole."""
        (r0, c0), (r1, c1) = drag["at"], to
        n = max(1, math.ceil(math.hypot(r1 - r0, c1 - c0) / 0.5))
        drag["at"] = to
        return [I.PaintRetina(r0 + (r1 - r0) * k / n, c0 + (c1 - c0) * k / n, drag["erase"])
                for k in range(1, n + 1)]

    def _hover(self, pos) -> list:
        hit = self.target_at(pos)
        index = hit[1] if hit is not None and hit[0] in ("knob", "bias") else None
        self.hover = index
        return []

    def _release(self, event) -> list:
        self.mouse = tuple(event.pos)
        drag, self._drag = self._drag, None
        if drag is None or drag["kind"] == "paint":
            return []
        return [I.EndGesture()]

    def _wheel(self, event) -> list:
        hit = self.target_at(self.mouse)
        dy = getattr(event, "precise_y", None) or event.y
        if hit is None or hit[0] not in ("knob", "bias") or not dy:
            return []
        if getattr(event, "flipped", False):
            dy = -dy
        fine = _fine(self._mods(event))
        return [I.BeginGesture("wheel"), I.TurnKnob(hit[1], float(dy), fine=fine), I.EndGesture()]

    # ---- keys -------------------------------------------------------------------------------

    def key(self, event) -> list:
        k, mods = event.key, self._mods(event)
        ctrl, shift = bool(mods & pygame.KMOD_CTRL), bool(mods & pygame.KMOD_SHIFT)
        if ctrl:
            return self._ctrl_key(k, shift)
        if k in (pygame.K_UP, pygame.K_DOWN, pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            if self.selected is None:
                return []
            steps = {pygame.K_UP: 1, pygame.K_DOWN: -1, pygame.K_PAGEUP: 5,
                     pygame.K_PAGEDOWN: -5}[k]
            return [I.BeginGesture("key"), I.TurnKnob(self.selected, float(steps), fine=shift),
                    I.EndGesture()]
        if k in (pygame.K_0, pygame.K_KP0, pygame.K_DELETE, pygame.K_BACKSPACE):
            if self.selected is None:
                return []
            return [I.BeginGesture("key"), I.SetKnob(self.selected, 0.0), I.EndGesture()]
        if k == pygame.K_b:
            i = BRUSH_CYCLE.index(self.brush) if self.brush in BRUSH_CYCLE else 0
            return [I.SetBrush(BRUSH_CYCLE[(i + 1) % len(BRUSH_CYCLE)])]
        if k == pygame.K_SLASH and shift or getattr(event, "unicode", "") == "?":
            return [I.ToggleHelp()]
        simple = {
            pygame.K_SPACE: I.TogglePlay(), pygame.K_n: I.Step("batch"),
            pygame.K_e: I.Step("epoch"),
            pygame.K_LEFT: I.ShowPicture("previous"), pygame.K_RIGHT: I.ShowPicture("next"),
            pygame.K_r: I.ShowPicture("random"), pygame.K_g: I.ToggleGhost(),
            pygame.K_c: I.ClearRetina(), pygame.K_F1: I.ToggleHelp(), pygame.K_h: I.ToggleHelp(),
            pygame.K_ESCAPE: I.CloseOverlay(), pygame.K_1: I.SetSpeed(0.0),
            pygame.K_2: I.SetSpeed(0.5), pygame.K_3: I.SetSpeed(1.0),
            pygame.K_f: I.SetPictureFilter("next"),
            pygame.K_LEFTBRACKET: I.Rewind(None, None, -1),
            pygame.K_RIGHTBRACKET: I.Rewind(None, None, +1), pygame.K_F3: I.SetPage("toggle"),
            pygame.K_F2: I.SetPage("lesson-toggle"),
        }
        intent = simple.get(k)
        return [intent] if intent is not None else []

    def _ctrl_key(self, k, shift: bool) -> list:
        if k == pygame.K_z:
            return [I.Redo()] if shift else [I.Undo()]
        if k == pygame.K_y:
            return [I.Redo()]
        moves = {pygame.K_UP: (-1, 0), pygame.K_DOWN: (1, 0), pygame.K_LEFT: (0, -1),
                 pygame.K_RIGHT: (0, 1)}
        if k in moves:
            self.move_selection(*moves[k])
            return []
        if k == pygame.K_s:
            return [I.SaveKnobs("")]
        if k == pygame.K_o:
            return [I.LoadKnobs("")]
        if k == pygame.K_c:
            return [I.CopyCode()]
        return []
