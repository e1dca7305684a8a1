"""Ten seeds at once in the window: a :class:`~simulator.spread.SeedSpread` trained a few
batches per frame, each seed a run on the bench, all their curves on the charts. NumPy only.

The board shows the knobs of the machine's own seed (the first of the spread) as they train;
the other seeds are on the charts. When the spread ends, the board keeps that seed's knobs.
"""

from __future__ import annotations

import math
import time
import uuid

import numpy as np

from .background import Background
from .engine import at_base_rate
from .runs import Run
from .spread import SeedSpread, check_config

SCORER_ROOM_S = 0.001  # of each frame's training budget, left to the spread's scoring


class SpreadRun:
    """N seeds of the machine's switches: seeds config.seed .. config.seed + n - 1."""

    def __init__(self, m, n: int) -> None:
        config = check_config(m.config)  # ValueError (said by the machine) if not gd, 1 bulb
        self.config = config
        self.seeds = list(range(config.seed, config.seed + n))
        self.group = f"spread-{uuid.uuid4().hex[:8]}"
        self.target = config.epochs or None
        self.runs: list[Run] = []
        self.n_test = len(m.data.test_labels)
        self.epoch = 0
        self.seconds_per_step = 1e-3
        data = m.data
        self._build = Background(lambda: SeedSpread(config, data.train_images,
                                                    data.train_labels, self.seeds),
                                 name="spread build")
        self.spread: SeedSpread | None = None

    def _ready(self, m, wait: bool) -> SeedSpread | None:
        if self.spread is None and (wait or self._build.done.is_set()):
            self.spread = self._build.result()
            for i in range(len(self.seeds)):
                run = Run.new(self.spread.config_of(i), self.spread.knobs(i), procedure="gd",
                              source=m.data.source, origin="window", group=self.group,
                              baseline=m.baseline)
                self.runs.append(run)
            m.bench.add_spread(self)
        return self.spread

    @property
    def epoch_progress(self) -> float | None:
        return None if self.spread is None else self.spread.epoch_progress

    def advance(self, m, budget_s: float) -> bool:
        """Train within the budget; True when the spread has run its epochs."""
        spread = self._ready(m, wait=False)
        if spread is None:
            return False
        # Scoring a spread's epoch is ten runs' work in the scorer's thread, which shares the
        # memory bus (and the GIL, between NumPy calls) with this one: leave it room.
        deadline = time.perf_counter() + max(0.0005, budget_s - SCORER_ROOM_S)
        first = True
        while (left := deadline - time.perf_counter()) > (0 if first else self.seconds_per_step):
            first = False  # after the first, only steps that fit the frame's budget
            n = max(1, min(16, int(left / self.seconds_per_step)))
            t0, epoch = time.perf_counter(), spread.epoch
            done = spread.step(n)
            if done:
                took = (time.perf_counter() - t0) / done
                self.seconds_per_step = 0.7 * self.seconds_per_step + 0.3 * took
            if spread.epoch > epoch:
                self._epoch_done(m)
                if self.target is not None and self.epoch >= self.target:
                    self.show_on_board(m)
                    return True
        self.show_on_board(m)
        return False

    def show_on_board(self, m) -> None:
        """The machine's own seed (the first) on the board, as it trains."""
        if self.spread is not None:
            np.copyto(m.params[:, 0], self.spread.params[:, 0])
            m.knobs_changed()

    def _epoch_done(self, m) -> None:
        self.epoch += 1
        for i, run in enumerate(self.runs):
            run.add_knobs(self.spread.knobs(i))
        n = self.config.train_count(len(m.data.train_labels))
        m.evaluator.submit({
            "spread": self.group, "run": None, "epoch": self.epoch,
            "params": self.spread.params.copy(), "config": self.config, "X_test": m.X_test,
            "test_labels": m.data.test_labels, "train_images": m.data.train_images[:n],
            "train_labels": m.data.train_labels[:n]})


def spread_note(runs: list[Run], baseline: float, n_test: int) -> str:
    """Two lines summing a spread up: how many seeds froze at the base rate (to within one
    test picture), and where the others are."""
    finals = [r.final_accuracy() for r in runs]
    scored = [a for a in finals if a is not None and math.isfinite(a)]
    if not scored:
        return f"{len(runs)} seeds training…"
    frozen = [a for a in scored if at_base_rate(a, baseline, n_test)]
    others = [a for a in scored if not at_base_rate(a, baseline, n_test)]
    epoch = min(len(r.metrics) for r in runs)
    head = f"Epoch {epoch}: {len(frozen)} of {len(scored)} seeds froze at {baseline:.2%}"
    if not others:
        return f"{head},\nthe base rate"
    return f"{head};\nthe others {min(others):.1%}–{max(others):.1%}"


def spread_scores(job: dict, gate) -> dict:
    """The scorer's work for a spread's epoch: every seed on the test and training sets."""
    from .spread import evaluate_seeds, evaluate_seeds_chunked

    gate.wait()
    test = evaluate_seeds(job["params"], job["X_test"], job["test_labels"], job["config"])
    gate.wait()
    train = evaluate_seeds_chunked(job["params"], job["train_images"], job["train_labels"],
                                   job["config"], chunk=2000)
    rows = [{"test_loss": te.loss, "test_acc": te.accuracy, "train_loss": tr.loss,
             "train_acc": tr.accuracy} for te, tr in zip(test, train, strict=True)]
    return {"spread": job["spread"], "epoch": job["epoch"], "rows": rows}

