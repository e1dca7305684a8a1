"""Render the README's screenshot: the machine after a few epochs on full MNIST, a 5 lit.

    python tools/readme_screenshot.py --data ../shared/mnist --out docs/machine-1280x800.png
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402

from simulator.app import App, Options  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    ap.add_argument("--out", default="docs/machine-1280x800.png")
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    app = App(Options(data=args.data, size=size, restore=False, pace=False, autosave=False))
    while app.loader is not None:  # full MNIST first
        app.frame()
    m = app.machine
    m.set_mode("gd")
    m.play(epochs=args.epochs)
    while m.playing:
        app.frame()
    m.set_picture_filter("target")  # a 5 on the retina, one the machine gets right
    while not m.reading().answer[0]:
        m.show_picture("next")
    m.note = None
    app.options.pace = True  # real frames: the epoch scorer works between them
    for _ in range(120):  # the charts catch up
        app.frame()
    pygame.image.save(app.window, args.out)
    print(f"{args.out}: {m.score.accuracy:.2%} on the test set after {len(m.history)} epochs")


if __name__ == "__main__":
    main()
