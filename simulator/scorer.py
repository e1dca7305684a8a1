"""Scoring knobs in the background, so that the window never waits for a score. NumPy only."""

from __future__ import annotations

import collections
import queue
import threading
import time

from . import engine
from .spread_run import spread_scores


class EpochEvaluator:
    """Scores knobs in a thread so the window never waits: each finished epoch's knobs on the
    test and training pictures (for the charts), and, while a procedure trains, the live
    knobs on the test pictures (for the status line; the newest request replaces older ones
    and goes first).

    It works only while its gate is open: the app shuts it while the main thread draws a
    frame, so drawing never shares the CPU, the GIL or the memory bus with it. An epoch's
    test score (10,000 pictures, a few ms) is reported before its training score.
    """

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self._jobs: collections.deque = collections.deque()
        self._latest: dict[str, dict] = {}  # kind -> the newest job of that kind (live, clues)
        self._results: queue.Queue = queue.Queue()
        self._busy = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="scores", daemon=True)
            self._thread.start()

    def submit(self, job: dict) -> None:
        """Score an epoch's knobs: job has run, epoch, params, config, X_test, test_labels,
        train_images, train_labels."""
        self._start()
        with self._wake:
            self._busy += 1
            self._jobs.append(job)
            self._wake.notify()

    def submit_live(self, job: dict) -> None:
        """Score knobs on the test pictures: job has stamp, params, config, X_test, labels."""
        self.submit_latest("live", job)

    def submit_latest(self, kind: str, job: dict) -> None:
        """A job that only matters in its newest form (it replaces a waiting one of its kind
        and goes before the epochs): live scores; the clues (job: key, work, a function)."""
        self._start()
        with self._wake:
            if kind not in self._latest:
                self._busy += 1
            self._latest[kind] = job
            self._wake.notify()

    def _next(self) -> tuple[str, dict]:
        with self._wake:
            while not self._latest and not self._jobs:
                self._wake.wait()
            if self._latest:
                kind = next(iter(self._latest))
                return kind, self._latest.pop(kind)
            return "epoch", self._jobs.popleft()

    def _work(self) -> None:
        while True:
            kind, job = self._next()
            try:
                if kind == "live":
                    score = engine.evaluate_chunked(
                        job["params"], job["X_test"], job["labels"], job["config"],
                        chunk=_CHUNK, before_chunk=self.gate.wait, hidden=job.get("hidden"))
                    self._results.put({"live": job["stamp"], "score": score})
                elif kind == "clues":
                    self.gate.wait()
                    value = job["work"](self.gate.wait)  # (it waits while frames are drawn)
                    self._results.put({"clues": job["key"], "value": value})
                elif "spread" in job:
                    self._results.put(spread_scores(job, self.gate))
                else:
                    _score_epoch(job, self.gate, self._results.put)
            except Exception as exc:  # reported, never lost silently
                key = {"live": job["stamp"]} if kind == "live" else \
                    {"clues": job["key"]} if kind == "clues" else {
                        k: job[k] for k in ("run", "epoch", "spread") if k in job}
                self._results.put({**key, "error": str(exc)})
            with self._wake:
                self._busy -= 1

    @property
    def busy(self) -> bool:
        with self._wake:
            return self._busy > 0

    def poll(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out

    def wait(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while self.busy and time.monotonic() < end:
            time.sleep(0.005)


_CHUNK = 1000  # pictures scored at a time (about a millisecond of work)


def _score_epoch(job: dict, gate: threading.Event, report) -> None:
    params, config = job["params"], job["config"]
    key = {"run": job["run"], "epoch": job["epoch"]}
    for split, source, labels in (("test", job["X_test"], job["test_labels"]),
                                  ("train", job["train_images"], job["train_labels"])):
        m = engine.evaluate_chunked(params, source, labels, config, chunk=_CHUNK,
                                    before_chunk=gate.wait, hidden=job.get("hidden"))
        report({**key, f"{split}_loss": m.loss, f"{split}_acc": m.accuracy})
