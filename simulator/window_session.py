"""The window's session on disk: restored at the start, kept up to date as the knobs change
(after each epoch at once, a few seconds after hand edits), written once more at the end.
NumPy only; the writing happens in :class:`simulator.session.SessionSaver`'s thread."""

from __future__ import annotations

from collections.abc import Callable

from .dims import n_units
from .pictures import PICTURE_FILTERS
from .session import SessionSaver, load_session
from .storage import KnobFileError, load_knobs, save_knobs
from .words import wiring_words

DEFAULT_KNOB_FILE = "knobs.npz"


class WindowSession:
    def __init__(self, machine, say: Callable[[str], None]) -> None:
        self.machine, self.say = machine, say
        self.knob_file = DEFAULT_KNOB_FILE  # the panel's file for Save and Load
        self.saver: SessionSaver | None = None
        self.problem: str | None = None  # why the session cannot be saved (said once)
        self.lesson: dict | None = None  # the lesson's progress, as saved
        self._saved = (0, 0)  # (knobs version, epochs) last handed to the saver

    def restore(self, preload, loaded_from: str | None, from_disk: bool) -> None:
        """Knobs from --load, else the saved session, else the seed's random knobs."""
        m = self.machine
        if preload is not None:
            m.put_knobs(*preload)
            m.hand.forget()
            self.say(f"Knobs loaded from {loaded_from}")
            return
        if not from_disk:
            return
        session, why = load_session()
        if session is None:
            if why:
                self.say(why)
            return
        try:
            m.put_knobs(session.params, session.config, session.hidden)
        except ValueError as exc:
            self.say(f"Saved session not restored: {exc}")
            return
        m.hand.forget()
        self._restore_gui(session.gui)
        self.say("Welcome back: your knobs are as you left them")

    def _restore_gui(self, gui: dict) -> None:
        m = self.machine
        if isinstance(gui.get("mode"), str) and gui["mode"] in m.procedures:
            m.set_mode(gui["mode"])
        if isinstance(gui.get("speed"), int | float):
            m.set_speed(gui["speed"])
        if gui.get("picture_filter") in PICTURE_FILTERS:
            m.pictures.set_filter(gui["picture_filter"])
        if isinstance(gui.get("knob_file"), str):
            self.knob_file = gui["knob_file"]
        if isinstance(gui.get("lesson"), dict):
            self.lesson = gui["lesson"]
        m.ghost_on = bool(gui.get("ghost", False))

    # ---- knob files (the panel's Save and Load) -----------------------------------------------

    def save_knobs(self, path: str) -> str:
        """Save the knobs and switches to ``path`` (else the last file); says how it went."""
        path = self.knob_file = path or self.knob_file
        m = self.machine
        try:
            written = save_knobs(path, m.params, m.config,
                                 extra={"source": "the desktop machine", "epochs": m.run_epochs},
                                 hidden=m.hidden)
        except (OSError, ValueError) as exc:
            return f"Could not save to {path}: {exc}"
        return f"Knobs saved to {written} (switches in {written.with_suffix('.json').name})"

    def load_knobs(self, path: str) -> str:
        """Knobs (and switches) from a file; a bad file changes nothing. Says how it went."""
        path = self.knob_file = path or self.knob_file
        try:
            m = self.machine
            was = (m.config.wiring, m.params.shape)
            params, config, hidden = load_knobs(path)
            m.put_knobs(params, config, hidden)
        except (KnobFileError, ValueError) as exc:
            return f"Not loaded — {exc}. The knobs are unchanged."
        said = f"Knobs loaded from {path}" + (" with its switches" if config else "")
        if m.config.wiring != was[0]:
            return (f"{said}. The file is wired differently: "
                    f"{wiring_words(m.config.wiring, n_units(m.config))} (it was "
                    f"{was[0]} wiring)")
        return said + (" (Ctrl+Z undoes)" if m.params.shape == was[1] else "")

    def start_saving(self) -> None:
        self.saver = SessionSaver()
        self._saved = (self.machine.knobs_version, self.machine.run_epochs)

    def gui(self, knob_file: str, lesson: dict | None = None) -> dict:
        m = self.machine
        return {"mode": m.mode, "speed": m.speed, "picture_filter": m.picture_filter,
                "ghost": m.ghost_on, "knob_file": knob_file or self.knob_file,
                "epochs": m.run_epochs, "lesson": lesson or self.lesson or {}}

    def keep(self, knob_file: str) -> None:
        """Hand the saver the session if it changed: urgent after an epoch, debounced after
        hand edits; a run under way is kept at its epochs' ends only."""
        m = self.machine
        now = (m.knobs_version, m.run_epochs)
        if self.saver is None or now == self._saved or (m.training and now[1] == self._saved[1]):
            return
        urgent, self._saved = now[1] != self._saved[1], now
        error = self.saver.error
        self.saver.request(m.params, m.config, self.gui(knob_file), urgent=urgent,
                           hidden=m.hidden)
        if error and error != self.problem:
            self.problem = error
            self.say(f"{error}. The machine runs on; your knobs are not kept between starts.")

    def close(self, knob_file: str) -> str | None:
        """Write the session now and stop saving; returns the saver's error, if any."""
        if self.saver is None:
            return None
        m = self.machine
        self.saver.request(m.params, m.config, self.gui(knob_file), urgent=True,
                           hidden=m.hidden)
        self.saver.flush(timeout=5.0)
        error, self.saver = self.saver.error, None
        return error
