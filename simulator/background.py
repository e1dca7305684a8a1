"""Work in a daemon thread whose result (or error) the caller collects later.

Daemon, so that a hung DNS lookup or a long copy can never block the program's exit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Background:
    """Run ``fn()`` in a daemon thread; ``done`` is set once its value or error is there."""

    def __init__(self, fn: Callable[[], object], name: str) -> None:
        self.started = time.monotonic()
        self.done = threading.Event()
        self._value: object = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(fn,), name=name, daemon=True).start()

    def _run(self, fn: Callable[[], object]) -> None:
        try:
            self._value = fn()
        except BaseException as exc:  # handed to the thread that collects the result
            self._error = exc
        finally:
            self.done.set()

    def result(self, within: float | None = None) -> object:
        """The value (or the error, raised), waiting until ``within`` seconds after the
        start (None: as long as it takes); TimeoutError past that."""
        wait = None if within is None else max(0.0, self.started + within - time.monotonic())
        if not self.done.wait(wait):
            raise TimeoutError(f"no answer within {within:g} s")
        if self._error is not None:
            raise self._error
        return self._value
