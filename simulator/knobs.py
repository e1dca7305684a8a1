"""The knobs and the switches: one knob array every procedure and the hand turn, and the
config it answers to. NumPy only."""

from __future__ import annotations

import dataclasses

import numpy as np

from . import engine, wiring
from .config import SWITCHES, Config
from .hand import HandTuner

FINE = 0.1  # a fine turn (Shift) goes a tenth as far
BIAS_TURN = 5.0  # the threshold works against the whole picture's sum: it turns further


class KnobBoard:
    """``params`` (n_in, k) float32 ((785, k) with direct wiring) and ``config``; hand edits
    with undo (:class:`HandTuner`). With a hidden layer, its weights ``hidden`` (785, H)
    (turned by training only; None in the other wirings)."""

    def __init__(self, config: Config, params: np.ndarray | None = None,
                 hidden: np.ndarray | None = None) -> None:
        self.config = config.validate()
        fresh, fresh_hidden = self.fresh_model() if params is None or (
            hidden is None and config.wiring == "hidden") else (None, None)
        self.params = (engine.check_params(params, config.bulbs, config.n_inputs).copy()
                       if params is not None else fresh)
        self.hidden = None
        if config.wiring == "hidden":
            self.hidden = (wiring.check_hidden(hidden, wiring.n_units(config)).copy()
                           if hidden is not None else fresh_hidden)
        self.hand = HandTuner(self.params, self.column)

    # ---- what the board shows --------------------------------------------------------------

    @property
    def column(self) -> int:
        """The bulb whose knobs the board shows: the target digit's when there are ten."""
        return self.config.digit if self.config.bulbs == 10 else 0

    @property
    def weights(self) -> np.ndarray:
        return self.params[:-1, self.column]  # (n_in - 1,) a view: 784 with direct wiring

    @property
    def bias_index(self) -> int:
        """The bias knob's flat index: after the weights (784 with direct wiring)."""
        return len(self.params) - 1

    @property
    def bias(self) -> float:
        return float(self.params[-1, self.column])

    def knob_scale(self) -> float:
        """|weight| drawn at full deflection: the 99th percentile (robust to a few big knobs)."""
        w = self.weights
        s = float(np.percentile(np.abs(w), 99)) if np.isfinite(w).all() else 1.0
        scale = self.config.scale if self.config.wiring != "plugboard" else 1 / 255.0
        floor = 0.01 / (255.0 * scale)  # a zeroed board still turns visibly
        return max(s, floor)

    def turn_step(self) -> float:
        """How far one notch turns a knob: a tenth of the board's full-scale weight."""
        return self.knob_scale() / 10.0

    def fresh(self, config: Config | None = None) -> np.ndarray:
        """The seed's random knobs (n_in, k) float32 for ``config`` (default: the current)."""
        return self.fresh_model(config)[0]

    def fresh_model(self, config: Config | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """The seed's random knobs, and the hidden layer's weights for that wiring (drawn
        after the knobs, as the trainer draws them)."""
        config = config or self.config
        rng = np.random.default_rng(config.seed)
        params = engine.init_knobs(config, rng)
        return params, wiring.init_hidden(config, rng) if config.wiring == "hidden" else None

    # ---- by hand ---------------------------------------------------------------------------

    def turn(self, index: int, steps: float, fine: bool = False) -> bool:
        amount = steps * self.turn_step() * (FINE if fine else 1.0)
        return self.hand.turn(index, amount * (BIAS_TURN if index == self.bias_index else 1.0))

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

    def adopt(self, config: Config, params: np.ndarray | None = None,
              hidden: np.ndarray | None = None) -> None:
        """Take a new config, and new knobs if given (undoable when the shape is the same),
        with the hidden layer's weights for that wiring (given, or the seed's)."""
        self.config = config.validate()
        if config.wiring != "hidden":
            self.hidden = None
        elif hidden is not None:
            self.hidden = wiring.check_hidden(hidden, wiring.n_units(config)).copy()
        elif self.hidden is None or self.hidden.shape[1] != wiring.n_units(config):
            self.hidden = self.fresh_model(config)[1]
        if params is not None and params.shape == self.params.shape:
            self.hand.replace(params)
        elif params is not None:
            self.params = params.astype(np.float32).copy()
            self.hand.attach(self.params, self.column)
        self.hand.column = self.column

    def from_file(self, params: np.ndarray, config: Config | None,
                  hidden: np.ndarray | None = None) -> Config:
        """The config that knobs from a file (or a session) bring; ValueError if unusable.
        A file without switches is direct wiring, or a hidden layer when it has one."""
        if config is not None:
            config = dataclasses.replace(config, bulbs=np.shape(params)[1]).validate()
            engine.check_params(params, config.bulbs, config.n_inputs)
            return config
        config = dataclasses.replace(self.config, bulbs=np.shape(params)[1], wiring="direct",
                                     units=0)
        if hidden is not None:
            config = dataclasses.replace(config, wiring="hidden", units=np.shape(hidden)[1],
                                         rule="gd", lr=0.001)
        engine.check_params(params, config.bulbs, config.n_inputs)
        if config.bulbs == 1 and config.activation == "softmax":
            config = dataclasses.replace(config, activation="sigmoid")
        return config.validate()
