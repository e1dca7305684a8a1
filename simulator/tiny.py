"""The tiny machine of the lesson's chapter on the sum: a 2x2 retina, 4 knobs, 1 bulb.

The tutorial works one example by hand before its code: a 2x2 picture (4 pixels of 0..255),
4 random weights starting with 0.12, and a weighted sum of 2.55. It gives no other number, so
the other pixels and knobs here are this project's own, chosen so that the sum comes out at
exactly the tutorial's 2.55:

    pixels  255   0      light  1  0      knobs  0.12  -0.70
            255 255             1  1             1.48   0.95

    sum = 1 x 0.12 + 0 x (-0.70) + 1 x 1.48 + 1 x 0.95 + bias 0 = 2.55

Each sensor's light is its pixel value divided by 255 (0..1), as the machine's default inputs.
A knob under a dark pixel (here the second) can be turned anywhere: the sum does not move.
Standard library only.
"""

from __future__ import annotations

import math
import operator

SIDE = 2  # the retina is SIDE x SIDE sensors
N_PIXELS = SIDE * SIDE  # 4 sensors, 4 knobs
BIAS = N_PIXELS  # knob index 4 is the bias, as index 784 on the big machine
PIXELS = (255, 0, 255, 255)  # row by row: an L of ink (our own choice)
KNOBS = (0.12, -0.70, 1.48, 0.95)  # the first is the tutorial's 0.12; the rest are our own
WORKED_SUM = 2.55  # the tutorial's weighted sum
LIT_ABOVE = 0.5  # the bulb is lit when its output (here the sum itself) is above this


class TinyMachine:
    """Four pixel values 0..255, four knobs and a bias; the bulb's output is the plain sum.

    ``version`` goes up at every change of a knob, so that a caller can tell whether the
    knobs changed between two readings.
    """

    def __init__(self, pixels=PIXELS, knobs=KNOBS, bias: float = 0.0) -> None:
        pixels, knobs = [float(p) for p in pixels], [float(w) for w in knobs]
        if len(pixels) != N_PIXELS or len(knobs) != N_PIXELS:
            raise ValueError(f"a tiny machine has {N_PIXELS} pixels and {N_PIXELS} knobs")
        if any(not 0.0 <= p <= 255.0 for p in pixels):
            raise ValueError("pixel values must lie in 0..255")
        if not all(math.isfinite(v) for v in (*knobs, bias)):
            raise ValueError("knobs must be finite numbers")
        self.pixels: tuple[float, ...] = tuple(pixels)
        self.knobs: list[float] = knobs
        self.bias = float(bias)
        self.version = 0

    # ---- what it computes -------------------------------------------------------------------

    @property
    def light(self) -> tuple[float, ...]:
        """Each sensor's input: its pixel value divided by 255 (0..1)."""
        return tuple(p / 255.0 for p in self.pixels)

    @property
    def terms(self) -> tuple[float, ...]:
        """Each sensor's part of the sum: its light times its knob."""
        return tuple(x * w for x, w in zip(self.light, self.knobs, strict=True))

    @property
    def weighted_sum(self) -> float:
        """The sum of the light times the knobs, plus the bias (exactly summed)."""
        return math.fsum((*self.terms, self.bias))

    @property
    def lit(self) -> bool:
        """The bulb (no activation: its output is the sum) is lit above one half."""
        return self.weighted_sum > LIT_ABOVE

    def knob(self, index: int) -> float:
        i = self._check(index)
        return self.bias if i == BIAS else self.knobs[i]

    # ---- turning knobs ----------------------------------------------------------------------

    def turn(self, index: int, amount: float) -> None:
        """Turn knob ``index`` (0..3, or 4 for the bias) by ``amount``."""
        self.set(index, self.knob(index) + float(amount))

    def set(self, index: int, value: float) -> None:
        """Set knob ``index`` (0..3, or 4 for the bias) to ``value``."""
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a knob must be a finite number, got {value!r}")
        i = self._check(index)
        if i == BIAS:
            changed, self.bias = value != self.bias, value
        else:
            changed, self.knobs[i] = value != self.knobs[i], value
        if changed:
            self.version += 1

    @staticmethod
    def _check(index: int) -> int:
        try:
            i = operator.index(index)
        except TypeError:
            i = -1
        if isinstance(index, bool) or not 0 <= i <= BIAS:
            raise ValueError(f"knob index must be 0..{BIAS} ({BIAS} is the bias), got {index!r}")
        return i
