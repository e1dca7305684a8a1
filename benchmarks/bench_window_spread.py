"""Frames while ten seeds train at once in the window, with the strip and histogram shown.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_window_spread.py \
        [--data DIR] [--size 1280x800] [--seeds 10] [--epochs 10]

Runs the real window (paced at 60 frames a second, as a person sees it) on full MNIST, opens
the raw-output strip and the sum histogram, spreads the seeds of the default switches with
``--inputs raw`` (the story's seed lottery) and times every frame while the spread trains.
Target: p95 of the frame's busy time at most 16.7 ms.
"""

from __future__ import annotations

import argparse
import json

from window_frames import ROOT, open_app, time_training  # first: the window's environment

from simulator import intents as I


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--inputs", default="raw")
    args = ap.parse_args()
    app = open_app(args.data, args.size)
    m = app.machine
    m.set_switch("inputs", args.inputs)
    m.set_switch("epochs", args.epochs)
    app.apply(I.ToggleView("strip"))
    app.apply(I.ToggleView("histogram"))
    for _ in range(30):  # settle: the views' first drawings
        app.frame()
    stats = time_training(app, lambda: app.apply(I.SpreadSeeds(args.seeds)))
    stats["spread_seconds"] = stats.pop("train_seconds")
    print(json.dumps({
        "size": args.size, "seeds": args.seeds, "epochs": args.epochs, "inputs": args.inputs,
        **stats, "summary": m.bench.spread_note}))


if __name__ == "__main__":
    main()
