"""The machine's dimensions, defined once: a 28x28 retina, a knob per sensor, and the bias.

Knob indices are flat: 0..783 the weights (row * 28 + col), 784 the bias (its input is a
constant 1). Importable anywhere: no NumPy, no pygame.
"""

SIDE = 28  # sensors (and knobs) per side of the retina
N_PIXELS = SIDE * SIDE  # 784 sensors, 784 weight knobs
BIAS = N_PIXELS  # the flat index of the bias knob (the threshold, sign flipped)
N_INPUTS = N_PIXELS + 1  # the retina plus the constant input that carries the bias
