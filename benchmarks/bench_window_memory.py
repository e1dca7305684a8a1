"""Memory of the window over a long run: 100 epochs of gradient descent at full speed.

    python benchmarks/bench_window_memory.py [--data DIR] [--epochs 100]

Runs the real window (headless unless DISPLAY is set) on full MNIST and reads the resident
set size (VmRSS) after epoch 10 and after the last epoch. The growth between them must stay
under 20 MB: the charts' history, the frame timings and the undo history are bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from simulator import launch  # noqa: E402,F401  (the window's environment, before NumPy)
from simulator.app import App, Options  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--epochs", type=int, default=100)
    args = ap.parse_args()
    app = App(Options(data=args.data, restore=False, autosave=False))
    while app.loader is not None:  # full MNIST first
        app.frame()
    m = app.machine
    m.set_switch("epochs", args.epochs)
    m.set_mode("gd")
    m.play()
    marks = {}
    while m.playing:
        app.frame()
        if m.run_epochs >= 10 and 10 not in marks:
            marks[10] = rss_mb()
    m.evaluator.wait()
    app.frame()
    marks[m.run_epochs] = rss_mb()
    growth = marks[m.run_epochs] - marks[10]
    print(json.dumps({"epochs": m.run_epochs, "rss_mb_at_epoch": marks,
                      "growth_mb": round(growth, 1), "charted_epochs": len(m.history),
                      "test_accuracy": round(m.history[-1]["test_acc"], 4),
                      "frames": app.timings.frames, "target_growth_mb": 20}))


if __name__ == "__main__":
    main()
