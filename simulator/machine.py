"""The machine behind the window: who turns the knobs and when, and one frozen snapshot of
everything the face shows. NumPy only.

Its parts each live in a file named for their job: the knobs and switches
(:mod:`simulator.knobs`), the pictures and the retina (:mod:`simulator.pictures`), the record
of epochs (:mod:`simulator.record`) and background scoring (:mod:`simulator.scorer`). The
app turns intents into calls here; the view draws :meth:`Machine.snapshot`. The machine
states facts (:class:`Note`); the window puts them into words.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import engine
from .bench import Bench
from .config import Config
from .dims import N_PIXELS
from .engine import TrainingDiverged
from .face_state import FaceState, Note
from .knobs import KnobBoard
from .live import Clues, Ghosts, LiveScore
from .pictures import PICTURE_FILTERS, Pictures
from .procedures import PROCEDURES, Pace, Procedures, Progress
from .record import EpochRecord
from .scorer import EpochEvaluator
from .spread_run import SpreadRun

__all__ = ["PICTURE_FILTERS", "SPEEDS", "Machine", "speed_rate"]

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


class Machine:
    """The knobs, the pictures, the procedures, the record of epochs and the live score."""

    def __init__(self, data, config: Config | None = None, params: np.ndarray | None = None,
                 store=None):
        self.knobs = KnobBoard(config or Config(), params)
        self.bench = Bench(store)  # every run kept (on disk when a store is given)
        self.pictures = Pictures(data)
        self.record = EpochRecord()
        self.evaluator = EpochEvaluator()
        self.procedures = Procedures()
        self.mode = "hand"
        self.last_mode = "gd"  # what Play starts when the mode is the hand
        self.lr_by_mode: dict[str, float] = {}  # each procedure keeps its own learning rate
        self.playing = False
        self.spreading: SpreadRun | None = None  # ten seeds at once, training
        self.run_finished = False  # the last run stopped because it ran all its epochs
        self.run_trained = False  # a procedure turned knobs in this run
        self.speed = SPEEDS["max"]
        self.stop_at_epoch: int | None = None
        self._play_from = 0  # the run's epochs when Play was pressed
        self.sprint = False  # one-epoch step: full speed until the epoch ends
        self.credit = 0.0  # fractional steps owed at slow speeds
        self.generation = 0  # bumped whenever trainers must be rebuilt
        self.note: Note | None = None
        self.diverged = ""
        self.live = LiveScore()
        self.ghosts = Ghosts()
        self.clues = Clues()
        self.turned: np.ndarray | None = None  # knobs the last watched step moved
        self.facts = None  # what the last watched step did (procedures.StepFacts)
        self.turned_time = -math.inf
        self.knobs_version = 0  # bumped at every change of the knobs (autosave watches it)
        self.hand_edits = 0  # bumped when a person changes the knobs (a new run follows)
        self.clock = time.monotonic

    # ---- the parts, by their everyday names -------------------------------------------------

    config = property(lambda self: self.knobs.config)
    params = property(lambda self: self.knobs.params)
    hand = property(lambda self: self.knobs.hand)
    column = property(lambda self: self.knobs.column)
    weights = property(lambda self: self.knobs.weights)
    bias = property(lambda self: self.knobs.bias)
    data = property(lambda self: self.pictures.data)
    picture = property(lambda self: self.pictures.picture)
    picture_filter = property(lambda self: self.pictures.filter)
    history = property(lambda self: self.record.history)
    run = property(lambda self: self.record.run)
    run_epochs = property(lambda self: self.record.epochs)

    @property
    def procedure(self):
        return self.procedures[self.mode]

    @property
    def training(self) -> bool:
        return self.playing and (self.spreading is not None or self.procedure.trains)

    @property
    def X_test(self) -> np.ndarray:
        return self.pictures.X_test(self.config.scale)

    @property
    def baseline(self) -> float:
        """The score of a machine that learned nothing (a bulb that never lights)."""
        c = self.config
        return engine.baseline_accuracy(self.data.test_labels, c.digit, c.bulbs)

    def train_config(self, rule: str | None) -> Config:
        return dataclasses.replace(self.config, rule=rule) if rule else self.config

    def tell(self, kind: str, **facts) -> None:
        """State a fact for the window to word (see :mod:`simulator.words`)."""
        self.note = Note(kind, facts, self.clock())

    def knobs_changed(self) -> None:
        self.live.dirty = self.ghosts.dirty = True
        self.knobs_version += 1

    # ---- the picture on the retina, and the machine's answer --------------------------------

    def reading(self) -> engine.Prediction:
        """The bulb(s) for the picture on the retina, with the knobs as they are now."""
        x = engine.prepare_inputs(self.picture.pixels[None, :], self.config.scale)
        return engine.predict(self.params, x, self.config)

    def set_data(self, data, X_tests: dict | None = None) -> None:
        """Swap in another data set (full MNIST arriving), with its test inputs by input
        scale if they are ready; the knobs stay as they are."""
        self.pictures.set_data(data, X_tests)
        self.ghosts.forget_data()
        self._invalidate(new_run=True)

    def show_picture(self, how: str, include_current: bool = False) -> None:
        """Next, previous or a random test picture among those the filter lets through."""
        pool = self.pictures.matching(self.params, self.config)
        if not self.pictures.show(how, pool, include_current):
            self.tell("no_match", filter=self.picture_filter, digit=self.config.digit)

    def set_picture_filter(self, which: str) -> None:
        self.pictures.set_filter(which)
        self.show_picture("next", include_current=True)

    def paint(self, row: float, col: float, erase: bool = False) -> None:
        self.pictures.paint(row, col, erase)

    def clear_retina(self) -> None:
        self.pictures.clear()

    # ---- knobs by hand ------------------------------------------------------------------------

    def turn(self, index: int, steps: float, fine: bool = False) -> None:
        if self.knobs.turn(index, steps, fine):
            self.hand_changed()

    def set_knob(self, index: int, value: float) -> None:
        if self.knobs.set_knob(index, value):
            self.hand_changed()

    def brush(self, index: int, mode: str, fine: bool = False) -> list[int]:
        touched = self.knobs.brush(index, mode, fine)
        if touched:
            self.hand_changed()
        return touched

    def hand_changed(self) -> None:
        """Knobs turned by a person (or put back): the next Play starts a new run."""
        self.hand_edits += 1
        self.knobs_changed()

    def begin_gesture(self) -> None:
        self.hand.begin()

    def end_gesture(self) -> None:
        self.hand.end()
        if self.playing:
            self.hand.begin()  # the training run goes on as the next undo step

    def undo(self) -> None:
        self._replay(self.hand.undo, "undo")

    def redo(self) -> None:
        self._replay(self.hand.redo, "redo")

    def _replay(self, step, kind: str) -> None:
        self.pause()
        done = step()
        if done:
            self.hand_changed()
        self.tell(kind, done=done)

    def reset_knobs(self, how: str) -> None:
        self.pause()
        self.knobs.replace(np.zeros_like(self.params) if how == "zero" else self.knobs.fresh())
        self._invalidate(new_run=True)
        self.tell("reset", how=how, seed=self.config.seed)

    def put_knobs(self, params: np.ndarray, config: Config | None) -> None:
        """Knobs (and switches) from a file: one undoable step when the shape fits. A file
        that cannot be used raises ValueError and changes nothing."""
        config = self.knobs.from_file(params, config)
        self.pause()
        self.knobs.adopt(config, engine.check_params(params))
        rule = self.procedure.rule  # a training mode follows the file's rule
        if self.procedure.trains and rule != config.rule and config.rule in PROCEDURES:
            self.mode = self.last_mode = config.rule
        for name, procedure in PROCEDURES.items():  # the file's rate is its rule's rate
            if procedure.trains and procedure.rule == config.rule:
                self.lr_by_mode[name] = config.lr
        self._invalidate(new_run=True)

    # ---- switches and modes -----------------------------------------------------------------

    def set_switch(self, name: str, value) -> bool:
        """Change one of the story's switches; False (and a note) if the combination is
        invalid, leaving everything as it was."""
        try:
            new = self.knobs.changed(name, value)
        except ValueError as exc:
            self.tell("refused", error=str(exc))
            return False
        if new == self.config:
            return True
        if name == "epochs":  # only where the run stops: training goes on
            self.knobs.adopt(new)
            self._aim(self.config.epochs)
            return True
        was_playing = self.playing
        self.pause()
        fresh = self.knobs.fresh(new) if name in ("bulbs", "seed") else None
        self.knobs.adopt(new, fresh)
        if fresh is not None:
            self.tell("new_knobs", switch=name, bulbs=new.bulbs, seed=new.seed)
        self._invalidate(new_run=True)
        if was_playing:
            self.play()
        return True

    def set_mode(self, name: str) -> bool:
        """Hand the knobs to another procedure (with the learning rate it last had); False
        (and a note) if it cannot work with the switches as they are."""
        if name not in PROCEDURES:
            raise ValueError(f"unknown mode {name!r}; known: {', '.join(PROCEDURES)}")
        procedure = self.procedures[name]
        new = self.config
        if procedure.trains:
            lr = self.lr_by_mode.get(name, procedure.lr)
            try:
                new = dataclasses.replace(self.config, rule=procedure.rule, lr=lr).validate()
            except ValueError as exc:
                self.tell("refused", error=str(exc))
                return False
        was_playing = self.playing
        self.pause()
        if self.procedure.trains:
            self.lr_by_mode[self.mode] = self.config.lr
        self.mode = name
        if procedure.trains:
            self.last_mode = name
            if new != self.config:
                self.knobs.adopt(new)
                self._invalidate(new_run=True)
        if was_playing and procedure.trains:
            self.play()
        return True

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
        if self.spreading is not None:
            self.spreading.close()
            self.spreading = None
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
        self.evaluator.submit({
            "run": self.run, "epoch": epoch, "params": self.params.copy(),
            "config": self.train_config(self.procedure.rule), "X_test": self.X_test,
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

    def poll(self) -> None:
        """Collect background scores: live scores for the status line, epoch scores for the
        charts (an epoch whose knobs never light the bulb is the 91.08% trap: said)."""
        for result in self.evaluator.poll():
            if "spread" in result:
                self.bench.spread_scored(result)
                continue
            if "clues" in result:
                self.clues.arrived(result)
                continue
            if "live" in result:
                error = self.live.arrived(self, result)
                if error:
                    self.tell("score_failed", epoch=None, error=error)
                continue
            self.bench.on_result(result)
            error = self.record.add(result)
            if error:
                self.tell("score_failed", epoch=result["epoch"], error=error)
            elif result.get("run") == self.run and "test_acc" in result:
                self._check_trap(result["test_acc"])

    def _check_trap(self, accuracy: float) -> None:
        if self.config.bulbs == 1 and self.run_trained and abs(accuracy - self.baseline) < 1e-9:
            self.tell("never_lit", baseline=self.baseline, digit=self.config.digit)

    def _invalidate(self, new_run: bool) -> None:
        self.generation += 1
        self.procedures.reset()
        self.credit = 0.0
        if new_run:
            self.run_trained = False
            self.record.new_run()
            self.bench.end()
        self.knobs_changed()

    # ---- live score, ghosts ------------------------------------------------------------------

    score = property(lambda self: self.live.score)
    ghost = property(lambda self: self.ghosts.direction)

    def update_score(self, force: bool = False, busy: bool = False) -> bool:
        return self.live.update(self, force, busy)

    def update_ghost(self, force: bool = False) -> bool:
        return self.ghosts.update(self, force)

    @property
    def ghost_on(self) -> bool:
        return self.ghosts.on

    @ghost_on.setter
    def ghost_on(self, on: bool) -> None:
        self.ghosts.on, self.ghosts.dirty = bool(on), True

    def toggle_ghost(self) -> None:
        self.ghost_on = not self.ghost_on
        self.tell("ghosts", on=self.ghost_on)

    # ---- the face -------------------------------------------------------------------------------

    def snapshot(self, views=frozenset()) -> FaceState:
        """Everything the face shows this frame, computed once and frozen; ``views`` are the
        extra views the window shows (strip, histogram)."""
        self.clues.update(self, views)
        said, c, pic = self.reading(), self.config, self.picture
        col = self.column
        lit = bool(said.answer[0] == col) if c.bulbs == 10 else bool(said.answer[0])
        return FaceState(
            light=pic.light, label=pic.label, split=pic.split, index=pic.index,
            n_test=len(self.data.test_labels), n_train=len(self.data.train_labels),
            weights=self.weights.copy(), bias=self.bias, knob_scale=self.knobs.knob_scale(),
            input_scale=c.scale,
            ghost=None if self.ghost is None else self.ghost[:N_PIXELS].copy(),
            turned=self.turned, turned_age=self.clock() - self.turned_time, facts=self.facts,
            z=said.z[0].copy(), output=said.output[0].copy(), column=col, lit=lit,
            answer=int(said.answer[0]) if c.bulbs == 10 else None,
            verdict=None if pic.label is None else engine.verdict(pic.label == c.digit, lit),
            free_sum=c.activation == "none" and not c.threshold_unit,
            digit=c.digit, bulbs=c.bulbs, history=tuple(dict(h) for h in self.history),
            baseline=self.baseline, epoch_progress=self.epoch_progress(),
            epoch=self.run_epochs + 1, score=None if self.score is None else self.score.accuracy,
            procedure=self.procedure.label, playing=self.playing, note=self.note,
            note_age=math.inf if self.note is None else self.clock() - self.note.time,
            diverged=self.diverged, is_sample=self.data.is_sample,
            chart_runs=self.bench.chart_runs(), strip=self.clues.strip,
            histogram=self.clues.histogram, spread_note=self.bench.spread_note
            if self.spreading is not None else "")
