"""The hidden layer, trained end to end: the tutorial's next model. NumPy only.

Between the retina and the knobs sit ``H`` hidden units (100 by default), each a weighted
sum of the pictures' pixels through a ReLU; the knobs weigh the hidden units' outputs.
Gradient descent turns both layers at once (backpropagation):

    h = relu(X @ W1)            X (B, 785) with the constant 1 last; W1 (785, H)
    z = h @ W2[:H] + W2[H]      W2 = the knobs (H + 1, k), their bias last
    a = activation(z)           as for direct wiring (sigmoid; softmax for ten bulbs)
    d = dL/dz                   engine.make_output_delta: the same losses
    gW2 = [h, 1]^T d            dh = (d @ W2[:H]^T) * (h > 0)          gW1 = X^T dh

and Adam (or SGD) turns W1 and W2 as the engine turns the knobs: the same float32 steps,
as Keras computes them. Adam's moments of both layers live in one flat buffer, so each
step's update is one set of array operations over all 79,500 numbers.
"""

from __future__ import annotations

import numpy as np

from .engine import SMALL_BATCH, Adam, Trainer, TrainingDiverged, make_output_delta
from .wiring import check_hidden, init_hidden, n_units


class HiddenTrainer(Trainer):
    """Trains the hidden layer ``hidden`` (785, H) and the knobs ``params`` (H + 1, k),
    both float32 and turned in place, a few batches at a time (the engine's interface:
    ``step``, ``run_epoch``, ``epoch``, ``position``, ``last_batch``).

    ``hidden`` None: Glorot-uniform from the seed's stream (after the knobs' draw).
    """

    def __init__(self, config, images, labels, params=None, hidden=None) -> None:
        if config.wiring != "hidden":
            raise ValueError(f"HiddenTrainer trains the hidden wiring, not {config.wiring}")
        self._given_hidden = hidden
        super().__init__(config, images, labels, params)

    def _allocate(self) -> None:
        config, units = self.config, n_units(self.config)
        hidden = self._given_hidden
        self.hidden = check_hidden(hidden if hidden is not None else
                                   init_hidden(config, self.rng), units)
        del self._given_hidden
        W1, W2 = self.hidden, self.params
        B, k = min(self.batch_size, self.n_train), config.bulbs
        self._xb = np.empty((B, W1.shape[0]), np.float32)  # (B, 785) the batch's pixels
        self._rb = np.empty((B, W1.shape[0]), np.uint8) if self.rows.dtype == np.uint8 else None
        self._h = np.empty((B, units), np.float32)  # hidden outputs
        self._dh = np.empty((B, units), np.float32)
        self._on = np.empty((B, units), bool)  # ReLU's gate: h > 0
        self._yb, self._z, self._a, self._d, self._t = (
            np.empty((B, k), np.float32) for _ in range(5))
        n1, n2 = W1.size, W2.size
        self._adam = Adam((n1 + n2,))  # one flat state for both layers
        self._m, self._v = self._adam.m, self._adam.v
        self._snapshot = (W1.copy(), W2.copy(), self._m.copy(), self._v.copy(), self.steps)
        self._train_on = self._make_gd_step()

    def _make_gd_step(self):
        rows, Y, W1, W2, config = self.rows, self.Y, self.hidden, self.params, self.config
        H, n1 = W1.shape[1], W1.size
        adam_move, g, u = self._adam.move, self._adam.g, self._adam.u
        g1, g2 = g[:n1].reshape(W1.shape), g[n1:].reshape(W2.shape)  # views: one flat g
        u1, u2 = u[:n1].reshape(W1.shape), u[n1:].reshape(W2.shape)
        W2w, b2, g2w, g2b = W2[:H], W2[H], g2[:H], g2[H]
        bufs = (self._rb, self._xb, self._yb, self._h, self._dh, self._on, self._z, self._a,
                self._d, self._t)
        B = len(self._xb)
        gathered = rows.dtype == np.uint8
        s = np.float32(self.input_scale if gathered else 1.0)
        delta = make_output_delta(config)  # the hidden outputs are the knobs' true inputs
        dot, mul, add, sub = np.dot, np.multiply, np.add, np.subtract
        adam = config.optimizer == "adam"
        lr = config.lr
        lr32 = np.float32(lr)

        def gd_step(idx):
            b = len(idx)
            rb, xb, yb, h, dh, on, z, a, d, t = (
                bufs if b == B else (None if x is None else x[:b] for x in bufs))
            if gathered:
                rows.take(idx, 0, rb, "clip")
                xb[...] = rb  # unscaled pixels: the scale goes on h's sums and on dh
            else:
                rows.take(idx, 0, xb, "clip")
            Y.take(idx, 0, yb, "clip")
            dot(xb, W1, h)  # forward: h = relu(s X W1)
            mul(h, s, h)
            np.maximum(h, 0.0, out=h)
            dot(h, W2w, z)
            add(z, b2, z)
            delta(z, yb, a, d, t)  # d = dL/dz, the batch mean
            dot(h.T, d, g2w)  # backward: the knobs' gradient ...
            d.sum(axis=0, out=g2b)
            dot(d, W2w.T, dh)  # ... through the knobs to the hidden units ...
            np.greater(h, 0.0, on)
            mul(dh, on, dh)
            mul(dh, s, dh)
            dot(xb.T, dh, g1)  # ... and to the hidden layer's weights
            self.steps = steps = self.steps + 1
            if not adam:
                mul(g, lr32, u)
                sub(W1, u1, W1)
                sub(W2, u2, W2)
                return
            adam_move(steps, lr)
            sub(W1, u1, W1)
            sub(W2, u2, W2)

        assert self.batch_size <= SMALL_BATCH or not gathered
        return gd_step

    def _guard(self) -> None:
        W1, W2 = self.hidden, self.params
        if np.isfinite(W2).all() and np.isfinite(W1).all():
            s1, s2, m, v, _ = self._snapshot
            for saved, now in ((s1, W1), (s2, W2), (m, self._m), (v, self._v)):
                np.copyto(saved, now)
            self._snapshot = (s1, s2, m, v, self.steps)
            return
        s1, s2, m, v, steps = self._snapshot
        for saved, now in ((s1, W1), (s2, W2), (m, self._m), (v, self._v)):
            np.copyto(now, saved)
        self.steps = steps
        raise TrainingDiverged(
            f"training diverged in epoch {self.epoch + 1}: a weight became NaN or infinite "
            f"(learning rate {self.config.lr:g}, {self.config.optimizer}, "
            f"{self.config.inputs} inputs); both layers were rolled back to their last finite "
            "state. Try a smaller learning rate or unit inputs."
        )
