"""The bench: every run the window trains is kept (:mod:`simulator.runs`), the kept runs can
be drawn on the charts, and the knobs of any kept epoch can be put back. NumPy only; the
store is written in a background thread so that a frame never waits for a disk."""

from __future__ import annotations

import concurrent.futures
import copy
import math
import time

import numpy as np

from .runs import Run, RunStore
from .spread_run import spread_note

MAX_SHOWN = 12  # runs drawn on the charts at once (a spread of ten, and two more)


class Bench:
    """The run being trained, the kept runs (newest first) and which are on the charts."""

    def __init__(self, store: RunStore | None) -> None:
        self.store = store
        self.runs: list[Run] = []
        self.shown: list[str] = []  # run ids on the charts, in the order they were shown
        self.colours: dict[str, int] = {}  # run id -> colour index, while shown
        self.current: Run | None = None
        self.notices: list[str] = []
        self.problem: str | None = None  # the last failure to write a run
        self.tracking = False  # each run is logged to Weights & Biases (offline)
        self.spread_note = ""  # what the last spread of seeds came to, in words
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="runs")
        self._knobs: dict[str, list[np.ndarray]] = {}  # knobs per epoch, by run id (loaded)
        self._chart_runs: dict[int, str] = {}  # the machine's chart run -> the run's id
        self._rows: dict[tuple, dict] = {}  # scores of an epoch, while its halves arrive
        self._seconds: dict[tuple, float] = {}
        self._paused_at = -1  # the hand's edits when training last paused
        self._rewound: dict[str, tuple] = {}  # run id -> (epoch last rewound to, hand edits)
        self._epoch_clock = 0.0
        self._spread = None  # the last spread of seeds (its scores arrive later)
        self._wandb_runs: dict = {}  # run id -> tracking.WandbRun (touched on the writer only)
        self._closed = False
        self.version = 0  # bumped whenever a run is added, removed, renamed or scored
        self._listing: tuple = (-1, ())
        if store is not None:
            self.runs, self.notices = store.list()

    # ---- the run being trained: hooks the machine calls ---------------------------------------

    def on_play(self, m) -> None:
        """Play pressed: the run goes on, or (first Play, or knobs edited by hand since the
        last pause) a new run starts from the knobs as they are, and the charts start over."""
        if self.current is not None and m.hand_edits == self._paused_at:
            return
        if self.current is not None and self.current.knobs:
            m.record.new_run()
        self.end()
        if m.config.wiring != "direct":  # the bench keeps the retina's knobs (direct wiring)
            return
        self.begin(m, m.mode)
        self._chart_runs[m.record.run] = self.current.id

    def on_pause(self, m) -> None:
        self._paused_at = m.hand_edits

    def on_result(self, result: dict) -> None:
        """One half of an epoch's scores (test, then train) from the scorer's thread."""
        run_id = self._chart_runs.get(result.get("run"))
        if run_id is None or "error" in result:
            return
        key = (run_id, result["epoch"])
        row = self._rows.setdefault(key, {})
        row.update({k: v for k, v in result.items() if k.endswith(("_loss", "_acc"))})
        if len(row) == 4:
            del self._rows[key]
            self.scored(run_id, result["epoch"], row, self._seconds.pop(key, None))

    def begin(self, m, procedure: str) -> Run:
        """A new run from the knobs as they are now (hand edits included)."""
        run = Run.new(copy.copy(m.config), m.params, procedure=procedure,
                      source=m.data.source, origin="window", baseline=m.baseline)
        self.current = run
        self.runs.insert(0, run)
        self.version += 1
        self._epoch_clock = time.monotonic()
        if self.tracking:
            self._submit(self._wandb_open, run)
        return run

    def end(self) -> None:
        """The run is over (switches changed, knobs replaced): a run without an epoch is
        not kept."""
        run, self.current = self.current, None
        if run is not None and not run.knobs:
            self.runs = [r for r in self.runs if r is not run]
            self.version += 1

    def epoch_done(self, params: np.ndarray) -> None:
        run = self.current
        if run is None:
            return
        run.add_knobs(params)
        self.version += 1  # its name says "(scoring)" until the scores arrive
        now = time.monotonic()
        self._seconds[(run.id, len(run.knobs))] = now - self._epoch_clock
        self._epoch_clock = now

    def scored(self, run_id: str, epoch: int, row: dict, seconds: float | None) -> None:
        """An epoch's scores arrived (complete): the run's metrics, then the run on disk."""
        run = next((r for r in self.runs if r.id == run_id), None)
        if run is None:
            return
        metrics = {"epoch": epoch, **{k: _num(v) for k, v in row.items()}, "seconds": seconds}
        run.metrics = [m for m in run.metrics if m["epoch"] != epoch] + [metrics]
        run.metrics.sort(key=lambda m: m["epoch"])
        self.version += 1
        self._save(run)
        if self.tracking:
            knobs = run.knobs[epoch - 1] if 0 < epoch <= len(run.knobs) else None
            self._submit(self._wandb_log, run.id, epoch, metrics, knobs)

    def _save(self, run: Run) -> None:
        if self.store is None:
            return
        snapshot = copy.copy(run)
        snapshot.metrics, snapshot.knobs = list(run.metrics), list(run.knobs)
        future = self._submit(self.store.save, snapshot)
        if future is not None:
            future.add_done_callback(self._saved)

    def _saved(self, future) -> None:
        error = future.exception()
        self.problem = None if error is None else f"Run not kept: {error}"

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every run handed to the writer is on disk."""
        future = self._submit(lambda: None)
        if future is not None:
            future.result(timeout)

    # ---- kept runs ---------------------------------------------------------------------------

    # ---- a spread of seeds -------------------------------------------------------------------

    def add_spread(self, spread) -> None:
        """A spread's runs join the bench, and only they are on the charts."""
        self.runs[:0] = spread.runs[::-1]
        self.version += 1
        for run in spread.runs if self.tracking else ():
            self._submit(self._wandb_open, run)
        self.shown = [r.id for r in spread.runs]
        self._colour()
        self._spread = spread
        self.spread_note = spread_note(spread.runs, spread.runs[0].baseline or 0.0,
                                       spread.n_test)

    def spread_scored(self, result: dict) -> None:
        spread = self._spread
        if spread is None or result["spread"] != spread.group or "error" in result:
            return
        for run, row in zip(spread.runs, result["rows"], strict=True):
            self.scored(run.id, result["epoch"], row, None)
        self.spread_note = spread_note(spread.runs, spread.runs[0].baseline or 0.0,
                                       spread.n_test)

    def find(self, run_id: str) -> Run:
        for run in self.runs:
            if run.id == run_id:
                return run
        raise KeyError(f"no run {run_id!r} on the bench")

    def show(self, run_id: str, shown: bool) -> None:
        self.find(run_id)
        if run_id in self.shown:
            self.shown.remove(run_id)
        if shown:
            self.shown = [*self.shown, run_id][-MAX_SHOWN:]
        self._colour()

    def _colour(self) -> None:
        """Each shown run keeps its colour while it is shown; a new one takes a free one."""
        self.colours = {i: c for i, c in self.colours.items() if i in self.shown}
        for run_id in self.shown:
            if run_id not in self.colours:
                used = set(self.colours.values())
                self.colours[run_id] = next(c for c in range(MAX_SHOWN + 1) if c not in used)

    def chart_runs(self) -> tuple:
        """(id, name, history, colour) of the runs on the charts, the current one left out
        (the charts draw it as the live run)."""
        out = []
        for run_id in self.shown:
            if self.current is not None and run_id == self.current.id:
                continue
            run = self.find(run_id)
            name = f"seed {run.config.seed}" if run.group else run.label()  # a spread's legend
            out.append((run_id, name, tuple(run.metrics), self.colours[run_id]))
        return tuple(out)

    def knobs_after(self, run_id: str, epoch: int) -> np.ndarray:
        """(785, k) the knobs of a run after an epoch (0: the knobs it started from)."""
        run = self.find(run_id)
        if run.start is not None:  # trained in this window: its knobs are in memory
            knobs = [run.start, *run.knobs]
        elif run_id in self._knobs:
            knobs = self._knobs[run_id]
        elif self.store is None:
            raise KeyError(f"the knobs of run {run_id!r} are not kept")
        else:
            start, after = self.store.load_knobs(run_id)
            knobs = self._knobs[run_id] = [start, *after]
        if not 0 <= epoch < len(knobs):
            raise ValueError(f"run {run_id!r} has no knobs for epoch {epoch} "
                             f"(0..{len(knobs) - 1})")
        return knobs[epoch].copy()

    def rewind(self, m, run_id: str | None, epoch: int | None, step: int = 0) -> None:
        """Put the knobs of ``run_id`` (None: the run on the charts) after ``epoch`` (None:
        ``step`` epochs from the last rewind) back on the board, as one undoable step."""
        if run_id is None:
            run_id = self.current.id if self.current is not None else (
                self.runs[0].id if self.runs else None)
        if run_id is None:
            raise ValueError("no run to rewind yet: train an epoch first")
        run = self.find(run_id)
        if epoch is None:  # a step from the last rewind, if the knobs are still its knobs
            last, edits = self._rewound.get(run_id, (len(run.knobs), None))
            last = last if edits == m.hand_edits else len(run.knobs)
            epoch = min(max(0, last + step), len(run.knobs))
        knobs = self.knobs_after(run_id, epoch)
        m.pause()
        if run is self.current or (run.config == m.config and knobs.shape == m.params.shape):
            m.knobs.replace(knobs)
            m.hand_changed()
        else:  # another run's switches come with its knobs
            m.put_knobs(knobs, run.config)
        self._rewound[run_id] = (epoch, m.hand_edits)
        m.tell("rewound", epoch=epoch, run=run.label())

    def rename(self, run_id: str, name: str) -> None:
        run = self.find(run_id)
        run.name = name
        self.version += 1
        if self.store is not None:
            self.store.rename(run_id, name)

    def delete(self, run_id: str) -> None:
        run = self.find(run_id)
        if run is self.current:
            self.current = None
        self.runs.remove(run)
        self.version += 1
        self._knobs.pop(run_id, None)
        if run_id in self.shown:
            self.shown.remove(run_id)
            self._colour()
        if self.store is not None:
            self.store.delete(run_id)

    def listing(self) -> tuple[tuple[str, str], ...]:
        """(id, label) newest first, each label unique (the list shows labels). Worked out
        again only when a run changed: the panel asks every frame, and 200 names cost 3 ms."""
        if self._listing[0] != self.version:
            self._listing = (self.version, self._list_labels())
        return self._listing[1]

    def _list_labels(self) -> tuple[tuple[str, str], ...]:
        seen: dict[str, int] = {}
        out = []
        for run in self.runs:
            label = run.label()
            seen[label] = seen.get(label, 0) + 1
            out.append((run.id, label if seen[label] == 1 else f"{label} ({seen[label]})"))
        return tuple(out)

    # ---- Weights & Biases (offline), on the writer's thread: a frame never waits for it ------

    def toggle_tracking(self) -> bool:
        self.tracking = not self.tracking
        if not self.tracking:
            self._submit(self._wandb_finish_all)
        return self.tracking

    def _wandb_open(self, run: Run) -> None:
        from .tracking import WandbRun

        wandb_run, why = WandbRun.open(run.config, run.label(), group=run.group,
                                       procedure=run.procedure, data=run.source)
        if wandb_run is None:
            self.problem, self.tracking = why, False
        else:
            self._wandb_runs[run.id] = wandb_run

    def _wandb_log(self, run_id: str, epoch: int, metrics: dict, knobs) -> None:
        wandb_run = self._wandb_runs.get(run_id)
        if wandb_run is not None:
            wandb_run.log_epoch({k: v for k, v in metrics.items() if k != "epoch"}, epoch)
            if knobs is not None:
                wandb_run.log_knobs(knobs, epoch)

    def _wandb_finish_all(self) -> None:
        for run_id in list(self._wandb_runs):
            self._wandb_runs.pop(run_id).finish()

    def close(self) -> None:
        """Finish what is being written (and any W&B run); later writes are dropped."""
        if not self._closed:
            self._submit(self._wandb_finish_all)
            self._closed = True
            self._writer.shutdown(wait=True)

    def _submit(self, fn, *args):
        return None if self._closed else self._writer.submit(fn, *args)


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
