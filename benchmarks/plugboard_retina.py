"""Why the plugboard's photocells resample the picture rather than crop it: Rosenblatt's rule
on the Mark I's wiring, trained with each retina, measured on the test set.

    python benchmarks/plugboard_retina.py [--data DIR] [--epochs 10] [--seed 0]

The photocells see MNIST's 28x28 picture either resampled to 20x20 by area (what
:mod:`simulator.wiring` does) or cropped to its middle 20x20 (MNIST's digits sit in a 20x20
box, but centred by their centre of mass, so ink falls outside the middle). Same cords, same
rule, same picture order; one bulb ("is it a 5?") and ten.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from simulator import engine, wiring  # noqa: E402
from simulator.config import Config  # noqa: E402
from simulator.data import load_mnist  # noqa: E402


def cropped(images: np.ndarray) -> np.ndarray:
    """The middle 20x20 of each picture, lit above half brightness: (n, 400) bool."""
    x = np.asarray(images).reshape(-1, 28, 28)[:, 4:24, 4:24]
    return (x > wiring.PHOTOCELL_ON).reshape(len(x), wiring.N_PHOTOCELLS)


def accuracy(retina, mnist, config: Config) -> float:
    board = wiring.plugboard_of(config)

    def rows(images):
        fired = (retina(images).astype(np.float32) @ board.matrix >= wiring.A_THRESHOLD)
        return np.hstack([fired, np.ones((len(images), 1), bool)]).astype(np.uint8)

    trainer = engine.RosenblattTrainer(config, mnist.train_images, mnist.train_labels)
    trainer.rows = rows(mnist.train_images)  # the same rule on this retina's A-units
    trainer._train_on = trainer._make_gd_step()
    for _ in range(config.epochs):
        trainer.run_epoch()
    X = rows(mnist.test_images).astype(np.float32)
    return engine.evaluate(trainer.params, X, mnist.test_labels, config).accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("MNIST_DIR"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    mnist = load_mnist(args.data, download=False)
    results = {}
    for bulbs in (1, 10):
        config = Config(wiring="plugboard", rule="rosenblatt", lr=1.0, bulbs=bulbs,
                        epochs=args.epochs, seed=args.seed)
        results[f"{bulbs}_bulbs"] = {
            "resampled": accuracy(wiring.photocells, mnist, config),
            "cropped": accuracy(cropped, mnist, config)}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
