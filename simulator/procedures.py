"""Who turns the knobs in the window: the hand, or a rule of :mod:`simulator.rules`, paced
to the frame. NumPy only.

Every procedure moves the same knobs (``machine.params``, (785, k) float32) and has one
small interface::

    advance(machine, budget_s, pace) -> Progress   # up to pace.max_steps steps, within budget_s
    reset()                                         # forget internal state (switches changed)

A step is one batch for gradient descent and one picture for the per-picture rules (one
knob for trial and error in slow motion). When an epoch ends a procedure calls
``machine.epoch_finished()``, which records the knobs for the charts and answers whether to
stop. ``pace.watch`` asks for slow motion: one step at a time, reporting the picture shown,
the knobs that turned and the facts of the step (:class:`StepFacts`; the view words them).

The table :data:`PROCEDURES` is the hand plus one entry per rule in
:data:`simulator.rules.RULES`; the panel's mode menu is built from it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .background import Background
from .engine import predict
from .rules import RULES, Rule, make_trainer
from .wiring import knob_rows

MAX_CHUNK = 32  # steps per engine call: the clock is checked between calls, so a slow
# patch (the epoch scorer busy on the other core) overruns the budget by one chunk at most


@dataclass(frozen=True)
class Pace:
    max_steps: int | None = None  # None: as many as fit the budget
    watch: bool = False  # slow motion: report each step's picture and turned knobs


@dataclass(frozen=True)
class StepFacts:
    """What one watched step did, as facts: the view puts them into words."""

    rule: str
    pictures: int  # pictures in the step (a batch, or 1)
    label: int  # the digit of the (last) picture, the one the retina shows
    target: int  # the digit the bulb answers for
    ten: bool  # ten bulbs
    lit: bool  # one bulb: lit before the step, with the knobs as they were
    answer: int | None  # ten bulbs: the brightest bulb's digit before the step
    turned: int  # knobs that moved
    knob: int | None = None  # trial and error in slow motion: the knob tried
    turns: int = 0  # ... and its kept turns (+2: two turns up)


@dataclass
class Progress:
    steps: int = 0
    epochs: int = 0
    shown: int | None = None  # index of the last training picture shown to the machine
    turned: np.ndarray | None = None  # (m,) knob indices the last watched step moved
    facts: StepFacts | None = None  # what the last watched step did
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


class RuleProcedure(Procedure):
    """A rule of the table, run by its trainer a few steps per frame."""

    trains = True
    spec: Rule  # set by for_rule()

    @classmethod
    def for_rule(cls, spec: Rule) -> type[RuleProcedure]:
        attrs = {"spec": spec, "name": spec.name, "label": spec.label, "tooltip": spec.tooltip,
                 "rule": spec.name, "lr": spec.lr, "switches": spec.switches,
                 "step_word": spec.step_word}
        return type(f"{spec.trainer.__name__}Procedure", (cls,), attrs)

    def __init__(self) -> None:
        self.trainer = None
        self._key = None
        self._build: tuple[int, Background] | None = None  # (generation, build)
        self.seconds_per_step = 50e-6  # learned as it runs

    def reset(self) -> None:
        self.trainer, self._key = None, None

    def _trainer(self, machine, wait: bool):
        """The trainer for the machine's data and switches. A new one (a copy of the
        training pictures, 47 MB for MNIST) is built in a thread: frames go on meanwhile,
        and only a single step waits for it."""
        key = machine.generation
        if self.trainer is not None and self._key == key:
            return self.trainer
        self.trainer = None
        if self._build is None or self._build[0] != key:
            config, data, params = machine.train_config(self.rule), machine.data, machine.params
            hidden = machine.hidden
            make = self.spec.trainer if config.wiring == "direct" else make_trainer
            self._build = key, Background(
                lambda: make(config, data.train_images, data.train_labels, params, hidden)
                if hidden is not None else make(config, data.train_images, data.train_labels,
                                                params),
                name="trainer build")
        if not (wait or self._build[1].done.is_set()):
            return None
        build, self._build = self._build[1], None
        trainer = build.result()  # a failed build raises here, in the main thread
        assert trainer.params is machine.params, "the trainer must share the knobs"
        assert getattr(trainer, "hidden", None) is machine.hidden, "... and the hidden layer"
        self.trainer, self._key = trainer, key
        return self.trainer

    def epoch_progress(self) -> float | None:
        return None if self.trainer is None else self.trainer.epoch_progress

    def advance(self, machine, budget_s: float, pace: Pace) -> Progress:
        trainer = self._trainer(machine, wait=math.isinf(budget_s))
        if trainer is None:
            return Progress(preparing=True)
        start = time.perf_counter()
        progress = Progress()
        if pace.watch:
            self._watched_step(machine, trainer, progress)
        else:
            self._run(machine, trainer, progress, start + budget_s, pace.max_steps)
        progress.seconds = time.perf_counter() - start
        return progress

    def _run(self, machine, trainer, progress: Progress, deadline: float, left) -> None:
        while left is None or left > 0:
            budget = deadline - time.perf_counter()
            if budget <= 0 or (progress.steps and budget < self.seconds_per_step):
                return  # (a step that would not fit waits for the next frame)
            n = max(1, min(MAX_CHUNK, int(budget / self.seconds_per_step)))
            n = n if left is None else min(n, left)
            epoch, t0 = trainer.epoch, time.perf_counter()
            done = trainer.step(n)  # may raise TrainingDiverged: the machine pauses
            if done:
                took = time.perf_counter() - t0
                self.seconds_per_step = 0.7 * self.seconds_per_step + 0.3 * took / done
                progress.steps += done
                progress.shown = int(trainer.last_batch[-1])
                left = None if left is None else left - done
            if trainer.epoch > epoch and progress.epoch_ended(machine):
                return

    def _watched_step(self, machine, trainer, progress: Progress) -> None:
        """One step in slow motion, with the facts of what it did."""
        col, before, epoch = machine.column, machine.params.copy(), trainer.epoch
        knob_try = trainer.step_knob() if hasattr(trainer, "step_knob") else None
        if knob_try is None:
            if not trainer.step(1):
                return
            batch = trainer.last_batch
        else:
            batch = np.array([knob_try.picture])
        progress.steps, progress.shown = 1, int(batch[-1])
        progress.turned = np.flatnonzero(before[:, col] != machine.params[:, col])
        progress.facts = self._facts(machine, batch, before, len(progress.turned), knob_try)
        if trainer.epoch > epoch:
            progress.epoch_ended(machine)

    def _facts(self, machine, batch, before, turned: int, knob_try) -> StepFacts:
        i = int(batch[-1])
        data, config = machine.data, machine.train_config(self.rule)
        x = knob_rows(config, data.train_images[i : i + 1], machine.hidden)  # (1, n_in)
        said = predict(before, x, config)
        ten = config.bulbs == 10
        return StepFacts(
            rule=self.rule, pictures=len(batch), label=int(data.train_labels[i]),
            target=config.digit, ten=ten, lit=bool(not ten and said.answer[0]),
            answer=int(said.answer[0]) if ten else None, turned=turned,
            knob=None if knob_try is None else int(knob_try.knob),
            turns=0 if knob_try is None else int(knob_try.turns))


class _ProcedureTable(Mapping):
    """The hand, then one procedure per entry of the rules' table (read as it is now, so a
    rule added to the table is at once a mode of the window)."""

    def __init__(self) -> None:
        self._made: dict[Rule, type[RuleProcedure]] = {}

    def __getitem__(self, name: str) -> type[Procedure]:
        if name == "hand":
            return Procedure
        spec = RULES[name]
        if spec not in self._made:
            self._made[spec] = RuleProcedure.for_rule(spec)
        return self._made[spec]

    def __iter__(self):
        return iter(("hand", *RULES))

    def __len__(self) -> int:
        return 1 + len(RULES)


PROCEDURES: Mapping[str, type[Procedure]] = _ProcedureTable()


@dataclass
class Procedures:
    """One instance of each registered procedure, for one machine (made when first used)."""

    table: dict[str, Procedure] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Procedure:
        procedure = self.table.get(name)
        if procedure is None:
            procedure = self.table[name] = PROCEDURES[name]()
        return procedure

    def __contains__(self, name: str) -> bool:
        return name in PROCEDURES

    def reset(self) -> None:
        for procedure in self.table.values():
            procedure.reset()
