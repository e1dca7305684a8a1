"""What the face shows in one frame, as one frozen value: the machine's snapshot, plus the
window's own state (pointer, overlays). NumPy only; the view draws it
(:func:`simulator.view.draw_machine`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Note:
    """A fact the machine states (``kind`` and its facts); the window words it."""

    kind: str
    facts: dict
    time: float


@dataclass(frozen=True)
class Overlay:
    """The window's part of a frame: pointer, widgets' state, boxes over the face."""

    hover: int | None = None  # the knob under the mouse (784: the bias)
    chart_hover: tuple | None = None  # (run, epoch) of the charts' point under the mouse
    selected: int | None = None  # the knob the keys turn
    show_tooltip: bool = False  # the mouse is in use and not dragging a brush
    panel_tip: str | None = None  # the panel control's tooltip under the mouse
    mouse: tuple[int, int] = (-1, -1)
    notice: str | None = None  # loading MNIST, and other things in progress
    notice_progress: float | None = None
    message: str | None = None  # the latest note, in words
    help: tuple = ()  # the help sheet's (keys, what they do) rows, when it is open
    data_note: str = ""  # where the digits come from (the status line's right end)


@dataclass(frozen=True)
class WiredState:
    """What lies between the retina and the knobs, for the picture on the retina (the
    plugboard or the hidden layer; :mod:`simulator.wiring`)."""

    kind: str  # plugboard | hidden
    units: int  # A-units or hidden units
    grid: tuple[int, int]  # (rows, cols) the units and their knobs are laid out on
    knobs: np.ndarray  # (units,) the knobs of the bulb on show
    knob_scale: float  # |weight| at full colour
    lamps: np.ndarray  # (units,) each unit's output for this picture (A-units: 0 or 1)
    photocells: np.ndarray | None = None  # (400,) bool: the lit photocells (plugboard)
    cords: np.ndarray | None = None  # (m, 3) a sample of cords: photocell, unit, sign
    boards: np.ndarray | None = None  # (units, 784) the hidden units' weight pictures
    boards_scale: float = 1.0  # |weight| at full colour on every hidden unit's board
    version: tuple = ()  # changes whenever the boards may have changed


@dataclass(frozen=True)
class FaceState:
    # the picture on the retina
    light: np.ndarray  # (28, 28) float32 in [0, 1]
    label: int | None  # None: drawn by hand
    split: str  # test | train | drawn
    index: int
    n_test: int
    n_train: int
    # the knobs on the board
    weights: np.ndarray  # (784,) float32 of the bulb on show
    bias: float
    knob_scale: float  # |weight| at full deflection
    input_scale: float  # pixel value 0..255 -> the knob's input
    ghost: np.ndarray | None  # (784,) the way gradient descent would turn each knob
    turned: np.ndarray | None  # knob indices the last watched step moved
    turned_age: float  # seconds since they moved
    facts: object | None  # procedures.StepFacts of the last watched step
    # the bulb(s), the meter, the verdict
    z: np.ndarray  # (k,) weighted sums
    output: np.ndarray  # (k,) bulb outputs
    column: int  # the bulb on show
    lit: bool  # the bulb on show is lit (ten bulbs: it is the brightest)
    answer: int | None  # ten bulbs: the brightest bulb's digit
    verdict: str | None  # hit | miss | false alarm | correct rejection
    free_sum: bool  # nothing bounds the output (no activation): the meter may pin
    digit: int
    bulbs: int
    # the charts and the status line
    history: tuple
    baseline: float
    epoch_progress: float | None
    epoch: int  # the epoch under way
    score: float | None  # the knobs' live test accuracy
    procedure: str
    playing: bool
    note: Note | None
    note_age: float
    diverged: str
    is_sample: bool
    chart_runs: tuple = ()  # kept runs on the charts: (name, history, colour index)
    strip: tuple | None = None  # clues.PicturePrediction of ten test pictures, when shown
    histogram: object | None = None  # clues.Histogram of the test set's sums, when shown
    spread_note: str = ""  # a spread of seeds under way: how it stands
    code: tuple | None = None  # the Code view: (lines, changed line numbers, glow 0..1)
    tiny: tuple | None = None  # the lesson's tiny machine: (light, knobs, terms, sum, lit)
    boards: np.ndarray | None = None  # ten bulbs: (n_in - 1, 10) float32, each bulb's weights
    scoreboard: object | None = None  # scoreboard.Scoreboard of the test set, when shown
    picture_filter: object = "all"  # which test pictures browsing goes through (a cell too)
    wired: WiredState | None = None  # the plugboard or the hidden layer, when wired so
    overlay: Overlay = field(default_factory=Overlay)

    @property
    def weighted_sum(self) -> float:
        return float(self.z[self.column])

    @property
    def bulb(self) -> float:
        return float(self.output[self.column])
