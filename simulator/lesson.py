"""The lesson: the tutorial's story, chapter by chapter, as data, with setups and live checks.

Each :class:`Chapter` carries its words (title, a few short paragraphs, one task, one hint),
a ``setup`` that puts the machine in the chapter's state, and a ``done`` check that reads the
machine's state (cheap: the window calls it a few times a second). :class:`Lesson` holds one
machine's progress: the chapter open, the chapters done, the marks the setups recorded (what
the checks compare against) and chapter 5's tiny 2x2 machine. The card that shows a chapter
is the window's; this module has no pygame. NumPy and the standard library only.

Every number a chapter's text states is listed in its ``figures`` and checked against the
full MNIST by ``tests/test_lesson.py``. The numbers are the full MNIST's: on the bundled
offline sample the machine shows other ones, and :meth:`Lesson.open` says so.

Typical use by the window::

    lesson = Lesson(machine)
    said = lesson.open(0)          # the chapter's setup; a sentence to show
    ...
    if lesson.check(): ...         # each few frames: the task done? (remembered)
    lesson.open(lesson.index + 1)  # Next
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import engine
from .config import Config
from .dims import n_units
from .rules import RULES
from .tiny import TinyMachine

HINT_AFTER_S = 30.0  # the card shows a chapter's hint after this long without the task done
ANSWER_TOLERANCE = 0.01  # chapter 5: a predicted sum this close is right
SCALED_TARGET = 0.975  # chapter 13: test accuracy a scaled run must reach (full MNIST)

# The tutorial's model as first written: Dense(1) on raw pixels 0..255, no activation, MSE,
# Adam (0.001), batch 32. Our default Config is the later, scaled sigmoid model.
FIRST_WRITTEN = Config(activation="none", inputs="raw")
SIGMOID_RAW = Config(inputs="raw")
TEN_BULBS = Config(bulbs=10, activation="softmax", loss="ce")


@dataclass(frozen=True)
class Chapter:
    key: str  # short id, e.g. "data", "machine", "by-hand"
    title: str
    paragraphs: tuple[str, ...]  # 2-4 short paragraphs
    task: str  # one sentence: what to do
    hint: str  # shown after a while
    setup: Callable[[Lesson], None]  # puts the machine in the chapter's state
    done: Callable[[Lesson], bool]  # the live check on the machine's state (cheap)
    views: frozenset = frozenset()  # extra views to show: "strip", "histogram", "code", "tiny"
    figures: tuple[str, ...] = ()  # every number the chapter's text states

    @property
    def text(self) -> str:
        """Everything the card shows in words: paragraphs, task and hint."""
        return "\n".join((*self.paragraphs, self.task, self.hint))


class Lesson:
    """The lesson's state for one machine: current chapter, progress, what the setup did.

    ``marks`` holds what a chapter's setup saw and the checks compare against (the run and
    its epochs at setup, the retina's picture, the 5 and the 3 of the by-hand task, the
    spreads already kept). ``tiny`` and ``answers`` are chapter 5's 2x2 machine and the sums
    the person predicted on it.
    """

    def __init__(self, machine) -> None:
        self.machine = machine
        self.index = 0
        self.completed: set[str] = set()
        self.tiny = TinyMachine()
        self.answers: list[float] = []
        self.marks: dict = {}
        self._right: list[int] = []  # tiny.version at each right answer
        self._said: list[str] = []
        self._dark_cache: tuple | None = None  # (key, never lit) of chapter 8's check

    # ---- chapters ---------------------------------------------------------------------------

    @property
    def chapter(self) -> Chapter:
        return CHAPTERS[self.index]

    @property
    def done(self) -> bool:
        """The current chapter's task has been done (now or earlier)."""
        return self.chapter.key in self.completed

    def open(self, index: int) -> str:
        """Open chapter ``index`` (clamped to the chapters): run its setup and return a
        sentence saying what it set up (the window shows it)."""
        self.index = min(max(int(index), 0), len(CHAPTERS) - 1)
        self.marks = {}
        self._said = []
        m = self.machine
        if m.playing:
            m.pause()
            self.say("Training paused.")
        self.chapter.setup(self)
        if not self._said:
            self.say("Nothing on the machine changed.")
        if m.data.is_sample:
            self.say("The machine is on the bundled sample of digits: its numbers differ "
                     "from the text's, which are the full MNIST's.")
        return " ".join(self._said)

    def say(self, sentence: str) -> None:
        """A setup states what it did (joined into :meth:`open`'s sentence)."""
        self._said.append(sentence)

    def check(self) -> bool:
        """The current chapter's check; a chapter found done is remembered as completed."""
        chapter = self.chapter
        if chapter.done(self):
            self.completed.add(chapter.key)
            return True
        return False

    # ---- chapter 5 --------------------------------------------------------------------------

    def answer(self, value: float) -> bool:
        """Chapter 5: the person's predicted sum for the tiny machine; True if it is right
        (within 0.01 of the tiny machine's weighted sum as its knobs are now)."""
        value = float(value)
        self.answers.append(value)
        right = bool(abs(value - self.tiny.weighted_sum) <= ANSWER_TOLERANCE + 1e-9)
        if right:
            self._right.append(self.tiny.version)
        return right

    def reset_tiny(self) -> None:
        self.tiny = TinyMachine()
        self.answers = []
        self._right = []

    # ---- progress for the session file -----------------------------------------------------

    def to_dict(self) -> dict:
        return {"index": self.index, "completed": sorted(self.completed)}

    @classmethod
    def from_dict(cls, machine, data) -> Lesson:
        """A lesson for ``machine`` with the progress of :meth:`to_dict`. Unknown chapters and
        bad values are dropped, not raised: a damaged session never blocks the window. The
        machine is left as it is (call :meth:`open` to set the chapter up again)."""
        lesson = cls(machine)
        data = data if isinstance(data, dict) else {}
        index = data.get("index", 0)
        if isinstance(index, int) and not isinstance(index, bool):
            lesson.index = min(max(index, 0), len(CHAPTERS) - 1)
        keys = {c.key for c in CHAPTERS}
        completed = data.get("completed", [])
        if isinstance(completed, list | tuple):
            lesson.completed = {k for k in completed if isinstance(k, str) and k in keys}
        return lesson

    # ---- what the checks read ---------------------------------------------------------------

    def epochs_since_setup(self) -> int:
        """Epochs the machine's current run finished since the chapter's setup (a run
        started later counts from its start)."""
        m = self.machine
        if self.marks.get("run") == m.record.run:
            return m.run_epochs - self.marks.get("epochs", 0)
        return m.run_epochs

    def never_lit(self) -> bool:
        """No test picture lights the (lone) bulb with the knobs as they are (cached on the
        knobs' version: one pass over the test pictures per change)."""
        m = self.machine
        if m.config.bulbs != 1:
            return False
        key = (m.knobs_version, m.generation, id(m.data), m.config)
        if self._dark_cache is None or self._dark_cache[0] != key:
            said = engine.predict(m.params, m.X_test, m.config)
            self._dark_cache = (key, not bool(said.answer.any()))
        return self._dark_cache[1]


