"""The machine behind the window: who turns the knobs and when, and one frozen snapshot of
everything the face shows. NumPy only.

Its parts each live in a file named for their job: the knobs and switches
(:mod:`simulator.knobs`), the pictures and the retina (:mod:`simulator.pictures`), the record
of epochs (:mod:`simulator.record`), background scoring (:mod:`simulator.scorer`), the live
score and the clues (:mod:`simulator.live`), the runs kept (:mod:`simulator.bench`) and the
training loop (:mod:`simulator.training`, a mixin on the machine's state). The
app turns intents into calls here; the view draws :meth:`Machine.snapshot`. The machine
states facts (:class:`Note`); the window puts them into words.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import engine, wiring
from .bench import Bench
from .config import Config
from .dims import N_PIXELS
from .face_state import FaceState, Note, WiredState
from .knobs import KnobBoard
from .live import Clues, Ghosts, LiveScore
from .pictures import PICTURE_FILTERS, Pictures
from .procedures import PROCEDURES, Procedures
from .record import EpochRecord
from .scorer import EpochEvaluator
from .spread_run import SpreadRun
from .training import SPEEDS, Training, speed_rate

BOARDS_EVERY_TRAINING = 0.25  # seconds between new pictures of the hidden units' weights
CORD_UNITS = 8  # association units whose patch cords the face draws: a sample

__all__ = ["PICTURE_FILTERS", "SPEEDS", "Machine", "speed_rate"]


class Machine(Training):
    """The knobs, the pictures, the procedures, the record of epochs and the live score."""

    def __init__(self, data, config: Config | None = None, params: np.ndarray | None = None,
                 store=None, hidden: np.ndarray | None = None):
        self.knobs = KnobBoard(config or Config(), params, hidden)
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
        self.hidden_version = 0  # bumped when the hidden layer may have changed (not by hand)
        self.hand_edits = 0  # bumped when a person changes the knobs (a new run follows)
        self.clock = time.monotonic
        # the hidden units' weight pictures on show: (when, version, boards, colour scale)
        self._boards = (-math.inf, None, None, 1.0)

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

    hidden = property(lambda self: self.knobs.hidden)

    @property
    def X_test(self) -> np.ndarray:
        """(10000, n_in) float32: the test pictures as the knobs weigh them (pixels, the
        A-units' outputs, or the hidden units' as the hidden layer is now)."""
        if self.config.wiring == "direct":
            return self.pictures.X_test(self.config.scale)
        return self._wired_rows(wait=True)

    def _wired_rows(self, wait: bool) -> np.ndarray | None:
        """The test rows of the plugboard or the hidden layer, made in a thread when the
        wiring (or the hidden layer) changes; ``wait`` False: None until they are ready."""
        c = self.config
        if c.wiring == "plugboard":
            key = ("plugboard", wiring.n_units(c), c.seed)
            return self.pictures.X_test_wired(
                key, lambda: lambda images: wiring.knob_rows(c, images), wait)

        def prepare():
            hidden = self.hidden.copy()  # the thread's own: training turns the layer on
            return lambda images: wiring.knob_rows(c, images, hidden)

        key = ("hidden", id(self.hidden), self.hidden_version, self.generation, c.scale)
        return self.pictures.X_test_wired(key, prepare, wait)

    def test_rows_ready(self) -> bool:
        """The test rows the knobs weigh are at hand (with another wiring than direct they
        are made in a thread after each change of the wiring or the hidden layer)."""
        return self.config.wiring == "direct" or self._wired_rows(wait=False) is not None

    def test_source(self) -> tuple[np.ndarray, np.ndarray | None]:
        """What a score in the scorer's thread reads: (the test rows, None), or, when the
        rows are not ready (a hidden layer that moves, a plugboard just wired), (the test
        pictures, the hidden layer's copy or None): the thread makes the rows itself."""
        c = self.config
        if c.wiring == "direct":
            return self.X_test, None
        rows = self._wired_rows(wait=False) if c.wiring == "plugboard" else None
        if rows is not None:
            return rows, None
        return self.data.test_images, (self.hidden.copy() if c.wiring == "hidden" else None)

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

    def knobs_changed(self, hidden: bool = True) -> None:
        """The knobs changed (and the hidden layer too, unless ``hidden`` is False)."""
        self.live.dirty = self.ghosts.dirty = True
        self.knobs_version += 1
        if hidden:
            self.hidden_version += 1

    # ---- the picture on the retina, and the machine's answer --------------------------------

    def reading(self) -> engine.Prediction:
        """The bulb(s) for the picture on the retina, with the knobs as they are now."""
        x = wiring.knob_rows(self.config, self.picture.pixels[None, :], self.hidden)
        return engine.predict(self.params, x, self.config)

    def set_data(self, data, X_tests: dict | None = None) -> None:
        """Swap in another data set (full MNIST arriving), with its test inputs by input
        scale if they are ready; the knobs stay as they are."""
        self.pictures.set_data(data, X_tests)
        self.ghosts.forget_data()
        self._invalidate(new_run=True)

    def show_picture(self, how: str, include_current: bool = False) -> None:
        """Next, previous or a random test picture among those the filter lets through."""
        pool = self.pictures.matching(self.params, self.config, lambda: self.X_test)
        if not self.pictures.show(how, pool, include_current):
            self.tell("no_match", filter=self.picture_filter, digit=self.config.digit)

    def set_picture_filter(self, which, toggle: bool = False) -> None:
        """Browse the pictures ``which`` lets through ("next": the next filter; ``toggle``:
        the same filter chosen again lets every picture through)."""
        self.pictures.set_filter(self.pictures.chosen(which, toggle))
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
        self.knobs_changed(hidden=False)  # the hand turns the knobs, never the hidden layer

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

    def put_knobs(self, params: np.ndarray, config: Config | None,
                  hidden: np.ndarray | None = None) -> None:
        """Knobs (and switches) from a file: one undoable step when the shape fits; a file
        of another wiring switches the wiring (said). A file that cannot be used raises
        ValueError and changes nothing."""
        config = self.knobs.from_file(params, config, hidden)
        self.pause()
        was = (self.config.wiring, wiring.n_units(self.config))
        self.knobs.adopt(config, engine.check_params(params, config.bulbs, config.n_inputs),
                         hidden)
        if (config.wiring, wiring.n_units(config)) != was:
            self.tell("wiring_loaded", wiring=config.wiring, units=wiring.n_units(config),
                      was=was[0])
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
        if name == "digit" and new.bulbs == 10:  # which bulb's board is big: the run goes on
            self.knobs.adopt(new)
            self.turned = None
            self.knobs_changed()  # ghosts, clues and the bulb on show follow the board
            return True
        was_playing = self.playing
        self.pause()
        fresh, hidden = (self.knobs.fresh_model(new)
                         if name in ("bulbs", "seed", "wiring", "units") else (None, None))
        self.knobs.adopt(new, fresh, hidden)
        if fresh is not None:
            self.tell("new_knobs", switch=name, bulbs=new.bulbs, seed=new.seed,
                      wiring=new.wiring, units=wiring.n_units(new))
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
        self.pictures.forget_cell(self.config.bulbs)
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
        self.tell("ghosts", on=self.ghost_on, wiring=self.config.wiring)

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
            if self.spreading is not None else "",
            boards=self.params[:-1].copy() if c.bulbs == 10 else None,
            scoreboard=self.clues.scoreboard, picture_filter=self.picture_filter,
            wired=self._wired())

    def _wired(self) -> WiredState | None:
        """The plugboard or the hidden layer, for the picture on the retina."""
        c = self.config
        if c.wiring == "direct":
            return None
        units, pixels = wiring.n_units(c), self.picture.pixels[None, :]
        common = {"kind": c.wiring, "units": units, "grid": wiring.board_shape(units),
                  "knobs": self.weights.copy(), "knob_scale": self.knobs.knob_scale()}
        if c.wiring == "plugboard":
            board = wiring.plugboard_of(c)
            some = np.linspace(0, units - 1, min(units, CORD_UNITS)).astype(int)
            cords = np.stack([board.cells[some].ravel(), np.repeat(some, wiring.CONNECTIONS),
                              board.signs[some].ravel()], axis=1)
            return WiredState(**common, lamps=board.fire(pixels)[0].astype(np.float32),
                              photocells=wiring.photocells(pixels)[0], cords=cords)
        X = engine.prepare_inputs(pixels, c.scale)
        now, (when, version, boards, _) = self.clock(), self._boards
        if boards is None or boards.shape[0] != units or (
                version != (self.hidden_version, self.generation)
                and not (self.training and now - when < BOARDS_EVERY_TRAINING)):
            version = (self.hidden_version, self.generation)
            boards = self.hidden[:N_PIXELS].T.copy()  # (units, 784) the weight pictures
            self._boards = (now, version, boards, _high(boards))
        return WiredState(**common, lamps=wiring.hidden_activations(self.hidden, X)[0],
                          boards=boards, boards_scale=self._boards[3], version=version)


def _high(weights: np.ndarray, share: float = 0.99) -> float:
    """|weight| at full colour for many boards at once: the 99th percentile of |weight|
    (one partial sort: a frame's worth of milliseconds less than np.percentile)."""
    a = np.abs(weights).ravel()
    a = a[np.isfinite(a)]
    if not len(a):
        return 1.0
    k = int(share * (len(a) - 1))
    return max(float(np.partition(a, k)[k]), 1e-6)
