"""Frames while the plugboard or the hidden layer trains at full speed in the window.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_window_wiring.py \
        [--data DIR] [--size 1280x800] [--wiring hidden] [--bulbs 10] [--rule gd] [--epochs 3]

Runs the real window (paced at 60 frames a second, as a person sees it) on full MNIST with
the wiring drawn where the knob board sits (the hidden units' weight pictures and lamps, or
the plugboard's photocells, cords and association units), trains it at full speed and times
every frame while it trains. Target: p95 of the frame's busy time at most 16.7 ms. Also
reports the epochs' seconds in the window (training only gets the frame's spare time).
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

from simulator import launch  # noqa: E402,F401  (the window's environment, before NumPy)
from simulator.app import App, Options  # noqa: E402
from simulator.frame_stats import percentile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--wiring", choices=("plugboard", "hidden"), default="hidden")
    ap.add_argument("--bulbs", type=int, choices=(1, 10), default=10)
    ap.add_argument("--rule", choices=("gd", "rosenblatt"), default="gd")
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    app = App(Options(data=args.data, size=size, restore=False, autosave=False,
                      record_runs=False))
    while app.loader is not None:
        app.frame()
    m = app.machine
    m.set_mode(args.rule)
    if args.bulbs == 10:
        m.set_switch("bulbs", 10)
        if args.rule == "gd":  # the tutorial's ten bulbs: softmax and cross-entropy
            m.set_switch("activation", "softmax")
            m.set_switch("loss", "ce")
    assert m.set_switch("wiring", args.wiring), m.note
    m.set_switch("epochs", args.epochs)
    for _ in range(30):  # settle: the view's first drawings
        app.frame()
    start = app.timings.frames
    t0 = time.perf_counter()
    m.play()
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
        "size": args.size, "wiring": args.wiring, "bulbs": args.bulbs, "rule": args.rule,
        "epochs": args.epochs, "frames": len(frames),
        "frame_ms_p50": round(percentile(frames, 50), 2),
        "frame_ms_p95": round(percentile(frames, 95), 2),
        "frame_ms_max": round(max(frames), 2), "train_seconds": round(seconds, 2),
        "seconds_per_epoch": round(seconds / args.epochs, 2),
        "render_ms_p95": round(percentile(renders, 95), 2),
        "parts_ms_p95": {name: round(percentile(col, 95), 2) for name, col in zip(
            ("events_ui_scores", "training", "panel_sync", "flip"), parts, strict=True)},
        "test_accuracy": m.history[-1]["test_acc"] if m.history else None,
        "target_p95_ms": 16.7}))


if __name__ == "__main__":
    main()
