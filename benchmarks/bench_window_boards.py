"""Frames while ten bulbs train at full speed in the window (the ten small boards drawn), and
what the scoreboard costs.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_window_boards.py \
        [--data DIR] [--size 1280x800] [--epochs 10] [--views scoreboard,strip,histogram]

Runs the real window (paced at 60 frames a second, as a person sees it) on full MNIST with
ten bulbs (softmax, cross-entropy), trains them with gradient descent at full speed and times
every frame while they train. Target: p95 of the frame's busy time at most 16.7 ms. Then
times :func:`simulator.scoreboard.tally` (one prediction over the 10,000 test pictures and
the count) for ten bulbs and for one, the median of ``--repeats`` calls.
"""

from __future__ import annotations

import argparse
import json
import time

from window_frames import ROOT, open_app, time_training  # first: the window's environment

from simulator import intents as I
from simulator import scoreboard
from simulator.config import Config
from simulator.frame_stats import percentile

TEN = {"bulbs": 10, "activation": "softmax", "loss": "ce"}


def scoreboard_ms(m, config: Config, repeats: int) -> float:
    """The median time of one scoreboard of the knobs in force on the test pictures."""
    import numpy as np

    from simulator import engine

    params = m.params if config.bulbs == m.config.bulbs else engine.init_knobs(
        config, np.random.default_rng(0))
    X, labels = m.pictures.X_test(config.scale), m.data.test_labels
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        scoreboard.tally(params, X, labels, config)
        times.append((time.perf_counter() - t0) * 1000)
    return round(percentile(times, 50), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--views", default="", help="extra views shown, comma-separated")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--no-boards", action="store_true",
                    help="for comparison: ten bulbs without their small boards (a row of dots)")
    args = ap.parse_args()
    app = open_app(args.data, args.size)
    m = app.machine
    if args.no_boards:
        app.face_views = lambda: frozenset(app.views)
    for name, value in TEN.items():
        m.set_switch(name, value)
    m.set_switch("epochs", args.epochs)
    m.set_mode("gd")
    m.set_speed(1.0)
    for name in filter(None, args.views.split(",")):
        app.apply(I.ToggleView(name))
    for _ in range(30):  # settle: the first drawings
        app.frame()
    assert (app.layout.boards.w > 0) != args.no_boards, "the ten boards are not laid out"
    stats = time_training(app, m.play)
    print(json.dumps({
        "size": args.size, "epochs": args.epochs, "views": args.views or "none",
        "boards": not args.no_boards, **stats,
        "test_accuracy": m.history[-1]["test_acc"] if m.history else None,
        "scoreboard_ms_ten_bulbs": scoreboard_ms(m, m.config, args.repeats),
        "scoreboard_ms_one_bulb": scoreboard_ms(m, Config(), args.repeats)}))


if __name__ == "__main__":
    main()
