"""What lies between the retina and the knobs: the machine's wiring. NumPy only.

Three wirings, one switch (``Config.wiring``):

- **direct** (the tutorial's simplification): each of the 784 sensors feeds its own knob.
- **plugboard** (the Mark I, 1960): a 20x20 retina of photocells, patched at random into
  association units (A-units); the knobs sit after the A-units. Here:

  * The photocells see MNIST's 28x28 picture resampled to 20x20 by area averaging (each
    photocell averages the 1.4 x 1.4 pixels it covers) and thresholded at half brightness
    (a photocell is on or off). Resampling, not cropping: MNIST centres each digit by its
    centre of mass, so ink often falls outside the middle 20x20 a crop would keep.
    (Measured with the same cords after 10 epochs of the rule,
    benchmarks/plugboard_retina.py: 95.98% against 95.74% for "is it a 5", 88.96% against
    87.53% for ten digits.)
  * Each of the ``units`` A-units (512 by default) has ``CONNECTIONS`` patch cords to
    photocells picked at random, each +1 (excitatory) or -1 (inhibitory); a unit fires
    (outputs 1) when the sum over its lit photocells reaches ``A_THRESHOLD``. The random
    wiring is fixed by the seed (a random stream of its own: drawing the cords leaves the
    knobs' random start and the picture order to the seed's usual stream).
  * The knobs weigh the A-units' 0/1 outputs: (units + 1, bulbs), the last row the bias.

- **hidden** (end-to-end training, decades later: the tutorial's next model): ``units``
  hidden units (100 by default), each a weighted sum of the retina through a ReLU, trained
  together with the knobs by gradient descent (:class:`simulator.hidden.HiddenTrainer`).
  The hidden layer's weights are (785, units), the last row their biases; the knobs after
  them are (units + 1, bulbs).

In every wiring the *knobs* are the last layer, ``params`` of shape (n_in, bulbs) with the
bias last; :func:`knob_rows` turns pictures into the rows those knobs weigh.
"""

from __future__ import annotations

import functools

import numpy as np

from .dims import (
    A_THRESHOLD,
    CONNECTIONS,
    DEFAULT_UNITS,
    N_INPUTS,
    N_PHOTOCELLS,
    N_PIXELS,
    PHOTOCELL_ON,
    PHOTOCELL_SIDE,
    SIDE,
    WIRING_STREAM,
    WIRINGS,
    board_shape,
    n_inputs,
    n_units,
)

__all__ = ["A_THRESHOLD", "CONNECTIONS", "DEFAULT_UNITS", "N_PHOTOCELLS", "PHOTOCELL_ON",
           "WIRINGS", "WIRING_STREAM", "Plugboard", "board_shape", "check_hidden",
           "hidden_activations", "init_hidden", "knob_rows", "n_inputs", "n_units",
           "photocells", "plugboard", "plugboard_of"]
CHUNK = 8192  # pictures per chunk when firing the A-units


# ------------------------------------------------------------------------ the photocells