# ------------------------------------------------------------------------ setup helpers


def _configure(lesson: Lesson, config: Config, knobs: str, mode: str,
               speed: float | None = 1.0) -> None:
    """The switches ``config``, knobs "fresh" (the seed's random knobs) or "zero", the mode;
    then the marks of the run as it stands."""
    m = lesson.machine
    config = config.validate()
    params, hidden = ((np.zeros((config.n_inputs, config.bulbs), np.float32), None)
                      if knobs == "zero" else m.knobs.fresh_model(config))
    m.put_knobs(params, config, hidden)
    if m.note is not None and m.note.kind == "wiring_loaded":
        m.note = None  # the lesson says what it set up, wiring included
    m.set_mode(mode)
    if speed is not None:
        m.set_speed(speed)
    start = ("every knob at zero" if knobs == "zero"
             else f"fresh random knobs (seed {config.seed})")
    who = RULES[mode].label if mode in RULES else "By hand"
    pace = "" if speed is None else (", slow motion" if speed == 0 else ", full speed")
    lesson.say(f"Switches: {_describe(config)}; {start}; {who}{pace}.")
    _mark_run(lesson)


def _mark_run(lesson: Lesson) -> None:
    m = lesson.machine
    lesson.marks.update(run=m.record.run, epochs=m.run_epochs)


