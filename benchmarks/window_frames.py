"""What the window benchmarks share: the frames timed while the machine trains.

Import it before NumPy loads (``from window_frames import ...`` in a benchmark run as
``python benchmarks/NAME.py``): it sets the window's environment first.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from simulator import launch  # noqa: E402  (the window's environment, before NumPy)
from simulator.frame_stats import percentile  # noqa: E402

PARTS = ("events_ui_scores", "training", "panel_sync", "flip")


def open_app(data: str, size: str):
    """The window at ``size`` ("1280x800"), paced as a person sees it, on full MNIST from
    ``data`` (loaded before it returns); nothing restored, saved or recorded."""
    from simulator.app import App, Options

    app = App(Options(data=data, size=launch.parse_size(size), restore=False, autosave=False,
                      record_runs=False))
    while app.loader is not None:
        app.frame()
    return app


def time_training(app, start) -> dict:
    """Call ``start()`` (Play, or a spread of seeds), run frames until training stops and
    say how the frames went: p50, p95 and max of the frame's busy time, the drawing's p95,
    each part's p95, and the seconds it trained. The scores are then collected."""
    m = app.machine
    first = app.timings.frames
    t0 = time.perf_counter()
    start()
    while m.playing:
        app.frame()
    seconds = time.perf_counter() - t0
    frames = list(app.timings.frame_ms)[first:]
    renders = list(app.timings.render_ms)[first:]
    parts = list(zip(*list(app.timings.parts_ms)[first:], strict=True))
    m.evaluator.wait()
    for _ in range(30):
        app.frame()
    return {
        "frames": len(frames), "frame_ms_p50": round(percentile(frames, 50), 2),
        "frame_ms_p95": round(percentile(frames, 95), 2),
        "frame_ms_max": round(max(frames), 2), "train_seconds": round(seconds, 2),
        "render_ms_p95": round(percentile(renders, 95), 2),
        "parts_ms_p95": {name: round(percentile(col, 95), 2)
                         for name, col in zip(PARTS, parts, strict=True)},
        "target_p95_ms": 16.7,
    }
