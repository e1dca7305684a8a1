"""The machine's state behind the window, and the one place that changes it. NumPy only.

The app turns intents into calls on :class:`Machine`; the view reads it. The knobs are one
array, ``params`` (785, k) float32, shared by the hand (:mod:`simulator.hand`) and by every
procedure (:mod:`simulator.procedures`): what one turns, the others see.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np

from . import engine
from .engine import N_PIXELS, Config, TrainingDiverged
from .hand import BIAS, HandTuner
from .procedures import PROCEDURES, Pace, Procedures, Progress, verdict

SIDE = 28
PICTURE_FILTERS = ("all", "target", "other", "misclassified")
SCORE_EVERY_TRAINING = 0.3  # seconds between live scores while a procedure trains
GHOST_EVERY = 0.15  # seconds between ghost-needle updates (0.5 while training)
GHOST_PICTURES = 2000
WATCH_RATE = 12.0  # steps per second at or below which each step is shown (slow motion)
SWITCHES = ("activation", "loss", "optimizer", "lr", "batch_size", "inputs", "subset",
            "digit", "seed", "bulbs")


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


SPEEDS = {"slow": 0.0, "normal": 0.5, "max": 1.0}


@dataclass
class Picture:
    """What the retina sees: pixel values (784,) float32 in 0..255, and where it came from."""

    pixels: np.ndarray
    label: int | None  # None: drawn by hand
    split: str  # test | train | drawn
    index: int = -1

    @property
    def light(self) -> np.ndarray:
        return (self.pixels / 255.0).reshape(SIDE, SIDE)  # (28, 28) float32 in [0, 1]


@dataclass
class Reading:
    """The machine's answer to the picture on the retina, with the current knobs."""

    z: np.ndarray  # (k,) weighted sums
    output: np.ndarray  # (k,) bulb outputs
    column: int  # the bulb on show
    lit: bool  # the bulb on show is lit (one bulb) / is the brightest (ten)
    answer: int | None  # ten bulbs: the digit of the brightest bulb
    verdict: str | None

    @property
    def weighted_sum(self) -> float:
        return float(self.z[self.column])

    @property
    def bulb(self) -> float:
        return float(self.output[self.column])


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
        self._live: dict | None = None
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
        self._start()
        with self._wake:
            if self._live is None:
                self._busy += 1
            self._live = job
            self._wake.notify()

    def _next(self) -> tuple[str, dict]:
        with self._wake:
            while self._live is None and not self._jobs:
                self._wake.wait()
            if self._live is not None:
                job, self._live = self._live, None
                return "live", job
            return "epoch", self._jobs.popleft()

    def _work(self) -> None:
        while True:
            kind, job = self._next()
            try:
                if kind == "live":
                    score = _score_rows(job["params"], job["X_test"], job["labels"],
                                        job["config"], self.gate)
                    self._results.put({"live": job["stamp"], "score": score})
                else:
                    _score_epoch(job, self.gate, self._results.put)
            except Exception as exc:  # reported, never lost silently
                key = {"live": job["stamp"]} if kind == "live" else {
                    k: job[k] for k in ("run", "epoch")}
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


def _score_epoch(job: dict, gate: threading.Event | None, report) -> None:
    params, config = job["params"], job["config"]
    key = {"run": job["run"], "epoch": job["epoch"]}
    test = _score_rows(params, job["X_test"], job["test_labels"], config, gate)
    report({**key, "test_loss": test.loss, "test_acc": test.accuracy})
    train = engine.evaluate_images(params, job["train_images"], job["train_labels"], config,
                                   chunk=_CHUNK, before_chunk=gate.wait if gate else None)
    report({**key, "train_loss": train.loss, "train_acc": train.accuracy})


def _score_rows(params, X, labels, config: Config, gate) -> engine.Metrics:
    """engine.evaluate on prepared rows X (n, 785), a chunk at a time, waiting at the gate."""
    parts = []
    for i in range(0, len(X), _CHUNK):
        if gate is not None:
            gate.wait()
        parts.append(engine.evaluate(params, X[i:i + _CHUNK], labels[i:i + _CHUNK], config))
    return engine.combine_metrics(parts)


