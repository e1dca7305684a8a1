"""The machine's switches: one dataclass of defaults and one table that says what each switch is.

The table (:data:`SWITCHES`) is read by the command line's argparse, by the window's
drop-downs and by :meth:`Config.validate`: a switch's allowed values, help and label are
written here once. Standard library only (the rules are looked up in
:mod:`simulator.rules` when a config is validated).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from .dims import n_inputs


@dataclass
class Config:
    """The switches of the machine. The defaults are the sigmoid model on inputs scaled to
    0..1 (98% on "is it a 5?"); the tutorial's model as first written is
    ``Config(activation="none", inputs="raw")``."""

    digit: int = 5  # the bulb answers "is it this digit?" (one bulb)
    bulbs: int = 1  # 1 bulb, or 10 (one per digit, the brightest answers)
    rule: str = "gd"  # who turns the knobs: a name in simulator.rules.RULES
    activation: str = "sigmoid"  # none | sigmoid | softmax (softmax needs 10 bulbs)
    loss: str = "mse"  # mse | mae | ce (cross-entropy)
    optimizer: str = "adam"  # adam | sgd
    lr: float = 0.001  # learning rate; the rule's step; trial and error's little turn
    batch_size: int = 32  # pictures per gradient step (the per-picture rules: always 1)
    epochs: int = 10  # passes over the training pictures (the window: 0 = until paused)
    inputs: str = "unit"  # raw: pixels 0..255 as the tutorial; unit: pixels / 255
    subset: int = 0  # train on the first N pictures only (0 = all)
    seed: int = 0  # one seed, same knobs byte for byte
    wiring: str = "direct"  # direct | plugboard (the Mark I's A-units) | hidden (a ReLU layer)
    units: int = 0  # A-units or hidden units between retina and knobs (0 = the wiring's own)

    @property
    def scale(self) -> float:
        """Factor from pixel values 0..255 to the machine's inputs."""
        return 1.0 / 255.0 if self.inputs == "unit" else 1.0

    @property
    def threshold_unit(self) -> bool:
        """The rule reads the bulb as a threshold unit: lit iff the weighted sum is above 0."""
        return _rule(self.rule).threshold_unit

    @property
    def n_inputs(self) -> int:
        """Rows of the knob array: what the knobs weigh (pixels, A-units or hidden units),
        then the bias."""
        return n_inputs(self)

    def train_count(self, available: int) -> int:
        """How many of ``available`` training pictures a run uses (the subset switch)."""
        return min(self.subset, available) if self.subset else available

    def validate(self) -> Config:
        """Raise ValueError naming the first switch that is out of range."""
        for switch in SWITCHES.values():
            problem = switch.problem(getattr(self, switch.name))
            if problem:
                raise ValueError(f"{switch.name} {problem}")
        if self.activation == "softmax" and self.bulbs != 10:
            raise ValueError("softmax needs ten bulbs (bulbs=10): one bulb's softmax is always 1")
        if self.wiring == "direct" and self.units:
            raise ValueError("units counts the plugboard's A-units or the hidden layer's "
                             f"units; direct wiring has none (got units={self.units})")
        rule = _rule(self.rule)
        if self.wiring not in rule.wirings:
            raise ValueError(f"the {self.rule} procedure works with "
                             f"{' or '.join(rule.wirings)} wiring, not {self.wiring}")
        allowed = rule.activations
        if allowed is not None and self.activation not in allowed:
            raise ValueError(f"the {self.rule} procedure works with activation "
                             f"{' or '.join(allowed)}, not {self.activation}")
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Config:
        """Build a config from saved JSON, ignoring unknown keys; ValueError if invalid."""
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in names}).validate()
        except TypeError as exc:
            raise ValueError(str(exc)) from None


def _rule(name: str):
    from .rules import RULES  # the rules' table imports the engine, which imports this module

    return RULES[name]


def _rule_names() -> tuple[str, ...]:
    from .rules import RULES

    return tuple(RULES)


