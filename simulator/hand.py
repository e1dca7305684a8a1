"""Turning the knobs by hand, with undo and redo. NumPy only.

The hand works on the very array the engine trains (`params`, (785, k) float32): a knob the
hand turns is the knob the next training step sees. Every change happens inside a gesture
(a drag, a brush stroke, one key press, a reset); a gesture is one undo step, stored as the
whole knob array before and after it (3 KB for one bulb), which keeps undo exact.
"""

from __future__ import annotations

import numpy as np

N_SIDE = 28
BIAS = 784
LIMIT = 1e6  # a knob's stop: no hand can turn a weight past this
UNDO_DEPTH = 200
BRUSH_MODES = ("raise", "lower", "zero")

# The brush's footprint on the board: (drow, dcol, strength)
_BRUSH = [(dr, dc, 1.0 if dr == dc == 0 else 0.5 if dr == 0 or dc == 0 else 0.25)
          for dr in (-1, 0, 1) for dc in (-1, 0, 1)]


class HandTuner:
    """Hand edits of knob column `column` of `params` (785, k) float32, in place."""

    def __init__(self, params: np.ndarray, column: int = 0, depth: int = UNDO_DEPTH):
        self.params = params
        self.column = column
        self.depth = depth
        self._undo: list[tuple[np.ndarray, np.ndarray]] = []
        self._redo: list[tuple[np.ndarray, np.ndarray]] = []
        self._before: np.ndarray | None = None  # the knobs when the open gesture began

    # ---- bookkeeping -------------------------------------------------------------------------

    def attach(self, params: np.ndarray, column: int = 0) -> None:
        """Work on another knob array; history is kept only if the shape is the same."""
        self.end()
        if params.shape != self.params.shape:
            self._undo.clear()
            self._redo.clear()
        self.params, self.column = params, column

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) or self._open_and_changed()

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def open(self) -> bool:
        """A gesture is under way (a drag, a brush stroke; or a run of training)."""
        return self._before is not None

    def begin(self) -> None:
        """Open a gesture (nested calls join the open one)."""
        if self._before is None:
            self._before = self.params.copy()

    def end(self) -> bool:
        """Close the open gesture; True if it changed the knobs (and became an undo step)."""
        before, self._before = self._before, None
        if before is None or np.array_equal(before, self.params):
            return False
        self._undo.append((before, self.params.copy()))
        del self._undo[: -self.depth]
        self._redo.clear()
        return True

    def _open_and_changed(self) -> bool:
        return self._before is not None and not np.array_equal(self._before, self.params)

    # ---- edits -------------------------------------------------------------------------------

    def turn(self, index: int, amount: float) -> bool:
        """Add `amount` to knob `index` (0..783 weights, 784 bias); True if it moved."""
        _check_index(index)
        return self.set(index, float(self.params[index, self.column]) + float(amount))

    def set(self, index: int, value: float) -> bool:
        _check_index(index)
        if not np.isfinite(value):
            return False
        value = np.float32(min(LIMIT, max(-LIMIT, float(value))))
        old = self.params[index, self.column]
        if old == value:
            return False
        self.begin()
        self.params[index, self.column] = value
        return True

    def brush(self, index: int, mode: str, amount: float) -> list[int]:
        """Paint the brush centred on weight `index`: raise or lower by `amount` (less at the
        rim), or pull toward zero. Returns the knobs it touched."""
        if mode not in BRUSH_MODES:
            raise ValueError(f"brush mode must be one of {', '.join(BRUSH_MODES)}; got {mode!r}")
        _check_index(index)
        if index == BIAS:
            return [BIAS] if self._brush_one(BIAS, mode, amount, 1.0) else []
        row, col = divmod(index, N_SIDE)
        touched = []
        for dr, dc, strength in _BRUSH:
            r, c = row + dr, col + dc
            if 0 <= r < N_SIDE and 0 <= c < N_SIDE and self._brush_one(
                r * N_SIDE + c, mode, amount, strength
            ):
                touched.append(r * N_SIDE + c)
        return touched

    def _brush_one(self, index: int, mode: str, amount: float, strength: float) -> bool:
        old = float(self.params[index, self.column])
        if mode == "zero":
            return self.set(index, 0.0 if strength >= 1 else old * (1 - strength))
        sign = 1.0 if mode == "raise" else -1.0
        return self.set(index, old + sign * strength * amount)

    def replace(self, new_params: np.ndarray) -> bool:
        """Put a whole new set of knobs in (reset, load) as one undoable gesture."""
        if new_params.shape != self.params.shape:
            raise ValueError(
                f"knobs of shape {new_params.shape} for a machine of {self.params.shape}")
        self.end()
        self.begin()
        np.copyto(self.params, new_params)
        return self.end()

    # ---- undo / redo ---------------------------------------------------------------------------

    def undo(self) -> bool:
        return self._replay(self._undo, self._redo, 0)

    def redo(self) -> bool:
        return self._replay(self._redo, self._undo, 1)

    def _replay(self, source: list, target: list, side: int) -> bool:
        """Move the newest (before, after) step from source to target, and put the knobs
        as they were on that side of it; False when there is none."""
        self.end()
        if not source:
            return False
        step = source.pop()
        np.copyto(self.params, step[side])
        target.append(step)
        return True

    def forget(self) -> None:
        """Drop the history (e.g. when the machine changes its number of bulbs)."""
        self._before = None
        self._undo.clear()
        self._redo.clear()


def _check_index(index: int) -> None:
    if not 0 <= int(index) <= BIAS:
        raise ValueError(f"knob index must be 0..784, got {index!r}")
