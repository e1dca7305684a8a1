"""The lesson walked from its first chapter to its last the way a person would: the window
driven headless by synthetic events only (keys, clicks on the panel's widgets, the wheel and
drags over the machine, typing in the answer box), never by setting the machine's state. For
each chapter: doing nothing leaves the task undone (save the last, which asks only to be
read); doing the task turns the card's live check to done; the card's Next > opens the next.
Also: the lesson's progress survives closing and reopening the window, and --lesson N opens
chapter N on the lesson page.

Reading the machine's state to decide what to do (which knob sees light, the tiny machine's
sum) stands for a person reading the screen; every change goes through an event.
"""

import html
import time

import events as E
import numpy as np
import pygame
import pytest
import windows

from simulator import view
from simulator.app import App
from simulator.lesson import CHAPTERS, chapter_index
from simulator.lesson_actions import CHECK_EVERY_S
from simulator.view.tiny import tiny_layout

TRAIN_LIMIT_S = 40.0  # a bound on any one chapter's training on the bundled sample
IDLE_S = CHECK_EVERY_S + 0.1  # frames spanning at least one live check


def make_app(**kw) -> App:
    return windows.make_app(**{"autosave": False, "record_runs": False, **kw})


pytestmark = pytest.mark.usefixtures("in_tmp")


# ------------------------------------------------------------------ a person's hands


def run_for(app, seconds: float) -> None:
    """Frames, nobody touching anything, for at least ``seconds`` of the window's clock."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.frame()


def frames_until(app, condition, seconds: float = TRAIN_LIMIT_S) -> bool:
    """Frames until ``condition()`` holds (bounded by time); whether it did."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.frame()
        if condition():
            return True
    return False


def press_key(app, key: int, mod: int = 0, unicode: str = "") -> None:
    app.frame(E.key(key, mod, unicode))


def click(app, name: str) -> None:
    """Click the panel's widget ``name`` (pygame_gui answers through the event queue)."""
    element = app.panel.elements[name]
    assert element.visible and element.is_enabled, f"{name} cannot be clicked"
    app.frame(E.click(element))
    app.frame()


def pick(app, name: str, text: str) -> None:
    """Open the panel's drop-down ``name`` with a click and click its option ``text``."""
    menu = app.panel.elements[name]
    app.frame(E.click(menu))
    for _ in range(3):
        app.frame()
    assert app.panel.expanded, f"{name} did not open"
    option = next(b for b in menu.menu_states["expanded"].options_selection_list.item_list
                  if b["text"] == text)["button_element"]
    app.frame(E.click(option))
    for _ in range(3):
        app.frame()
    assert not app.panel.expanded


def type_text(app, entry, text: str) -> None:
    """Click into a text entry and type ``text`` as a keyboard does: for each key KEYDOWN,
    the TEXTINPUT that SDL sends with it, KEYUP."""
    app.frame(E.click(entry))
    app.frame()
    assert entry.is_focused
    for ch in text:
        if ch == "\b":  # Backspace: a key without text
            app.frame(E.key(pygame.K_BACKSPACE))
            continue
        key = pygame.key.key_code(ch)
        app.frame([pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=ch, scancode=0),
                   pygame.event.Event(pygame.TEXTINPUT, text=ch),
                   pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode=ch, scancode=0)])


def wheel_over(app, pos, notches: int) -> None:
    app.frame(E.wheel(pos, notches))


def drag_pointer(app, start, end, steps: int = 10) -> None:
    """A drag with the pointer itself moving too (pygame_gui's slider follows the pointer's
    position, not the motion events): press, move in steps, release. The pointer is put
    back where it was, so that it rests over no widget of the windows of later tests."""
    was = pygame.mouse.get_pos()
    try:
        pygame.mouse.set_pos(start)
        app.frame(E.motion(start) + E.press(start))
        for k in range(1, steps + 1):
            p = (round(start[0] + (end[0] - start[0]) * k / steps),
                 round(start[1] + (end[1] - start[1]) * k / steps))
            pygame.mouse.set_pos(p)
            app.frame(E.motion(p, buttons=(1, 0, 0)))
        app.frame(E.release(end))
        app.frame()
    finally:
        pygame.mouse.set_pos(was)


def to_controls(app) -> None:
    """F2 from the card: the Controls page."""
    press_key(app, pygame.K_F2)
    assert app.page == "controls"


def to_card(app) -> None:
    """F2 from another page: back to the lesson's card."""
    press_key(app, pygame.K_F2)
    assert app.page == "lesson"


# ------------------------------------------------------------------ what the person reads


def lesson(app):
    return app.lesson_actions.lesson


