"""The window's part of a frame: the machine's snapshot, with the pointer, the messages, the
tooltips and the overlays the window itself keeps, and the Code view's lines."""

from __future__ import annotations

import time
from dataclasses import replace

from . import words
from .controls import SHORTCUTS
from .face_state import FaceState, Overlay
from .keras_code import changed_lines, keras_code

MESSAGE_S = 8.0  # a message stays this long
CODE_GLOW_S = 2.0  # lines of the Code view that a switch changed glow this long


class FaceComposer:
    def __init__(self) -> None:
        self._code = ("", frozenset(), 0.0)  # the Code view: text, changed lines, when

    def compose(self, app) -> FaceState:
        m, face, loader = app.machine, app.face, app.loader
        note = m.note
        fresh = note is not None and m.clock() - note.time < MESSAGE_S
        overlay = Overlay(
            hover=face.hover, selected=face.selected, chart_hover=app.charts_input.hover,
            show_tooltip=app.mouse_used and (not face.busy or face.dragging == "turn"),
            panel_tip=app.panel.tooltip(face.mouse) if app.mouse_used else None,
            mouse=face.mouse, notice=app.notice,
            notice_progress=loader.fraction if loader is not None else None,
            message=words.note_text(note) if fresh else None,
            help=tuple(SHORTCUTS) if app.help_open else (),
            data_note=app.data_note + ("  ·  session not saved" if app.session.problem
                                       else ""))
        views = app.views
        tiny = app.lesson_actions.tiny_face() if "tiny" in views else None
        code = self.code(m.config) if "code" in views else None
        return replace(m.snapshot(frozenset(views)), overlay=overlay, code=code, tiny=tiny)

    def code(self, config) -> tuple:
        """The Code view's lines; the lines a switch just changed glow for a moment."""
        text = keras_code(config)
        if text != self._code[0]:
            changed = changed_lines(self._code[0], text) if self._code[0] else set()
            self._code = (text, frozenset(changed), time.monotonic())
        glow = max(0.0, 1.0 - (time.monotonic() - self._code[2]) / CODE_GLOW_S)
        return tuple(text.splitlines()), self._code[1], glow
