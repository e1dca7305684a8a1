"""The scoreboard: how the knobs do on every test picture, counted. NumPy only; the view draws
it (:mod:`simulator.view.scoreboard`).

One bulb: the four outcomes (hits, misses, false alarms, correct rejections) as a 2x2 table,
with precision and recall beside the accuracy and the base rate. Ten bulbs: the 10x10
confusion matrix (rows the true digit, columns the machine's answer) and each digit's
accuracy. Everything comes from one prediction over the test pictures (:func:`answers`), and
a cell of the table is a picture filter (:func:`cell_filter`) that browses exactly its
pictures (:func:`cell_mask`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine

ONE_BULB_ROWS = (True, False)  # the table's rows: pictures of the digit, then the others
ONE_BULB_COLS = (True, False)  # its columns: the bulb lit, then dark
CHUNK = 2000  # input rows predicted at a time (measured: ten bulbs' 10,000 in 5 ms, not 8)


def answers(params: np.ndarray, X: np.ndarray, config, before_chunk=None) -> np.ndarray:
    """(n,) what the machine answers for input rows X (n, n_in): bool "it is the digit" (one
    bulb) or the digit of the brightest bulb (ten). The one prediction the scoreboard and its
    picture filter share, a chunk of rows at a time (they stay in the cache);
    ``before_chunk``, if given, is called before each (the window's scorer waits there while
    a frame is drawn)."""
    parts = []
    for i in range(0, len(X), CHUNK):
        if before_chunk is not None:
            before_chunk()
        parts.append(engine.predict(params, X[i : i + CHUNK], config).answer)
    return np.concatenate(parts) if parts else engine.predict(params, X, config).answer


@dataclass(frozen=True, eq=False)
class Scoreboard:
    """The test set's outcomes for one set of knobs."""

    counts: np.ndarray  # one bulb: (2, 2) int64 [[hits, misses], [false alarms, correct
    #                     rejections]]; ten: (10, 10) int64, rows true digit, columns answer
    bulbs: int
    digit: int  # the digit the lone bulb answers for

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def right(self) -> int:
        return int(np.trace(self.counts))

    @property
    def accuracy(self) -> float:
        return self.right / self.n if self.n else float("nan")

    @property
    def base_rate(self) -> float:
        """A machine that learned nothing: a bulb that never lights (the share of pictures
        that are not the digit); ten bulbs that always name the commonest digit."""
        if not self.n:
            return float("nan")
        rows = self.counts.sum(axis=1)
        return float((rows[1] if self.bulbs == 1 else rows.max()) / self.n)

    # ---- one bulb ----------------------------------------------------------------------------

    hits = property(lambda self: int(self.counts[0, 0]))
    misses = property(lambda self: int(self.counts[0, 1]))
    false_alarms = property(lambda self: int(self.counts[1, 0]))
    correct_rejections = property(lambda self: int(self.counts[1, 1]))

    @property
    def precision(self) -> float:
        """Of the pictures that lit the bulb, the share that show the digit."""
        lit = self.hits + self.false_alarms
        return self.hits / lit if lit else float("nan")

    @property
    def recall(self) -> float:
        """Of the pictures that show the digit, the share that lit the bulb."""
        shown = self.hits + self.misses
        return self.hits / shown if shown else float("nan")

    # ---- ten bulbs ---------------------------------------------------------------------------

    @property
    def per_digit(self) -> np.ndarray:
        """(k,) float64: each row's share answered right (NaN for a digit with no pictures)."""
        rows = self.counts.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.counts) / rows

    def cell_filter(self, row: int, col: int) -> tuple:
        """The picture filter of one cell of the table."""
        return cell_filter(self.bulbs, row, col)


def tally(params: np.ndarray, X: np.ndarray, labels: np.ndarray, config,
          before_chunk=None) -> Scoreboard:
    """The scoreboard of knobs ``params`` on input rows X (n, n_in) float32 with their labels
    (n,): one prediction, then one ``bincount``."""
    if len(X) != len(labels):
        raise ValueError(f"{len(X)} input rows but {len(labels)} labels")
    return from_answers(answers(params, X, config, before_chunk), labels, config)


def from_answers(answer: np.ndarray, labels: np.ndarray, config) -> Scoreboard:
    """The scoreboard of answers (n,) (see :func:`answers`) against labels (n,)."""
    labels = np.asarray(labels).astype(np.intp)
    if config.bulbs == 10:
        cells = labels * 10 + np.asarray(answer).astype(np.intp)
        counts = np.bincount(cells, minlength=100).reshape(10, 10)
    else:  # row 0: the digit, row 1: the others; column 0: lit, column 1: dark
        cells = (labels != config.digit) * 2 + ~np.asarray(answer, dtype=bool)
        counts = np.bincount(cells, minlength=4).reshape(2, 2)
    return Scoreboard(counts.astype(np.int64), config.bulbs, config.digit)


# ---- a cell as a picture filter --------------------------------------------------------------


def cell_filter(bulbs: int, row: int, col: int) -> tuple:
    """("cell", truth, answer): one bulb's truth and answer are bools (the digit or not; lit
    or dark), ten bulbs' are digits."""
    if bulbs == 1:
        return ("cell", ONE_BULB_ROWS[row], ONE_BULB_COLS[col])
    return ("cell", int(row), int(col))


def is_cell(which) -> bool:
    """A well-formed cell filter (for one bulb or for ten)."""
    if not (isinstance(which, tuple) and len(which) == 3 and which[0] == "cell"):
        return False
    _, truth, answer = which
    if isinstance(truth, bool) and isinstance(answer, bool):
        return True
    return all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9
               for v in (truth, answer))


def cell_fits(which, bulbs: int) -> bool:
    """The cell filter belongs to a table of this many bulbs."""
    return is_cell(which) and isinstance(which[1], bool) == (bulbs == 1)


def cell_index(which) -> tuple[int, int]:
    """(row, col) of a cell filter in its table."""
    _, truth, answer = which
    if isinstance(truth, bool):
        return ONE_BULB_ROWS.index(truth), ONE_BULB_COLS.index(answer)
    return truth, answer


def cell_mask(answer: np.ndarray, labels: np.ndarray, config, which) -> np.ndarray:
    """(n,) bool: the pictures of one cell, from the answers (see :func:`answers`)."""
    _, truth, said = which
    labels = np.asarray(labels)
    if config.bulbs == 1:
        return ((labels == config.digit) == truth) & (np.asarray(answer, dtype=bool) == said)
    return (labels == truth) & (np.asarray(answer) == said)