def _describe(c: Config) -> str:
    bulbs = "ten bulbs" if c.bulbs == 10 else f"one bulb for the {c.digit}"
    if c.wiring == "plugboard":
        bulbs = f"the Mark I's plugboard, {bulbs}"
    elif c.wiring == "hidden":
        bulbs = f"a hidden layer of {n_units(c)} units, {bulbs}"
    inputs = "raw pixels 0..255" if c.inputs == "raw" else "inputs scaled to 0..1"
    act = "no activation" if c.activation == "none" else c.activation
    extra = f", the first {c.subset} training pictures" if c.subset else ""
    return (f"{bulbs}, {act}, {inputs}, {c.loss.upper() if c.loss != 'ce' else 'cross-entropy'}"
            f", {c.epochs} epoch{'s' if c.epochs != 1 else ''}{extra}")


def _is(config: Config, like: Config) -> bool:
    """The switches that make a model: the same as ``like``'s (epochs, seed, rate aside)."""
    names = ("digit", "bulbs", "activation", "loss", "optimizer", "inputs", "subset", "wiring")
    return all(getattr(config, n) == getattr(like, n) for n in names)


def _test_picture_label(m) -> tuple[str, int, int | None]:
    p = m.picture
    return p.split, p.index, p.label


def _standard_bulb(lesson: Lesson) -> None:
    """One bulb for the 5 (the story's): the default switches if the machine has others."""
    m = lesson.machine
    if m.config.bulbs != 1 or m.config.digit != 5 or m.config.wiring != "direct":
        _configure(lesson, Config(), "fresh", "hand", speed=None)
    if m.picture_filter != "all":
        m.set_picture_filter("all")
        lesson.say("Picture filter: all pictures.")


# ------------------------------------------------------------------- the chapters' logic


def _setup_data(lesson: Lesson) -> None:
    _standard_bulb(lesson)
    m = lesson.machine
    here = _test_picture_label(m)
    lesson.marks.update(start=here[:2], last=here[:2], seen=set())
    lesson.say(f"On the retina: {_picture_words(m)}.")


def _done_data(lesson: Lesson) -> bool:
    """Three test pictures shown since the setup, each different from the others and from
    the one the setup found (the retina is sampled at each check)."""
    m = lesson.machine
    split, index, _ = _test_picture_label(m)
    seen = lesson.marks.setdefault("seen", set())
    if (split, index) != lesson.marks.get("last"):
        lesson.marks["last"] = (split, index)
        if split == "test" and (split, index) != lesson.marks.get("start"):
            seen.add(index)
    return len(seen) >= 3


def _setup_machine(lesson: Lesson) -> None:
    _standard_bulb(lesson)
    m = lesson.machine
    if m.picture.split != "test" or m.picture.label == 5:
        labels = m.data.test_labels
        i = int(np.flatnonzero(labels != 5)[0])
        m.pictures.picture = m.pictures.test_picture(i)
    lesson.say(f"On the retina: {_picture_words(m)}.")


def _done_machine(lesson: Lesson) -> bool:
    p = lesson.machine.picture
    return p.split == "test" and p.label == 5


def _setup_by_hand(lesson: Lesson) -> None:
    m = lesson.machine
    _configure(lesson, Config(), "zero", "hand", speed=None)
    if m.picture_filter != "all":
        m.set_picture_filter("all")
    five, three = _five_and_three(m.data.test_labels)
    m.pictures.picture = m.pictures.test_picture(five)
    lesson.marks.update(
        five=five, three=three,
        pixels=np.stack([m.pictures.test_picture(i).pixels for i in (five, three)]))
    lesson.say(f"On the retina: test picture #{five}, a 5; the 3 to keep dark is test "
               f"picture #{three}.")


