"""Spread seeds against single runs, as ratios measured in one run (the machines are shared
and noisy).

    python benchmarks/bench_spread.py [--data DIR] [--rounds 5] [--seeds 10] [--epochs 10]
                                      [--blas-threads both|default|1] [--no-fidelity]

1. Speed: N seeds x E epochs of the default model (sigmoid, mse, adam, batch 32, unit
   inputs, full MNIST) in one :class:`SeedSpread`, against one seed's E epochs with
   ``engine.Trainer``. Rounds alternate the two (fresh objects each round, only the epochs
   timed); the ratio is the median of per-round ratios. Then the same for the command
   line's spread, one process per core (:class:`ForkedSpread`): target <= 2.5. Measured twice,
   each in a fresh child process: with OpenBLAS's own thread count and with
   ``OPENBLAS_NUM_THREADS=1`` (the window's setting; the variable is read when NumPy loads).
2. Where a step's time goes: the spread's step replayed piece by piece on its own buffers
   (gather, convert, forward, delta, gradient, Adam), for N seeds and for one.
3. Fidelity on full MNIST: each seed of the spread against its own single run, for (a) the
   defaults and (b) ``inputs="raw"`` (a sigmoid on raw pixels, where some seeds freeze at
   the base rate): bit-identical knobs, the largest difference in final test accuracy
   (``engine.evaluate``), and which seeds froze in each.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def train_epochs(trainer, epochs: int) -> float:
    def run():
        for _ in range(epochs):
            trainer.run_epoch()

    return timed(run)


def bench_speed(mnist, rounds: int, seeds: list[int], epochs: int, forked: bool = False):
    """One seed's epochs against the spread's: in one process (SeedSpread) or, as the
    command line trains them, one process per core (ForkedSpread)."""
    from simulator import engine
    from simulator.spread import SeedSpread
    from simulator.spread_workers import ForkedSpread

    if forked:
        SeedSpread = ForkedSpread  # noqa: N806 - the same interface
    config = engine.Config()
    single_s, spread_s, first = [], [], None
    for r in range(rounds):
        single = engine.Trainer(config, mnist.train_images, mnist.train_labels)
        spread = SeedSpread(config, mnist.train_images, mnist.train_labels, seeds)
        if r % 2 == 0:
            single_s.append(train_epochs(single, epochs))
            spread_s.append(train_epochs(spread, epochs))
        else:
            spread_s.append(train_epochs(spread, epochs))
            single_s.append(train_epochs(single, epochs))
        print(f"  round {r + 1}: one seed {single_s[-1]:.2f} s, {len(seeds)} seeds "
              f"{spread_s[-1]:.2f} s, ratio {spread_s[-1] / single_s[-1]:.2f}", file=sys.stderr)
        if first is None:
            first = (single, spread)
    ratios = [b / a for a, b in zip(single_s, spread_s, strict=True)]
    result = {"single_s": statistics.median(single_s), "spread_s": statistics.median(spread_s),
              "ratio": statistics.median(ratios), "ratio_min": min(ratios),
              "ratio_max": max(ratios), "target": 2.5,
              "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(default)")}
    return result, first


def profile_step(mnist, n_seeds: int, steps: int = 1000) -> dict:
    """The spread's step replayed piece by piece on its own buffers: microseconds each."""
    import numpy as np

    from simulator import engine
    from simulator.spread import SeedSpread

    config = engine.Config()
    sp = SeedSpread(config, mnist.train_images, mnist.train_labels, list(range(n_seeds)))
    sp.step(1)  # draws the epoch's orders
    rows, orders, targets, knobs = sp.rows, sp.orders, sp._targets, sp._knobs
    rb, xb, z, a, d, t = sp._rb, sp._xb, sp._z, sp._a, sp._d, sp._t
    g, m, v, u = sp._g, sp._m, sp._v, sp._u
    B = z.shape[1]
    delta = engine.make_output_delta(config, input_scale=config.scale)
    f32 = np.float32
    parts = dict.fromkeys(("gather", "convert", "forward", "delta", "gradient", "adam"), 0.0)
    clock = time.perf_counter
    with np.errstate(all="ignore"):
        for k in range(steps):
            s = (k * B) % (sp.n_train - B)
            t0 = clock()
            rows.take(orders[:, s : s + B], 0, rb, "clip")
            t1 = clock()
            np.copyto(xb, rb)
            t2 = clock()
            np.matmul(xb, knobs[:, :, None], z[:, :, None])
            t3 = clock()
            delta(z.T, targets[:, s : s + B].T, a.T, d.T, t.T)
            t4 = clock()
            np.matmul(xb.transpose(0, 2, 1), d[:, :, None], g[:, :, None])
            t5 = clock()
            alpha = 0.001 * math.sqrt(1 - 0.999 ** (k + 1)) / (1 - 0.9 ** (k + 1))
            np.subtract(g, m, u)
            np.multiply(u, f32(0.1), u)
            np.add(m, u, m)
            np.square(g, u)
            np.subtract(u, v, u)
            np.multiply(u, f32(0.001), u)
            np.add(v, u, v)
            np.sqrt(v, u)
            np.add(u, f32(1e-7), u)
            np.divide(m, u, u)
            np.multiply(u, alpha, u)
            np.subtract(knobs, u, knobs)
            t6 = clock()
            for key, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5),
                               strict=True):
                parts[key] += dt
    us = {key: round(1e6 * total / steps, 1) for key, total in parts.items()}
    us["total"] = round(sum(us.values()), 1)
    return us


