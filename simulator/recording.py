"""A command-line run kept on the bench (the window's store of runs) and, when asked,
logged to Weights & Biases offline. NumPy only; the window keeps its own runs
(:mod:`simulator.bench`)."""

from __future__ import annotations

import sys

import numpy as np

from .runs import Run, RunStore

# The command line's names for an epoch's numbers, and the store's.
_KEYS = {"train_loss": "train_loss", "train_accuracy": "train_acc",
         "test_loss": "test_loss", "test_accuracy": "test_acc", "seconds": "seconds"}


class Recorder:
    """Follows one run epoch by epoch: ``epoch(row, params)`` after each, ``finish()``."""

    def __init__(self, config, start: np.ndarray, source: str, baseline: float,
                 store: RunStore | None, wandb: bool, group: str | None = None) -> None:
        self.store, self.wandb = store, None
        self.run = Run.new(config, start, source=source, origin="cli", group=group,
                           baseline=baseline)
        self._said = False
        if wandb:
            from .tracking import WandbRun

            self.wandb, note = WandbRun.open(config, self.run.label(), group=group,
                                             procedure=config.rule, data=source)
            if note:
                print(f"note: {note}", file=sys.stderr)

    def epoch(self, row: dict, params: np.ndarray, save: bool = True) -> None:
        """One epoch's numbers (the command line's history row) and the knobs after it."""
        metrics = {"epoch": row["epoch"], **{k: row[c] for c, k in _KEYS.items()}}
        self.run.metrics.append(metrics)
        self.run.add_knobs(params)
        if save:
            self.save()
        if self.wandb is not None:
            self.wandb.log_epoch({k: v for k, v in metrics.items() if k != "epoch"},
                                 row["epoch"])
            self.wandb.log_knobs(params, row["epoch"])

    def save(self) -> None:
        if self.store is not None:
            try:
                self.store.save(self.run)
            except (OSError, ValueError) as exc:
                if not self._said:  # once: the training goes on
                    print(f"note: the run is not kept on the bench: {exc}", file=sys.stderr)
                    self._said = True

    def finish(self) -> None:
        if self.wandb is not None:
            path = self.wandb.finish()
            if path is not None:
                print(f"W&B offline run: {path} ('wandb sync' uploads it)")