def _five_and_three(labels: np.ndarray) -> tuple[int, int]:
    """The test set's first 5 and the first 3 after it (any 3, if none follows)."""
    five = int(np.flatnonzero(labels == 5)[0])
    threes = np.flatnonzero(labels == 3)
    later = threes[threes > five]
    return five, int(later[0] if len(later) else threes[0])


def _done_by_hand(lesson: Lesson) -> bool:
    """With the knobs as they are: lit for the 5, dark for the 3 (engine.predict)."""
    pixels = lesson.marks.get("pixels")
    m = lesson.machine
    if pixels is None or m.config.bulbs != 1:
        return False
    said = engine.predict(m.params, engine.prepare_inputs(pixels, m.config.scale), m.config)
    return bool(said.answer[0]) and not bool(said.answer[1])


TRIAL = dataclasses.replace(FIRST_WRITTEN, rule="trial", lr=RULES["trial"].lr, epochs=1)


def _setup_trial(lesson: Lesson) -> None:
    _configure(lesson, TRIAL, "fresh", "trial", speed=0.0)


def _done_trial(lesson: Lesson) -> bool:
    m = lesson.machine
    return m.config.rule == "trial" and lesson.epochs_since_setup() >= 1


def _setup_sum(lesson: Lesson) -> None:
    lesson.reset_tiny()
    lesson.say("The tiny machine: a 2x2 retina, 4 knobs, its sum shown beside them.")


def _done_sum(lesson: Lesson) -> bool:
    """Two right answers, the second after a knob of the tiny machine changed."""
    right = lesson._right
    return len(right) >= 2 and right[-1] != right[0]


def _setup_epoch(lesson: Lesson) -> None:
    _configure(lesson, dataclasses.replace(FIRST_WRITTEN, epochs=1), "fresh", "gd")


def _done_epoch(lesson: Lesson) -> bool:
    m = lesson.machine
    return m.config.rule == "gd" and lesson.epochs_since_setup() >= 1


def _setup_first(lesson: Lesson) -> None:
    _configure(lesson, FIRST_WRITTEN, "fresh", "gd")


def _trained(lesson: Lesson, like: Config, epochs: int) -> bool:
    m = lesson.machine
    return (m.config.rule == "gd" and _is(m.config, like)
            and lesson.epochs_since_setup() >= epochs)


def _done_first(lesson: Lesson) -> bool:
    return _trained(lesson, FIRST_WRITTEN, 10)


def _setup_base_rate(lesson: Lesson) -> None:
    _configure(lesson, Config(), "fresh", "hand", speed=None)


def _done_base_rate(lesson: Lesson) -> bool:
    return lesson.machine.config.digit == 5 and lesson.never_lit()


def _setup_hundred(lesson: Lesson) -> None:
    _configure(lesson, dataclasses.replace(FIRST_WRITTEN, epochs=100), "fresh", "gd")


def _done_hundred(lesson: Lesson) -> bool:
    return _trained(lesson, FIRST_WRITTEN, 100)


TWENTY = dataclasses.replace(FIRST_WRITTEN, subset=20, epochs=100)


def _setup_twenty(lesson: Lesson) -> None:
    _configure(lesson, TWENTY, "fresh", "gd")


def _done_twenty(lesson: Lesson) -> bool:
    return _trained(lesson, TWENTY, 100)


def _setup_outputs(lesson: Lesson) -> None:
    m = lesson.machine
    _configure(lesson, FIRST_WRITTEN, "fresh", "gd")
    if m.picture_filter != "all":
        m.set_picture_filter("all")
        lesson.say("Picture filter: all pictures (the strip shows the first ten).")


def _done_outputs(lesson: Lesson) -> bool:
    """The strip is on screen (the window computed it) and the model as first written has
    trained its 10 epochs since the setup."""
    return lesson.machine.clues.strip is not None and _trained(lesson, FIRST_WRITTEN, 10)


