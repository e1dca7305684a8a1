"""The perceptron engine: the knobs and the procedures that turn them. NumPy only.

The machine has 784 knobs (one weight per retina sensor) and a bias (the threshold),
for each of its bulbs (1, or 10 for "ten bulbs"). They live in one float32 array
``params`` of shape (785, bulbs): rows 0..783 are the weights, row 784 the bias. Inputs
carry a constant 1 in column 784, so the weighted sum is one matrix product:

    z = X @ params            # (n, 785) @ (785, k) -> (n, k) weighted sums
    a = activation(z)         # none: a = z;  sigmoid: a = 1 / (1 + exp(-z));
                              # softmax: a_j = exp(z_j) / sum_i exp(z_i)

Gradient descent (the tutorial's Keras model, re-done in NumPy) minimises a loss over
mini-batches of size B, with targets y (1 where the picture shows the target digit, or
one-hot for ten bulbs):

    mse  L = mean((a - y)^2)                dL/da = 2 (a - y) / (B k)
    mae  L = mean(|a - y|)                  dL/da = sign(a - y) / (B k)
    ce   L = -mean(y log p + (1-y) log(1-p))   (binary, per bulb; p = clip(a, 1e-7, 1-1e-7))
         L = -sum(y log p) / B              (categorical, after softmax)
    g = X_B^T (dL/da * da/dz)

    sgd:  params -= lr * g
    adam: m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
          params -= lr_t m / (sqrt(v) + eps),  lr_t = lr sqrt(1-b2^t) / (1-b1^t)
          (Kingma and Ba 2015, Algorithm 1 with the efficient ordering of their section 2,
          as Keras computes it; b1 = 0.9, b2 = 0.999, eps = 1e-7)

Rosenblatt's perceptron (a Cornell Aeronautical Laboratory report, 1957; Psychological
Review, 1958, as a probabilistic model of the brain) learns by the error-correction
procedure, as set out with its convergence theorem in *Principles of Neurodynamics* (1962)
and by Block and by Novikoff (1962): one picture at a time, a threshold unit (bulb lit iff
z > 0), and the knobs move only when the answer is wrong: params += lr (y - lit) x. With
ten bulbs the brightest bulb answers, and a wrong answer raises the true digit's knobs and
lowers the wrong winner's. It is :class:`RosenblattTrainer`; like Rosenblatt's machine it
starts from knobs at zero when it is given none.

The machine's answer has one convention (:func:`predict`): a lone bulb is lit when its
output is above 0.5, where a threshold unit's output is 1 for z > 0 and 0 otherwise (so a
weighted sum of exactly 0 leaves every kind of bulb dark); ten bulbs answer with the
brightest (for a threshold unit: the largest weighted sum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import wiring
from .config import Config
from .dims import N_INPUTS, N_PIXELS

CE_EPS = 1e-7  # Keras's clipping of probabilities inside cross-entropy
ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-7  # Keras's Adam defaults
GUARD_EVERY = 16  # batches between finiteness checks (and rollback snapshots)
SMALL_BATCH = 1024  # up to this batch size, batches are gathered from uint8 rows
PROGRESS_STEPS = 50  # how often an epoch with a progress bar reports (times an epoch)


# ---------------------------------------------------------------- data in, arrays out


def prepare_inputs(images: np.ndarray, scale: float) -> np.ndarray:
    """Flatten pictures into the machine's input rows, with the constant bias input.

    Parameters
    ----------
    images : (n, 28, 28) or (n, 784) array of pixel values 0..255.
    scale : factor applied to the pixels (1/255 for unit inputs, 1 for raw).

    Returns
    -------
    (n, 785) float32, C-contiguous; column 784 is 1.
    """
    images = _check_images(images)
    return fill_inputs(np.empty((len(images), N_INPUTS), np.float32), images, scale)


def fill_inputs(X: np.ndarray, images: np.ndarray, scale: float) -> np.ndarray:
    """Write pictures (n, 28, 28) or (n, 784) into input rows X (n, 785) float32, in place:
    the one way pixels become inputs. Returns X."""
    n = len(images)
    np.multiply(images.reshape(n, N_PIXELS), np.float32(scale), out=X[:, :N_PIXELS])
    X[:, N_PIXELS] = 1.0
    return X


def _check_images(images) -> np.ndarray:
    images = np.asarray(images)
    if images.shape[1:] not in ((28, 28), (N_PIXELS,)):
        raise ValueError(f"images must be (n, 28, 28) or (n, 784), got shape {images.shape}")
    return images


def training_set(images, labels, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """The pictures (n, 28, 28) or (n, 784) and their labels (n,) a run trains on: checked
    (ValueError naming what is wrong) and cut to the subset switch. Not copied."""
    images, labels = _check_images(images), np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-d array, got shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} pictures but {len(labels)} labels")
    if len(images) == 0:
        raise ValueError("no training pictures")
    n = config.train_count(len(images))
    return images[:n], labels[:n]


def _pixel_rows(images: np.ndarray, scale: float) -> np.ndarray:
    """(n, 785) uint8 rows: the pixels, then the value that becomes 1 once scaled.

    Training gathers its random batches from these (a quarter of the bytes of float32
    rows: the gather is the costliest memory traffic of a step) and scales them in the
    batch buffer, bit for bit as :func:`prepare_inputs` does.
    """
    bias_pixel = round(1.0 / scale)
    assert np.float32(bias_pixel) * np.float32(scale) == 1.0, f"inexact bias for {scale}"
    n = len(images)
    rows = np.empty((n, N_INPUTS), dtype=np.uint8)  # (n, 785) uint8
    rows[:, :N_PIXELS] = images.reshape(n, N_PIXELS)
    rows[:, N_PIXELS] = bias_pixel
    return rows


def make_targets(labels: np.ndarray, config: Config) -> np.ndarray:
    """(n,) digit labels -> (n, bulbs) float32 targets: 1 where the bulb should light."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-d array, got shape {labels.shape}")
    if config.bulbs == 1:
        return (labels == config.digit).astype(np.float32)[:, None]  # (n, 1)
    return (labels[:, None] == np.arange(10)).astype(np.float32)  # (n, 10) one-hot


