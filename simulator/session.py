"""The machine remembers its knobs: saved as you go, restored at the next start.

The session is an ordinary knob file (:mod:`simulator.storage`, the CLI's format) named
``session.npz`` in the state directory (env ``PERCEPTRON_STATE_DIR``, else
``~/.local/state/perceptron-machine``); the window's own settings (mode, speed, picture)
ride along in the JSON beside it under ``run.gui``.

:class:`SessionSaver` writes it in the background while the window runs (after hand edits,
at each epoch's end), so a crash loses at most the last few seconds; :func:`save_session`
and :func:`load_session` are the plain, blocking write and read.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine import Config
from .storage import KnobFileError, config_path, load_knobs, save_knobs

APP_NAME = "perceptron-machine"
SESSION_FILE = "session.npz"


def state_dir() -> Path:
    env = os.environ.get("PERCEPTRON_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "state" / APP_NAME


def session_path() -> Path:
    return state_dir() / SESSION_FILE


@dataclass
class Session:
    params: np.ndarray  # (n_in, k) float32
    config: Config | None
    gui: dict = field(default_factory=dict)
    hidden: np.ndarray | None = None  # the hidden layer's weights, for that wiring


def save_session(params: np.ndarray, config: Config, gui: dict | None = None,
                 path: Path | None = None, hidden: np.ndarray | None = None) -> Path:
    """Write the knobs and switches atomically (as storage.save_knobs does), to the state
    directory's session file unless ``path`` is given."""
    return save_knobs(path or session_path(), params, config, extra={"gui": gui or {}},
                      hidden=hidden)


def load_session() -> tuple[Session | None, str]:
    """The saved session, or (None, why) when there is none or it cannot be read."""
    path = session_path()
    if not path.exists():
        return None, ""
    try:
        params, config, hidden = load_knobs(path)
    except KnobFileError as exc:
        return None, f"Saved session not restored: {exc}"
    return Session(params, config, _read_gui(path), hidden), ""


def _read_gui(path: Path) -> dict:
    try:
        gui = json.loads(config_path(path).read_text())["run"]["gui"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return gui if isinstance(gui, dict) else {}


class SessionSaver:
    """Saves the session on a background daemon thread, so the frame never waits on a disk.

    ``request`` copies the state and returns at once; the thread writes it atomically
    (:func:`save_session`), one write at a time, newest state winning. A plain request is
    written ``debounce_s`` after the last one (a burst of hand edits makes one write), but no
    later than ``max_delay_s`` after the first unsaved one (a long drag still gets saved); an
    urgent request (an epoch's end) is written as soon as the thread gets to it.

    A write that fails raises nothing: ``error`` holds a one-line message naming the state
    directory and what is wrong, until a later write succeeds. ``writes`` counts the
    successful writes.
    """

    DEBOUNCE_S = 2.0
    MAX_DELAY_S = 10.0

    def __init__(self, debounce_s: float = DEBOUNCE_S, max_delay_s: float = MAX_DELAY_S) -> None:
        self.debounce_s = debounce_s
        self.path = session_path()  # fixed at the start: the state directory of this run
        self.max_delay_s = max(max_delay_s, debounce_s)
        self.error: str | None = None
        self.writes = 0
        self._cond = threading.Condition()
        self._pending: tuple[np.ndarray, Config, dict] | None = None
        self._first = 0.0  # when the oldest unsaved request came (monotonic)
        self._due = 0.0  # when the pending state is to be written (monotonic)
        self._urgent = False  # the pending state includes an urgent request
        self._writing = False
        self._flushing = 0  # threads waiting in flush()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="session-saver", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> bool:
        """True while some requested state is not yet written (or being written)."""
        with self._cond:
            return self._pending is not None or self._writing

    def request(
        self, params: np.ndarray, config: Config, gui: dict | None = None, urgent: bool = False,
        hidden: np.ndarray | None = None,
    ) -> None:
        """Queue this state for saving and return at once (no file I/O here).

        The knobs, switches and settings are copied now, so the caller may go on changing
        them. Ignored once the saver is closed.
        """
        state = (
            np.array(params, dtype=np.float32, copy=True),
            copy.copy(config),
            copy.deepcopy(gui or {}),
            None if hidden is None else np.array(hidden, dtype=np.float32, copy=True),
        )
        with self._cond:
            if self._closed:
                return
            now = time.monotonic()
            if self._pending is None:
                self._first, self._urgent = now, False
            # an urgent request keeps its place; while someone flushes, every request is urgent
            self._urgent = self._urgent or urgent or self._flushing > 0
            if self._urgent:
                self._due = now
            else:  # debounced, but never later than max_delay_s after the first request
                self._due = min(now + self.debounce_s, self._first + self.max_delay_s)
            self._pending = state
            self._cond.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Write any pending state now and wait for it, at most ``timeout`` seconds.

        True when everything requested is written and the last write succeeded.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            try:
                if self._pending is not None:
                    self._urgent, self._due = True, time.monotonic()
                    self._cond.notify_all()
                while self._pending is not None or self._writing:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._thread.is_alive():
                        return False
                    self._cond.wait(left)
                return self.error is None
            finally:
                self._flushing -= 1

    def close(self, timeout: float = 5.0) -> bool:
        """Write what is pending (as :meth:`flush`), then stop the thread.

        True when everything requested was written and the thread has stopped.
        """
        flushed = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        return flushed and not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._pending is not None:
                        left = self._due - time.monotonic()
                        if left <= 0 or self._closed:
                            break
                        self._cond.wait(left)
                    elif self._closed:
                        return
                    else:
                        self._cond.wait()
                params, config, gui, hidden = self._pending
                self._pending, self._writing = None, True
            error = self._write(params, config, gui, hidden)
            with self._cond:
                self._writing = False
                self.error = error
                if error is None:
                    self.writes += 1
                self._cond.notify_all()

    def _write(self, params: np.ndarray, config: Config, gui: dict,
               hidden: np.ndarray | None = None) -> str | None:
        """Write one state; None, or a one-line message saying what went wrong."""
        where = self.path.parent
        try:
            save_session(params, config, gui, self.path, hidden)
        except OSError as exc:
            why = exc.strerror or " ".join(str(exc).split())
            if exc.filename and Path(exc.filename) != where:
                why += f" ({exc.filename})"
            return f"Session not saved: cannot write to {where}: {why}"
        except Exception as exc:  # a bad state must not kill the saver (or the app)
            text = " ".join(str(exc).split())
            return f"Session not saved to {where}: {type(exc).__name__}: {text}"
        return None