def _setup_sigmoid(lesson: Lesson) -> None:
    _configure(lesson, SIGMOID_RAW, "fresh", "gd")
    lesson.marks["groups"] = _spread_groups(lesson.machine)


def _spread_groups(m) -> set[str]:
    return {r.group for r in m.bench.runs if r.group is not None}


def _done_sigmoid(lesson: Lesson) -> bool:
    """A spread of 10 seeds of the sigmoid on raw pixels, started since the setup, ran all
    its epochs."""
    m = lesson.machine
    old = lesson.marks.get("groups", set())
    groups: dict[str, list] = {}
    for run in m.bench.runs:
        if run.group is not None and run.group not in old:
            groups.setdefault(run.group, []).append(run)
    for runs in groups.values():
        c = runs[0].config
        if (len(runs) >= 10 and _is(c, SIGMOID_RAW) and c.epochs > 0
                and all(len(r.knobs) >= r.config.epochs for r in runs)):
            return True
    return False


def _setup_scaled(lesson: Lesson) -> None:
    _configure(lesson, SIGMOID_RAW, "fresh", "gd")


def _done_scaled(lesson: Lesson) -> bool:
    """A run of the sigmoid on scaled inputs reached 97.5% on the test digits (on the
    bundled sample, whose numbers differ: ran its 10 epochs)."""
    m = lesson.machine
    if not (m.config.rule == "gd" and _is(m.config, Config())):
        return False
    if m.data.is_sample:
        return lesson.epochs_since_setup() >= 10
    return any(h["test_acc"] >= SCALED_TARGET for h in m.history)


def _setup_ten(lesson: Lesson) -> None:
    _configure(lesson, TEN_BULBS, "fresh", "gd")


def _done_ten(lesson: Lesson) -> bool:
    m = lesson.machine
    return m.config.bulbs == 10 and m.config.rule == "gd" and lesson.epochs_since_setup() >= 10


ROSENBLATT = Config(rule="rosenblatt", lr=RULES["rosenblatt"].lr, epochs=1)


def _setup_rosenblatt(lesson: Lesson) -> None:
    _configure(lesson, ROSENBLATT, "zero", "rosenblatt")


def _done_rosenblatt(lesson: Lesson) -> bool:
    m = lesson.machine
    return m.config.rule == "rosenblatt" and lesson.epochs_since_setup() >= 1


MARK_I = Config(wiring="plugboard", rule="rosenblatt", lr=RULES["rosenblatt"].lr, epochs=10)
HIDDEN = Config(wiring="hidden", bulbs=10, activation="softmax", loss="ce")


def _setup_mark_i(lesson: Lesson) -> None:
    _configure(lesson, MARK_I, "zero", "rosenblatt")
    if lesson.machine.picture_filter != "all":
        lesson.machine.set_picture_filter("all")


def _done_mark_i(lesson: Lesson) -> bool:
    c = lesson.machine.config
    return (c.wiring == "plugboard" and c.rule == "rosenblatt"
            and lesson.epochs_since_setup() >= 10)


def _setup_hidden(lesson: Lesson) -> None:
    _configure(lesson, HIDDEN, "fresh", "gd")


def _done_hidden(lesson: Lesson) -> bool:
    c = lesson.machine.config
    return c.wiring == "hidden" and c.bulbs == 10 and lesson.epochs_since_setup() >= 10


def _setup_next(lesson: Lesson) -> None:
    lesson.say("Nothing on the machine changed.")


def _done_next(lesson: Lesson) -> bool:
    return True


def _picture_words(m) -> str:
    p = m.picture
    if p.split == "drawn":
        return "a picture drawn by hand"
    return f"{p.split} picture #{p.index}, a {p.label}"


