"""The knobs and the switches: one knob array every procedure and the hand turn, and the
config it answers to. NumPy only."""

from __future__ import annotations

import dataclasses

import numpy as np

from . import engine
from .config import SWITCHES, Config
from .dims import BIAS, N_PIXELS
from .hand import HandTuner

FINE = 0.1  # a fine turn (Shift) goes a tenth as far
BIAS_TURN = 5.0  # the threshold works against the whole picture's sum: it turns further


class KnobBoard:
    """``params`` (785, k) float32 and ``config``; hand edits with undo (:class:`HandTuner`)."""

    def __init__(self, config: Config, params: np.ndarray | None = None) -> None:
        self.config = config.validate()
        self.params = (engine.check_params(params, config.bulbs).copy()
                       if params is not None else self.fresh())
        self.hand = HandTuner(self.params, self.column)

    # ---- what the board shows --------------------------------------------------------------

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

    def knob_scale(self) -> float:
        """|weight| drawn at full deflection: the 99th percentile (robust to a few big knobs)."""
        w = self.weights
        s = float(np.percentile(np.abs(w), 99)) if np.isfinite(w).all() else 1.0
        floor = 0.01 / (255.0 * self.config.scale)  # a zeroed board still turns visibly
        return max(s, floor)

    def turn_step(self) -> float:
        """How far one notch turns a knob: a tenth of the board's full-scale weight."""
        return self.knob_scale() / 10.0

    def fresh(self, config: Config | None = None) -> np.ndarray:
        """The seed's random knobs (785, k) float32 for ``config`` (default: the current)."""
        config = config or self.config
        return engine.init_knobs(config, np.random.default_rng(config.seed))

    # ---- by hand ---------------------------------------------------------------------------

    def turn(self, index: int, steps: float, fine: bool = False) -> bool:
        amount = steps * self.turn_step() * (FINE if fine else 1.0)
        return self.hand.turn(index, amount * (BIAS_TURN if index == BIAS else 1.0))

    def set_knob(self, index: int, value: float) -> bool:
        return self.hand.set(index, value)

    def brush(self, index: int, mode: str, fine: bool = False) -> list[int]:
        return self.hand.brush(index, mode, self.turn_step() * (FINE if fine else 0.5))

    def replace(self, new: np.ndarray) -> None:
        """New knob values of the same shape, as one undoable step."""
        self.hand.replace(new)

    # ---- switches --------------------------------------------------------------------------

    def changed(self, name: str, value) -> Config:
        """The config with one switch changed; ValueError (naming it) if not allowed."""
        if name not in SWITCHES:
            raise ValueError(f"unknown switch {name!r}")
        try:
            return dataclasses.replace(self.config, **{name: value}).validate()
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def adopt(self, config: Config, params: np.ndarray | None = None) -> None:
        """Take a new config, and new knobs if given (undoable when the shape is the same)."""
        self.config = config.validate()
        if params is not None and params.shape == self.params.shape:
            self.hand.replace(params)
        elif params is not None:
            self.params = params.astype(np.float32).copy()
            self.hand.attach(self.params, self.column)
        self.hand.column = self.column

    def from_file(self, params: np.ndarray, config: Config | None) -> Config:
        """The config that knobs from a file (or a session) bring; ValueError if unusable."""
        params = engine.check_params(params)
        if config is not None:
            return dataclasses.replace(config, bulbs=params.shape[1]).validate()
        config = dataclasses.replace(self.config, bulbs=params.shape[1])
        if config.bulbs == 1 and config.activation == "softmax":
            config = dataclasses.replace(config, activation="sigmoid")
        return config.validate()
