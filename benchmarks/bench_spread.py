"""Spread seeds against single runs, as ratios measured in one run (the machines are shared
and noisy).

    python benchmarks/bench_spread.py [--data DIR] [--rounds 5] [--seeds 10] [--epochs 10]
                                      [--blas-threads both|default|1] [--no-fidelity]

1. Speed of the whole job as the command line runs it, the measure of the issue's target
   (<= 2.5): ``python main.py train`` (one seed, cli.Run) against ``--seeds`` (N seeds,
   cli.SpreadRun: one process per core), from the switches (data loaded) to the last
   epoch's scores, for the defaults and for ``--inputs raw`` (the story's seed lottery).
   Both train each epoch and then score every run on the 60,000 training and 10,000 test
   pictures, as every run is recorded. One BLAS thread, as main.py sets it for ``train``.
   Rounds alternate the two; the ratio is the median of per-round ratios.
   Then the training loop alone, without the scoring: N seeds x E epochs of the default
   model (sigmoid, mse, adam, batch 32, unit inputs, full MNIST) in one
   :class:`SeedSpread`, and in one process per core (:class:`ForkedSpread`), against one
   seed's E epochs with ``engine.Trainer`` (fresh objects each round, only the epochs
   timed). Measured in fresh child processes: with OpenBLAS's own thread count and with
   ``OPENBLAS_NUM_THREADS=1`` (the variable is read when NumPy loads).
2. Where a step's time goes: the spread's step replayed piece by piece on its own buffers
   (gather, convert, forward, delta, gradient, Adam), for N seeds and for one.
3. Fidelity on full MNIST: each seed of the spread against its own single run, for (a) the
   defaults and (b) ``inputs="raw"`` (a sigmoid on raw pixels, where some seeds freeze at
   the base rate): bit-identical knobs, the largest difference in final test accuracy
   (``engine.evaluate``), and which seeds froze in each.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
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
              "ratio_max": max(ratios),
              "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(default)")}
    return result, first


def bench_job(mnist, rounds: int, seeds: list[int], epochs: int, inputs: str) -> dict:
    """The whole job as the command line does it, from the switches (data loaded) to the
    last epoch's scores: ``python main.py train`` (one seed: cli.Run) against ``--seeds``
    (cli.SpreadRun, one process per core). Both score every run on the 60,000 training
    and 10,000 test pictures after each epoch, as every run is recorded."""
    from simulator import cli, engine

    config = replace(engine.Config(), epochs=epochs, inputs=inputs)

    def single():
        cli.Run(config, mnist, None, progress=False).train()

    def spread():
        run = cli.SpreadRun(config, mnist, seeds, None, progress=False)
        try:
            run.train()
        finally:
            run.trainer.close()

    single_s, spread_s = [], []
    with contextlib.redirect_stdout(io.StringIO()):  # the epoch lines
        for r in range(rounds):
            for job, times in ((single, single_s), (spread, spread_s))[:: 1 - 2 * (r % 2)]:
                times.append(timed(job))
    ratios = [b / a for a, b in zip(single_s, spread_s, strict=True)]
    for r, (a, b) in enumerate(zip(single_s, spread_s, strict=True)):
        print(f"  job ({inputs} inputs) round {r + 1}: one seed {a:.2f} s, {len(seeds)} "
              f"seeds {b:.2f} s, ratio {b / a:.2f}", file=sys.stderr)
    return {"single_s": statistics.median(single_s), "spread_s": statistics.median(spread_s),
            "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios), "target": 2.5}


def profile_step(mnist, n_seeds: int, steps: int = 1000) -> dict:
    """The spread's step replayed piece by piece on its own buffers: microseconds each."""
    import numpy as np

    from simulator import engine
    from simulator.spread import SeedSpread

    config = engine.Config()
    sp = SeedSpread(config, mnist.train_images, mnist.train_labels, list(range(n_seeds)))
    sp.step(1)  # draws the epoch's orders
    rows, orders, targets, knobs = sp.rows, sp._step_orders, sp._step_targets, sp._knobs
    rb, xb, z, a, d, t = sp._rb, sp._xb, sp._z, sp._a, sp._d, sp._t
    adam, g, u = sp._adam, sp._adam.g, sp._adam.u
    delta = engine.make_output_delta(config, input_scale=config.scale)
    parts = dict.fromkeys(("gather", "convert", "forward", "delta", "gradient", "adam"), 0.0)
    clock = time.perf_counter
    with np.errstate(all="ignore"):
        for k in range(steps):
            i = k % len(orders)
            t0 = clock()
            rows.take(orders[i], 0, rb, "clip")
            t1 = clock()
            np.copyto(xb, rb)
            t2 = clock()
            np.matmul(xb, knobs[:, :, None], z[:, :, None])
            t3 = clock()
            delta(z.T, targets[i], a.T, d.T, t.T)
            t4 = clock()
            np.matmul(xb.transpose(0, 2, 1), d[:, :, None], g[:, :, None])
            t5 = clock()
            adam.move(k + 1, 0.001)
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
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":  # as main.py sets it for train
        result["job"] = {inputs: bench_job(mnist, args.rounds, seeds, args.epochs, inputs)
                         for inputs in ("unit", "raw")}
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
        jobs = r.get("job")
        if not jobs:
            print(f"{name}: (the whole job is measured with one BLAS thread, as main.py "
                  "trains)")
        for inputs, j in (jobs or {}).items():
            print(f"{name}: the whole job as the command line runs it, {inputs} inputs, "
                  f"{args.seeds} seeds x {args.epochs} epochs (each trained, then every run "
                  f"scored on the training and test sets) {j['spread_s']:.2f} s, one seed "
                  f"{j['single_s']:.2f} s: ratio {j['ratio']:.2f} (rounds "
                  f"{j['ratio_min']:.2f}..{j['ratio_max']:.2f}; target <= {j['target']})")
        s, f = r["speed"], r["speed_forked"]
        print(f"  the training loop alone, one process: {s['spread_s']:.2f} s against "
              f"{s['single_s']:.2f} s: ratio {s['ratio']:.2f} (rounds {s['ratio_min']:.2f}.."
              f"{s['ratio_max']:.2f})")
        print(f"  the training loop alone, one process per core (as --seeds trains): "
              f"{f['spread_s']:.2f} s against {f['single_s']:.2f} s: ratio {f['ratio']:.2f} "
              f"(rounds {f['ratio_min']:.2f}..{f['ratio_max']:.2f})")
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
