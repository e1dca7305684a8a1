"""What the machine keeps up to date as the knobs turn: their live score on the test set,
and the ghost needles (the way gradient descent would turn each knob). NumPy only."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import engine, wiring

SCORE_EVERY_TRAINING = 0.3  # seconds between live scores while a procedure trains
GHOST_EVERY = 0.15  # seconds between ghost-needle updates (three times slower while training)
GHOST_PICTURES = 2000  # the first training pictures the ghosts' gradient is taken on


class LiveScore:
    """The knobs' accuracy on the test pictures: at once after a hand's turn (10,000
    pictures in a few ms), in the scorer's thread a few times a second while a procedure
    trains (the frame's time belongs to training then)."""

    def __init__(self) -> None:
        self.score: engine.Metrics | None = None
        self.dirty, self._time, self._stamp = True, -math.inf, 0

    def update(self, m, force: bool = False, busy: bool = False) -> bool:
        """``busy``: the frame has already spent its time (a chapter set up, a file
        loaded): the score comes from the scorer's thread, a frame or two later."""
        now = m.clock()
        if not self.dirty and not force:
            return False
        if (m.training or busy or not m.test_rows_ready()) and not force:
            if m.training and now - self._time < SCORE_EVERY_TRAINING:
                return False
            self._stamp += 1
            source, hidden = m.test_source()
            m.evaluator.submit_live({
                "stamp": (self._stamp, m.generation, id(m.data)), "params": m.params.copy(),
                "config": m.config, "X_test": source, "hidden": hidden,
                "labels": m.data.test_labels})
        else:
            self.score = engine.evaluate(m.params, m.X_test, m.data.test_labels, m.config)
            self._stamp += 1  # a score in flight is older than this one
        self.dirty, self._time = False, now
        return True

    def arrived(self, m, result: dict) -> str | None:
        """A score from the scorer's thread; returns its error, if it carries one."""
        stamp, generation, data = result["live"]
        if stamp != self._stamp or generation != m.generation or data != id(m.data):
            return None  # overtaken by a newer score or another configuration
        if "error" in result:
            return result["error"]
        self.score = result["score"]
        return None


class Ghosts:
    """Ghost needles: -dL/dknob of the bulb on show, over the first training pictures."""

    def __init__(self) -> None:
        self.on = False
        self.direction: np.ndarray | None = None  # (785,) descent direction of the shown bulb
        self.dirty, self._time = True, -math.inf
        self._X: dict[float, np.ndarray] = {}

    def forget_data(self) -> None:
        self._X = {}

    def update(self, m, force: bool = False) -> bool:
        if not self.on or m.config.wiring != "direct":  # needles on the retina's knobs only
            self.direction = None
            return False
        now = m.clock()
        every = GHOST_EVERY * (3 if m.training else 1)
        if not force and (not self.dirty or now - self._time < every):
            return False
        scale = m.config.scale
        X = self._X.get(scale)
        if X is None:
            X = self._X[scale] = engine.prepare_inputs(m.data.train_images[:GHOST_PICTURES],
                                                       scale)
        labels = m.data.train_labels[:GHOST_PICTURES]
        gd = dataclasses.replace(m.config, rule="gd")
        direction = engine.descent_direction(m.params, X, labels, gd)[:, m.column]
        self.direction = np.nan_to_num(direction).astype(np.float32)
        self.dirty, self._time = False, now
        return True


CLUES_EVERY_TRAINING = 0.25  # seconds between updates of the clues while a procedure trains


class Clues:
    """The tutorial's clues on screen, kept up to date while they are shown: the raw outputs
    of ten test pictures (the strip), the weighted sums of all of them (the histogram) and
    the scoreboard (the outcomes on all of them, counted). At once after a hand's turn (and
    when a drag is let go); in the scorer's thread a few times a second during a drag and
    while a procedure trains, the scoreboard at each epoch's end (a histogram of 10,000 sums
    costs a frame's worth of milliseconds, ten bulbs' scoreboard about 8 ms)."""

    def __init__(self) -> None:
        self.strip = None  # list[clues.PicturePrediction] | None
        self.histogram = None  # clues.Histogram | None
        self._board = (None, None)  # (key, scoreboard.Scoreboard): the knobs it counts
        self._key, self._time = None, -math.inf
        self._asked = self._shown = 0  # the newest clues asked for, and those shown
        self._epochs = 0  # the run's epochs when the clues were last asked for
        self._threaded = False  # they were last asked of the scorer's thread

    @property
    def scoreboard(self):
        """The scoreboard (simulator.scoreboard.Scoreboard) when it is shown, else None."""
        return self._board[1]

    def update(self, m, views) -> None:
        key = (m.knobs_version, m.generation, frozenset(views), id(m.data), m.picture_filter,
               m.picture.index)
        now, epochs = m.clock(), m.run_epochs
        # a procedure, a drag, or test rows still being made: in the scorer's thread
        busy = m.training or m.hand.open or (bool(views) and not m.test_rows_ready())
        soon = busy and now - self._time < CLUES_EVERY_TRAINING
        ended = m.training and epochs != self._epochs and "scoreboard" in views
        settled = not busy and self._threaded  # let go, paused: counted at once, here
        if (key == self._key and not settled) or (soon and not ended):
            return  # (an epoch's end is counted on the scoreboard at once)
        self._key, self._time, self._epochs, self._threaded = key, now, epochs, busy
        work = self._work(m, frozenset(views))
        self._asked += 1
        if busy:
            m.evaluator.submit_latest("clues", {"key": self._asked, "work": work})
        else:
            self._take(self._asked, work())

    def arrived(self, result: dict) -> None:
        if "value" in result:
            self._take(result["clues"], result["value"])

    def _take(self, asked: int, value) -> None:
        if asked > self._shown:  # (clues from the thread, overtaken by newer ones: dropped)
            self._shown = asked
            self.strip, self.histogram, self._board = value

    def _work(self, m, views):
        """A function of copies (the scorer's thread may run it while the knobs turn)."""
        from . import clues, scoreboard

        params, config = m.params.copy(), m.config
        source, hidden = m.test_source()  # rows not ready yet are made in work()
        labels, column = m.data.test_labels, m.column
        pictures = m.data.test_images  # the strip's thumbnails, whatever the wiring
        ten = self._ten(m) if "strip" in views else None
        # the scoreboard counts the knobs, not the picture on show: counted again when they
        # change by hand (or the switches, or the data), and at each epoch's end in training
        turned = ("epoch", m.run_epochs) if m.training else ("knobs", m.knobs_version)
        board_key = (turned, m.generation, id(m.data), config) if "scoreboard" in views else None
        board = self._board if board_key is not None and self._board[0] == board_key else None

        def work(before_chunk=None):
            if not (ten or "histogram" in views or (board is None and board_key is not None)):
                return None, None, board or (None, None)  # nothing to make
            rows = source.ndim == 2 and source.shape[1] == config.n_inputs
            X = source if rows else wiring.knob_rows(config, source, hidden)
            strip = clues.predictions(params, X, labels, config, ten,
                                      pictures=pictures) if ten else None
            histogram = clues.sum_histogram(params, X, labels, config, column) \
                if "histogram" in views else None
            if board is None and board_key is not None:
                counted = scoreboard.tally(params, X, labels, config, before_chunk)
                return strip, histogram, (board_key, counted)
            return strip, histogram, board or (None, None)

        return work

    @staticmethod
    def _ten(m) -> list[int]:
        """The first ten test pictures, or the ten from the picture on the retina among those
        the picture filter lets through."""
        if m.picture_filter == "all":
            return list(range(min(10, len(m.data.test_labels))))
        pool = m.pictures.matching(m.params, m.config, lambda: m.X_test)
        here = m.picture.index if m.picture.split == "test" else -1
        start = int(np.searchsorted(pool, max(here, 0)))
        return [int(pool[(start + k) % len(pool)]) for k in range(min(10, len(pool)))]
