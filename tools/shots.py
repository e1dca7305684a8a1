"""What the screenshot tools share: a headless window on its own state folder, real frames
until the scores are in, and the file name a shot gets.

Import it first (``from shots import ...`` in a tool run as ``python tools/NAME.py``): it sets
the environment before pygame and the machine load.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ["PERCEPTRON_STATE_DIR"] = tempfile.mkdtemp(prefix="perceptron-shots-")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402

from simulator.app import App, Options  # noqa: E402
from simulator.launch import parse_size  # noqa: E402


def arguments(doc: str, out: str = "docs", epochs: int | None = None):
    """The tools' command line, to add to and parse: ``--data`` (required), ``--out`` (a
    Path), ``--size`` WxH (parsed to (w, h)) and, if ``epochs`` is given, ``--epochs``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    ap.add_argument("--out", default=out, type=Path)
    ap.add_argument("--size", default="1280x800", type=parse_size, help="WxH")
    if epochs is not None:
        ap.add_argument("--epochs", type=int, default=epochs)
    return ap


def open_window(data: str, size: tuple[int, int], record_runs: bool = False) -> App:
    """The window on full MNIST from ``data``, nothing restored or saved, data loaded."""
    app = App(Options(data=data, size=size, restore=False, pace=False, autosave=False,
                      record_runs=record_runs))
    while app.loader is not None:
        app.frame()
    return app


def settle(app: App, frames: int = 60) -> None:
    """Real frames until the epochs are scored, then no message box over the charts."""
    app.machine.evaluator.wait()
    app.options.pace = True  # real frames: the scorer works between them
    for _ in range(frames):
        app.frame()
    app.options.pace = False
    app.machine.note = None
    app.frame()


def train(app: App, epochs: int | None = None) -> None:
    """Play until the run stops (after ``epochs`` if given), then settle."""
    m = app.machine
    if epochs is not None:
        m.set_switch("epochs", epochs)
    m.play()
    while m.playing:
        app.frame()
    settle(app, 30)


def shot(app: App, out: Path, name: str, size: tuple[int, int]) -> Path:
    """Save the window as ``out/NAME-WxH.png`` (the folder made if need be); returns the
    path."""
    Path(out).mkdir(parents=True, exist_ok=True)
    path = Path(out) / f"{name}-{size[0]}x{size[1]}.png"
    pygame.image.save(app.window, path)
    return path
