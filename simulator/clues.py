"""The tutorial's clues, as data: what the machine says on ten test pictures, and where the
weighted sums of all the test pictures lie. NumPy only; the view draws them
(:mod:`simulator.view.predictions`, :mod:`simulator.view.histogram`).

Both read the bulb through :func:`simulator.engine.predict`, the one place that decides
whether a bulb is lit.

The flat range of a sigmoid: its slope a (1 - a) = 1 / (4 cosh^2(z / 2)) is 1/4 at z = 0 and
falls below 1% of that for |z| > 2 acosh(10) = 5.99 (below 0.1% of it for |z| > 10.6). Gradient
descent turns each knob by an amount proportional to that slope, so a picture whose sum lies
there barely moves the knobs, whatever its error. In float32 the slope is exactly zero beyond
z > 16.64 (the output rounds to 1) and z < -88.72 (exp overflows, the output is 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import Config
from .dims import N_INPUTS, N_PIXELS, SIDE
from .engine import check_params, predict, prepare_inputs

FLAT_SLOPE_SHARE = 0.01  # "flat": the sigmoid's slope below this share of its maximum (1/4)
FLAT_Z = 2.0 * math.acosh(1.0 / math.sqrt(FLAT_SLOPE_SHARE))  # 5.986
SATURATED_HI = 16.6356  # float32: sigmoid(z) == 1.0 exactly from here up (slope exactly 0)
SATURATED_LO = -88.7228  # float32: sigmoid(z) == 0.0 exactly from here down (exp overflows)
LOW_PERCENTILE, HIGH_PERCENTILE = 0.5, 99.5  # the histogram's robust range


# ------------------------------------------------------------------------ ten pictures


@dataclass(frozen=True, eq=False)
class PicturePrediction:
    """One test picture and what the bulb on show says about it."""

    index: int  # the picture's index in the test set
    picture: np.ndarray  # (28, 28) uint8 pixel values 0..255 (the light on the retina)
    label: int  # its digit
    z: float  # the bulb's weighted sum
    output: float  # the bulb's raw output (none: z itself; sigmoid: 0..1; threshold: 0 or 1)
    lit: bool  # engine.predict's answer (ten bulbs: this bulb is the brightest)
    is_target: bool  # the picture shows the digit this bulb answers for
    digit: int  # the digit this bulb answers for

    @property
    def out_of_range(self) -> bool:
        """The output is not a probability: below 0 or above 1 (or not a number)."""
        return not (0.0 <= self.output <= 1.0)

    @property
    def verdict(self) -> str:
        if self.is_target:
            return "hit" if self.lit else "miss"
        return "false alarm" if self.lit else "correct rejection"




def bulb_column(config: Config, column: int | None = None) -> int:
    """The bulb on show: column 0 of a lone bulb; with ten bulbs the chosen digit's."""
    if column is not None:
        return int(column)
    return 0 if config.bulbs == 1 else int(config.digit)


def input_rows(X: np.ndarray, config: Config) -> np.ndarray:
    """(n, n_in) float32 rows the knobs weigh: X as given if already prepared (785 with
    direct wiring; the A-units' or hidden units' outputs and the constant 1 otherwise), else
    its pictures ((n, 28, 28) or (n, 784) pixel values) prepared at the config's scale
    (direct wiring only: the other wirings' rows come from simulator.wiring.knob_rows)."""
    X = np.asarray(X)
    if _are_rows(X, config):
        return X if X.dtype == np.float32 else X.astype(np.float32)
    if config.wiring != "direct":
        raise ValueError(f"with {config.wiring} wiring the clues need the knobs' input rows "
                         f"(n, {config.n_inputs}), got {X.shape}")
    return prepare_inputs(X, config.scale)


def _are_rows(X: np.ndarray, config: Config) -> bool:
    return X.ndim == 2 and X.shape[1] == config.n_inputs and (
        config.wiring != "direct" or X.shape[1] == N_INPUTS)


