"""Speed of the engine, as ratios measured in one run (these machines are shared and noisy).

    python benchmarks/bench_engine.py [--data DIR] [--rounds 7]

1. An epoch of the default model (sigmoid, mse, adam, batch 32) against a plain,
   straightforward NumPy mini-batch loop for the same model: gather the batch, forward,
   gradient, Adam with fresh arrays each step. Rounds alternate, the ratio is the median
   of per-round ratios. Target: <= 0.75.
2. A full-batch epoch (batch = 60,000) against one streaming pass ``X @ w`` over the
   float32 training set. Target: <= 3.
3. Peak RSS of a 10-epoch ``python main.py train`` run, read from the child's rusage.
   Target: <= 400 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import engine  # noqa: E402
from simulator.data import load_mnist  # noqa: E402


def plain_epoch(X, y, w, b, state, rng, batch=32, lr=0.001):
    """The straightforward loop the engine is measured against (float32, like the engine)."""
    m_w, v_w, m_b, v_b, t = state
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch):
        idx = order[start : start + batch]
        xb, yb = X[idx], y[idx]
        z = xb @ w + b
        a = 1 / (1 + np.exp(-z))
        dz = 2 * (a - yb) / len(idx) * a * (1 - a)
        gw, gb = xb.T @ dz, dz.sum()
        t += 1
        m_w = 0.9 * m_w + 0.1 * gw
        v_w = 0.999 * v_w + 0.001 * gw * gw
        m_b = 0.9 * m_b + 0.1 * gb
        v_b = 0.999 * v_b + 0.001 * gb * gb
        alpha = lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        w = w - alpha * m_w / (np.sqrt(v_w) + 1e-7)
        b = b - alpha * m_b / (np.sqrt(v_b) + 1e-7)
    return w, b, (m_w, v_w, m_b, v_b, t)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_minibatch(mnist, rounds: int) -> dict:
    X = mnist.train_images.reshape(-1, 784).astype(np.float32) / np.float32(255)
    y = (mnist.train_labels == 5).astype(np.float32)
    rng = np.random.default_rng(0)
    w, b = np.zeros(784, np.float32), np.float32(0)
    state = (np.zeros(784, np.float32), np.zeros(784, np.float32), 0.0, 0.0, 0)
    trainer = engine.Trainer(engine.Config(), mnist.train_images, mnist.train_labels)
    plain_s, engine_s = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        w, b, state = plain_epoch(X, y, w, b, state, rng)
        plain_s.append(time.perf_counter() - start)
        engine_s.append(timed(trainer.run_epoch))
    ratios = [e / p for e, p in zip(engine_s, plain_s, strict=True)]
    return {"plain_epoch_s": statistics.median(plain_s),
            "engine_epoch_s": statistics.median(engine_s),
            "ratio": statistics.median(ratios), "target": 0.75}


def bench_full_batch(mnist, rounds: int) -> dict:
    config = engine.Config(batch_size=len(mnist.train_images), optimizer="sgd", lr=0.1)
    trainer = engine.Trainer(config, mnist.train_images, mnist.train_labels)
    X = engine.prepare_inputs(mnist.train_images, config.scale)  # (60000, 785) float32
    w = trainer.params[:, 0].copy()
    stream_s, full_s = [], []
    for _ in range(rounds):
        stream_s.append(timed(lambda: X @ w))
        full_s.append(timed(trainer.run_epoch))
    ratios = [f / s for f, s in zip(full_s, stream_s, strict=True)]
    return {"stream_pass_s": statistics.median(stream_s),
            "full_batch_epoch_s": statistics.median(full_s),
            "ratio": statistics.median(ratios), "target": 3.0}


def bench_cli_rss(data: str | None) -> dict:
    argv = [sys.executable, str(ROOT / "main.py"), "train", "--quiet", "--json"]
    if data:
        argv += ["--data", data]
    run = subprocess.run(argv, capture_output=True, text=True, check=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kB
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    return {"peak_rss_mb": peak_kb / 1024, "target_mb": 400,
            "test_accuracy": summary["test_accuracy"],
            "seconds_per_epoch": summary["seconds_per_epoch"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR"),
                        help="folder with the four MNIST IDX files")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    # The CLI runs first, while this process is small: a forked child's peak RSS counts
    # the parent's pages it shared before exec.
    results = {"cli_10_epochs": bench_cli_rss(args.data)}
    mnist = load_mnist(args.data, download=False)
    print(f"data: {mnist.source}", file=sys.stderr)
    results["minibatch_epoch_vs_plain_loop"] = bench_minibatch(mnist, args.rounds)
    results["full_batch_epoch_vs_stream_pass"] = bench_full_batch(mnist, args.rounds)
    for name, r in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in r.items()))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
