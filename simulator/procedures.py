"""The procedures behind the mode switch: who turns the knobs. NumPy only.

Every procedure moves the same knobs (``machine.params``, (785, k) float32) and has one
small interface::

    advance(machine, budget_s, pace) -> Progress   # do up to pace.max_steps steps, within budget_s
    reset()                                         # forget internal state (switches changed)

A step is one batch for gradient descent and one picture for the per-picture procedures.
When an epoch ends a procedure calls ``machine.epoch_finished()``, which snapshots the knobs
for the charts and answers whether to stop (True: pause now). ``pace.watch`` asks for slow
motion: one step at a time, reporting the picture shown and the knobs that turned.

New procedures plug in by adding a class to ``PROCEDURES``; the panel's mode drop-down and
the app are built from that table.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .background import Background
from .engine import N_PIXELS, Config, Trainer

MAX_CHUNK = 32  # steps per engine call: the clock is checked between calls, so a slow
# patch (the epoch scorer busy on the other core) overruns the budget by one chunk at most


@dataclass(frozen=True)
class Pace:
    max_steps: int | None = None  # None: as many as fit the budget
    watch: bool = False  # slow motion: report each step's picture and turned knobs


@dataclass
class Progress:
    steps: int = 0
    epochs: int = 0
    shown: int | None = None  # index of the last training picture shown to the machine
    turned: np.ndarray | None = None  # (m,) knob indices the last watched step moved
    story: str = ""  # what the last watched step did, in words
    stopped: bool = False  # the machine asked to stop (epoch target reached)
    seconds: float = 0.0
    preparing: bool = False  # still getting the training pictures ready

    def epoch_ended(self, machine) -> bool:
        """Count a finished epoch (the machine scores it); True when it asks to stop."""
        self.epochs += 1
        self.stopped = bool(machine.epoch_finished())
        return self.stopped


class Procedure:
    """Base: the hand. It never turns a knob on its own."""

    name = "hand"
    label = "By hand"
    tooltip = "You turn the knobs: drag, scroll or paint them; the machine only watches."
    trains = False
    rule: str | None = None  # the Config.rule this procedure decides with (None: keep)
    lr: float | None = None  # its own learning rate until the person picks another
    switches: tuple[str, ...] | None = None  # the switches it listens to (None: all)
    step_word = "step"

    def reset(self) -> None:
        pass

    def advance(self, machine, budget_s: float, pace: Pace) -> Progress:
        return Progress()

    def epoch_progress(self) -> float | None:
        return None


class _EngineProcedure(Procedure):
    """A procedure that runs the engine's Trainer (gradient descent or Rosenblatt's rule)."""

    trains = True

    def __init__(self) -> None:
        self.trainer: Trainer | None = None
        self._key = None
        self._build: tuple[int, Background] | None = None  # (generation, build)
        self.seconds_per_step = 50e-6  # learned as it runs

    def reset(self) -> None:
        self.trainer, self._key = None, None

    def _trainer(self, machine, wait: bool) -> Trainer | None:
        """The trainer for the machine's data and switches. A new one (a copy of the
        training pictures, 47 MB for MNIST) is built in a thread: frames go on meanwhile,
        and only a single step waits for it."""
        key = machine.generation
        if self.trainer is not None and self._key == key:
            return self.trainer
        self.trainer = None
        if self._build is None or self._build[0] != key:
            config, data, params = machine.train_config(self.rule), machine.data, machine.params
            self._build = key, Background(
                lambda: Trainer(config, data.train_images, data.train_labels, params),
                name="trainer build")
        if not (wait or self._build[1].done.is_set()):
            return None
        build, self._build = self._build[1], None
        trainer = build.result()  # a failed build raises here, in the main thread
        assert trainer.params is machine.params, "the trainer must share the knobs"
        self.trainer, self._key = trainer, key
        return self.trainer

    def epoch_progress(self) -> float | None:
        return None if self.trainer is None else self.trainer.epoch_progress

    def advance(self, machine, budget_s: float, pace: Pace) -> Progress:
        trainer = self._trainer(machine, wait=math.isinf(budget_s))
        if trainer is None:
            return Progress(preparing=True)
        start = time.perf_counter()
        deadline = start + budget_s
        progress = Progress()
        left_steps = pace.max_steps
        while left_steps is None or left_steps > 0:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            n = 1 if pace.watch else max(1, min(MAX_CHUNK, int(left / self.seconds_per_step)))
            if left_steps is not None:
                n = min(n, left_steps)
            before = machine.params.copy() if pace.watch else None
            epoch = trainer.epoch
            t0 = time.perf_counter()
            done = trainer.step(n)  # may raise TrainingDiverged: the machine pauses
            took = time.perf_counter() - t0
            if done:
                self.seconds_per_step = 0.7 * self.seconds_per_step + 0.3 * took / done
                progress.steps += done
                progress.shown = int(trainer.last_batch[-1])
                if left_steps is not None:
                    left_steps -= done
            if before is not None and done:
                progress.turned, progress.story = self._watched(machine, trainer, before)
            if trainer.epoch > epoch and progress.epoch_ended(machine):
                break
            if pace.watch:
                break
        progress.seconds = time.perf_counter() - start
        return progress

    def _watched(self, machine, trainer, before):
        col = machine.column
        turned = np.flatnonzero(before[:, col] != machine.params[:, col])
        return turned, describe_step(machine, trainer.last_batch, before, turned, self.rule)


class GradientDescent(_EngineProcedure):
    name = "gd"
    label = "Gradient descent"
    tooltip = ("The engine: mini-batches of pictures, the loss's gradient turns every knob a "
               "little (the tutorial's Keras model, in NumPy).")
    rule = "gd"
    lr = 0.001  # the tutorial's Adam
    step_word = "batch"


class Rosenblatt(_EngineProcedure):
    name = "rosenblatt"
    label = "Rosenblatt's rule"
    tooltip = ("Rosenblatt's error-correction rule (1958): one picture at a time; the knobs "
               "move only when the bulb's answer is wrong.")
    rule = "rosenblatt"
    lr = 1.0  # the classic fixed increment: a mistake adds the whole picture to the knobs
    switches = ("lr", "inputs", "subset", "digit", "bulbs", "seed")  # a threshold, no loss
    step_word = "picture"


class TrialAndError(Procedure):
    """The story's procedure: show a picture, turn a random knob a little, keep the turn only
    if the bulb got brighter for the target digit (dimmer for any other), else turn it back."""

    name = "trial"
    label = "Trial and error"
    tooltip = ("As the story tells it: turn a random knob a little; keep the turn if the bulb "
               "gets brighter for a 5 (dimmer for a non-5), else turn it back.")
    trains = True
    rule = "gd"
    step_word = "picture"
    switches = ("activation", "inputs", "subset", "digit", "bulbs", "seed")  # the bulb only
    TRIES = 8  # knobs tried per picture
    STEP = 0.02  # a little turn, for inputs in 0..1 (scaled for raw inputs)

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._key = None
        self.rng: np.random.Generator | None = None
        self.order: np.ndarray | None = None
        self.position = 0
        self.n = 0

    def epoch_progress(self) -> float | None:
        return None if not self.n else self.position / self.n

    def _prepare(self, machine) -> None:
        if self._key == machine.generation and self.rng is not None:
            return
        config = machine.train_config(self.rule)
        total = len(machine.data.train_labels)
        self.n = min(config.subset, total) if config.subset else total
        self.rng = np.random.default_rng(config.seed)
        self.order, self.position, self._key = None, 0, machine.generation

    def advance(self, machine, budget_s: float, pace: Pace) -> Progress:
        self._prepare(machine)
        start = time.perf_counter()
        deadline = start + budget_s
        progress = Progress()
        config = machine.train_config(self.rule)
        while pace.max_steps is None or progress.steps < pace.max_steps:
            if time.perf_counter() >= deadline:
                break
            if self.order is None:
                self.order = self.rng.permutation(self.n)
            i = int(self.order[self.position])
            turned, before = self._try_knobs(machine, config, i, pace.watch)
            progress.steps += 1
            progress.shown = i
            self.position += 1
            if pace.watch:
                progress.turned = np.array(sorted(set(turned)), dtype=np.int64)
                progress.story = describe_step(machine, np.array([i]), before, progress.turned,
                                               "trial")
            if self.position >= self.n:
                self.order, self.position = None, 0
                if progress.epoch_ended(machine):
                    break
            if pace.watch:
                break
        progress.seconds = time.perf_counter() - start
        return progress

    def _try_knobs(self, machine, config: Config, i: int, keep_before: bool):
        image = machine.data.train_images[i].reshape(N_PIXELS)
        label = int(machine.data.train_labels[i])
        col = self.rng.integers(10) if config.bulbs == 10 else 0
        before = machine.params.copy() if keep_before else None
        w = machine.params[:, col]
        x = np.empty(N_PIXELS + 1, np.float32)  # (785,) this picture's inputs
        np.multiply(image, np.float32(config.scale), out=x[:N_PIXELS])
        x[N_PIXELS] = 1.0
        z = float(x @ w)
        want_brighter = label == (col if config.bulbs == 10 else config.digit)
        candidates = np.append(np.flatnonzero(image), N_PIXELS)  # knobs that can change the bulb
        step = self.STEP / (255.0 * config.scale)
        turned = []
        for _ in range(self.TRIES):
            j = int(candidates[self.rng.integers(len(candidates))])
            turn = step if self.rng.random() < 0.5 else -step
            z_new = z + float(x[j]) * turn
            brighter = _glow(z_new, config.activation) > _glow(z, config.activation)
            dimmer = _glow(z_new, config.activation) < _glow(z, config.activation)
            if brighter if want_brighter else dimmer:
                w[j] = np.float32(w[j] + turn)
                z = z_new
                turned.append(j)
        return turned, before


def _glow(z: float, activation: str) -> float:
    if activation == "none":
        return z
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))  # sigmoid; softmax's own bulb is monotone in z as well


def describe_step(machine, batch, before: np.ndarray, turned: np.ndarray, rule: str) -> str:
    """One line of narration for a watched step: what the machine answered on the picture
    the retina shows (the batch's last) with the knobs as they were, and what moved."""
    if len(batch) == 0:
        return ""
    i = int(batch[-1])
    label = int(machine.data.train_labels[i])
    x = machine.inputs(machine.data.train_images[i].reshape(N_PIXELS).astype(np.float32))
    config = machine.train_config(rule if rule != "trial" else "gd")
    n, target = len(turned), machine.config.digit
    who = f"batch of {len(batch)}, the last a {label}" if len(batch) > 1 else f"a {label}"
    if config.bulbs == 10:
        answer = int(np.argmax(x @ before))
        said = f"the brightest bulb said {answer} ({'right' if answer == label else 'wrong'})"
        if rule == "rosenblatt" and answer != label:
            return f"{who}: {said}: the {label}-bulb's knobs up, the {answer}-bulb's down"
        moved = f"{n} of the {target}-bulb's knobs turned" if n else "knobs left alone"
        return f"{who}: {said}; {moved}"
    z = float(x @ before[:, 0])
    if rule == "rosenblatt":
        lit = z > 0
    else:
        lit = _glow(z, config.activation) > 0.5
    word = verdict(label == target, lit)
    bulb = f"bulb {'lit' if lit else 'dark'} — {word}"
    if rule == "gd":
        return f"{who}: {bulb}; the gradient turned {n} knobs"
    if n == 0:
        return f"{who}: {bulb}: knobs left alone"
    if rule == "trial":
        return (f"{who}: tried knobs, kept {n} turns that made the bulb "
                f"{'brighter' if label == target else 'dimmer'}")
    return f"{who}: {bulb}: {n} knobs turned {'up' if label == target else 'down'}"


def verdict(is_target: bool, lit: bool) -> str:
    if is_target:
        return "hit" if lit else "miss"
    return "false alarm" if lit else "correct rejection"


PROCEDURES: dict[str, type[Procedure]] = {
    cls.name: cls for cls in (Procedure, TrialAndError, Rosenblatt, GradientDescent)
}


@dataclass
class Procedures:
    """One instance of each registered procedure, for one machine."""

    table: dict[str, Procedure] = field(
        default_factory=lambda: {name: cls() for name, cls in PROCEDURES.items()}
    )

    def __getitem__(self, name: str) -> Procedure:
        return self.table[name]

    def reset(self) -> None:
        for procedure in self.table.values():
            procedure.reset()
