"""Build the bundled offline sample, assets/mnist_sample.npz, from the original MNIST files.

A plain random draw (no stratification) from each split, kept in the files' original order,
with the same keys as the array cache so that one loader reads both:

    python tools/make_sample.py ../shared/mnist --train 2000 --test 1000 --seed 0

The draw is fixed by the seed: the same files and arguments give the same digits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.data import KEYS, load_idx_dir  # noqa: E402

TARGET_DIGIT = 5  # the tutorial's question: is it a 5? The sample must keep its share of 5s.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        default="../shared/mnist",
        help="directory with the four MNIST IDX files, .gz or raw (default: ../shared/mnist)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=ROOT / "assets" / "mnist_sample.npz",
        help="where to write the sample (default: assets/mnist_sample.npz)",
    )
    parser.add_argument("--train", type=int, default=2000, help="training digits to draw")
    parser.add_argument("--test", type=int, default=1000, help="test digits to draw")
    parser.add_argument("--seed", type=int, default=0, help="seed for np.random.default_rng")
    return parser.parse_args(argv)


def draw(n_total: int, n_drawn: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of `n_drawn` of `n_total` items, without replacement, in ascending order."""
    if not 0 < n_drawn <= n_total:
        raise ValueError(f"cannot draw {n_drawn} of {n_total} digits")
    return np.sort(rng.choice(n_total, size=n_drawn, replace=False))  # (n_drawn,) int64


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mnist = load_idx_dir(args.source)
    rng = np.random.default_rng(args.seed)
    arrays = {}
    for split, n_drawn in (("train", args.train), ("test", args.test)):
        labels = getattr(mnist, f"{split}_labels")
        picked = draw(len(labels), n_drawn, rng)
        arrays[f"{split}_images"] = getattr(mnist, f"{split}_images")[picked]  # (k, 28, 28) u8
        arrays[f"{split}_labels"] = labels[picked]  # (k,) uint8
        share = np.mean(arrays[f"{split}_labels"] == TARGET_DIGIT)
        natural = np.mean(labels == TARGET_DIGIT)
        print(
            f"{split}: {n_drawn:,} of {len(labels):,} digits, "
            f"{share:.2%} fives (full split: {natural:.2%})"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **{key: arrays[key] for key in KEYS})
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB), seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
