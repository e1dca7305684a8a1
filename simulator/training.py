"""Who turns the knobs and when: play, pause, steps, epochs, ten seeds at once, a frame's
share of training. A part of :class:`simulator.machine.Machine` (a mixin: it works on the
machine's own state), kept in a file of its own. NumPy only."""

from __future__ import annotations

import math

from .engine import TrainingDiverged
from .procedures import Pace, Progress
from .spread_run import SpreadRun

WATCH_RATE = 12.0  # steps per second at or below which each step is shown (slow motion)
SPEEDS = {"slow": 0.0, "normal": 0.5, "max": 1.0}


def speed_rate(speed: float) -> float | None:
    """Steps per second for the speed slider's value 0..1; None at 1 = as fast as it goes.

    0 is slow motion (2 steps a second), 0.5 one step per frame (60/s), then up to 60 per frame.
    """
    speed = min(1.0, max(0.0, float(speed)))
    if speed >= 1.0:
        return None
    if speed < 0.5:
        return 2.0 * 30.0 ** (2 * speed)
    return 60.0 * 60.0 ** (2 * (speed - 0.5))


class Training:
    """The training loop's half of the machine."""

    def set_speed(self, value: float) -> None:
        self.speed = min(1.0, max(0.0, float(value)))
        self.credit = 0.0

    def play(self, epochs: int | None = None) -> None:
        """Start the current procedure (the last training one if the hand is in charge)."""
        if not self.procedure.trains:
            self.set_mode(self.last_mode)
        if self.playing:
            return
        self.bench.on_play(self)
        self.playing = True
        self.run_finished = False
        self.diverged = ""
        self.credit = 0.0
        self._play_from = self.run_epochs
        self._aim(self.config.epochs if epochs is None else epochs)
        self.hand.begin()  # a run of training is one undo step

    def _aim(self, epochs: int) -> None:
        """Stop after ``epochs`` epochs from where Play was pressed (0: until paused)."""
        if self.playing:
            self.stop_at_epoch = self._play_from + epochs if epochs else None

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self.stop_at_epoch = None
        self.sprint = False
        self.spreading = None  # a spread paused is over: its runs are kept
        self.bench.on_pause(self)
        self.hand.end()
        self.turned = None

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
            self.tell("paused")
        else:
            self.play()

    def step(self, unit: str) -> None:
        """One step (a batch, a picture, or a knob in trial and error), or one whole epoch."""
        if not self.procedure.trains:
            self.set_mode(self.last_mode)
        self.pause()
        if unit == "epoch":
            self.play(epochs=1)
            self.sprint = True
            return
        self.hand.begin()
        try:
            progress = self.procedure.advance(self, math.inf, Pace(max_steps=1, watch=True))
        except Exception as exc:  # noqa: BLE001 - said in the window, never a traceback
            self._stopped(exc)
            progress = Progress()
        finally:
            self.hand.end()
        self._after_progress(progress, watched=True)

    # ---- training, a frame at a time ----------------------------------------------------------

    def spread(self, n: int) -> None:
        """Train n seeds of the current switches at once (gradient descent, one bulb)."""
        try:
            self.set_mode("gd")
            run = SpreadRun(self, n)
        except ValueError as exc:
            self.tell("refused", error=str(exc))
            return
        self.pause()
        self.bench.end()
        self.spreading, self.playing = run, True
        self.hand.begin()  # the spread is one undo step for the board's knobs
        self.tell("spread", n=n, first=run.seeds[0])

    def advance(self, budget_s: float, dt: float) -> Progress:
        """Let the procedure turn knobs for up to `budget_s` seconds of this frame."""
        if not self.training:
            return Progress()
        if self.spreading is not None:
            try:
                if self.spreading.advance(self, budget_s):
                    self.pause()
                    self.run_finished = True
            except Exception as exc:  # noqa: BLE001 - said in the window, never a traceback
                self._stopped(exc)
            return Progress()
        rate = None if self.sprint else speed_rate(self.speed)
        if rate is None:
            pace = Pace(None, watch=False)
        else:
            self.credit = min(self.credit + rate * dt, max(1.0, rate * 0.25))
            steps = int(self.credit)
            if steps == 0:
                return Progress()
            self.credit -= steps
            pace = Pace(steps, watch=rate <= WATCH_RATE)
        try:
            progress = self.procedure.advance(self, budget_s, pace)
        except Exception as exc:  # noqa: BLE001 - said in the window, never a traceback
            self._stopped(exc)
            return Progress()
        self.run_trained = self.run_trained or progress.steps > 0
        self._after_progress(progress, watched=pace.watch)
        if progress.stopped:
            self.pause()
            self.run_finished = True  # it ran its epochs (not a person's pause)
        return progress

    def _after_progress(self, progress: Progress, watched: bool) -> None:
        if progress.steps:
            self.knobs_changed()
        if progress.shown is not None and (watched or speed_rate(self.speed) is not None):
            self.pictures.picture = self.pictures.train_picture(progress.shown)
        if watched and progress.turned is not None:
            self.turned, self.turned_time = progress.turned, self.clock()
            self.facts = progress.facts

    def _stopped(self, exc: Exception) -> None:
        """Training stops with a note: divergence (knobs rolled back), or any failure."""
        self.pause()
        diverged = isinstance(exc, TrainingDiverged)
        if diverged:
            self.diverged = str(exc)
        self.knobs_changed()
        self.tell("stopped", error=str(exc) if diverged else f"{type(exc).__name__}: {exc}")

    def epoch_finished(self) -> bool:
        """Called by a procedure when an epoch ends: the knobs are scored for the charts.
        Returns True when the run reached its target and should stop."""
        epoch = self.record.epoch_done()
        self.bench.epoch_done(self.params)
        n = self.config.train_count(len(self.data.train_labels))
        source, hidden = self.test_source()
        self.evaluator.submit({
            "run": self.run, "epoch": epoch, "params": self.params.copy(), "hidden": hidden,
            "config": self.train_config(self.procedure.rule), "X_test": source,
            "test_labels": self.data.test_labels, "train_images": self.data.train_images[:n],
            "train_labels": self.data.train_labels[:n],
        })
        if self.stop_at_epoch is not None and epoch >= self.stop_at_epoch:
            self.tell("epochs_done", epochs=epoch)
            return True
        return False

    def epoch_progress(self) -> float | None:
        if self.spreading is not None:
            return self.spreading.epoch_progress
        return self.procedure.epoch_progress()