def init_knobs(config: Config, rng: np.random.Generator) -> np.ndarray:
    """Random knobs as Keras starts a Dense layer: Glorot-uniform weights, zero bias.

    Returns (n_in, bulbs) float32: (785, bulbs) with direct wiring.
    """
    k, n_weights = config.bulbs, config.n_inputs - 1
    limit = math.sqrt(6.0 / (n_weights + k))
    params = np.zeros((n_weights + 1, k), dtype=np.float32)
    params[:n_weights] = rng.uniform(-limit, limit, size=(n_weights, k))
    return params


def check_params(params: np.ndarray, bulbs: int | None = None,
                 n_inputs: int = N_INPUTS) -> np.ndarray:
    """Validate a knob array at the boundary; returns it as float32 (n_inputs, k): 785
    rows with direct wiring (:attr:`Config.n_inputs` in general)."""
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[0] != n_inputs or params.shape[1] not in (1, 10):
        raise ValueError(f"knobs must have shape ({n_inputs}, 1) or ({n_inputs}, 10), "
                         f"got {params.shape}")
    if bulbs is not None and params.shape[1] != bulbs:
        raise ValueError(f"knobs are for {params.shape[1]} bulb(s), the machine has {bulbs}")
    if not np.isfinite(params).all():
        raise ValueError("knobs contain NaN or infinite values")
    return params.astype(np.float32, copy=False)


