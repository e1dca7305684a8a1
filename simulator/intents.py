"""Intents: what a person asked the machine to do, as small values.

Widgets (the board and retina input, the keyboard map, the pygame_gui panel) turn raw input
into these; the app applies them to the model in one place (`App.apply`). No widget reaches
into the engine. Only what changes the model is an intent: a widget's own state (the knob
under the mouse, the selected knob) stays in the widget. Knob indices are flat: 0..783 the
weights (row * 28 + col), 784 the bias.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- turning knobs by hand ------------------------------------------------------------------


@dataclass(frozen=True)
class BeginGesture:
    """A drag, a brush stroke or a key press starts: all until EndGesture is one undo step."""

    what: str = "turn"


@dataclass(frozen=True)
class EndGesture:
    pass


@dataclass(frozen=True)
class TurnKnob:
    """Turn one knob by `steps` (positive = clockwise = larger weight); fine = a tenth as far."""

    index: int
    steps: float
    fine: bool = False


@dataclass(frozen=True)
class SetKnob:
    index: int
    value: float


@dataclass(frozen=True)
class BrushKnobs:
    """Paint the brush at knob `index`: raise, lower or zero it and (more gently) its neighbours."""

    index: int
    mode: str  # raise | lower | zero
    fine: bool = False


@dataclass(frozen=True)
class SetBrush:
    mode: str | None  # None = brush off (dragging turns single knobs)


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Redo:
    pass


@dataclass(frozen=True)
class ResetKnobs:
    how: str  # random (from the seed) | zero


@dataclass(frozen=True)
class ToggleGhost:
    pass


# ---- the retina and the pictures -----------------------------------------------------------


@dataclass(frozen=True)
class PaintRetina:
    """Draw (or erase) with a soft pen at sensor coordinates (row, col), floats in 0..28."""

    row: float
    col: float
    erase: bool = False


@dataclass(frozen=True)
class ClearRetina:
    pass


@dataclass(frozen=True)
class ShowPicture:
    how: str  # next | previous | random


@dataclass(frozen=True)
class SetPictureFilter:
    which: object  # all | target | other | misclassified | ("cell", truth, answer)
    toggle: bool = False  # the filter in force already: every picture instead (a count
    #                       of the scoreboard clicked again)


# ---- procedures and switches ---------------------------------------------------------------


@dataclass(frozen=True)
class SetMode:
    name: str  # a key of procedures.PROCEDURES


@dataclass(frozen=True)
class TogglePlay:
    pass


@dataclass(frozen=True)
class Step:
    unit: str  # batch | epoch


@dataclass(frozen=True)
class SetSpeed:
    value: float  # 0 = slow motion .. 1 = full speed


@dataclass(frozen=True)
class SetSwitch:
    """One of the story's switches: a Config field name and its new value."""

    name: str
    value: object


# ---- files, overlays, window ---------------------------------------------------------------


@dataclass(frozen=True)
class SaveKnobs:
    path: str


@dataclass(frozen=True)
class LoadKnobs:
    path: str


@dataclass(frozen=True)
class ToggleHelp:
    pass


@dataclass(frozen=True)
class CloseOverlay:
    pass


@dataclass(frozen=True)
class Resize:
    size: tuple[int, int]


@dataclass(frozen=True)
class Quit:
    pass


# ---- the panel's pages and the bench ---------------------------------------------------------


@dataclass(frozen=True)
class SetPage:
    page: str  # controls | bench


@dataclass(frozen=True)
class ShowRun:
    """Draw a kept run on the charts (or stop drawing it)."""

    run_id: str
    shown: bool


@dataclass(frozen=True)
class RenameRun:
    run_id: str
    name: str


@dataclass(frozen=True)
class DeleteRun:
    run_id: str


@dataclass(frozen=True)
class ExportRun:
    run_id: str
    what: str  # csv (the metrics) | knobs (the last epoch's, as the CLI's .npz)


@dataclass(frozen=True)
class Rewind:
    """Put the knobs back as they were after an epoch of a run (one undo brings them back)."""

    run_id: str | None  # None: the run on the charts now
    epoch: int | None  # None with step: one epoch back or forth from the last rewind
    step: int = 0


@dataclass(frozen=True)
class SpreadSeeds:
    """Train this many seeds of the current switches at once."""

    n: int = 10


@dataclass(frozen=True)
class ToggleView:
    name: str  # strip | histogram


@dataclass(frozen=True)
class ToggleTracking:
    pass


# ---- the lesson ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenChapter:
    """Open a chapter of the lesson (its setup puts the machine in its state)."""

    index: int


@dataclass(frozen=True)
class LessonAnswer:
    """The person's answer to a chapter's question (the tiny machine's sum), as typed."""

    text: str


@dataclass(frozen=True)
class TurnTinyKnob:
    """Turn a knob of the lesson's tiny machine (0..3) by ``amount``."""

    index: int
    amount: float


@dataclass(frozen=True)
class CopyCode:
    """Put the Code view's Keras code on the clipboard."""