def card_text(app) -> str:
    return app.panel.elements["lesson:text"].html_text


def card_says_done(app) -> bool:
    return "<b>Done.</b>" in card_text(app)


# ------------------------------------------------------------------ each chapter's task


def task_data(app):
    """Three different test pictures: the Right key, the Controls page's Next > (F2 flips
    between the card and the controls), the Right key again; a moment between them, as a
    person's presses have (the check samples the retina a few times a second)."""
    press_key(app, pygame.K_RIGHT)
    run_for(app, IDLE_S)
    to_controls(app)
    click(app, "next")
    run_for(app, IDLE_S)
    to_card(app)
    press_key(app, pygame.K_RIGHT)
    run_for(app, IDLE_S)


def task_machine(app):
    """The hint's first way: the picture filter set to only 5s (Controls page)."""
    to_controls(app)
    pick(app, "filter", "Only 5s")
    assert app.machine.picture.label == 5
    to_card(app)


def task_by_hand(app):
    """Raise, with the wheel, a knob under the 5's ink where the 3 has none."""
    five, three = lesson(app).marks["pixels"]  # the two pictures, as the person sees them
    k = int(np.where(three == 0, five, 0).argmax())
    wheel_over(app, view.knob_rect(app.layout.board, k).center, 1)


def task_trial(app):
    """Play on the card (slow motion), watch a few knobs turn, then the hint's way to full
    speed: drag the speed slider (Controls page) to its right end."""
    m = app.machine
    click(app, "play")
    assert m.playing and m.speed == 0.0
    before = m.params.copy()
    assert frames_until(app, lambda: not np.array_equal(before, m.params), 10.0)
    assert m.run_epochs == 0
    to_controls(app)
    slider = app.panel.elements["speed"]
    knob = slider.sliding_button.rect.center
    drag_pointer(app, knob, (slider.rect.right + 30, knob[1]))
    assert m.speed == 1.0 and m.playing
    to_card(app)


def task_sum(app):
    """Type the tiny machine's sum and Check; turn one of its knobs with the wheel; type the
    new sum and Check."""
    tiny = lesson(app).tiny

    def answer(value: float) -> None:
        entry = app.panel.elements["lesson:answer"]
        type_text(app, entry, "\b" * len(entry.get_text()) + f"{value:.2f}")
        click(app, "lesson:check")

    answer(tiny.weighted_sum)
    run_for(app, IDLE_S)
    assert lesson(app).answers and not lesson(app).done  # one right sum is half the task
    knob = tiny_layout(app.layout.charts)["knobs"][0]  # under a lit pixel
    wheel_over(app, knob.center, 3)
    answer(tiny.weighted_sum)


def task_epoch(app):
    click(app, "epoch")


def task_play(app):
    click(app, "play")


def task_base_rate(app):
    """Zero knobs (Controls page), then the bias down with the wheel; back to the card."""
    to_controls(app)
    click(app, "reset_zero")
    wheel_over(app, app.layout.bias.center, -3)
    to_card(app)


def task_sigmoid(app):
    """The Bench page (its tab on the card), Spread 10 seeds, back to the card (F2)."""
    click(app, "page:bench")
    assert app.page == "bench"
    click(app, "bench:spread")
    assert app.machine.spreading is not None
    to_card(app)


def task_scaled(app):
    """Inputs: scaled 0..1 among the switches (Controls page), then Play on the card."""
    to_controls(app)
    pick(app, "inputs", "scaled 0..1")
    assert app.machine.config.inputs == "unit"
    to_card(app)
    click(app, "play")


def task_nothing(app):
    pass


TASKS = {
    "data": task_data, "machine": task_machine, "by-hand": task_by_hand,
    "trial": task_trial, "sum": task_sum, "epoch": task_epoch, "first-model": task_play,
    "base-rate": task_base_rate, "hundred": task_play, "twenty": task_play,
    "outputs": task_play, "sigmoid": task_sigmoid, "scaled": task_scaled,
    "ten-bulbs": task_play, "rosenblatt": task_play, "mark-i": task_play,
    "hidden": task_play, "next": task_nothing,
}
DONE_BY_READING = {"next"}  # chapters whose task is done by opening them


def test_every_chapter_has_a_walk():
    assert set(TASKS) == {c.key for c in CHAPTERS}