# ----------------------------------------------------------------------------- the words


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "data", "The data",
        ("The machine learns from MNIST: 60,000 handwritten digits for training, and 10,000 "
         "more kept apart for testing.",
         "Each digit is a picture of 28x28 pixels. A pixel is a number from 0 (no ink) to 255 "
         "(full ink); on the retina, ink glows.",
         "The machine never learns from the test digits, so its score on them says how it "
         "does on digits it has not seen."),
        "Show three different test pictures on the retina.",
        "The Left and Right keys show the previous and next test picture (R a random one).",
        _setup_data, _done_data,
        figures=("60,000", "10,000", "28x28", "0", "255")),
    Chapter(
        "machine", "The machine",
        ("The tutorial tells Rosenblatt's machine as a story of knobs. Here it has a retina "
         "of 784 light sensors, one per pixel. Each sensor's light passes through its own "
         "knob, which can turn it up, down or below zero. A bulb adds up what comes through.",
         "This bulb answers one question: is it a 5? The knob board shows the 784 knobs laid "
         "out like the retina; the bias knob sits under the retina."),
        "Find a 5 among the test pictures and put it on the retina.",
        "Set the picture filter to only 5s, or press Next > until one comes.",
        _setup_machine, _done_machine,
        figures=("784", "5")),
    Chapter(
        "by-hand", "Knobs by hand",
        ("The bulb lights when the sum of the light times the knobs is above zero. Every knob "
         "is at zero now, so the bulb is dark for every picture.",
         "On the retina is the test set's first 5; the first 3 after it waits its turn. Make "
         "the bulb light for the 5 and stay dark for the 3."),
        "Turn knobs until the bulb lights for this 5 but not for that 3.",
        "Raise a knob where the 5 has ink and the 3 has none, such as on the 5's top bar.",
        _setup_by_hand, _done_by_hand,
        figures=("5", "3")),
    Chapter(
        "trial", "Trial and error",
        ("The story's way to learn: show a picture, turn a knob a little. Brighter for a 5, or "
         "dimmer for another digit? Turn it more. Worse? Try the other way. Then the next "
         "knob, then the next picture.",
         "Here it runs on the tutorial's first model: raw pixels, no activation.",
         "It ends with a bulb that never lights: 91.08%. Each picture turns its knobs the "
         "same amount, up for a 5, down for the rest, and nine pictures in ten are not 5s."),
        "Press Play, watch a few knobs turn, then run the epoch at full speed.",
        "The number keys set the speed, the third one full speed; the slider is on the "
        "Controls page.",
        _setup_trial, _done_trial,
        figures=("91.08%", "5", "nine pictures in ten")),
    Chapter(
        "sum", "The sum behind the bulb",
        ("Behind the bulb is one sum: each sensor's light (its pixel value 0..255 divided by "
         "255) times its knob, all added up.",
         "The tutorial works it by hand on a 2x2 picture with 4 knobs, the first at 0.12, and "
         "gets 2.55. It gives no other numbers: the pixels and the other knobs here are our "
         "own, chosen to give the same sum."),
        "Predict the sum; then turn one knob and predict the new sum.",
        "Only lit pixels count: add up the knobs under them.",
        _setup_sum, _done_sum, views=frozenset({"tiny"}),
        figures=("0..255", "255", "2x2", "4", "0.12", "2.55")),
    Chapter(
        "epoch", "An epoch",
        ("Gradient descent turns every knob at once. It takes a batch of 32 pictures, works "
         "out which way each knob should turn to make the bulb less wrong on them, and turns "
         "it a little that way.",
         "An epoch shows the machine every training picture once: 60,000 pictures in 1,875 "
         "batches."),
        "Train one epoch with gradient descent.",
        "The Epoch button trains exactly one epoch at full speed, then pauses.",
        _setup_epoch, _done_epoch,
        figures=("32", "60,000", "1,875")),
    Chapter(
        "first-model", "The model as first written",
        ("The tutorial's code: one unit over the 784 raw pixels (0..255), no activation, mean "
         "squared error, the Adam optimizer, 10 epochs. The switches are set that way, with "
         "fresh random knobs.",
         "Train it and watch the test accuracy on the chart: it jumps from epoch to epoch, "
         "and it never climbs above the dashed line."),
        "Train the model as first written for 10 epochs.",
        "Press Play: it stops by itself after 10 epochs.",
        _setup_first, _done_first, views=frozenset({"code"}),
        figures=("784", "0..255", "10")),
    Chapter(
        "base-rate", "The base rate",
        ("Of the 10,000 test digits, 892 are 5s. A bulb that never lights is right about the "
         "other 9,108: 91.08%, without looking at a single pixel.",
         "That is the base rate, the dashed line on the accuracy chart. A score means "
         "something only above it. The tutorial's \"~91%\" sits suspiciously close."),
        "Zero the knobs, then turn the bias down: read 91.08% in the status line.",
        "Zero knobs is under the switches; the bias knob sits under the retina.",
        _setup_base_rate, _done_base_rate,
        figures=("10,000", "892", "5", "9,108", "91.08%", "~91%")),
    Chapter(
        "hundred", "A hundred epochs",
        ("The tutorial's next try: train longer. The model is the one first written, from "
         "fresh random knobs, and the run is set to 100 epochs.",
         "If the model only needed more time, its test accuracy would climb above the dashed "
         "line and stay there. Does it?"),
        "Train the model as first written for 100 epochs.",
        "Full speed helps; the run stops by itself. Watch the test line against the dashed one.",
        _setup_hundred, _done_hundred,
        figures=("100",)),
    Chapter(
        "twenty", "Twenty pictures",
        ("A model that works can at least learn a few pictures by heart, so the tutorial "
         "trains its first model on just 20 (here, the first 20 training pictures).",
         "After 10 epochs it gets 40% of its own 20 right (loss 286); it wobbles for most of "
         "100 epochs and gets all 20 only at epoch 95. A sigmoid on scaled inputs gets all 20 "
         "by epoch 82."),
        "Train on the 20 pictures for 100 epochs and watch the training accuracy.",
        "The training line is the solid one on the accuracy chart.",
        _setup_twenty, _done_twenty,
        figures=("20", "40%", "10", "286", "100", "95", "82")),
    Chapter(
        "outputs", "Ten raw outputs",
        ("The tutorial's next clue: print what the model says for ten test pictures. The "
         "strip shows them: each picture, its sum and the bulb's output.",
         "A yes-or-no answer should read 0 for no and 1 for yes. Nothing keeps this model "
         "there: with its random knobs the outputs run into the hundreds, and after 10 epochs "
         "most still lie below 0 or above 1."),
        "Train the model as first written for 10 epochs and read the ten outputs.",
        "Press Play; the strip follows the knobs as they turn.",
        _setup_outputs, _done_outputs, views=frozenset({"strip"}),
        figures=("0", "1", "hundreds", "10", "most")),
    Chapter(
        "sigmoid", "A sigmoid",
        ("The tutorial's fix: a sigmoid squashes the sum into 0..1, and the bulb is lit above "
         "one half. Still on raw pixels, the tutorial reports \"~91%\", a score that changes "
         "from run to run.",
         "Ten seeds show why. Here seeds 5, 6 and 8 freeze at exactly 91.08%: their bulb "
         "never lights. Seed 9 stops one picture short of it; the other six reach 96-97%."),
        "Spread 10 seeds and count the ones that freeze.",
        "Spread 10 seeds is on the Bench page (F3); the note under it counts the frozen seeds.",
        _setup_sigmoid, _done_sigmoid,
        figures=("0..1", "~91%", "5, 6 and 8", "91.08%", "9", "96-97%", "10")),
    Chapter(
        "scaled", "Scaled inputs",
        ("The tutorial's next lesson divides every pixel by 255, so the inputs run 0..1. Same "
         "sigmoid, same 10 epochs: about 98% of the test digits.",
         "The histogram shows why. On raw pixels the first sums lie in the hundreds, and 94% "
         "of the test pictures sit where the sigmoid is flat: there it gives gradient descent "
         "almost nothing to turn the knobs by. Scaled, every sum starts near zero, where the "
         "curve is steep."),
        "Switch Inputs to scaled 0..1 and train 10 epochs.",
        "Inputs is among the switches; then press Play.",
        _setup_scaled, _done_scaled, views=frozenset({"histogram"}),
        figures=("255", "0..1", "10", "98%", "94%", "hundreds")),
    Chapter(
        "ten-bulbs", "Ten bulbs",
        ("The tutorial then gives every digit its own bulb with its own 784 knobs. A softmax "
         "shares the light among the ten bulbs, and the brightest one answers.",
         "Naming the digit is harder than spotting a 5: after 10 epochs the machine gets a "
         "little under 93% of all ten digits right. Always answering 1, the commonest digit, "
         "would score 11.35%."),
        "Train the ten bulbs for 10 epochs.",
        "Press Play; the knob board shows the 5's bulb (the Target switch picks another).",
        _setup_ten, _done_ten,
        figures=("784", "5", "10", "93%", "1", "11.35%")),
    Chapter(
        "rosenblatt", "Rosenblatt's rule",
        ("Frank Rosenblatt described the perceptron in a 1957 report and a 1958 paper. His "
         "procedure corrects errors: if the answer is right, touch nothing; if the bulb "
         "missed a 5, add the picture to the knobs; if it lit for another digit, subtract it.",
         "Its convergence theorem (Principles of Neurodynamics, 1962; Block; Novikoff, 1962): "
         "if some setting of the knobs sorts every training picture right, the procedure "
         "finds one after a finite number of corrections.",
         "From zero knobs, one epoch here gets about 96% of the test digits right."),
        "Press Play for one epoch of Rosenblatt's rule.",
        "The rule starts from zero knobs; watch them fill with pictures.",
        _setup_rosenblatt, _done_rosenblatt,
        figures=("1957", "1958", "5", "1962", "96%")),
    Chapter(
        "mark-i", "The Mark I",
        ("Rosenblatt's perceptron became a machine: the Mark I, first shown in public in June "
         "1960. Its 400 photocells, a 20x20 grid, were patched at random to 512 association "
         "units feeding 8 response units; electric motors turned its weights, which were "
         "potentiometers. It is in the Smithsonian.",
         "The Wiring switch patches this machine the same way, and the knobs weigh the units. "
         "Ten epochs of the rule get about 96% right on the 5s.",
         "Only the knobs learn: Minsky and Papert's Perceptrons (1969) showed what one "
         "trained layer cannot compute."),
        "Press Play for ten epochs of Rosenblatt's rule on the Mark I's wiring.",
        "Each picture lights its own pattern of association units; the knobs weigh them.",
        _setup_mark_i, _done_mark_i,
        figures=("1960", "400", "20x20", "512", "8", "1969", "96%", "5")),
    Chapter(
        "hidden", "A hidden layer",
        ("Decades after the Mark I, training the layer between the retina and the bulbs "
         "became routine. The tutorial's next model does it: 100 hidden units, each with its "
         "own board of 784 knobs and a ReLU (a negative sum becomes 0), then ten bulbs.",
         "Gradient descent carries each error back through the bulbs' knobs to the hidden "
         "units' boards, so both layers learn. After 10 epochs it names about 98% of the "
         "test digits; the ten bulbs alone got a little under 93%."),
        "Train the hidden layer for 10 epochs.",
        "Each small board is one hidden unit's knobs; its frame lights with the unit's output.",
        _setup_hidden, _done_hidden,
        figures=("100", "784", "0", "10", "98%", "93%")),
    Chapter(
        "next", "What comes next",
        ("A bulb over the raw pixels can only split the pictures along a straight boundary; "
         "a hidden layer bends that boundary, and so it reads digits the bulbs alone miss.",
         "The tutorial's next lessons slide small patches of knobs across the picture: "
         "convolutions. The Code view shows the switches in force as Keras code, the way the "
         "tutorial would write them."),
        "Nothing to do: read the Keras code for the switches in force.",
        "The Code view shows the model as the tutorial would write it.",
        _setup_next, _done_next, views=frozenset({"code"})),
)

_KEYS = [c.key for c in CHAPTERS]
assert len(set(_KEYS)) == len(_KEYS), "chapter keys are unique"


def chapter_index(key: str) -> int:
    """The index of the chapter with this key (ValueError if none)."""
    return _KEYS.index(key)