class Machine:
    """The knobs, the data, the picture on the retina, the procedures and the charts."""

    def __init__(self, data, config: Config | None = None, params: np.ndarray | None = None):
        self.config = (config or Config()).validate()
        self.data = data
        self.params = (engine.check_params(params, self.config.bulbs).copy()
                       if params is not None else self._fresh_knobs(self.config))
        self.hand = HandTuner(self.params, self.column)
        self.procedures = Procedures()
        self.mode = "hand"
        self.last_mode = "gd"  # what Play starts when the mode is the hand
        self.run_finished = False  # the last run stopped because it ran all its epochs
        self.lr_by_mode: dict[str, float] = {}  # each procedure keeps its own learning rate
        self.playing = False
        self.speed = SPEEDS["max"]
        self.stop_at_epoch: int | None = None
        self.sprint = False  # one-epoch step: full speed until the epoch ends
        self.generation = 0  # bumped whenever trainers must be rebuilt
        self.run = 0  # bumped when the charts start over
        self.run_epochs = 0  # epochs finished in this run
        self.history: list[dict] = []
        self._pending: dict[int, dict] = {}
        self.evaluator = EpochEvaluator()
        self.message = ""
        self.message_time = 0.0
        self.picture_filter = "all"
        self._X_test: dict[float, np.ndarray] = {}
        self._baseline: tuple = (None, 0.0)
        self._X_ghost: dict[float, np.ndarray] = {}
        self.picture = self._test_picture(0)
        self.score: engine.Metrics | None = None
        self._score_dirty = True
        self._score_time = -math.inf
        self._live_stamp = 0
        self.ghost_on = False
        self.ghost: np.ndarray | None = None  # (785,) descent direction of the shown bulb
        self._ghost_dirty = True
        self._ghost_time = -math.inf
        self.turned: np.ndarray | None = None  # knobs the last watched step moved
        self.turned_time = -math.inf
        self.story = ""
        self.credit = 0.0  # fractional steps owed at slow speeds
        self.diverged = ""
        self.run_trained = False  # a procedure turned knobs in this run
        self.clock = time.monotonic

    # ------------------------------------------------------------------ derived state

    @property
    def column(self) -> int:
        """The bulb whose knobs the board shows: the target digit's when there are ten."""
        return self.config.digit if self.config.bulbs == 10 else 0

    @property
    def weights(self) -> np.ndarray:
        return self.params[:N_PIXELS, self.column]  # (784,) a view

    @property
    def bias(self) -> float:
        return float(self.params[BIAS, self.column])

    @property
    def procedure(self):
        return self.procedures[self.mode]

    @property
    def training(self) -> bool:
        return self.playing and self.procedure.trains

    def train_config(self, rule: str | None) -> Config:
        return dataclasses.replace(self.config, rule=rule) if rule else self.config

    @property
    def baseline(self) -> float:
        """The score of a machine that learned nothing (a bulb that never lights)."""
        key = (id(self.data), self.config.digit, self.config.bulbs)
        if self._baseline[0] != key:
            self._baseline = (key, engine.baseline_accuracy(
                self.data.test_labels, self.config.digit, self.config.bulbs))
        return self._baseline[1]

    @property
    def X_test(self) -> np.ndarray:
        """(10000, 785) float32 test inputs at the current input scale (cached)."""
        scale = self.config.scale
        X = self._X_test.get(scale)
        if X is None:
            self._X_test = {scale: engine.prepare_inputs(self.data.test_images, scale)}
            X = self._X_test[scale]
        return X

    def inputs(self, pixels: np.ndarray) -> np.ndarray:
        """(784,) pixel values 0..255 -> (785,) float32 inputs with the bias input."""
        x = np.empty(N_PIXELS + 1, np.float32)
        np.multiply(pixels.reshape(N_PIXELS), np.float32(self.config.scale), out=x[:N_PIXELS])
        x[N_PIXELS] = 1.0
        return x

    def reading(self) -> Reading:
        """The bulb(s) for the picture on the retina, with the knobs as they are now."""
        x = self.inputs(self.picture.pixels)
        with np.errstate(over="ignore", invalid="ignore"):
            z = (x[None, :] @ self.params)[0]  # (k,)
            out = engine.activate(z[None, :], self.config.activation)[0]
        col = self.column
        if self.config.bulbs == 10:
            answer = int(np.argmax(out if self.config.rule != "rosenblatt" else z))
            lit = answer == col
        else:
            answer = None
            lit = bool(z[0] > 0) if self.config.rule == "rosenblatt" else bool(out[0] > 0.5)
            if self.config.rule == "rosenblatt":
                out = np.array([1.0 if lit else 0.0], np.float32)
        label = self.picture.label
        word = None if label is None else verdict(label == self.config.digit, lit)
        return Reading(z, out, col, lit, answer, word)

    def say(self, text: str) -> None:
        self.message, self.message_time = text, self.clock()

    def knobs_changed(self) -> None:
        self._score_dirty = True
        self._ghost_dirty = True

    # ------------------------------------------------------------------ data

    def set_data(self, data, X_test: np.ndarray | None = None) -> None:
        """Swap in another data set (full MNIST arriving); the knobs stay as they are."""
        self.data = data
        self._X_test = {self.config.scale: X_test} if X_test is not None else {}
        self._X_ghost = {}
        if self.picture.split != "drawn":
            last = len(data.test_labels) - 1
            self.picture = self._test_picture(min(max(self.picture.index, 0), last))
        self._invalidate(new_run=True)

    def _test_picture(self, i: int) -> Picture:
        pixels = self.data.test_images[i].reshape(N_PIXELS).astype(np.float32)
        return Picture(pixels, int(self.data.test_labels[i]), "test", i)

    def _train_picture(self, i: int) -> Picture:
        pixels = self.data.train_images[i].reshape(N_PIXELS).astype(np.float32)
        return Picture(pixels, int(self.data.train_labels[i]), "train", i)

    # ------------------------------------------------------------------ knobs by hand

    def turn_step(self) -> float:
        """How far one notch turns a knob: a tenth of the board's full-scale weight."""
        return self.knob_scale() / 10.0

    def knob_scale(self) -> float:
        """|weight| drawn at full deflection: the 99th percentile (robust to a few big knobs)."""
        w = self.weights
        s = float(np.percentile(np.abs(w), 99)) if np.isfinite(w).all() else 1.0
        floor = 0.01 / (255.0 * self.config.scale)  # a zeroed board still turns visibly
        return max(s, floor)

    def turn(self, index: int, steps: float, fine: bool = False) -> None:
        amount = steps * self.turn_step() * (0.1 if fine else 1.0)
        if index == BIAS:
            amount *= 5.0  # the threshold works against the whole picture's sum
        if self.hand.turn(index, amount):
            self.knobs_changed()

    def set_knob(self, index: int, value: float) -> None:
        if self.hand.set(index, value):
            self.knobs_changed()

    def brush(self, index: int, mode: str, fine: bool = False) -> list[int]:
        touched = self.hand.brush(index, mode, self.turn_step() * (0.1 if fine else 0.5))
        if touched:
            self.knobs_changed()
        return touched

    def begin_gesture(self) -> None:
        self.hand.begin()

    def end_gesture(self) -> None:
        self.hand.end()
        if self.playing:
            self.hand.begin()  # the training run goes on as the next undo step

    def undo(self) -> None:
        self._replay(self.hand.undo, "Undone", "Nothing to undo")

    def redo(self) -> None:
        self._replay(self.hand.redo, "Redone", "Nothing to redo")

    def _replay(self, step, done: str, nothing: str) -> None:
        self.pause()
        if step():
            self.knobs_changed()
            self.say(done)
        else:
            self.say(nothing)

    def reset_knobs(self, how: str) -> None:
        self.pause()
        if how == "zero":
            new = np.zeros_like(self.params)
        else:
            new = self._fresh_knobs(self.config)
        self.hand.replace(new)
        self._invalidate(new_run=True)
        self.say("Knobs set to zero" if how == "zero" else
                 f"Knobs reset to random values from seed {self.config.seed} (Ctrl+Z undoes)")

    @staticmethod
    def _fresh_knobs(config: Config) -> np.ndarray:
        return engine.init_knobs(config, np.random.default_rng(config.seed))

    def put_knobs(self, params: np.ndarray, config: Config | None) -> None:
        """Knobs (and switches) from a file: applied as one undoable step when the shape fits."""
        params = engine.check_params(params)
        self.pause()
        if config is not None:
            config = dataclasses.replace(config, bulbs=params.shape[1]).validate()
        else:
            config = dataclasses.replace(self.config, bulbs=params.shape[1])
            if config.bulbs == 1 and config.activation == "softmax":
                config = dataclasses.replace(config, activation="sigmoid")
            config.validate()
        if params.shape == self.params.shape:
            self.config = config
            self.hand.replace(params)
        else:
            self.config = config
            self.params = params.astype(np.float32).copy()
            self.hand.attach(self.params, self.column)
        self.hand.column = self.column
        self._follow_rule()
        for name, procedure in PROCEDURES.items():  # the file's rate is its rule's rate
            if procedure.trains and procedure.rule == self.config.rule and procedure.lr:
                self.lr_by_mode[name] = self.config.lr
        self._invalidate(new_run=True)

    def _follow_rule(self) -> None:
        """After knobs arrive with their switches: a training mode follows the file's rule
        (knobs trained by Rosenblatt's rule are read as a threshold unit, and scored so)."""
        rule = self.procedure.rule
        if self.procedure.trains and rule != self.config.rule:
            self.mode = "rosenblatt" if self.config.rule == "rosenblatt" else "gd"
            self.last_mode = self.mode

    # ------------------------------------------------------------------ the retina

    def paint(self, row: float, col: float, erase: bool = False) -> None:
        """A soft round pen (about MNIST's stroke width) at sensor coordinates (row, col)."""
        if self.picture.split != "drawn":
            self.picture = Picture(self.picture.pixels.copy(), None, "drawn")
        rr, cc = np.mgrid[0:SIDE, 0:SIDE]
        d = np.hypot(rr + 0.5 - row, cc + 0.5 - col).reshape(N_PIXELS)
        px = self.picture.pixels
        if erase:  # a wider, harder eraser
            rub = np.clip((2.2 - d) / 0.8, 0.0, 1.0).astype(np.float32)
            np.multiply(px, 1.0 - rub, out=px)
        else:
            ink = np.clip((1.7 - d) / 1.0, 0.0, 1.0).astype(np.float32)  # soft rim
            np.maximum(px, 255.0 * ink, out=px)

    def clear_retina(self) -> None:
        self.picture = Picture(np.zeros(N_PIXELS, np.float32), None, "drawn")

    def set_picture_filter(self, which: str) -> None:
        if which not in PICTURE_FILTERS:
            raise ValueError(f"picture filter must be one of {PICTURE_FILTERS}; got {which!r}")
        self.picture_filter = which
        self.show_picture("next", include_current=True)

    def _matching(self) -> np.ndarray:
        labels = self.data.test_labels
        digit = self.config.digit
        if self.picture_filter == "target":
            return np.flatnonzero(labels == digit)
        if self.picture_filter == "other":
            return np.flatnonzero(labels != digit)
        if self.picture_filter == "misclassified":
            with np.errstate(over="ignore", invalid="ignore"):
                z, a = engine.forward(self.params, self.X_test, self.config.activation)
            answer = engine.decide(z if self.config.rule == "rosenblatt" else a, self.config)
            truth = labels if self.config.bulbs == 10 else labels == digit
            return np.flatnonzero(answer != truth)
        return np.arange(len(labels))

    def show_picture(self, how: str, include_current: bool = False) -> None:
        """Next, previous or a random test picture among those the filter lets through."""
        pool = self._matching()
        if len(pool) == 0:
            self.say(f"No test pictures match '{self.filter_label()}'")
            return
        here = self.picture.index if self.picture.split == "test" else -1
        if how == "random":
            i = int(pool[np.random.default_rng().integers(len(pool))])
        elif how == "previous":
            k = np.searchsorted(pool, here) - 1
            i = int(pool[k % len(pool)])
        else:
            side = "left" if include_current else "right"
            k = np.searchsorted(pool, here, side=side)
            i = int(pool[k % len(pool)])
        self.picture = self._test_picture(i)

    def filter_label(self) -> str:
        d = self.config.digit
        return {"all": "all pictures", "target": f"only {d}s", "other": f"only not-{d}s",
                "misclassified": "misclassified"}[self.picture_filter]

    # ------------------------------------------------------------------ switches and modes

    def set_switch(self, name: str, value) -> bool:
        """Change one of the story's switches; False (and a message) if the combination is
        invalid, leaving everything as it was."""
        if name not in SWITCHES:
            raise ValueError(f"unknown switch {name!r}")
        try:
            new = dataclasses.replace(self.config, **{name: value}).validate()
        except (ValueError, TypeError) as exc:
            self.say(f"Not possible: {exc}")
            return False
        if new == self.config:
            return True
        was_playing = self.playing
        self.pause()
        old = self.config
        self.config = new
        if name in ("bulbs", "seed"):
            self._new_knobs_for_switch(name, old)
        self.hand.column = self.column
        self._invalidate(new_run=True)
        if was_playing:
            self.play()
        return True

    def _new_knobs_for_switch(self, name: str, old: Config) -> None:
        fresh = self._fresh_knobs(self.config)
        if name == "bulbs":
            self.params = fresh
            self.hand.attach(self.params, self.column)
            self.say(f"{'Ten bulbs, one per digit' if self.config.bulbs == 10 else 'One bulb'}: "
                     f"new random knobs from seed {self.config.seed}")
        else:
            self.hand.replace(fresh)
            self.say(f"Seed {self.config.seed}: its random knobs are on the board (Ctrl+Z undoes)")

    def set_mode(self, name: str) -> None:
        if name not in PROCEDURES:
            raise ValueError(f"unknown mode {name!r}; known: {', '.join(PROCEDURES)}")
        was_playing = self.playing
        self.pause()
        if self.procedure.trains:
            self.lr_by_mode[self.mode] = self.config.lr
        self.mode = name
        if self.procedure.trains:
            self.last_mode = name
        if self._adopt_mode_rule() | self._adopt_mode_lr():
            self._invalidate(new_run=True)
        if was_playing and self.procedure.trains:
            self.play()

    def _adopt_mode_rule(self) -> bool:
        rule = self.procedure.rule
        if rule and rule != self.config.rule:
            self.config = dataclasses.replace(self.config, rule=rule).validate()
            self.knobs_changed()
            return True
        return False

    def _adopt_mode_lr(self) -> bool:
        """Rosenblatt's rule steps by whole pictures, Adam by 0.001: switching procedures
        brings back the rate each had (its own default the first time)."""
        lr = self.lr_by_mode.get(self.mode, self.procedure.lr)
        if not self.procedure.trains or lr is None or lr == self.config.lr:
            return False
        self.config = dataclasses.replace(self.config, lr=lr).validate()
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
        self.playing = True
        self.run_finished = False
        self.diverged = ""
        self.credit = 0.0
        target = self.config.epochs if epochs is None else epochs
        self.stop_at_epoch = self.run_epochs + target if target else None
        self.hand.begin()  # a run of training is one undo step

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self.stop_at_epoch = None
        self.sprint = False
        self.hand.end()
        self.turned = None

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
            self.say("Paused: the knobs are yours")
        else:
            self.play()

    def step(self, unit: str) -> None:
        """One batch (one picture for the per-picture procedures), or one whole epoch."""
        if not self.procedure.trains:
            self.set_mode(self.last_mode)
        if unit == "epoch":
            self.pause()
            self.play(epochs=1)
            self.sprint = True
            return
        self.pause()
        self.hand.begin()
        try:
            progress = self.procedure.advance(self, math.inf, Pace(max_steps=1, watch=True))
        except Exception as exc:  # noqa: BLE001 - said in the window, never a traceback
            self._stopped(exc)
            progress = Progress()
        finally:
            self.hand.end()
        self._after_progress(progress, watched=True)

    # ------------------------------------------------------------------ training per frame

    def advance(self, budget_s: float, dt: float) -> Progress:
        """Let the procedure turn knobs for up to `budget_s` seconds of this frame."""
        if not self.training:
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
            self.picture = self._train_picture(progress.shown)
        if watched and progress.turned is not None:
            self.turned, self.turned_time = progress.turned, self.clock()
            self.story = progress.story

    def _stopped(self, exc: Exception) -> None:
        """Training stops with a message: divergence (knobs rolled back), or any failure."""
        self.pause()
        if isinstance(exc, TrainingDiverged):
            self.diverged = str(exc)
        self.knobs_changed()
        self.say(str(exc) if isinstance(exc, TrainingDiverged)
                 else f"Training stopped: {type(exc).__name__}: {exc}")

    def epoch_finished(self) -> bool:
        """Called by a procedure when an epoch ends: snapshot the knobs for the charts.
        Returns True when the run reached its target and should stop."""
        self.run_epochs += 1
        n = len(self.data.train_labels)
        n = min(self.config.subset, n) if self.config.subset else n
        self.evaluator.submit({
            "run": self.run, "epoch": self.run_epochs, "params": self.params.copy(),
            "config": self.train_config(self.procedure.rule), "X_test": self.X_test,
            "test_labels": self.data.test_labels, "train_images": self.data.train_images[:n],
            "train_labels": self.data.train_labels[:n],
        })
        if self.stop_at_epoch is not None and self.run_epochs >= self.stop_at_epoch:
            self.say(f"{self.run_epochs} epoch{'s' if self.run_epochs != 1 else ''} done — "
                     "press Play for more; the knobs are yours meanwhile")
            return True
        return False

    def epoch_progress(self) -> float | None:
        return self.procedure.epoch_progress()

    def poll(self) -> None:
        """Collect epoch scores into the chart history, in epoch order: a row appears with
        its test score, and its training score (NaN until then) fills in later."""
        for result in self.evaluator.poll():
            if "live" in result:
                self._live_result(result)
                continue
            if result.get("run") != self.run:
                continue
            row = self._pending.setdefault(result["epoch"], {
                "train_loss": math.nan, "train_acc": math.nan,
                "test_loss": math.nan, "test_acc": math.nan})
            if "error" in result:  # the epoch keeps a row (NaN: a gap), later ones follow
                self.say(f"Could not score epoch {result['epoch']}: {result['error']}")
                continue
            row.update({k: v for k, v in result.items() if k in row})
        while len(self.history) + 1 in self._pending:
            self.history.append(self._pending[len(self.history) + 1])
        for epoch in [e for e in self._pending if e <= len(self.history)]:
            if not math.isnan(self._pending[epoch]["train_acc"]):
                del self._pending[epoch]  # complete: its row in the history is final

    def _invalidate(self, new_run: bool) -> None:
        self.generation += 1
        self.procedures.reset()
        self.credit = 0.0
        if new_run:
            self.run_trained = False
            self.run += 1
            self.run_epochs = 0
            self.history = []
            self._pending = {}
        self.knobs_changed()

    # ------------------------------------------------------------------ live score, ghosts

    def update_score(self, force: bool = False) -> bool:
        """Score the knobs on the test set if they changed: at once when a hand turned them
        (10,000 pictures in a few ms), in the scorer's thread a few times a second while a
        procedure trains (the frame's time belongs to training then)."""
        now = self.clock()
        if not self._score_dirty and not force:
            return False
        if self.training and not force:
            if now - self._score_time < SCORE_EVERY_TRAINING:
                return False
            self._live_stamp += 1
            self.evaluator.submit_live({
                "stamp": (self._live_stamp, self.generation, id(self.data)),
                "params": self.params.copy(), "config": self.config, "X_test": self.X_test,
                "labels": self.data.test_labels})
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                self.score = engine.evaluate(self.params, self.X_test, self.data.test_labels,
                                             self.config)
            self._live_stamp += 1  # a score in flight is older than this one
        self._score_dirty, self._score_time = False, now
        return True

    def _live_result(self, result: dict) -> None:
        stamp, generation, data = result["live"]
        if stamp != self._live_stamp or generation != self.generation or data != id(self.data):
            return  # overtaken by a newer score or another configuration
        if "error" in result:
            self.say(f"Could not score the knobs: {result['error']}")
            return
        self.score = result["score"]

    def update_ghost(self, force: bool = False) -> bool:
        """The ghost needles: which way gradient descent would turn each knob (throttled)."""
        if not self.ghost_on:
            self.ghost = None
            return False
        now = self.clock()
        every = GHOST_EVERY * (3 if self.training else 1)
        if not force and (not self._ghost_dirty or now - self._ghost_time < every):
            return False
        scale = self.config.scale
        X = self._X_ghost.get(scale)
        if X is None:
            X = engine.prepare_inputs(self.data.train_images[:GHOST_PICTURES], scale)
            self._X_ghost = {scale: X}
        labels = self.data.train_labels[:GHOST_PICTURES]
        cfg = dataclasses.replace(self.config, rule="gd")
        direction = engine.descent_direction(self.params, X, labels, cfg)[:, self.column]
        self.ghost = np.nan_to_num(direction).astype(np.float32)
        self._ghost_dirty, self._ghost_time = False, now
        return True

    def toggle_ghost(self) -> None:
        self.ghost_on = not self.ghost_on
        self._ghost_dirty = True
        self.say("Ghost needles: which way gradient descent would turn each knob"
                 if self.ghost_on else "Ghost needles off")