# ---------------------------------------------------------------------- the forward pass


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """The bulb's output for weighted sums z (n, k): a new array."""
    if activation == "none":
        return z.copy()
    if activation == "sigmoid":
        return _sigmoid(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Prediction:
    """What the machine says for a batch of pictures: one convention for every caller."""

    z: np.ndarray  # (n, k) float32 weighted sums
    output: np.ndarray  # (n, k) float32 bulb outputs (a threshold unit's: 0 or 1)
    answer: np.ndarray  # (n,) bool "it is the digit" (one bulb) or int digit (ten bulbs)

    def truth(self, labels: np.ndarray, config: Config) -> np.ndarray:
        """(n,) the right answers for these labels, comparable with ``answer``."""
        labels = np.asarray(labels)
        return labels if config.bulbs == 10 else labels == config.digit


LIT_ABOVE = 0.5  # a lone bulb is lit when its output is strictly above this


def threshold_lit(z):
    """A threshold unit's bulb: lit for a weighted sum above 0 (a float or an array)."""
    return z > 0.0


def verdict(is_target: bool, lit: bool) -> str:
    """The four outcomes of one bulb on one picture."""
    if is_target:
        return "hit" if lit else "miss"
    return "false alarm" if lit else "correct rejection"


def predict(params: np.ndarray, X: np.ndarray, config: Config) -> Prediction:
    """Weighted sums, outputs and answers for input rows X (n, 785) float32.

    The one place that decides whether a bulb is lit: output > 0.5 for one bulb (a
    threshold unit outputs 1 for z > 0, else 0), the brightest bulb for ten.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        z = X @ params  # (n, k)
        if config.threshold_unit:
            output = threshold_lit(z).astype(np.float32)
        else:
            output = activate(z, config.activation)
    if config.bulbs == 10:
        answer = (z if config.threshold_unit else output).argmax(axis=1)
    else:
        answer = output[:, 0] > LIT_ABOVE
    return Prediction(z, output, answer)


def loss_value(outputs: np.ndarray, Y: np.ndarray, config: Config) -> float:
    """Mean loss of outputs against targets, both (n, k). Cross-entropy is categorical
    after softmax and binary per bulb otherwise."""
    return float(np.mean(_loss_terms(outputs, Y, config)))


def loss_values(outputs: np.ndarray, Y: np.ndarray, config: Config) -> np.ndarray:
    """:func:`loss_value` of each column of outputs (n, N) against targets Y (n, 1): N runs
    of one bulb scored at once (the spread of seeds). Returns (N,) float64."""
    return np.mean(_loss_terms(outputs, Y, config), axis=0)


def _loss_terms(outputs: np.ndarray, Y: np.ndarray, config: Config) -> np.ndarray:
    """Each picture's loss per bulb (per picture, summed over the bulbs, for categorical
    cross-entropy), float64: their mean is the loss."""
    diff = outputs.astype(np.float64) - Y
    with np.errstate(over="ignore", invalid="ignore"):
        if config.loss == "mse":
            return np.square(diff)
        if config.loss == "mae":
            return np.abs(diff)
        p = np.clip(outputs, CE_EPS, 1 - CE_EPS).astype(np.float64)
        if config.activation == "softmax":
            return -np.sum(Y * np.log(p), axis=1, keepdims=True)
        return -(Y * np.log(p) + (1 - Y) * np.log1p(-p))


@dataclass(frozen=True)
class Metrics:
    loss: float
    accuracy: float
    n: int


def evaluate(params: np.ndarray, X: np.ndarray, labels: np.ndarray, config: Config) -> Metrics:
    """Loss and accuracy of the knobs on input rows X (n, 785) float32 from
    :func:`prepare_inputs`: one matrix expression."""
    if X.ndim != 2 or X.shape[1] != len(params):
        raise ValueError(f"inputs must have shape (n, {len(params)}), got {X.shape}")
    if len(X) != len(labels):
        raise ValueError(f"{len(X)} input rows but {len(labels)} labels")
    if len(X) == 0:
        return Metrics(float("nan"), float("nan"), 0)
    p = predict(params, X, config)
    accuracy = float(np.mean(p.answer == p.truth(labels, config)))
    if config.threshold_unit:  # a threshold unit has no loss: its share of mistakes
        return Metrics(1.0 - accuracy, accuracy, len(X))
    return Metrics(loss_value(p.output, make_targets(labels, config), config), accuracy, len(X))


SCORE_CHUNK = 1024  # rows scored at a time: 3 MB of float32, so that two scorers (one per
#                     core) keep their chunks in the shared 16 MB cache together


def evaluate_chunked(params, source: np.ndarray, labels, config: Config,
                     chunk: int = SCORE_CHUNK, before_chunk=None, hidden=None) -> Metrics:
    """:func:`evaluate` a chunk at a time: the one chunked scorer.

    ``source`` is either pictures, (n, 28, 28) or (n, 784) pixel values 0..255, prepared a
    chunk at a time into one reused buffer (so that the training set never exists as
    float32), or input rows (n, n_in) already prepared, scored in place (pictures reach
    the knobs through the wiring: :func:`simulator.wiring.knob_rows`, with ``hidden`` the
    hidden layer's weights for that wiring). ``before_chunk``,
    if given, is called before each chunk (the window's scorer waits there while a frame
    is drawn).
    """
    source = np.asarray(source)
    prepared = source.ndim == 2 and source.shape[1] == len(params) and (
        source.dtype == np.float32 or config.wiring == "plugboard")  # A-units' 0/1 rows
    wired = not prepared and config.wiring != "direct"
    if not (prepared or wired):
        source = _check_images(source)
        X = np.empty((max(1, min(chunk, len(source))), N_INPUTS), np.float32)  # (chunk, 785)
    parts = []
    for i in range(0, len(source), chunk):
        if before_chunk is not None:
            before_chunk()
        b = min(chunk, len(source) - i)
        if prepared:
            rows = source[i : i + b].astype(np.float32, copy=False)
        elif wired:
            rows = wiring.knob_rows(config, source[i : i + b], hidden)
        else:
            rows = fill_inputs(X[:b], source[i : i + b], config.scale)
        parts.append(evaluate(params, rows, labels[i : i + b], config))
    return combine_metrics(parts)


def combine_metrics(parts: list[Metrics]) -> Metrics:
    """The metrics of several parts of a data set, as one (weighted by their sizes). The
    accuracy is the count of right answers over all the parts, whole: the same however
    the set was cut."""
    parts = [p for p in parts if p.n]
    n = sum(p.n for p in parts)
    if n == 0:
        return Metrics(float("nan"), float("nan"), 0)
    right = round(sum(p.accuracy * p.n for p in parts))  # each part's count, summed
    return Metrics(sum(p.loss * p.n for p in parts) / n, right / n, n)


def baseline_accuracy(labels: np.ndarray, digit: int = 5, bulbs: int = 1) -> float:
    """The score of a machine that learned nothing: a lone bulb that never lights gets the
    share of pictures that are not ``digit``; ten bulbs that always name the commonest
    digit get that digit's share."""
    labels = np.asarray(labels)
    if bulbs == 10:
        return float(np.bincount(labels, minlength=10).max() / max(len(labels), 1))
    return float(np.mean(labels != digit))


def at_base_rate(accuracy: float, baseline: float, n: int) -> bool:
    """A score that is the base rate to within one of the n pictures: a bulb that (all but)
    never lights, frozen there (a saturated sigmoid on raw pixels)."""
    return abs(accuracy - baseline) <= 1.0 / n + 1e-12


# ------------------------------------------------------------------- gradient descent


class TrainingDiverged(RuntimeError):
    """Raised when a loss or knob becomes NaN/infinite; the knobs were rolled back."""


def make_output_delta(config: Config, input_scale: float = 1.0):
    """A function ``delta(z, Y, a, d, t)`` for these switches: it writes the outputs into
    a and dL/dz of the batch mean loss into d, for a batch of weighted sums z.

    z, Y, a, d, t are (b, k) or, for one bulb, (b,) float32 buffers (t is scratch);
    everything happens in place, since this is the inner loop of training. The switches
    are resolved here, once. With ``input_scale`` s, z is the sum over *unscaled* inputs:
    the true weighted sum is s z, and d comes out multiplied by s, ready for the
    unscaled inputs' transpose (this saves scaling every batch's 25,000 inputs).
    """
    act, loss, k = config.activation, config.loss, config.bulbs
    categorical = loss == "ce" and act == "softmax"
    fused = loss == "ce" and act != "none"  # sigmoid/softmax + cross-entropy: a - y
    s = np.float32(input_scale)
    activate_into = {"none": _identity_into, "sigmoid": _sigmoid_into,
                     "softmax": _softmax_into}[act]
    loss_grad = None if fused else {"mse": _mse_grad, "mae": _mae_grad, "ce": _bce_grad}[loss]
    chain = {"none": None, "sigmoid": _sigmoid_chain, "softmax": _softmax_chain}[act]
    means = {}  # batch length -> the loss's 1/n (times the scales), a float32 made once

    def delta(z, Y, a, d, t):
        activate_into(a, z, s)
        n = len(z)
        mean = means.get(n)
        if mean is None:
            mean = means[n] = s / np.float32(n if categorical else n * k)
        _sub(a, Y, d)
        if fused:
            _mul(d, mean, d)
            return
        loss_grad(d, a, t, mean)
        if chain is not None:
            chain(d, a, t)

    return delta


# The pieces of delta(). Ufuncs are called with a positional ``out``: in a loop of
# 2,000 steps an epoch, each of these calls is mostly interpreter overhead.
_mul, _add, _sub, _div = np.multiply, np.add, np.subtract, np.divide


def _identity_into(a, z, s):
    _mul(z, s, a)


def _sigmoid_into(a, z, s):
    _mul(z, -s, a)
    np.exp(a, a)
    _add(a, 1.0, a)
    np.reciprocal(a, a)


def _softmax_into(a, z, s):  # shifted by the row maximum so that exp cannot overflow
    _mul(z, s, a)
    _sub(a, a.max(axis=1, keepdims=True), a)
    np.exp(a, a)
    _div(a, a.sum(axis=1, keepdims=True), a)


def _mse_grad(d, a, t, mean):  # d holds a - y
    _mul(d, 2 * mean, d)


def _mae_grad(d, a, t, mean):
    np.sign(d, d)
    _mul(d, mean, d)


def _bce_grad(d, a, t, mean):  # cross-entropy on a raw output: no gradient where clipped
    np.clip(a, CE_EPS, 1 - CE_EPS, out=t)
    inside = t == a
    _mul(t, 1 - t, t)
    _div(d, t, d)
    _mul(d, mean * inside, d)


def _sigmoid_chain(d, a, t):  # da/dz = a (1 - a)
    _mul(d, a, d)
    _sub(1.0, a, t)
    _mul(d, t, d)


def _softmax_chain(d, a, t):  # Jacobian-vector product: a * (d - sum(d * a))
    _mul(d, a, t)
    _sub(d, t.sum(axis=1, keepdims=True), d)
    _mul(d, a, d)


_ONE_MINUS_B1, _ONE_MINUS_B2 = np.float32(1 - ADAM_B1), np.float32(1 - ADAM_B2)
_EPS32 = np.float32(ADAM_EPS)


class Adam:
    """Adam's state for knobs of one shape, and its move: the one Adam of every trainer.

    The caller writes the gradient into ``g``, calls ``move(steps, lr)`` at step ``steps``
    (from 1) and takes ``u``, the move, from the knobs. Keras's float32 arithmetic, in
    Keras's order (the roundings matter to a saturated sigmoid: see the module's docstring):
    m += (1 - b1) (g - m); v += (1 - b2) (g^2 - v); u = alpha m / (sqrt(v) + eps). The two
    moments are stacked, ``mv`` = [m, v] (2, *shape), beside [g, g^2], so that both move in
    one ufunc call per operation: the same float32 operations on the same values, in fewer
    calls (each mostly interpreter overhead in a loop of 2,000 steps an epoch).
    """

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.mv = np.zeros((2, *shape), np.float32)  # [m, v]
        gg = np.zeros((2, *shape), np.float32)  # [g, g^2]
        self.m, self.v = self.mv
        self.g = gg[0]
        self.u = np.zeros(shape, np.float32)
        self.move = self._make_move(gg)

    def _make_move(self, gg):
        mv, (g, g2), m, v, u = self.mv, gg, self.m, self.v, self.u
        moves, one_minus_b = np.empty_like(mv), np.empty_like(mv)
        one_minus_b[0], one_minus_b[1] = _ONE_MINUS_B1, _ONE_MINUS_B2
        square, sqrt = np.square, np.sqrt

        def move(steps: int, lr: float) -> None:
            alpha = lr * math.sqrt(1 - ADAM_B2**steps) / (1 - ADAM_B1**steps)
            square(g, g2)
            _sub(gg, mv, moves)  # [g - m, g^2 - v]
            _mul(moves, one_minus_b, moves)
            _add(mv, moves, mv)
            sqrt(v, u)  # the move: alpha m / (sqrt(v) + eps)
            _add(u, _EPS32, u)
            _div(m, u, u)
            _mul(u, alpha, u)  # a Python float: NumPy keeps float32

        return move


def descent_direction(params, X, labels, config: Config) -> np.ndarray:
    """The way gradient descent would turn each knob on these pictures: -dL/dparams.

    X (n, 785) float32 inputs from :func:`prepare_inputs`, labels (n,). Returns (785, k)
    float32 (the ghost needles).
    """
    Y = make_targets(labels, config)
    z = X @ params
    a, d, t = np.empty_like(z), np.empty_like(z), np.empty_like(z)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        make_output_delta(config)(z, Y, a, d, t)
        return -(X.T @ d)


class EpochBookkeeping:
    """What every trainer says about its epoch, from ``n_train``, ``batch_size``, ``epoch``
    and ``position`` (the engine's trainer, the spread of seeds, trial and error)."""

    @property
    def n_train(self) -> int:
        return len(self.labels)

    @property
    def batch_size(self) -> int:
        return self.config.batch_size

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.n_train // self.batch_size)

    @property
    def epoch_progress(self) -> float:
        return self.position / self.n_train

    def run_epoch(self, on_batches=None) -> None:
        """Train until the epoch under way is finished. ``on_batches(n)``, if given, hears
        the number of batches just done, about :data:`PROGRESS_STEPS` times an epoch (a
        progress bar)."""
        target = self.epoch + 1
        chunk = 1 << 30 if on_batches is None else \
            max(1, self.batches_per_epoch // PROGRESS_STEPS)
        while self.epoch < target:
            done = self.step(chunk)
            if on_batches is not None:
                on_batches(done)


class Trainer(EpochBookkeeping):
    """Turns the knobs ``params`` (785, k) float32 in place, a few batches at a time.

    One code path for every caller: the desktop machine calls :meth:`step` between frames
    with a handful of batches, the command line calls :meth:`run_epoch`. The knobs may be
    read (or turned by hand) between calls.

    Parameters
    ----------
    config : the switches; validated here.
    images : (n, 28, 28) uint8 training pictures (pixel values 0..255).
    labels : (n,) digit labels.
    params : (n_in, k) float32 knobs ((785, k) with direct wiring), shared and modified
        in place; None for fresh knobs (:meth:`fresh_knobs`: random from ``config.seed``).

    With the plugboard's wiring the knobs weigh the association units' 0/1 outputs
    (:mod:`simulator.wiring`), fired once for all the training pictures: the same loop
    then trains them, on (n, 513) rows instead of (n, 785).
    """

    hidden = None  # the hidden layer's weights (only a trainer of that wiring has one)

    per_picture = False  # steps are pictures, not batches (the window's narration)

    def __init__(self, config: Config, images: np.ndarray, labels: np.ndarray, params=None):
        self.config = config.validate()
        images, self.labels = training_set(images, labels, config)
        self.input_scale = config.scale  # pixel -> knob input (A-units: 0/1 already)
        if config.wiring == "plugboard":
            self.input_scale = 1.0
            self.rows = wiring.plugboard_of(config).rows(images)  # (n, units + 1) uint8
            if self.batch_size > SMALL_BATCH:
                self.rows = self.rows.astype(np.float32)
        elif self.batch_size <= SMALL_BATCH:
            # Random small batches: gather uint8 rows (a quarter of float32's memory
            # traffic, the costliest part of a step) and convert them per batch.
            self.rows = _pixel_rows(images, config.scale)  # (n, 785) uint8
        else:
            # Large batches: stream float32 rows through BLAS; the full batch needs no
            # gather at all (a sum does not care about the order).
            self.rows = prepare_inputs(images, config.scale)  # (n, 785) float32
        self.Y = make_targets(self.labels, config)  # (n, k) float32
        self.rng = np.random.default_rng(config.seed)
        if params is None:
            params = self.fresh_knobs(config, self.rng)
        self.params = check_params(params, config.bulbs, config.n_inputs)
        self.epoch = 0  # finished epochs
        self.position = 0  # pictures done in the epoch under way
        self.order = None  # this epoch's shuffled picture order, (n,) int64
        self.last_batch = np.arange(0)  # indices (into X) of the pictures just shown
        self.steps = 0  # optimizer steps taken (Adam's t)
        self._allocate()

    @staticmethod
    def fresh_knobs(config: Config, rng: np.random.Generator) -> np.ndarray:
        return init_knobs(config, rng)

    def _allocate(self) -> None:
        B, k = min(self.batch_size, self.n_train), self.config.bulbs
        whole_in_place = self.batch_size > SMALL_BATCH and B == self.n_train
        # (B, 785) the batch's inputs, unless a large batch reads every row in place
        self._xb = np.empty((1 if whole_in_place else B, len(self.params)), np.float32)
        self._yb, self._z, self._a, self._d, self._t = (
            np.empty((B, k), np.float32) for _ in range(5)
        )
        self._adam = Adam(self.params.shape)
        self._m, self._v = self._adam.m, self._adam.v
        self._snapshot = (self.params.copy(), self._m.copy(), self._v.copy(), self.steps)
        self._train_on = self._make_gd_step()

    def step(self, max_batches: int = 1) -> int:
        """Train on up to ``max_batches`` batches, never past the end of the epoch.

        Returns the number of batches done; when the epoch ends, ``epoch`` goes up and
        ``position`` returns to 0. Raises TrainingDiverged (knobs rolled back to the last
        finite state) if the knobs stop being finite.
        """
        if self.order is None:
            self.order = self.rng.permutation(self.n_train)
        order, n, B = self.order, self.n_train, self.batch_size
        start = self.position
        stop = min(n, start + max_batches * B)
        train_on, bounds = self._train_on, range(start, stop, B)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for s in bounds:
                train_on(order[s : s + B])
                if self.steps % GUARD_EVERY == 0:
                    self.position = s  # where a rollback leaves the epoch
                    self._guard()
        self.position = stop
        self._guard()
        if stop > start:
            self.last_batch = order[max(start, stop - B) : stop]
        if stop >= n:
            self.epoch, self.position, self.order = self.epoch + 1, 0, None
        return len(bounds)

    def _make_gd_step(self):
        """The inner loop of gradient descent as a closure over preallocated buffers:
        no attribute look-ups and no fresh arrays per batch."""
        rows, Y, params, config = self.rows, self.Y, self.params, self.config
        xb_full, yb_full, z_full, a_full, d_full, t_full = (
            self._xb, self._yb, self._z, self._a, self._d, self._t
        )
        adam_move, g, u = self._adam.move, self._adam.g, self._adam.u
        if config.bulbs == 1:  # (n, 1) columns as contiguous vectors: BLAS gemv, 1-d ufuncs
            Y, params, g, u = (arr[:, 0] for arr in (Y, params, g, u))
            yb_full, z_full, a_full, d_full, t_full = (
                arr[:, 0] for arr in (yb_full, z_full, a_full, d_full, t_full)
            )
        B, n_train = len(xb_full), self.n_train
        rb_full = np.empty((B, rows.shape[1]), np.uint8) if rows.dtype == np.uint8 else None
        dot = np.dot
        adam = config.optimizer == "adam"
        delta = make_output_delta(config, input_scale=self.input_scale)
        lr = config.lr
        # Adam exactly as Keras computes it in float32: a saturated sigmoid's gradients are
        # tiny, and whether it ever recovers hangs on these roundings (see the README).
        lr32 = np.float32(lr)

        def batch_gradient(idx):
            b = len(idx)
            if b == B:
                rb, xb, yb, z, a, d, t = rb_full, xb_full, yb_full, z_full, a_full, d_full, t_full
            else:  # the epoch's last, shorter batch
                rb, xb, yb, z, a, d, t = (
                    buf[:b] for buf in (rb_full, xb_full, yb_full, z_full, a_full, d_full, t_full)
                )
            rows.take(idx, 0, rb, "clip")  # indices are valid: skip the checks
            xb[...] = rb  # to float32, unscaled: delta() applies the input scale to z and d
            Y.take(idx, 0, yb, "clip")
            dot(xb, params, z)
            delta(z, yb, a, d, t)
            dot(xb.T, d, g)

        def large_gradient(idx):  # float32 rows, already scaled
            b = len(idx)
            if b == n_train:  # the full batch: all rows in place, no gather
                xb, yb = rows, Y
            else:
                xb, yb = xb_full[:b], yb_full[:b]
                rows.take(idx, 0, xb, "clip")
                Y.take(idx, 0, yb, "clip")
            z, a, d, t = z_full[:b], a_full[:b], d_full[:b], t_full[:b]
            dot(xb, params, z)
            unscaled_delta(z, yb, a, d, t)
            dot(xb.T, d, g)

        if self.batch_size <= SMALL_BATCH:
            gradient = batch_gradient
        else:
            gradient = large_gradient
            unscaled_delta = make_output_delta(config)

        def gd_step(idx):
            gradient(idx)
            self.steps = steps = self.steps + 1
            if not adam:
                _mul(g, lr32, u)
                _sub(params, u, params)
                return
            adam_move(steps, lr)
            _sub(params, u, params)

        return gd_step

    def _guard(self) -> None:
        if np.isfinite(self.params).all():
            saved, m, v, _ = self._snapshot
            np.copyto(saved, self.params)
            np.copyto(m, self._m)
            np.copyto(v, self._v)
            self._snapshot = (saved, m, v, self.steps)
            return
        saved, m, v, steps = self._snapshot
        np.copyto(self.params, saved)
        np.copyto(self._m, m)
        np.copyto(self._v, v)
        self.steps = steps
        raise TrainingDiverged(
            f"training diverged in epoch {self.epoch + 1}: a knob became NaN or infinite "
            f"(learning rate {self.config.lr:g}, {self.config.optimizer}, "
            f"{self.config.inputs} inputs); the knobs were rolled back to their last finite "
            "state. Try a smaller learning rate or unit inputs."
        )



class RosenblattTrainer(Trainer):
    """Rosenblatt's error-correction procedure (Principles of Neurodynamics, 1962): one
    picture at a time, a threshold unit, the knobs turned only on a wrong answer, by ``lr``
    times the picture. Given no knobs it starts from zero, as the procedure is stated (from
    zero knobs the step's size does not change what it learns)."""

    per_picture = True

    @staticmethod
    def fresh_knobs(config: Config, rng: np.random.Generator) -> np.ndarray:
        return np.zeros((config.n_inputs, config.bulbs), np.float32)

    @property
    def batch_size(self) -> int:
        return 1

    def _make_gd_step(self):
        return self._picture_step

    def _picture_step(self, idx: np.ndarray) -> None:
        i = idx[0]
        x, lr = self._xb[0], self.config.lr
        np.multiply(self.rows[i], np.float32(self.input_scale), out=x)  # (n_in,) float32
        self.steps += 1
        if self.config.bulbs == 1:
            lit = threshold_lit(float(x @ self.params[:, 0]))
            error = self.Y[i, 0] - lit  # +1 missed a digit, -1 false alarm, 0 right
            if error:
                self.params[:, 0] += np.float32(lr * error) * x
            return
        answer, truth = int(np.argmax(x @ self.params)), int(self.labels[i])
        if answer != truth:
            self.params[:, truth] += np.float32(lr) * x
            self.params[:, answer] -= np.float32(lr) * x