def _pictures(X: np.ndarray, rows: np.ndarray, config: Config) -> np.ndarray:
    """(n, 28, 28) uint8 pictures behind the rows (inverting the scale when X was rows of
    direct wiring)."""
    X = np.asarray(X)
    if _are_rows(X, config):
        pixels = np.rint(rows[:, :N_PIXELS].astype(np.float64) / config.scale)
        return np.clip(pixels, 0, 255).astype(np.uint8).reshape(-1, SIDE, SIDE)
    return np.asarray(X).reshape(-1, SIDE, SIDE).astype(np.uint8, copy=False)


def predictions(
    params: np.ndarray,
    X: np.ndarray,
    labels: np.ndarray,
    config: Config,
    indices: Sequence[int] | None = None,
    column: int | None = None,
    pictures: np.ndarray | None = None,
) -> list[PicturePrediction]:
    """The tutorial's ``model.predict(x_test[:10])``: for each picture of ``indices`` (default
    the first ten) the bulb's weighted sum, raw output and whether it is lit.

    X: the test pictures, (n, 28, 28) or (n, 784) pixel values 0..255, or input rows
    (n, 785) float32 already prepared at ``config.scale``; with another wiring, the knobs'
    input rows (simulator.wiring.knob_rows), and then ``pictures``, the (n, 28, 28) pictures
    behind them (for the thumbnails). column: the bulb on show (default
    :func:`bulb_column`).
    """
    params = check_params(params, config.bulbs, config.n_inputs)
    labels = np.asarray(labels)
    idx = np.arange(min(10, len(labels))) if indices is None else np.asarray(indices, dtype=int)
    col = bulb_column(config, column)
    if idx.size == 0:
        return []
    Xs = np.asarray(X)[idx]
    rows = input_rows(Xs, config)
    said = predict(params, rows, config)
    lit = said.answer == col if config.bulbs == 10 else said.answer
    digit = config.digit if config.bulbs == 1 else col
    pictures = (_pictures(Xs, rows, config) if pictures is None else
                np.asarray(pictures)[idx].reshape(-1, SIDE, SIDE).astype(np.uint8, copy=False))
    return [
        PicturePrediction(
            index=int(i),
            picture=pictures[j],
            label=int(labels[i]),
            z=float(said.z[j, col]),
            output=float(said.output[j, col]),
            lit=bool(lit[j]),
            is_target=bool(labels[i] == digit),
            digit=int(digit),
        )
        for j, i in enumerate(idx)
    ]


# -------------------------------------------------------------- the sums' histogram


Ranges = tuple[tuple[float, float], ...]


@dataclass(frozen=True, eq=False)
class Histogram:
    """Where the weighted sums of a bulb lie over a set of pictures, target and not-target
    counted on shared bin edges (pictures beyond the edges counted in the end bins)."""

    edges: np.ndarray  # (bins + 1,) float64 shared bin edges, increasing
    target: np.ndarray  # (bins,) int64 counts of pictures showing the digit
    other: np.ndarray  # (bins,) int64 counts of the rest
    threshold: float | None  # the bulb is lit iff z > threshold; None: ten bulbs (brightest)
    flat: Ranges | None  # z ranges where the sigmoid's slope < 1% of its maximum; None: no sigmoid
    saturated: Ranges | None  # z ranges where float32's sigmoid has slope exactly 0
    flat_fraction: float | None  # share of pictures whose sum lies in `flat`
    stuck_fraction: float | None  # share answered wrongly AND in `flat`: little gradient to fix
    below: int  # pictures below edges[0] (counted in the first bin)
    above: int  # pictures above edges[-1] (counted in the last bin)
    z_min: float  # the extreme sums (the edges are a robust range inside them)
    z_max: float
    digit: int  # the digit the bulb answers for
    activation: str  # "none", "sigmoid", "softmax" or "threshold" (a threshold unit's rule)
    n: int  # pictures counted
    wrong_fraction: float  # share of pictures the bulb answers wrongly (engine.predict)

    @property
    def bins(self) -> int:
        return len(self.target)

    @property
    def n_target(self) -> int:
        return int(self.target.sum())

    @property
    def n_other(self) -> int:
        return int(self.other.sum())


def threshold_of(config: Config) -> float | None:
    """The weighted sum above which a lone bulb is lit (engine.predict's rule): 0 for a sigmoid
    or a threshold unit (output > 0.5 iff z > 0), 0.5 with no activation (output = z). Ten
    bulbs answer with the brightest: no fixed threshold (None)."""
    if config.bulbs == 10:
        return None
    if config.threshold_unit or config.activation == "sigmoid":
        return 0.0
    if config.activation == "none":
        return 0.5
    return None


