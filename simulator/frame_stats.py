"""Frame timings for ``--stats``: how long frames, drawing and training took, as one JSON
object. Standard library and NumPy only."""

from __future__ import annotations

import os
import resource
import time
from collections import deque

import numpy as np

STATS_FRAMES = 60 * 60 * 60  # frames of timings kept (an hour at 60 fps), not an ever-growing list
PARTS = ("events_ui_scores", "training", "panel_sync", "flip")


def percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def process_age() -> float | None:
    """Seconds since this process started (Linux), to time the first frame honestly."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return round(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 3)
    except (OSError, ValueError, IndexError):
        return None


class Timings:
    """The window's frame timings and milestones (first frame, ten epochs)."""

    def __init__(self, t_start: float) -> None:
        self.t_start = t_start
        self.frames = 0
        self.frame_ms: deque[float] = deque(maxlen=STATS_FRAMES)
        self.render_ms: deque[float] = deque(maxlen=STATS_FRAMES)
        self.parts_ms: deque[tuple] = deque(maxlen=STATS_FRAMES)
        self.first_frame_s: float | None = None
        self.first_frame_process_s: float | None = None
        self.train_started: float | None = None
        self.seconds_to_10: float | None = None
        self.scored_at_10: int | None = None
        self.peak_rss_mb = 0.0
        self.last_tick = t_start

    def frame(self, marks: tuple[float, ...]) -> None:
        """One frame's clock marks: start, training, panel sync, render, flip, end."""
        t0, t_train, t_ui, t_render, t_flip, t1 = marks
        self.frames += 1
        self.frame_ms.append((t1 - t0) * 1000)
        self.render_ms.append((t_flip - t_render) * 1000)
        self.parts_ms.append(((t_train - t0) * 1000, (t_ui - t_train) * 1000,
                              (t_render - t_ui) * 1000, (t1 - t_flip) * 1000))
        if self.first_frame_s is None:
            self.first_frame_s = t1 - self.t_start
            self.first_frame_process_s = process_age()
        if self.frames % 30 == 0:
            self.peak_rss_mb = peak_rss_mb()

    def training(self, machine, was_epochs: int) -> None:
        """Time ten epochs on full MNIST from the first frame that trained."""
        if machine.training and self.train_started is None and not machine.data.is_sample:
            self.train_started = time.perf_counter()
        if self.train_started is not None and self.seconds_to_10 is None and \
                machine.run_epochs >= 10 and was_epochs < 10:
            self.seconds_to_10 = time.perf_counter() - self.train_started
            self.scored_at_10 = len(machine.history)

    def summary(self, app) -> dict:
        frames = np.asarray(self.frame_ms)
        parts = np.asarray(self.parts_ms).reshape(-1, 4).T
        m = app.machine
        test_acc = m.history[-1]["test_acc"] if m.history else (
            m.score.accuracy if m.score is not None else None)
        first_tick = self.t_start + (self.first_frame_s or 0.0) - (
            self.frame_ms[0] / 1000 if self.frame_ms else 0.0)

        def r(v):
            return None if v is None else round(float(v), 3)

        return {
            "frames": self.frames,
            "fps_mean": round(self.frames / max(1e-9, self.last_tick - first_tick), 2),
            "frame_ms_p50": r(percentile(frames, 50)),
            "frame_ms_p95": r(percentile(frames, 95)),
            "frame_ms_max": r(frames.max() if len(frames) else 0.0),
            "render_ms_p50": r(percentile(self.render_ms, 50)),
            "render_ms_p95": r(percentile(self.render_ms, 95)),
            "parts_ms_p50": {n: r(percentile(c, 50)) for n, c in zip(PARTS, parts, strict=False)},
            "epochs_done": m.run_epochs,
            "epochs_scored": len(m.history),
            "test_accuracy": None if test_acc is None else round(float(test_acc), 4),
            "train_accuracy": round(m.history[-1]["train_acc"], 4) if m.history else None,
            "epochs_charted_at_10": self.scored_at_10,
            "seconds_to_10_epochs": r(self.seconds_to_10),
            "first_frame_s": r(self.first_frame_s),
            "first_frame_since_process_start_s": self.first_frame_process_s,
            "peak_rss_mb": round(max(self.peak_rss_mb, peak_rss_mb()), 1),
            "data_source": m.data.source,
            "full_mnist": not m.data.is_sample,
            "window": list(app.window.get_size()),
            "wall_s": r(time.perf_counter() - self.t_start),
        }
