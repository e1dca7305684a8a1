"""``python main.py [options]``: the window's command line, parsed and checked before any
window opens."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
if sys.platform.startswith("linux"):
    # SDL's X11 window surface waits (XSync) for the server to copy every frame: 7-13 ms per
    # flip under Xvfb. Its software texture framebuffer hands the copy over and returns in
    # about 0.5 ms, with the same pixels on screen (checked against Xvfb's framebuffer).
    os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "software")
# One BLAS thread: the machine's products are small or memory-bound, and OpenBLAS's extra
# threads spin between calls, taking the second core from the X server and the epoch scorer
# (with them: 10 epochs in 5.6 s and 19 ms frames at p95; without: 2.9 s and 14 ms).
# This takes effect only if NumPy is not imported yet (python main.py imports it here).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .lesson import CHAPTERS  # noqa: E402
from .machine import SPEEDS  # noqa: E402  (after the environment above)

LESSON_CHAPTERS = len(CHAPTERS)

DEFAULT_SIZE = (1280, 800)
MIN_WINDOW = (320, 240)
MAX_WINDOW = (7680, 4320)  # 8K: larger windows make SDL's allocation fail and abort


@dataclass
class Options:
    data: str | None = None
    load: str | None = None
    frames: int | None = None
    screenshot: str | None = None
    train: bool = False
    speed: str = "max"
    stats: bool = False
    size: tuple[int, int] = DEFAULT_SIZE
    load_full: bool = True  # fetch full MNIST in the background (tests may stay on the sample)
    restore: bool = True  # restore the saved session
    pace: bool = True  # hold 60 frames a second (tests run frames back to back)
    autosave: bool = True  # keep the session on disk as it changes
    record_runs: bool | None = None  # keep every run on the bench's disk (None: as autosave)
    lesson: int | None = None  # open the lesson at this chapter (1-based; 0: where it was left)


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, got {text!r}") from None
    if w < MIN_WINDOW[0] or h < MIN_WINDOW[1]:
        raise argparse.ArgumentTypeError(
            f"size {text} is too small (at least {MIN_WINDOW[0]}x{MIN_WINDOW[1]})")
    if w > MAX_WINDOW[0] or h > MAX_WINDOW[1]:
        raise argparse.ArgumentTypeError(
            f"size {text} is too large (at most {MAX_WINDOW[0]}x{MAX_WINDOW[1]})")
    return w, h


def parse_args(argv: list[str]) -> Options:
    ap = argparse.ArgumentParser(
        prog="python main.py",
        description="Rosenblatt's perceptron machine on MNIST: turn its 784 knobs by hand or "
                    "watch a procedure train them. ('python main.py train --help' for the CLI.)")
    ap.add_argument("--data", metavar="DIR", help="a directory of the four MNIST IDX files")
    ap.add_argument("--load", metavar="PATH", help="start with these knobs (.npz from --save)")
    ap.add_argument("--frames", type=int, metavar="N", help="run N frames, then exit")
    ap.add_argument("--screenshot", metavar="PATH", help="save the last frame as a PNG")
    ap.add_argument("--train", action="store_true", help="start gradient descent at once")
    ap.add_argument("--speed", choices=tuple(SPEEDS), default="max", help="training speed")
    ap.add_argument("--stats", action="store_true",
                    help="print frame timings as one JSON object (the last line of stdout)")
    ap.add_argument("--size", type=parse_size, default=DEFAULT_SIZE, metavar="WxH",
                    help="window size (default 1280x800)")
    ap.add_argument("--sample", action="store_true",
                    help="stay on the bundled sample of digits (no full MNIST)")
    ap.add_argument("--fresh", action="store_true", help="do not restore the saved session")
    ap.add_argument("--lesson", type=int, nargs="?", const=0, metavar="N",
                    help="open the lesson (at chapter N; without N where you left it)")
    a = ap.parse_args(argv)
    if a.frames is not None and a.frames < 1:
        ap.error("--frames must be at least 1")
    if a.lesson is not None and not 0 <= a.lesson <= LESSON_CHAPTERS:
        ap.error(f"--lesson: there are chapters 1 to {LESSON_CHAPTERS}, not {a.lesson}")
    return Options(data=a.data, load=a.load, frames=a.frames, screenshot=a.screenshot,
                   train=a.train, speed=a.speed, stats=a.stats, size=a.size,
                   load_full=not a.sample, restore=not a.fresh, lesson=a.lesson)


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    if options.data is not None and not Path(options.data).expanduser().is_dir():
        print(f"perceptron: --data {options.data}: no such directory", file=sys.stderr)
        return 2
    from .storage import KnobFileError, load_knobs

    preload = None
    if options.load is not None:
        try:
            preload = load_knobs(options.load)
        except KnobFileError as exc:
            print(f"perceptron: --load: {exc}", file=sys.stderr)
            return 2
    from .app import App  # the window's modules load only once the arguments are good

    app = App(options, preload=preload)
    code = app.run()
    if options.stats:
        print(json.dumps(app.timings.summary(app)), flush=True)
    return code


def set_minimum_size(size: tuple[int, int]) -> None:
    """The window cannot be made smaller than ``size`` (where SDL lets us say so)."""
    import warnings

    import pygame

    try:
        with warnings.catch_warnings():  # deprecated for surface rendering, still works
            warnings.simplefilter("ignore", DeprecationWarning)
            pygame.Window.from_display_module().minimum_size = size
    except (AttributeError, pygame.error):
        pass