# Each photocell row covers 1.4 pixel rows (28 / 20), so the share of a pixel it covers is
# a multiple of a fifth: counted in fifths, the area weights are whole numbers (7 a photocell
# row), the weighted sums of whole pixel values are whole numbers below 2**24, and float32
# sums them exactly in any order (BLAS's blocking, one product or two, NumPy or Keras alike).
FIFTHS = 5
PATCH = (SIDE * FIFTHS // PHOTOCELL_SIDE) ** 2  # 49: a photocell's area in fifths squared


@functools.cache
def coverage() -> np.ndarray:
    """(20, 28) float32 whole numbers: how many fifths of pixel row (or column) j photocell
    row (or column) i covers; each photocell row covers 7 fifths."""
    C = np.zeros((PHOTOCELL_SIDE, SIDE), np.float32)
    for i in range(PHOTOCELL_SIDE):
        lo, hi = i * SIDE * FIFTHS // PHOTOCELL_SIDE, (i + 1) * SIDE * FIFTHS // PHOTOCELL_SIDE
        for j in range(SIDE):  # pixel j spans fifths j*5 .. j*5+5
            C[i, j] = max(0, min(hi, (j + 1) * FIFTHS) - max(lo, j * FIFTHS))
    assert (C.sum(axis=1) == SIDE * FIFTHS // PHOTOCELL_SIDE).all()
    return C


def photocells(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) or (n, 784) pixels 0..255 -> (n, 400) bool: which photocells are lit
    (the mean pixel under a photocell above :data:`PHOTOCELL_ON`); exact (see
    :data:`FIFTHS`)."""
    x = np.asarray(images).reshape(-1, SIDE, SIDE).astype(np.float32)
    C = coverage()
    light = C @ x @ C.T  # (n, 20, 20): PATCH times the mean pixel under each photocell
    return (light > PHOTOCELL_ON * PATCH).reshape(len(x), N_PHOTOCELLS)


class Plugboard:
    """The random patch cords of the Mark I: ``units`` A-units, each wired to
    :data:`CONNECTIONS` photocells with a sign; fixed by ``seed``.

    ``cells`` (units, CONNECTIONS) photocell indices (row * 20 + col), ``signs`` (units,
    CONNECTIONS) +1 or -1, and ``matrix`` (400, units) float32, the same cords as one
    matrix (a cord patched twice to the same photocell counts twice).
    """

    def __init__(self, units: int, seed: int) -> None:
        if units < 1:
            raise ValueError(f"the plugboard needs at least one association unit, got {units}")
        rng = np.random.default_rng((WIRING_STREAM, seed))
        self.units, self.seed = units, seed
        self.cells = rng.integers(0, N_PHOTOCELLS, size=(units, CONNECTIONS))
        self.signs = rng.choice(np.array([-1, 1], np.int8), size=(units, CONNECTIONS))
        matrix = np.zeros((N_PHOTOCELLS, units), np.float32)
        np.add.at(matrix, (self.cells, np.arange(units)[:, None]), self.signs)
        self.matrix = matrix

    def fire(self, images: np.ndarray) -> np.ndarray:
        """(n, 28, 28) pixels -> (n, units) uint8: 1 where an A-unit fires."""
        images = np.asarray(images)
        out = np.empty((len(images), self.units), np.uint8)
        for i in range(0, len(images), CHUNK):
            lit = photocells(images[i : i + CHUNK]).astype(np.float32)
            np.greater_equal(lit @ self.matrix, A_THRESHOLD, out=out[i : i + CHUNK],
                             casting="unsafe")
        return out

    def rows(self, images: np.ndarray) -> np.ndarray:
        """(n, units + 1) uint8 knob inputs: the A-units' outputs, then the constant 1."""
        n = len(images)
        rows = np.empty((n, self.units + 1), np.uint8)
        rows[:, : self.units] = self.fire(images)
        rows[:, self.units] = 1
        return rows


@functools.lru_cache(maxsize=4)
def plugboard(units: int, seed: int) -> Plugboard:
    """The plugboard of this size and seed (made once; it never changes)."""
    return Plugboard(units, seed)


def plugboard_of(config) -> Plugboard:
    return plugboard(n_units(config), config.seed)


# ------------------------------------------------------------------------ the hidden layer


def init_hidden(config, rng: np.random.Generator) -> np.ndarray:
    """The hidden layer's random start as Keras starts a Dense layer: Glorot-uniform
    weights (785, units) with zero biases in the last row."""
    h = n_units(config)
    limit = np.sqrt(6.0 / (N_PIXELS + h))
    hidden = np.zeros((N_INPUTS, h), np.float32)
    hidden[:N_PIXELS] = rng.uniform(-limit, limit, size=(N_PIXELS, h))
    return hidden


def check_hidden(hidden, units: int | None = None) -> np.ndarray:
    """Validate a hidden layer's weights at the boundary: float32 (785, units), finite."""
    hidden = np.asarray(hidden)
    if hidden.ndim != 2 or hidden.shape[0] != N_INPUTS or hidden.shape[1] < 1:
        raise ValueError(f"hidden weights must have shape (785, units), got {hidden.shape}")
    if units is not None and hidden.shape[1] != units:
        raise ValueError(f"hidden weights are for {hidden.shape[1]} units, the machine has "
                         f"{units}")
    if not np.isfinite(hidden).all():
        raise ValueError("hidden weights contain NaN or infinite values")
    return hidden.astype(np.float32, copy=False)


def hidden_activations(hidden: np.ndarray, X: np.ndarray) -> np.ndarray:
    """ReLU of the hidden units for input rows X (n, 785) float32 -> (n, units)."""
    h = X @ hidden
    np.maximum(h, 0.0, out=h)
    return h


# ------------------------------------------------------------------------ pictures to rows


def knob_rows(config, images: np.ndarray, hidden: np.ndarray | None = None,
              chunk: int = 10_000) -> np.ndarray:
    """Pictures (n, 28, 28) or (n, 784) pixels 0..255 -> (n, n_in) float32: what the
    knobs weigh, with the constant 1 last. The one way pictures reach the knobs in every
    wiring (``hidden``: the hidden layer's weights, for that wiring)."""
    from .engine import prepare_inputs

    images = np.asarray(images)
    if config.wiring == "direct":
        return prepare_inputs(images, config.scale)
    if config.wiring == "plugboard":
        return plugboard_of(config).rows(images).astype(np.float32)
    if hidden is None:
        raise ValueError("the hidden wiring needs its hidden layer's weights")
    n, h = len(images), hidden.shape[1]
    rows = np.empty((n, h + 1), np.float32)
    for i in range(0, n, chunk):
        X = prepare_inputs(images[i : i + chunk], config.scale)
        rows[i : i + chunk, :h] = hidden_activations(hidden, X)
    rows[:, h] = 1.0
    return rows
