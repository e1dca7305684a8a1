"""The tutorial's story, measured on the full MNIST with the command line.

    python benchmarks/tutorial.py [--data DIR] [--seeds 10]

Runs ``python main.py train --json`` for each step of the story and prints one row each:
the tutorial's model as first written (below the 91.08% base rate), the sigmoid on inputs
scaled to 0..1 (the defaults, 98%), ten bulbs, fitting 20 pictures with and without the
sigmoid, the story's trial and error, then seed sweeps: the tutorial's sigmoid fix on raw
pixels (how many seeds freeze at the base rate) and Rosenblatt's rule (its final epoch
swings).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FIRST_WRITTEN = ["--activation", "none", "--inputs", "raw"]
STORY = [
    ("as first written: no activation, raw pixels", FIRST_WRITTEN),
    ("sigmoid, inputs scaled to 0..1 (defaults)", []),
    ("ten bulbs, softmax, cross-entropy", ["--bulbs", "10", "--activation", "softmax",
                                           "--loss", "ce"]),
    ("20 pictures, 100 epochs, as first written", [*FIRST_WRITTEN, "--subset", "20",
                                                   "--epochs", "100"]),
    ("20 pictures, 100 epochs, sigmoid on raw pixels", ["--inputs", "raw", "--subset", "20",
                                                        "--epochs", "100"]),
    ("20 pictures, 100 epochs, sigmoid, scaled", ["--subset", "20", "--epochs", "100"]),
    ("trial and error (the story), sigmoid, scaled", ["--rule", "trial"]),
]
SEED_SWEEPS = [
    ("the tutorial's fix: sigmoid on raw pixels", ["--inputs", "raw"]),
    ("Rosenblatt's rule (step 1, from zero knobs)", ["--rule", "rosenblatt"]),
]


def train(data: str | None, argv: list[str]) -> dict:
    cmd = [sys.executable, str(ROOT / "main.py"), "train", "--json", *argv]
    if data:
        cmd += ["--data", data]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode not in (0, 3):
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def pct(x: float) -> str:
    return f"{100 * x:6.2f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    results = {}
    for name, argv in STORY:
        s = train(args.data, argv)
        per_epoch = [h["test_accuracy"] for h in s["history"][1:]]
        results[name] = s
        print(f"{name:48} test {pct(s['test_accuracy'])}  train {pct(s['train_accuracy'])}  "
              f"base {pct(s['baseline_accuracy'])}  epochs min..max "
              f"{pct(min(per_epoch))}..{pct(max(per_epoch))}  {s['seconds_per_epoch']:.3f} s/epoch")
    for name, argv in SEED_SWEEPS:
        finals = []
        for seed in range(args.seeds):
            s = train(args.data, [*argv, "--seed", str(seed)])
            finals.append(s["test_accuracy"])
        frozen = sum(abs(f - s["baseline_accuracy"]) < 0.0005 for f in finals)
        results[name] = finals
        print(f"{name:48} final test by seed: " + " ".join(pct(f).strip() for f in finals)
              + f"   at the base rate: {frozen} of {len(finals)}")
    print(json.dumps(results, default=str)[:2000] if os.environ.get("VERBOSE") else "")


if __name__ == "__main__":
    main()
