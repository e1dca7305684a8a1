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
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from simulator import intents as I  # noqa: E402
from simulator import launch  # noqa: E402,F401  (the window's environment, before NumPy)
from simulator.app import App, Options  # noqa: E402
from simulator.frame_stats import percentile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--inputs", default="raw")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    app = App(Options(data=args.data, size=size, restore=False, autosave=False,
                      record_runs=False))
    while app.loader is not None:
        app.frame()
    m = app.machine
    m.set_switch("inputs", args.inputs)
    m.set_switch("epochs", args.epochs)
    app.apply(I.ToggleView("strip"))
    app.apply(I.ToggleView("histogram"))
    for _ in range(30):  # settle: the views' first drawings
        app.frame()
    start = app.timings.frames
    t0 = time.perf_counter()
    app.apply(I.SpreadSeeds(args.seeds))
    while m.playing:
        app.frame()
    seconds = time.perf_counter() - t0
    frames = list(app.timings.frame_ms)[start:]
    renders = list(app.timings.render_ms)[start:]
    parts = list(zip(*list(app.timings.parts_ms)[start:], strict=True))
    m.evaluator.wait()
    for _ in range(30):
        app.frame()
    print(json.dumps({
        "size": args.size, "seeds": args.seeds, "epochs": args.epochs, "inputs": args.inputs,
        "frames": len(frames), "frame_ms_p50": round(percentile(frames, 50), 2),
        "frame_ms_p95": round(percentile(frames, 95), 2),
        "frame_ms_max": round(max(frames), 2), "spread_seconds": round(seconds, 2),
        "render_ms_p95": round(percentile(renders, 95), 2),
        "parts_ms_p95": {name: round(percentile(col, 95), 2) for name, col in zip(
            ("events_ui_scores", "training", "panel_sync", "flip"), parts, strict=True)},
        "summary": m.bench.spread_note, "target_p95_ms": 16.7}))


if __name__ == "__main__":
    main()