def bench_fidelity(mnist, seeds: list[int], epochs: int, spread_defaults, single0) -> dict:
    from simulator import engine
    from simulator.spread import SeedSpread

    X_test = {}
    base = engine.baseline_accuracy(mnist.test_labels)
    out = {}
    for name, config in (("defaults", engine.Config()), ("raw", engine.Config(inputs="raw"))):
        if name == "defaults":
            spread = spread_defaults
        else:
            spread = SeedSpread(config, mnist.train_images, mnist.train_labels, seeds)
            train_epochs(spread, epochs)
        X = X_test.setdefault(config.scale, engine.prepare_inputs(mnist.test_images,
                                                                   config.scale))
        identical, diffs, frozen_spread, frozen_single, acc_spread = 0, [], [], [], []
        for i, seed in enumerate(seeds):
            if name == "defaults" and seed == 0 and single0 is not None:
                single = single0
            else:
                single = engine.Trainer(replace(config, seed=seed), mnist.train_images,
                                        mnist.train_labels)
                train_epochs(single, epochs)
            a = engine.evaluate(spread.knobs(i), X, mnist.test_labels, config).accuracy
            b = engine.evaluate(single.params, X, mnist.test_labels, config).accuracy
            identical += spread.knobs(i).tobytes() == single.params.tobytes()
            diffs.append(abs(a - b))
            acc_spread.append(round(a, 4))
            if abs(a - base) < 1e-9:
                frozen_spread.append(seed)
            if abs(b - base) < 1e-9:
                frozen_single.append(seed)
        out[name] = {"bit_identical_knobs": f"{identical} of {len(seeds)}",
                     "max_test_accuracy_difference": max(diffs),
                     "frozen_in_spread": frozen_spread, "frozen_in_single_runs": frozen_single,
                     "spread_test_accuracy": acc_spread}
        print(f"  fidelity {name}: {out[name]}", file=sys.stderr)
    return out


def child(args) -> dict:
    from simulator.data import load_mnist

    mnist = load_mnist(args.data, download=False)
    seeds = list(range(args.seeds))
    print(f"data: {mnist.source}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '(default)')}", file=sys.stderr)
    speed, (single0, spread0) = bench_speed(mnist, args.rounds, seeds, args.epochs)
    forked, (_, spread_f) = bench_speed(mnist, args.rounds, seeds, args.epochs, forked=True)
    spread_f.close()
    result = {"speed": speed, "speed_forked": forked,
              "step_us": {f"{args.seeds}_seeds": profile_step(mnist, args.seeds),
                          "1_seed": profile_step(mnist, 1)}}
    if args.fidelity:
        result["fidelity"] = bench_fidelity(mnist, seeds, args.epochs, spread0, single0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR"),
                        help="folder with the four MNIST IDX files")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--blas-threads", choices=("both", "default", "1"), default="both")
    parser.add_argument("--no-fidelity", dest="fidelity", action="store_false")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    results = {}
    for i, threads in enumerate(("default", "1") if args.blas_threads == "both"
                                else (args.blas_threads,)):
        env = dict(os.environ)
        env.pop("OPENBLAS_NUM_THREADS", None)
        if threads == "1":
            env["OPENBLAS_NUM_THREADS"] = "1"
        argv = [sys.executable, __file__, "--child", "--rounds", str(args.rounds),
                "--seeds", str(args.seeds), "--epochs", str(args.epochs)]
        if args.data:
            argv += ["--data", args.data]
        if i > 0 or not args.fidelity:  # fidelity once: the knobs do not depend on threads
            argv.append("--no-fidelity")
        run = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True)
        results[f"openblas_threads_{threads}"] = json.loads(run.stdout.strip().splitlines()[-1])
    for name, r in results.items():
        s = r["speed"]
        print(f"{name}: {args.seeds} seeds x {args.epochs} epochs {s['spread_s']:.2f} s, one "
              f"seed {s['single_s']:.2f} s: ratio {s['ratio']:.2f} "
              f"(rounds {s['ratio_min']:.2f}..{s['ratio_max']:.2f}) in one process")
        f = r["speed_forked"]
        print(f"  one process per core (the command line's --seeds): {f['spread_s']:.2f} s "
              f"against {f['single_s']:.2f} s: ratio {f['ratio']:.2f} (rounds "
              f"{f['ratio_min']:.2f}..{f['ratio_max']:.2f}; target <= {f['target']})")
        for who, us in r["step_us"].items():
            print(f"  step of {who}, microseconds: " + ", ".join(f"{k} {v}"
                                                                for k, v in us.items()))
        for case, f in r.get("fidelity", {}).items():
            print(f"  fidelity ({case}): bit-identical knobs {f['bit_identical_knobs']}, max "
                  f"test accuracy difference {f['max_test_accuracy_difference']:.4g}, frozen "
                  f"in spread {f['frozen_in_spread']}, in single runs "
                  f"{f['frozen_in_single_runs']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