def _has_sigmoid(config: Config) -> bool:
    return config.activation == "sigmoid" and not config.threshold_unit


def _share(z: np.ndarray, ranges: Ranges) -> np.ndarray:
    inside = np.zeros(z.shape, dtype=bool)
    for lo, hi in ranges:
        inside |= (z > lo) & (z < hi)
    return inside


def sum_histogram(
    params: np.ndarray,
    X_test: np.ndarray,
    labels: np.ndarray,
    config: Config,
    column: int | None = None,
    bins: int = 60,
) -> Histogram:
    """The weighted sums z of the bulb on show over the pictures of X_test (pictures or input
    rows, as :func:`predictions`), split into target (label == digit) and the rest, counted on
    shared edges from the lower of the two groups' 0.5th percentiles to the higher of their
    99.5th, widened to include the threshold; sums beyond count in the end bins.

    column: the bulb on show (default :func:`bulb_column`: 0, or the digit's with ten bulbs).
    One matrix product (engine.predict), two np.histogram calls.
    """
    params = check_params(params, config.bulbs, config.n_inputs)
    labels = np.asarray(labels)
    bins = max(1, int(bins))
    col = bulb_column(config, column)
    rows = input_rows(X_test, config)
    if len(rows) != len(labels):
        raise ValueError(f"{len(rows)} pictures but {len(labels)} labels")
    said = predict(params, rows, config)
    z = said.z[:, col].astype(np.float64)  # (n,)
    digit = config.digit if config.bulbs == 1 else col
    is_target = labels == digit
    right = said.answer == col if config.bulbs == 10 else said.answer
    wrong = right != is_target
    threshold = threshold_of(config)
    finite = np.isfinite(z)
    zf = z[finite]

    if zf.size:  # each group's robust range, so that the smaller group is not clipped
        groups = [g for g in (z[finite & is_target], z[finite & ~is_target]) if g.size]
        ends = np.array([np.percentile(g, [LOW_PERCENTILE, HIGH_PERCENTILE]) for g in groups])
        lo, hi = float(ends[:, 0].min()), float(ends[:, 1].max())
        z_min, z_max = float(zf.min()), float(zf.max())
    else:
        lo, hi, z_min, z_max = -1.0, 1.0, math.nan, math.nan
    if threshold is not None:
        lo, hi = min(lo, threshold), max(hi, threshold)
    if not hi - lo > 1e-9 * max(1.0, abs(lo), abs(hi)):
        half = max(1.0, abs(lo) * 0.1)
        lo, hi = lo - half, hi + half
    edges = np.linspace(lo, hi, bins + 1)
    zc = np.clip(np.where(finite, z, np.where(z > 0, hi, lo)), lo, hi)  # NaN: the low end
    target = np.histogram(zc[is_target], bins=edges)[0].astype(np.int64)
    other = np.histogram(zc[~is_target], bins=edges)[0].astype(np.int64)

    n = len(z)
    if _has_sigmoid(config):
        flat: Ranges | None = ((-math.inf, -FLAT_Z), (FLAT_Z, math.inf))
        saturated: Ranges | None = ((-math.inf, SATURATED_LO), (SATURATED_HI, math.inf))
        in_flat = _share(z, flat)
        flat_fraction = float(in_flat.mean()) if n else math.nan
        stuck_fraction = float((in_flat & wrong).mean()) if n else math.nan
    else:
        flat = saturated = None
        flat_fraction = stuck_fraction = None
    activation = "threshold" if config.threshold_unit else config.activation
    return Histogram(
        edges=edges,
        target=target,
        other=other,
        threshold=threshold,
        flat=flat,
        saturated=saturated,
        flat_fraction=flat_fraction,
        stuck_fraction=stuck_fraction,
        below=int(np.sum(z < lo)),
        above=int(np.sum(z > hi)),
        z_min=z_min,
        z_max=z_max,
        digit=int(digit),
        activation=activation,
        n=n,
        wrong_fraction=float(wrong.mean()) if n else math.nan,
    )
