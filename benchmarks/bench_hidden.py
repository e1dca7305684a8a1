"""Speed of the hidden layer's training, as a ratio measured in one run (these machines are
shared and noisy).

    python benchmarks/bench_hidden.py [--data DIR] [--rounds 5] [--threads 1] [--bulbs 10]

An epoch of the hidden wiring (100 ReLU units, batch 32, Adam; ten bulbs with softmax and
cross-entropy, or one with the default sigmoid and mse) by
:class:`simulator.hidden.HiddenTrainer`, against a plain, straightforward NumPy loop for the
same model: gather the batch, forward, backward, Adam with fresh arrays at every step.
Rounds alternate; the ratio is the median of per-round ratios. Target: <= 0.9.

``--threads`` caps BLAS's threads (set before NumPy loads); the issue's reference figure
(about 1.0-1.1 s a plain epoch) is for one thread.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def plain_epoch(X, Y, W1, b1, W2, b2, state, rng, softmax: bool, batch=32, lr=0.001):
    """The straightforward loop (float32 like the engine): fresh arrays at every step."""
    import numpy as np

    ms, vs, t = state
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch):
        idx = order[start : start + batch]
        xb, yb = X[idx], Y[idx]
        h_pre = xb @ W1 + b1
        h = np.maximum(h_pre, 0)
        z = h @ W2 + b2
        if softmax:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
            dz = (a - yb) / len(idx)
        else:
            a = 1 / (1 + np.exp(-z))
            dz = 2 * (a - yb) / (len(idx) * yb.shape[1]) * a * (1 - a)
        gW2, gb2 = h.T @ dz, dz.sum(axis=0)
        dh = (dz @ W2.T) * (h_pre > 0)
        gW1, gb1 = xb.T @ dh, dh.sum(axis=0)
        t += 1
        alpha = lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        params = [W1, b1, W2, b2]
        for i, g in enumerate((gW1, gb1, gW2, gb2)):
            ms[i] = 0.9 * ms[i] + 0.1 * g
            vs[i] = 0.999 * vs[i] + 0.001 * g * g
            params[i] = params[i] - alpha * ms[i] / (np.sqrt(vs[i]) + 1e-7)
        W1, b1, W2, b2 = params
    return W1, b1, W2, b2, (ms, vs, t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR"),
                        help="folder with the four MNIST IDX files")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (0: default)")
    parser.add_argument("--bulbs", type=int, choices=(1, 10), default=10)
    args = parser.parse_args()
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from simulator.config import Config
    from simulator.data import load_mnist
    from simulator.hidden import HiddenTrainer

    mnist = load_mnist(args.data, download=False)
    print(f"data: {mnist.source}", file=sys.stderr)
    ten = args.bulbs == 10
    config = Config(wiring="hidden", bulbs=args.bulbs, activation="softmax" if ten else "sigmoid",
                    loss="ce" if ten else "mse")
    trainer = HiddenTrainer(config, mnist.train_images, mnist.train_labels)

    X = mnist.train_images.reshape(-1, 784).astype(np.float32) / np.float32(255)
    Y = trainer.Y  # (n, k) float32 targets, as the trainer's
    W1, b1 = trainer.hidden[:784].copy(), trainer.hidden[784].copy()
    W2, b2 = trainer.params[:-1].copy(), trainer.params[-1].copy()
    state = ([np.zeros_like(p) for p in (W1, b1, W2, b2)],
             [np.zeros_like(p) for p in (W1, b1, W2, b2)], 0)
    rng = np.random.default_rng(0)
    plain_s, ours_s = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        W1, b1, W2, b2, state = plain_epoch(X, Y, W1, b1, W2, b2, state, rng, ten)
        plain_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        trainer.run_epoch()
        ours_s.append(time.perf_counter() - start)
    ratios = [o / p for o, p in zip(ours_s, plain_s, strict=True)]
    test = np.asarray(mnist.test_images).reshape(-1, 784).astype(np.float32) / np.float32(255)
    plain_acc = float(np.mean(((np.maximum(test @ W1 + b1, 0) @ W2 + b2).argmax(1)
                               == mnist.test_labels) if ten else
                              ((np.maximum(test @ W1 + b1, 0) @ W2 + b2)[:, 0] > 0)
                              == (mnist.test_labels == 5)))
    result = {"threads": args.threads or "default", "bulbs": args.bulbs,
              "plain_epoch_s": statistics.median(plain_s),
              "hidden_trainer_epoch_s": statistics.median(ours_s),
              "ratio": statistics.median(ratios), "ratios": [round(r, 3) for r in ratios],
              "target": 0.9, "plain_loop_test_accuracy": plain_acc}
    print(", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in result.items()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
