"""Spread seeds: N seeds of the same switches trained together, in one vectorised pass.

A run of gradient descent depends on its seed twice: the seed draws the starting knobs
(:func:`engine.init_knobs` from ``np.random.default_rng(seed)``) and then, from the same
generator, one picture order per epoch. :class:`SeedSpread` trains N such runs at once.
Seed i's run is, bit for bit, the run ``engine.Trainer(replace(config, seed=seeds[i]),
images, labels)`` would make: the same draws from the same generator, the same batches,
the same float32 operations in the same order (the engine's output delta and Keras's Adam),
and the same BLAS calls (a stacked ``np.matmul`` calls one ``sgemv`` per seed, of the same
shape and strides as the single run's ``np.dot``). Only the Python around them is shared:

    idx    (N, B)        this step's picture indices, one row per seed
    xb     (N, B, 785)   rows[idx] as float32 (unscaled pixels; the scale is folded into z)
    z      (N, B)        xb @ knobs, per seed        np.matmul(xb, P[:, :, None])
    d      (N, B)        dL/dz (engine.make_output_delta, on the transposed (B, N) view)
    g      (N, 785)      xb^T @ d, per seed          np.matmul(xb^T, d[:, :, None])
    Adam on (N, 785): engine.Adam, all seeds in each ufunc call

The seeds share the step counter (they take the same number of batches), so Adam's
step size ``lr_t`` is one float for all of them.

Where the time goes (10 seeds, batch 32, full MNIST): a single run's step is mostly
Python's overhead around small NumPy calls, which the spread pays once for all seeds; the
spread's step is mostly memory traffic that grows with N: gathering N x B random rows of
785 bytes (each a trip to main memory), converting them to float32 (1 MB), reading them
twice (forward and gradient), and Adam over (N, 785). Each step's picture indices and
targets are laid out once an epoch as contiguous blocks, so the step reads them in place.
``benchmarks/bench_spread.py`` measures it against a single run.

NumPy only. One bulb and gradient descent only: :func:`check_config` says why anything
else is refused.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from . import engine
from .config import Config
from .dims import N_INPUTS
from .engine import GUARD_EVERY, SMALL_BATCH, Metrics, TrainingDiverged

MAX_SEEDS = 1000  # a spread is N runs in memory at once; more than this is a mistake


def check_config(config: Config) -> Config:
    """Validate ``config`` for a spread of seeds; ValueError says what is not supported."""
    config = config.validate()
    if config.rule != "gd":
        raise ValueError(f"spread seeds trains gradient descent only (rule gd), not the "
                         f"{config.rule} rule")
    if config.bulbs != 1:
        raise ValueError("spread seeds trains one bulb only (bulbs 1), not ten bulbs")
    if config.wiring != "direct":
        raise ValueError(f"spread seeds trains direct wiring only, not {config.wiring}")
    if config.batch_size > SMALL_BATCH:
        raise ValueError(f"spread seeds takes batch sizes up to {SMALL_BATCH}, "
                         f"got {config.batch_size}")
    return config


def parse_seeds(text: str) -> list[int]:
    """Seeds from the command line's words: a range ``0-9`` (both ends included), a list
    ``0,3,7``, or both (``0-4,9``). ValueError naming the value when it is not one."""
    seeds: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise ValueError(f"not a seed, a range like 0-9 or a list like 0,3,7: {text!r}")
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) is not None else low
        if high < low:
            raise ValueError(f"the range {part!r} runs backwards in {text!r}")
        if len(seeds) + high - low + 1 > MAX_SEEDS:
            raise ValueError(f"more than {MAX_SEEDS} seeds in {text!r}")
        seeds.extend(range(low, high + 1))
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise ValueError(f"seed {twice[0]} appears twice in {text!r}")
    return seeds


class SeedSpread(engine.EpochBookkeeping):
    """Trains N seeds of one set of switches together, the knobs of all in one array.

    The interface is :class:`engine.Trainer`'s (``step(n)``, ``run_epoch()``, ``epoch``,
    ``position``, ``epoch_progress``, ``n_train``, ``batches_per_epoch``, ``last_batch``),
    for N runs that step together: same epoch, same position, one batch each per step.

    Parameters
    ----------
    config : the switches; ``config.seed`` is ignored (see ``seeds``). Gradient descent with
        one bulb and batches up to 1024 (:func:`check_config`), else ValueError.
    images : (n, 28, 28) or (n, 784) uint8 training pictures (pixel values 0..255).
    labels : (n,) digit labels.
    seeds : the N seeds, distinct non-negative whole numbers.
    params : None for each seed's own fresh knobs (drawn from its generator, as a single
        run draws them); or (785, N) knobs, column i the starting knobs of seed i (copied:
        the array given is not modified). As in a single run given knobs, no knobs are
        drawn, so each seed's picture orders are the first draws of its generator.

    Attributes
    ----------
    params : (785, N) float32, column i the knobs of ``seeds[i]``: a view of the knobs being
        trained (writes to it turn them; the array is F-ordered: each seed's knobs are
        contiguous, as a single run's are).
    seeds : list[int]
    steps : optimizer steps taken (Adam's t), shared by every seed.
    """

    def __init__(self, config: Config, images: np.ndarray, labels: np.ndarray,
                 seeds: list[int], params=None, knobs_out: np.ndarray | None = None):
        self.config = config = check_config(config)
        self.seeds = _check_seeds(seeds)
        N = len(self.seeds)
        images, self.labels = engine.training_set(images, labels, config)
        self.rows = engine._pixel_rows(images, config.scale)  # (n, 785) uint8
        self.Y = np.ascontiguousarray(engine.make_targets(self.labels, config)[:, 0])  # (n,)
        self._rngs = [np.random.default_rng(s) for s in self.seeds]
        # (N, 785): row i is seed i's knobs; knobs_out (shared memory) may hold them
        knobs = np.empty((N, N_INPUTS), np.float32) if knobs_out is None else knobs_out
        assert knobs.shape == (N, N_INPUTS) and knobs.dtype == np.float32 and \
            knobs.flags.c_contiguous, f"knobs_out must be ({N}, 785) float32, C-ordered"
        if params is None:
            for i, (seed, rng) in enumerate(zip(self.seeds, self._rngs, strict=True)):
                knobs[i] = engine.Trainer.fresh_knobs(replace(config, seed=seed), rng)[:, 0]
        else:
            params = np.asarray(params)
            if params.shape != (N_INPUTS, N):
                raise ValueError(f"knobs for {N} seeds must have shape ({N_INPUTS}, {N}), "
                                 f"got {params.shape}")
            if not np.isfinite(params).all():
                raise ValueError("knobs contain NaN or infinite values")
            knobs[...] = params.T
        self._knobs = knobs
        self.epoch = 0  # finished epochs
        self.position = 0  # pictures done in the epoch under way
        self.orders = None  # this epoch's picture orders, (N, n) int64, row i seed i's
        self._step_orders = self._step_targets = None  # the same, batch by batch
        self.last_batch = np.zeros((N, 0), np.int64)  # (N, b) the pictures just shown
        self.steps = 0
        self._allocate()

    # ------------------------------------------------------------------ the interface

    @property
    def params(self) -> np.ndarray:
        """(785, N) float32, column i seed i's knobs (a view: shared, not a copy)."""
        return self._knobs.T

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    def knobs(self, i: int) -> np.ndarray:
        """Seed ``seeds[i]``'s knobs as a single run keeps them: a (785, 1) float32 copy."""
        return self._knobs[i].reshape(N_INPUTS, 1).copy()

    def config_of(self, i: int) -> Config:
        """The switches of seed ``seeds[i]``'s run: this config with its seed."""
        return replace(self.config, seed=self.seeds[i])

    def step(self, max_batches: int = 1) -> int:
        """Train every seed on up to ``max_batches`` batches, never past the end of the
        epoch. Returns the number of batches done (the same for every seed); when the
        epoch ends, ``epoch`` goes up and ``position`` returns to 0. Raises
        TrainingDiverged, naming the seeds, if a knob stops being finite (every seed's
        knobs rolled back to the last state where all were finite)."""
        if self.orders is None:
            self._new_epoch()
        n, B = self.n_train, self.batch_size
        start = self.position
        stop = min(n, start + max(0, max_batches) * B)
        train_batches = self._train_batches
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            s = start
            while s < stop:  # the batches up to the next check of the knobs, in one call
                count = min(-(-(stop - s) // B), GUARD_EVERY - self.steps % GUARD_EVERY)
                last = train_batches(s, count)
                s = min(stop, s + count * B)
                if self.steps % GUARD_EVERY == 0:
                    self.position = last  # where a rollback leaves the epoch
                    self._guard()
        self.position = stop
        self._guard()
        if stop > start:
            self.last_batch = self.orders[:, max(start, stop - B) : stop]
        if stop >= n:
            self.epoch, self.position, self.orders = self.epoch + 1, 0, None
            self._step_orders = self._step_targets = None
        return len(range(start, stop, B))

    def _new_epoch(self) -> None:
        """Each seed's picture order for the epoch (one draw from its generator, as its
        single run draws it), and, batch by batch, the indices and targets the steps read
        as contiguous blocks: (batches, N, B) indices and (batches, B, N) targets."""
        n, B, N = self.n_train, self.batch_size, self.n_seeds
        self.orders = np.stack([rng.permutation(n) for rng in self._rngs])  # (N, n)
        full = n // B  # whole batches; a shorter last one reads self.orders
        by_batch = self.orders[:, : full * B].reshape(N, full, B)
        self._step_orders = np.ascontiguousarray(by_batch.transpose(1, 0, 2))
        self._step_targets = np.ascontiguousarray(self.Y[by_batch].transpose(1, 2, 0))

    # ------------------------------------------------------------------ the inner loop

    def _allocate(self) -> None:
        N, B = self.n_seeds, min(self.batch_size, self.n_train)
        self._z, self._a, self._d, self._t = (np.empty((N, B), np.float32) for _ in range(4))
        self._rb = np.empty((N, B, N_INPUTS), np.uint8)  # the batch's rows, gathered
        self._xb = np.empty((N, B, N_INPUTS), np.float32)  # ... and converted
        # the epoch's last, shorter batch: contiguous (N, b, 785) views of these
        self._rb_flat = np.empty(N * B * N_INPUTS, np.uint8)
        self._xb_flat = np.empty(N * B * N_INPUTS, np.float32)
        self._adam = engine.Adam((N, N_INPUTS))  # every seed's moments in one array
        self._m, self._v = self._adam.m, self._adam.v
        self._snapshot = (self._knobs.copy(), self._m.copy(), self._v.copy(), self.steps)
        self._train_batches = self._make_gd_loop()

    def _make_gd_loop(self):
        """``train_batches(s, count)``: ``count`` steps for every seed from picture ``s``
        of the epoch, as a closure over preallocated buffers (the engine's
        Trainer._make_gd_step with a seed axis in front): no fresh arrays and no
        attribute look-ups per batch. Returns where the last batch began."""
        config, knobs, rows = self.config, self._knobs, self.rows
        adam_move, g, u = self._adam.move, self._adam.g, self._adam.u
        z_full, a_full, d_full, t_full = self._z, self._a, self._d, self._t
        rb_full, xb_full, rb_flat, xb_flat = self._rb, self._xb, self._rb_flat, self._xb_flat
        N, B = z_full.shape
        n_train = self.n_train
        matmul, copyto, _mul, _sub = np.matmul, np.copyto, np.multiply, np.subtract
        k3, g3 = knobs[:, :, None], g[:, :, None]  # (N, 785, 1): one gemv per seed
        # delta() works on (b, k) arrays and takes the batch length from len(z): it gets
        # (b, N) transposed views, so that len(z) is the batch and each seed is a bulb
        xbT, zT, aT, dT, tT = (xb_full.transpose(0, 2, 1), z_full.T, a_full.T, d_full.T,
                               t_full.T)
        z3, d3 = z_full[:, :, None], d_full[:, :, None]
        delta = engine.make_output_delta(config, input_scale=config.scale)
        adam, lr = config.optimizer == "adam", config.lr
        lr32 = np.float32(lr)

        def move():  # the step's turn of the knobs, from the gradient g
            self.steps = steps = self.steps + 1
            if not adam:
                _mul(g, lr32, u)
                _sub(knobs, u, knobs)
                return
            adam_move(steps, lr)
            _sub(knobs, u, knobs)

        def short_batch(s):  # the epoch's last, shorter batch: contiguous (N, b, 785)
            b = n_train - s
            rb = rb_flat[: N * b * N_INPUTS].reshape(N, b, N_INPUTS)
            xb = xb_flat[: N * b * N_INPUTS].reshape(N, b, N_INPUTS)
            idx = self.orders[:, s:]
            rows.take(idx, 0, rb, "clip")
            copyto(xb, rb)
            matmul(xb, k3, z_full[:, :b, None])
            delta(z_full[:, :b].T, self.Y[idx].T, a_full[:, :b].T, d_full[:, :b].T,
                  t_full[:, :b].T)
            matmul(xb.transpose(0, 2, 1), d_full[:, :b, None], g3)
            move()

        def train_batches(s, count):
            first = s // B
            orders, targets = self._step_orders, self._step_targets
            for i in range(first, min(first + count, len(orders))):
                rows.take(orders[i], 0, rb_full, "clip")  # valid indices: no checks
                copyto(xb_full, rb_full)  # to float32, unscaled: delta() applies the scale
                matmul(xb_full, k3, z3)  # z = xb @ knobs, seed by seed
                delta(zT, targets[i], aT, dT, tT)
                matmul(xbT, d3, g3)  # g = xb^T @ d, seed by seed
                move()
            last = (first + count - 1) * B
            if last >= len(orders) * B and last < n_train:
                short_batch(last)
            return last

        return train_batches

    def _guard(self) -> None:
        finite = np.isfinite(self._knobs)
        if finite.all():
            saved, m, v, _ = self._snapshot
            np.copyto(saved, self._knobs)
            np.copyto(m, self._m)
            np.copyto(v, self._v)
            self._snapshot = (saved, m, v, self.steps)
            return
        bad = [self.seeds[i] for i in np.flatnonzero(~finite.all(axis=1))]
        saved, m, v, steps = self._snapshot
        np.copyto(self._knobs, saved)
        np.copyto(self._m, m)
        np.copyto(self._v, v)
        self.steps = steps
        c = self.config
        which = f"seed {bad[0]}" if len(bad) == 1 else \
            "seeds " + ", ".join(str(s) for s in bad)
        exc = TrainingDiverged(
            f"training diverged in epoch {self.epoch + 1} for {which}: a knob became NaN or "
            f"infinite (learning rate {c.lr:g}, {c.optimizer}, {c.inputs} inputs); every "
            "seed's knobs were rolled back to their last finite state. Try a smaller "
            "learning rate or unit inputs."
        )
        exc.seeds = bad
        raise exc


def _check_seeds(seeds) -> list[int]:
    seeds = list(seeds)
    if not seeds:
        raise ValueError("no seeds: a spread needs at least one")
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"at most {MAX_SEEDS} seeds at once, got {len(seeds)}")
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
            raise ValueError(f"seeds must be non-negative whole numbers, got {s!r}")
        out.append(int(s))
    if len(set(out)) != len(out):
        twice = next(s for s in out if out.count(s) > 1)
        raise ValueError(f"seed {twice} appears twice")
    return out


# ------------------------------------------------------------------------ scoring


def evaluate_seeds(params: np.ndarray, X: np.ndarray, labels: np.ndarray,
                   config: Config) -> list[Metrics]:
    """Loss and accuracy of each seed's knobs (the columns of ``params``, (785, N)) on
    input rows X (n, 785) float32: one matrix product ``X @ params`` for all seeds.

    The bulb is lit as :func:`engine.predict` lights it (output above 0.5). The weighted
    sums come from one sgemm rather than a sgemv per seed, so they may differ from
    :func:`engine.evaluate`'s in the last bit; the scores practically never do.
    """
    if X.ndim != 2 or X.shape[1] != N_INPUTS:
        raise ValueError(f"inputs must have shape (n, 785), got {X.shape}")
    if len(X) != len(labels):
        raise ValueError(f"{len(X)} input rows but {len(labels)} labels")
    N = params.shape[1]
    if len(X) == 0:
        return [Metrics(float("nan"), float("nan"), 0) for _ in range(N)]
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = engine.activate(X @ params, config.activation)  # (n, N)
    truth = np.asarray(labels) == config.digit
    lit = outputs > engine.LIT_ABOVE  # (n, N)
    accuracy = np.mean(lit == truth[:, None], axis=0)  # (N,)
    losses = engine.loss_values(outputs, engine.make_targets(labels, config), config)  # (N,)
    return [Metrics(float(loss), float(acc), len(X))
            for loss, acc in zip(losses, accuracy, strict=True)]


def evaluate_seeds_chunked(params: np.ndarray, images: np.ndarray, labels: np.ndarray,
                           config: Config, chunk: int = engine.SCORE_CHUNK) -> list[Metrics]:
    """:func:`evaluate_seeds` on pictures (n, 28, 28) or (n, 784), a chunk at a time
    through one reused float32 buffer (shared by every seed)."""
    images = engine._check_images(images)
    X = np.empty((max(1, min(chunk, len(images))), N_INPUTS), np.float32)
    parts = []
    for i in range(0, len(images), chunk):
        b = min(chunk, len(images) - i)
        rows = engine.fill_inputs(X[:b], images[i : i + b], config.scale)
        parts.append(evaluate_seeds(params, rows, labels[i : i + b], config))
    N = params.shape[1]
    if not parts:
        return [Metrics(float("nan"), float("nan"), 0) for _ in range(N)]
    return [engine.combine_metrics([p[j] for p in parts]) for j in range(N)]
