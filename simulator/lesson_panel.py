"""The panel's Lesson page: the story chapter by chapter (:mod:`simulator.lesson`) on a card,
with its task, a live check, a hint after a while, Back / Next and the contents. pygame_gui
widgets that emit intents, built into the control panel when its Lesson tab is chosen."""

from __future__ import annotations

import html
from dataclasses import dataclass

from pygame_gui.elements import UITextBox, UITextEntryLine

from . import intents as I


@dataclass(frozen=True)
class LessonCard:
    """What the card shows (the app builds it from the lesson each frame)."""

    index: int
    titles: tuple[str, ...]
    paragraphs: tuple[str, ...]
    task: str
    done: bool
    hint: str | None  # shown after a while
    setup: str  # what opening the chapter set up
    answer: bool  # the chapter asks for a number (the tiny machine's sum)
    code: bool  # the Keras code is shown over the board

    def html(self) -> str:
        paragraphs = "<br><br>".join(html.escape(p) for p in self.paragraphs)
        status = ("<font color='#7fd18b'><b>Done.</b></font>" if self.done
                  else "<font color='#f0a35e'><b>To do:</b></font>")
        hint = f"<br><br><i>Hint: {html.escape(self.hint)}</i>" if self.hint else ""
        setup = f"<br><br><font color='#9a9a9a'>{html.escape(self.setup)}</font>" \
            if self.setup else ""
        return f"{paragraphs}<br><br>{status} {html.escape(self.task)}{hint}{setup}"


def build_lesson_page(panel, state, lay) -> None:
    card: LessonCard = state.lesson
    row = lay.row
    (rc,) = row(1)
    choices = [(f"{i + 1}. {t}", i) for i, t in enumerate(card.titles)]
    panel._dropdown("lesson:contents", rc, choices, card.index, "@dropdown",
                    "The chapters: jump to any of them (the machine is set up for it)")
    bottom_rows = 3 + (1 if card.answer else 0)
    text_h = lay.rect.bottom - round(12 * panel.scale) - lay.y - bottom_rows * lay.pitch
    (rt,) = row(1, h=max(3 * lay.row_h, text_h))
    lay.y += 6
    box = UITextBox(card.html(), rt, panel.manager)
    panel._add("lesson:text", box, "")
    panel._card_html = card.html()
    if card.answer:
        ra, rk = row(2, 1)
        entry = UITextEntryLine(ra, panel.manager, placeholder_text="the weighted sum")
        panel._add("lesson:answer", entry, "Type the weighted sum you predict, then Check")
        panel._button("lesson:check", rk, "Check", "Is the predicted sum right?")
    rb, rn = row(1, 1)
    panel._button("lesson:back", rb, "< Back", "The chapter before")
    panel._button("lesson:next", rn, "Next >", "The next chapter")
    rp, re_, rcd = row(1, 1, 1)
    panel._button("play", rp, "Pause" if state.playing else "Play",
                  "Start or pause the chosen procedure (Space)")
    panel._button("epoch", re_, "Epoch", "Train one whole epoch at full speed (E)")
    panel._button("lesson:code", rcd, f"Code: {'on' if card.code else 'off'}",
                  "The Keras code a person would write for the switches as they are now")
    rv, rh = row(1, 1)
    panel._button("lesson:copy", rv, "Copy code", "Put the Keras code for the switches in "
                  "force on the clipboard (Ctrl+C)")
    panel._button("help", rh, "Help", "Keys and mouse (F1 or ?)")


def pressed(panel, name: str) -> list:
    index = panel._state.lesson.index
    if name == "lesson:back":
        return [I.OpenChapter(index - 1)]
    if name == "lesson:next":
        return [I.OpenChapter(index + 1)]
    if name == "lesson:code":
        return [I.ToggleView("code")]
    if name == "lesson:copy":
        return [I.CopyCode()]
    if name == "lesson:check":
        return [I.LessonAnswer(panel.elements["lesson:answer"].get_text().strip())]
    return []


def sync(panel, state, old) -> None:
    """The card's words follow the lesson (done, the hint); the rest is rebuilt on a new
    chapter (the panel's choices key holds the chapter)."""
    if state.playing != old.playing:
        panel.elements["play"].set_text("Pause" if state.playing else "Play")
    card = state.lesson
    if card.code != old.lesson.code:
        panel.elements["lesson:code"].set_text(f"Code: {'on' if card.code else 'off'}")
    if card.index != old.lesson.index:  # only the contents' drop-down is made anew, and the
        panel._reselect("lesson:contents", card.index)  # card's text next frame: each costs
        return  # about 15 ms, and the frame that opened the chapter has done its share
    text = card.html()
    if text != panel._card_html:
        panel._card_html = text
        panel.elements["lesson:text"].set_text(text)