def test_the_lesson_walked_from_first_chapter_to_last():
    app = make_app()
    timings = {}
    try:
        press_key(app, pygame.K_F2)
        assert app.page == "lesson" and lesson(app).index == 0
        for i, chapter in enumerate(CHAPTERS):
            t0 = time.monotonic()
            assert lesson(app).index == i and lesson(app).chapter is chapter
            assert html.escape(chapter.task) in card_text(app)
            run_for(app, IDLE_S)  # nobody touches anything
            if chapter.key in DONE_BY_READING:
                assert lesson(app).done
            else:
                assert not lesson(app).done, f"{chapter.key}: done by doing nothing"
                assert not card_says_done(app)
                TASKS[chapter.key](app)
                assert frames_until(app, lambda: lesson(app).done), \
                    f"{chapter.key}: the task was done but the check did not turn"
            app.frame()
            assert card_says_done(app)
            timings[chapter.key] = time.monotonic() - t0
            if i + 1 < len(CHAPTERS):
                click(app, "lesson:next")
                app.frame()  # the card's words follow a frame after the chapter opens
        assert lesson(app).completed == {c.key for c in CHAPTERS}
    finally:
        print({k: round(v, 2) for k, v in timings.items()})
        app.machine.pause()


# ------------------------------------------------------------------ progress and --lesson


def walk_to(app, key: str) -> None:
    """From the card: do each chapter's task and press Next > until chapter ``key`` is open."""
    target = chapter_index(key)
    while lesson(app).index < target:
        TASKS[lesson(app).chapter.key](app)
        assert frames_until(app, lambda: lesson(app).done)
        click(app, "lesson:next")


def close_window(app) -> None:
    """The window's close button: a QUIT event, then the main loop ends and saves."""
    pygame.event.post(E.quit_event()[0])
    assert app.run() == 0
    assert not app.running


def test_lesson_progress_survives_closing_the_window():
    first = make_app(autosave=True, restore=True)
    press_key(first, pygame.K_F2)
    walk_to(first, "by-hand")
    run_for(first, IDLE_S)  # a person does not close the window within a quarter second
    close_window(first)

    second = make_app(autosave=True, restore=True)
    assert (lesson(second).index, lesson(second).completed) == (2, {"data", "machine"})
    assert second.page == "controls"  # the lesson waits for F2
    press_key(second, pygame.K_F2)
    assert second.page == "lesson" and lesson(second).index == 2
    assert second.panel.elements["lesson:contents"].selected_option[0] == "3. Knobs by hand"
    run_for(second, IDLE_S)
    assert not lesson(second).done and not card_says_done(second)
    click(second, "lesson:back")  # a chapter done before the restart is still done
    assert lesson(second).index == 1
    run_for(second, IDLE_S)
    assert card_says_done(second)
    close_window(second)

    third = make_app(autosave=True, restore=True, lesson=0)  # --lesson: where it was left
    assert third.page == "lesson" and lesson(third).index == 1
    assert lesson(third).completed == {"data", "machine"}
    third.machine.pause()
    third.machine.bench.close()


def test_the_lesson_option_opens_that_chapter_on_the_lesson_page():
    from simulator.launch import parse_args

    options = parse_args(["--lesson", "3", "--frames", "3", "--sample", "--fresh"])
    assert (options.lesson, options.frames, options.load_full, options.restore) == \
        (3, 3, False, False)
    app = App(options)
    assert app.run() == 0
    assert app.page == "lesson" and lesson(app).index == 2 and app.lesson_actions.opened
    assert app.panel.elements["lesson:contents"].selected_option[0] == "3. Knobs by hand"
    m = app.machine
    assert not m.params.any()  # the chapter's setup: every knob at zero, the 5 on the retina
    assert m.picture.split == "test" and m.picture.label == 5
    assert "Knobs by hand" in app.status_text()[0]


def test_typing_a_sum_in_the_answer_box_fires_no_shortcut():
    """The answer box holds the keyboard: '1' is not slow motion, '0' does not zero the
    knob selected on the board (found by this walk; fixed in panel.typing)."""
    app = make_app(lesson=5)
    m = app.machine
    k = 14 * 28 + 14
    app.frame(E.click(view.knob_rect(app.layout.board, k)))  # selects it, turns nothing
    assert app.face.selected == k
    weight, speed = float(m.params[k, 0]), m.speed
    type_text(app, app.panel.elements["lesson:answer"], "1.05")
    assert app.panel.elements["lesson:answer"].get_text() == "1.05"
    assert (float(m.params[k, 0]), m.speed) == (weight, speed)


def test_copy_code_puts_the_keras_code_for_the_switches_on_the_clipboard():
    from simulator.keras_code import keras_code

    app = make_app(lesson=7)  # the model as first written
    click(app, "lesson:copy")
    assert "clipboard" in " ".join(app.status_text())
    copied = pygame.scrap.get_text()
    assert copied == keras_code(app.machine.config)
    assert "activation=None" in copied and "/ 255" not in copied
