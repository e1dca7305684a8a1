"""The table of learning procedures: who can turn the knobs besides the hand. NumPy only.

Each entry names a trainer class with :class:`simulator.engine.Trainer`'s interface
(``step(n)``, ``run_epoch()``, ``epoch``, ``position``, ``last_batch``, ``params`` shared in
place). Adding a procedure is a trainer class in one file plus one entry here: the command
line's ``--rule``, the window's mode menu and its narration are built from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import RosenblattTrainer, Trainer
from .hidden import HiddenTrainer
from .trial import TrialAndError


@dataclass(frozen=True)
class Rule:
    name: str
    label: str  # the mode menu's words
    tooltip: str
    trainer: type  # the class that turns the knobs
    lr: float  # its own default learning rate (or step), in the CLI and the window alike
    switches: tuple[str, ...] | None = None  # the switches it reads (None: all)
    threshold_unit: bool = False  # it reads the bulb as lit iff the weighted sum is above 0
    step_word: str = "batch"  # what one of its steps is
    activations: tuple[str, ...] | None = None  # the bulb outputs it can work with (None: all)
    wirings: tuple[str, ...] = ("direct",)  # the wirings it can train (simulator.wiring)

    @property
    def per_picture(self) -> bool:
        return bool(getattr(self.trainer, "per_picture", False))


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("trial", "Trial and error",
         "As the story tells it: for each picture, knob after knob, turn a little; while the "
         "bulb gets brighter for a 5 (dimmer for a non-5) turn it more, else try the other "
         "way.",
         TrialAndError, TrialAndError.lr,
         switches=("activation", "lr", "inputs", "subset", "digit", "bulbs", "seed", "epochs"),
         step_word="picture", activations=("none", "sigmoid")),
    Rule("rosenblatt", "Rosenblatt's rule",
         "Rosenblatt's error-correction procedure (Principles of Neurodynamics, 1962): one "
         "picture at a time; the knobs move, by the whole picture, only when the bulb is "
         "wrong.",
         RosenblattTrainer, 1.0,
         switches=("lr", "inputs", "subset", "digit", "bulbs", "seed", "epochs", "wiring",
                   "units"),
         threshold_unit=True, step_word="picture", wirings=("direct", "plugboard")),
    Rule("gd", "Gradient descent",
         "The engine: mini-batches of pictures; the loss's gradient turns every knob a little "
         "(the tutorial's Keras model, in NumPy).",
         Trainer, 0.001, wirings=("direct", "plugboard", "hidden")),
)}


def make_trainer(config, images, labels, params=None, hidden=None):
    """The trainer for these switches: the rule's, or, with a hidden layer, the one that
    trains both layers (:class:`simulator.hidden.HiddenTrainer`). ``params`` (and
    ``hidden``) are shared and turned in place; None for the seed's fresh start."""
    if config.wiring == "hidden":
        return HiddenTrainer(config, images, labels, params, hidden)
    if hidden is not None:
        raise ValueError(f"{config.wiring} wiring has no hidden layer to train")
    return RULES[config.rule].trainer(config, images, labels, params)
