"""The window applies the lesson's intents here (App.apply looks them up after its own) and
keeps the lesson's card and check up to date. The one place these intents change the model."""

from __future__ import annotations

import time

from .lesson import CHAPTERS, Lesson
from .lesson_panel import LessonCard

CHECK_EVERY_S = 0.25  # the task's live check, a few times a second
HINT_AFTER_S = 40.0  # the hint comes after this long on a chapter not yet done
LESSON_VIEWS = ("strip", "histogram", "code", "tiny")  # the views a chapter may show


class LessonActions:
    def __init__(self, app, progress: dict | None = None) -> None:
        self.app = app
        self.lesson = Lesson.from_dict(app.machine, progress)
        self.opened = False  # the current chapter was set up in this window
        self.setup_said = ""
        self._opened_at = time.monotonic()
        self._checked_at = 0.0

    def open(self, index: int) -> None:
        """Open a chapter: set the machine up for it, show its views, say what changed."""
        app = self.app
        app.face.cancel()
        self.setup_said = self.lesson.open(index)
        chapter = self.lesson.chapter
        app.views = (app.views - set(LESSON_VIEWS)) | set(chapter.views)
        app.layout_changed()
        app.page = "lesson"
        self.opened, self._opened_at = True, time.monotonic()
        app.say(f"Chapter {self.lesson.index + 1}: {chapter.title} — the machine is set up "
                "for it (the card says how)")

    def _on_OpenChapter(self, it):
        self.open(min(max(it.index, 0), len(CHAPTERS) - 1))

    def _on_LessonAnswer(self, it):
        try:
            value = float(it.text.replace(",", "."))
        except ValueError:
            self.app.say(f"Not a number: {it.text!r}. Type the weighted sum, e.g. 2.55")
            return
        right = self.lesson.answer(value)
        tiny = self.lesson.tiny
        self.app.say(f"{value:g} is right: the sum is {tiny.weighted_sum:.2f}" if right else
                     f"Not quite: {value:g} is not the sum. Add up light x knob, sensor by "
                     "sensor")

    def _on_TurnTinyKnob(self, it):
        self.lesson.tiny.turn(it.index, it.amount)

    def _on_CopyCode(self, it):
        from .keras_code import keras_code

        self.app.say(copy_to_clipboard(keras_code(self.app.machine.config)))

    def tiny_face(self) -> tuple:
        t = self.lesson.tiny
        return (t.light, tuple(t.knobs), t.terms, t.weighted_sum, t.lit)

    def tick(self) -> None:
        """The task's live check, a few times a second (cheap: the lesson caches)."""
        now = time.monotonic()
        if self.opened and now - self._checked_at >= CHECK_EVERY_S:
            self._checked_at = now
            self.lesson.check()
            self.app.session.lesson = self.lesson.to_dict()  # saved with the session

    def card(self) -> LessonCard:
        lesson, chapter = self.lesson, self.lesson.chapter
        slow = time.monotonic() - self._opened_at > HINT_AFTER_S
        return LessonCard(
            index=lesson.index, titles=tuple(c.title for c in CHAPTERS),
            paragraphs=chapter.paragraphs, task=chapter.task, done=lesson.done,
            hint=chapter.hint if slow and not lesson.done else None,
            setup=self.setup_said if self.opened else "(press Next or pick a chapter to set "
                                                      "the machine up for it)",
            answer="tiny" in chapter.views, code="code" in self.app.views)


def copy_to_clipboard(text: str) -> str:
    """The text on the system clipboard (pygame's scrap); says what happened."""
    import pygame

    try:
        pygame.scrap.put_text(text)  # SDL's clipboard (pygame-ce 2.2+: no init needed)
    except (pygame.error, AttributeError, NotImplementedError) as exc:
        return (f"No clipboard here ({exc}); the code is also printed by "
                "'python main.py code' with the same switches")
    return "The Keras code is on the clipboard"