# ---------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Switch:
    """One switch: its allowed values, the words the CLI and the panel show for it."""

    name: str
    label: str  # the panel's label
    help: str  # the CLI's help and the panel's tooltip
    options: tuple = ()  # the panel's choices: (shown, value) pairs
    closed: bool = True  # True: only the options' values are allowed
    kind: type = str  # the value's type (argparse converts to it)
    low: float | None = None  # open numeric switches: the smallest allowed value
    above: float | None = None  # open numeric switches: values must lie above this
    choices_of: Callable[[], tuple] | None = None  # closed values looked up late (the rules)

    @property
    def default(self):
        return _DEFAULTS[self.name]

    @property
    def values(self) -> tuple:
        """The allowed values of a closed switch."""
        if self.choices_of is not None:
            return self.choices_of()
        return tuple(v for _, v in self.options)

    @property
    def values_shown(self) -> tuple:
        """The values the panel's choices offer."""
        return tuple(v for _, v in self.options)

    def problem(self, value) -> str | None:
        """Why ``value`` is not allowed (a phrase after the switch's name), or None."""
        if self.closed:
            if value not in self.values or isinstance(value, bool):
                shown = ", ".join(str(v) for v in self.values)
                return f"must be one of {shown}; got {value!r}"
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, got {value!r}"
        if self.kind is int and value != int(value):
            return f"must be a whole number, got {value!r}"
        if not math.isfinite(value):
            return f"must be a finite number, got {value!r}"
        if self.low is not None and value < self.low:
            return f"must be at least {self.low:g}, got {value!r}"
        if self.above is not None and value <= self.above:
            return f"must be above {self.above:g}, got {value!r}"
        return None

    def shown(self, value) -> str:
        """The panel's words for ``value``."""
        for text, v in self.options:
            if v == value and type(v) is type(value):
                return text
        return f"{value:g}" if isinstance(value, float) else str(value)


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Config)}

SWITCHES: dict[str, Switch] = {s.name: s for s in (
    Switch("rule", "Procedure",
           "who turns the knobs: gd (gradient descent), rosenblatt (the error-correction "
           "procedure of Principles of Neurodynamics, 1962), trial (the story's trial and error)",
           choices_of=_rule_names),
    Switch("activation", "Activation",
           "What the bulb does with the weighted sum: none (raw, can leave 0..1), sigmoid "
           "(squashed into 0..1), softmax (ten bulbs share the light)",
           (("none", "none"), ("sigmoid", "sigmoid"), ("softmax", "softmax"))),
    Switch("loss", "Loss",
           "How gradient descent measures a wrong answer: mean squared error, mean absolute "
           "error or cross-entropy (ce)",
           (("MSE", "mse"), ("MAE", "mae"), ("cross-entropy", "ce"))),
    Switch("optimizer", "Optimizer",
           "How the gradient becomes a turn: Adam (the tutorial's) or plain SGD",
           (("Adam", "adam"), ("SGD", "sgd"))),
    Switch("lr", "Learn rate",
           "How far each step turns the knobs: Adam's rate (the tutorial's 0.001), the rule's "
           "step (a whole picture: 1), or trial and error's little turn",
           (("0.0001", 1e-4), ("0.001", 1e-3), ("0.01", 1e-2), ("0.02", 0.02), ("0.1", 0.1),
            ("1", 1.0), ("10", 10.0)), closed=False, kind=float, above=0.0),
    Switch("batch_size", "Batch",
           "Pictures per gradient step (the per-picture procedures always take one)",
           (("1", 1), ("8", 8), ("32", 32), ("128", 128), ("1024", 1024)),
           closed=False, kind=int, low=1),
    Switch("epochs", "Epochs",
           "Passes over the training pictures before the machine stops (in the window, "
           "'until paused' runs on)",
           (("1 epoch", 1), ("10 epochs", 10), ("100 epochs", 100), ("until paused", 0)),
           closed=False, kind=int, low=0),
    Switch("inputs", "Inputs",
           "Pixels as the tutorial first fed them (raw, 0..255), or divided by 255 (unit, "
           "0..1; the course's later lesson)",
           (("raw 0..255", "raw"), ("scaled 0..1", "unit"))),
    Switch("subset", "Train on",
           "Train on the first N pictures only (0 = all): the tutorial's 'can it fit 20 "
           "images?'",
           (("all", 0), ("20 pics", 20), ("100 pics", 100), ("1,000", 1000), ("10,000", 10000)),
           closed=False, kind=int, low=0),
    Switch("digit", "Target", "The digit the bulb answers for: 'is it a 5?'",
           tuple((str(d), d) for d in range(10)), kind=int),
    Switch("bulbs", "Bulbs",
           "One bulb (is it the target?) or ten, one per digit: the brightest answers",
           (("1 bulb", 1), ("10 bulbs", 10)), kind=int),
    Switch("seed", "Seed",
           "One seed for the random knobs and the picture order: same seed, same knobs",
           tuple((str(s), s) for s in range(10)), closed=False, kind=int, low=0),
    Switch("wiring", "Wiring",
           "What lies between the retina and the knobs: direct (each sensor to its own knob, "
           "the tutorial's), plugboard (the Mark I of 1960: 20x20 photocells patched at random "
           "into 512 association units), hidden (a trained layer of 100 ReLU units, decades "
           "later)",
           (("direct", "direct"), ("plugboard", "plugboard"), ("hidden", "hidden"))),
    Switch("units", "Units",
           "How many association units (plugboard, 512 if 0) or hidden units (hidden layer, "
           "100 if 0) sit between the retina and the knobs",
           (("the wiring's", 0), ("100", 100), ("512", 512)), closed=False, kind=int, low=0),
)}
assert set(SWITCHES) == set(_DEFAULTS), "every Config field is a switch in the table"
