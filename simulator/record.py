"""The record of a run's epochs: what the charts draw. Standard library only."""

from __future__ import annotations

import math

_EMPTY_ROW = {"train_loss": math.nan, "train_acc": math.nan,
              "test_loss": math.nan, "test_acc": math.nan}


class EpochRecord:
    """Epoch scores of the current run, in epoch order. Scores arrive from the background
    scorer out of order and in halves (an epoch's test score first): a row appears with
    its test score, and its training score (NaN until then) fills in later."""

    def __init__(self) -> None:
        self.run = 0  # bumped when the charts start over
        self.epochs = 0  # epochs finished in this run
        self.history: list[dict] = []
        self._pending: dict[int, dict] = {}

    def new_run(self) -> None:
        self.run += 1
        self.epochs = 0
        self.history = []
        self._pending = {}

    def epoch_done(self) -> int:
        """Count a finished epoch; returns its number within the run."""
        self.epochs += 1
        return self.epochs

    def add(self, result: dict) -> str | None:
        """File one scorer result; returns the error it carries, if any (the epoch keeps
        its row, with NaN: a gap in the charts, and later epochs follow)."""
        if result.get("run") != self.run:
            return None
        row = self._pending.setdefault(result["epoch"], dict(_EMPTY_ROW))
        error = result.get("error")
        if error is None:
            row.update({k: v for k, v in result.items() if k in row})
        while len(self.history) + 1 in self._pending:
            self.history.append(self._pending[len(self.history) + 1])
        for epoch in [e for e in self._pending if e <= len(self.history)]:
            if not math.isnan(self._pending[epoch]["train_acc"]):
                del self._pending[epoch]  # complete: its row in the history is final
        return error
