"""The pictures and the retina: which digit the machine looks at, browsing the test set,
and drawing your own. NumPy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine, scoreboard
from .background import Background
from .dims import N_PIXELS, SIDE

PICTURE_FILTERS = ("all", "target", "other", "misclassified")  # and a scoreboard's cell:
# ("cell", truth, answer), see simulator.scoreboard.cell_filter


@dataclass
class Picture:
    """What the retina sees: pixel values (784,) float32 in 0..255, and where it came from."""

    pixels: np.ndarray
    label: int | None  # None: drawn by hand
    split: str  # test | train | drawn
    index: int = -1

    @property
    def light(self) -> np.ndarray:
        return (self.pixels / 255.0).reshape(SIDE, SIDE)  # (28, 28) float32 in [0, 1]


class Pictures:
    """The data set, the picture on the retina, the browsing filter and the test inputs."""

    def __init__(self, data) -> None:
        self.data = data
        self.filter = "all"
        self._X_test: dict[float, np.ndarray] = {}
        self._X_wired: dict[str, tuple] = {}  # wiring -> (key, its test rows): one each
        self.picture = self.test_picture(0)

    def set_data(self, data, X_tests: dict | None = None) -> None:
        """Another data set (full MNIST arriving): the retina keeps its place if it can."""
        self.data = data
        self._X_test = dict(X_tests or {})
        self._X_wired = {}
        if self.picture.split != "drawn":
            last = len(data.test_labels) - 1
            self.picture = self.test_picture(min(max(self.picture.index, 0), last))

    def X_test(self, scale: float) -> np.ndarray:
        """(10000, 785) float32 test inputs at this input scale (cached: there are two)."""
        X = self._X_test.get(scale)
        if X is None:
            X = self._X_test[scale] = engine.prepare_inputs(self.data.test_images, scale)
        return X

    def X_test_wired(self, key: tuple, prepare, wait: bool = True) -> np.ndarray | None:
        """The test pictures' rows through a wiring (``key`` says which: its first item
        names the wiring). When the key changes, ``prepare()`` gives, here, a function of
        the pictures (its copies taken now) that makes them in a thread of its own (a tenth
        of a second for the plugboard's A-units: not in a frame). ``wait`` False: None until
        they are ready."""
        held = self._X_wired.get(key[0])
        if held is None or held[0] != key:
            images, make = self.data.test_images, prepare()
            held = self._X_wired[key[0]] = (key, Background(lambda: make(images),
                                                            name="test rows"))
        rows = held[1]
        if isinstance(rows, Background):
            if not (wait or rows.done.is_set()):
                return None
            rows = rows.result()
            self._X_wired[key[0]] = (key, rows)
        return rows

    def test_picture(self, i: int) -> Picture:
        pixels = self.data.test_images[i].reshape(N_PIXELS).astype(np.float32)
        return Picture(pixels, int(self.data.test_labels[i]), "test", i)

    def train_picture(self, i: int) -> Picture:
        pixels = self.data.train_images[i].reshape(N_PIXELS).astype(np.float32)
        return Picture(pixels, int(self.data.train_labels[i]), "train", i)

    # ---- browsing ------------------------------------------------------------------------

    def matching(self, params: np.ndarray, config, rows=None) -> np.ndarray:
        """Indices of the test pictures the filter lets through, with these knobs (``rows``:
        a function giving the test rows they weigh, when the wiring is not direct; asked
        only by the filters that need the machine's answers)."""
        labels = self.data.test_labels
        X = None
        if self.filter == "misclassified" or scoreboard.is_cell(self.filter):
            X = self.X_test(config.scale) if rows is None else rows()
        if self.filter == "target":
            return np.flatnonzero(labels == config.digit)
        if self.filter == "other":
            return np.flatnonzero(labels != config.digit)
        if self.filter == "misclassified":
            said = engine.predict(params, X, config)
            return np.flatnonzero(said.answer != said.truth(labels, config))
        if scoreboard.is_cell(self.filter):
            if not scoreboard.cell_fits(self.filter, config.bulbs):
                return np.arange(0)
            answer = scoreboard.answers(params, X, config)
            return np.flatnonzero(scoreboard.cell_mask(answer, labels, config, self.filter))
        return np.arange(len(labels))

    def show(self, how: str, pool: np.ndarray, include_current: bool = False) -> bool:
        """Next, previous or a random picture of ``pool``; False if the pool is empty."""
        if len(pool) == 0:
            return False
        here = self.picture.index if self.picture.split == "test" else -1
        if how == "random":
            i = int(pool[np.random.default_rng().integers(len(pool))])
        elif how == "previous":
            i = int(pool[(np.searchsorted(pool, here) - 1) % len(pool)])
        else:
            side = "left" if include_current else "right"
            i = int(pool[np.searchsorted(pool, here, side=side) % len(pool)])
        self.picture = self.test_picture(i)
        return True

    def chosen(self, which, toggle: bool = False):
        """The filter a choice means: "next" cycles through the filters (from a scoreboard's
        cell, to the first); a filter chosen again with ``toggle`` (a scoreboard's count
        clicked twice) lets every picture through."""
        if which == "next":
            now = self.filter
            i = PICTURE_FILTERS.index(now) if now in PICTURE_FILTERS else -1
            return PICTURE_FILTERS[(i + 1) % len(PICTURE_FILTERS)]
        return "all" if toggle and which == self.filter else which

    def set_filter(self, which) -> None:
        if not (which in PICTURE_FILTERS or scoreboard.is_cell(which)):
            raise ValueError(f"picture filter must be one of {PICTURE_FILTERS} or a "
                             f"scoreboard's cell ('cell', truth, answer); got {which!r}")
        self.filter = which

    def forget_cell(self, bulbs: int) -> None:
        """A scoreboard cell of the other table (the bulbs switched) lets every picture
        through again."""
        if scoreboard.is_cell(self.filter) and not scoreboard.cell_fits(self.filter, bulbs):
            self.filter = "all"

    # ---- drawing ---------------------------------------------------------------------------

    def paint(self, row: float, col: float, erase: bool = False) -> None:
        """A soft round pen (about MNIST's stroke width) at sensor coordinates (row, col)."""
        if self.picture.split != "drawn":
            self.picture = Picture(self.picture.pixels.copy(), None, "drawn")
        rr, cc = np.mgrid[0:SIDE, 0:SIDE]
        d = np.hypot(rr + 0.5 - row, cc + 0.5 - col).reshape(N_PIXELS)
        px = self.picture.pixels
        if erase:  # a wider, harder eraser
            rub = np.clip((2.2 - d) / 0.8, 0.0, 1.0).astype(np.float32)
            np.multiply(px, 1.0 - rub, out=px)
        else:
            ink = np.clip((1.7 - d) / 1.0, 0.0, 1.0).astype(np.float32)  # soft rim
            np.maximum(px, 255.0 * ink, out=px)

    def clear(self) -> None:
        self.picture = Picture(np.zeros(N_PIXELS, np.float32), None, "drawn")
