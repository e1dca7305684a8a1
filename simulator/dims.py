"""The machine's dimensions, defined once: a 28x28 retina, a knob per sensor, and the bias.

Knob indices are flat: 0..783 the weights (row * 28 + col), 784 the bias (its input is a
constant 1). Importable anywhere: no NumPy, no pygame.
"""

import math

SIDE = 28  # sensors (and knobs) per side of the retina
N_PIXELS = SIDE * SIDE  # 784 sensors, 784 weight knobs
BIAS = N_PIXELS  # the flat index of the bias knob (the threshold, sign flipped)
N_INPUTS = N_PIXELS + 1  # the retina plus the constant input that carries the bias

# What may lie between the retina and the knobs (simulator.wiring draws and fires it).
WIRINGS = ("direct", "plugboard", "hidden")
DEFAULT_UNITS = {"direct": 0, "plugboard": 512, "hidden": 100}
PHOTOCELL_SIDE = 20  # the Mark I's retina: 20 x 20 photocells
N_PHOTOCELLS = PHOTOCELL_SIDE * PHOTOCELL_SIDE
PHOTOCELL_ON = 127.5  # a photocell is lit when its patch's mean pixel is above this
CONNECTIONS = 10  # patch cords per association unit
A_THRESHOLD = 1  # an A-unit fires when (lit excitatory) - (lit inhibitory) reaches this
WIRING_STREAM = 0x5EED_B0A2D  # the plugboard's random stream: (this, seed)


def n_units(config) -> int:
    """The units between the retina and the knobs (0 for direct wiring)."""
    if config.wiring == "direct":
        return 0
    return config.units or DEFAULT_UNITS[config.wiring]


def n_inputs(config) -> int:
    """Rows of the knob array: what the knobs weigh, plus the constant 1 of the bias."""
    return N_INPUTS if config.wiring == "direct" else n_units(config) + 1


def board_shape(n: int) -> tuple[int, int]:
    """(rows, cols) of a board of n knobs: as square as n allows, never taller than wide
    (784 -> 28x28, 512 -> 16x32, 100 -> 10x10); every cell a knob."""
    if n <= 0:
        raise ValueError(f"a board needs knobs, got {n}")
    rows = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return rows, n // rows
