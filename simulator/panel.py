"""The control panel: pygame_gui widgets that emit intents, never touching the engine.

`ControlPanel(manager, rect, state)` lays the widgets out in the panel column; `handle(event)`
turns pygame_gui's events into intents (see :mod:`simulator.intents`); `sync(state)` keeps the
labels current and rebuilds the drop-downs when the model changed under them (a file loaded,
an invalid switch refused). Every control has a tooltip (`tooltip_at`), drawn by the app.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UITextEntryLine,
)

from . import intents as I
from .assets import asset_path
from .config import SWITCHES, Config
from .procedures import PROCEDURES

# The story's switches in the panel, in pairs (their words and values: config.SWITCHES)
SWITCH_ROWS = (("activation", "loss"), ("optimizer", "lr"), ("batch_size", "inputs"),
               ("subset", "digit"), ("bulbs", "seed", "wiring"))
SWITCH_ORDER = tuple(name for names in SWITCH_ROWS for name in names)
PANEL_SWITCHES = (*SWITCH_ORDER, "epochs")
BRUSHES = [("Brush: off", None), ("Brush: raise", "raise"), ("Brush: lower", "lower"),
           ("Brush: zero", "zero")]
def picture_filters(digit: int, now=None) -> list[tuple[str, object]]:
    """The filter drop-down's choices, and the scoreboard's cell in force if there is one."""
    from .words import filter_label

    extra = [(filter_label(now, digit).capitalize(), now)] if isinstance(now, tuple) else []
    return [("All pictures", "all"), (f"Only {digit}s", "target"), (f"Only not-{digit}s", "other"),
            ("Misclassified", "misclassified"), *extra]


@dataclass(frozen=True)
class PanelState:
    """What the panel shows; the app builds it from the model each frame."""

    mode: str
    playing: bool
    speed: float
    config: Config
    brush: str | None
    ghost: bool
    picture_filter: str
    path: str
    can_undo: bool = False
    can_redo: bool = False
    page: str = "controls"  # controls | bench
    runs: tuple = ()  # the bench's runs: (id, label) newest first
    shown: frozenset = frozenset()  # ids of the runs drawn on the charts
    views: frozenset = frozenset()  # the extra views shown: strip, histogram
    tracking: bool = False  # runs are logged to Weights & Biases (offline)
    spread_note: str = ""  # what the last spread of seeds came to
    lesson: object | None = None  # lesson_panel.LessonCard: the lesson page's card

    def choices_key(self) -> tuple:
        """What the drop-downs' lists depend on (a change rebuilds the panel): the target
        digit (picture filters) and switch values outside the standard choices."""
        extra = tuple((name, getattr(self.config, name)) for name in PANEL_SWITCHES
                      if getattr(self.config, name) not in SWITCHES[name].values_shown)
        chapter = None if self.lesson is None else self.lesson.answer  # (the card: synced)
        return (self.config.digit, extra, self.page, chapter if self.page == "lesson" else None)

    def selections(self) -> dict:
        """What each drop-down should show."""
        return {"mode": self.mode, "brush": self.brush, "filter": self.picture_filter,
                **{name: getattr(self.config, name) for name in PANEL_SWITCHES}}


TOOLTIP_DELAY_S = 0.6  # the mouse rests this long on a control before its tooltip shows
BIG_TYPE_SCALE = 1.15  # windows this much larger than 1280x800 get bigger type in the panel


def make_manager(size: tuple[int, int], scale: float) -> pygame_gui.UIManager:
    """pygame_gui's manager with the panel's theme (bigger type in a big window)."""
    theme = json.loads(asset_path("gui_theme.json").read_text())
    if scale >= BIG_TYPE_SCALE:
        for block in theme.values():
            font = block.get("font") if isinstance(block, dict) else None
            if font and "size" in font:
                font["size"] = str(round(int(font["size"]) * 1.2))
    return pygame_gui.UIManager(size, theme, enable_live_theme_updates=False)


def speed_text(speed: float) -> str:
    from .machine import speed_rate

    rate = speed_rate(speed)
    if rate is None:
        return "Speed: full"
    if rate < 10:
        return f"Speed: {rate:.1f} steps/s"
    if rate < 59:
        return f"Speed: {rate:.0f} steps/s"
    per_frame = rate / 60
    return "Speed: 1 step/frame" if per_frame < 1.5 else f"Speed: {per_frame:.0f} steps/frame"


def _shown(choices, value) -> str:
    for text, v in choices:
        if v == value:
            return text
    return str(value)


class RowLayout:
    """Widgets top to bottom in the panel: rows of proportional cells and headings, with a
    pitch that fits the panel's height."""

    def __init__(self, rect: pygame.Rect, scale: float, n_rows: int, n_heads: int,
                 n_labels: int) -> None:
        self.rect, pad = pygame.Rect(rect), max(10, round(14 * scale))
        self.x0, self.w = rect.x + pad, rect.w - 2 * pad
        top, bottom = rect.y + round(12 * scale), rect.bottom - round(12 * scale)
        fs = 1.2 if scale >= BIG_TYPE_SCALE else 1.0  # the theme's bigger type in big windows
        self.head_h, self.label_h = round(22 * fs), round(21 * fs)  # a line of theme text
        pitch = (bottom - top - n_heads * self.head_h - n_labels * self.label_h - 6) // n_rows
        self.pitch = max(25, min(round(36 * scale), pitch))
        self.row_h = self.pitch - max(4, round(6 * scale))
        self.y = top
        self.mid = rect.y + rect.h * 0.55

    def row(self, *weights, gap=6, h=None) -> list[pygame.Rect]:
        h = h or self.row_h
        total, free = sum(weights), self.w - gap * (len(weights) - 1)
        rects, x = [], self.x0
        for i, k in enumerate(weights):
            cw = round(free * k / total) if i < len(weights) - 1 else self.x0 + self.w - x
            rects.append(pygame.Rect(x, self.y, cw, h))
            x += cw + gap
        self.y += self.pitch if h == self.row_h else h
        return rects

    def head(self, panel):
        """A function that puts a section heading on the next line."""

        def head(text: str) -> None:
            panel._label(f"head:{text}", pygame.Rect(self.x0, self.y, self.w, self.head_h),
                         text, "@section")
            self.y += self.head_h

        return head

    def drop(self, rect) -> str:
        """Drop-downs in the panel's lower part open upwards."""
        return "@dropup" if rect.y > self.mid else "@dropdown"


class ControlPanel:
    """The pygame_gui widgets of the control panel inside `rect`."""

    def __init__(self, manager: pygame_gui.UIManager, rect: pygame.Rect, state: PanelState,
                 scale: float = 1.0) -> None:
        self.manager = manager
        self.rect = pygame.Rect(rect)
        self.scale = scale
        self.elements: dict[str, object] = {}
        self.tooltips: dict[str, str] = {}
        self.labels: dict[str, UILabel] = {}
        self._choices: dict[str, list[tuple[str, object]]] = {}
        self._drop_class: dict[str, str] = {}
        self._state = state
        self._asked: dict[str, object] = {}  # choices sent as intents, not yet seen in a state
        self._resting = (None, 0.0)  # the tooltip under the mouse, and since when
        self._build(state)

    # ---- building ---------------------------------------------------------------------------

    def _build(self, state: PanelState) -> None:
        lay = RowLayout(self.rect, self.scale, n_rows=15, n_heads=5, n_labels=5)
        self.row_h = lay.row_h
        tc, tb, tl = lay.row(1, 1, 1, h=lay.head_h + 6)
        for name, rect, text, tip in (
                ("page:controls", tc, "Controls", "Who turns the knobs, the switches, the knobs "
                 "by hand, the pictures (F3 switches pages)"),
                ("page:bench", tb, "Bench", "Runs kept and compared, ten seeds at once, the "
                 "tutorial's clues on screen (F3 switches pages)"),
                ("page:lesson", tl, "Lesson", "The tutorial's story chapter by chapter, on this "
                 "machine, with a task for each (F2)")):
            self._button(name, rect, text, tip)
            if name == f"page:{state.page}":
                self.elements[name].select()
        if state.page == "bench":
            from .bench_panel import build_bench_page

            build_bench_page(self, state, lay)
        elif state.page == "lesson" and state.lesson is not None:
            from .lesson_panel import build_lesson_page

            build_lesson_page(self, state, lay)
        else:
            self._build_controls(state, lay)
        self.bottom = lay.y
        self._state = state
        self._sync_enabled(state)

    def _build_controls(self, state: PanelState, lay: RowLayout) -> None:
        row, head, drop, label_h = lay.row, lay.head(self), lay.drop, lay.label_h
        head("Who turns the knobs")
        mode_options = [(cls.label, name) for name, cls in PROCEDURES.items()]
        rm, rep = row(1.45, 1)
        self._dropdown("mode", rm, mode_options, state.mode, drop(rm),
                       "Who turns the knobs: your hand, the story's trial and error, "
                       "Rosenblatt's rule, or gradient descent")
        self._switch("epochs", rep, state.config.epochs, drop(rep))
        rp, rs, re_ = row(1.2, 1, 1)
        self._button("play", rp, "Pause" if state.playing else "Play",
                     "Start or pause the chosen procedure (Space). Pausing hands the knobs "
                     "back to you")
        self._button("step", rs, "Step", "One step: one batch, or one picture (N)")
        self._button("epoch", re_, "Epoch", "Train one whole epoch at full speed, then pause (E)")
        rl, rsl = row(1, 1)
        self._label("speed_label", rl, speed_text(state.speed))
        self.tooltips["speed_label"] = "How fast the procedure runs (keys 1, 2, 3)"
        slider = UIHorizontalSlider(rsl, state.speed * 100, (0, 100), self.manager,
                                    click_increment=5)
        self._add("speed", slider, "From slow motion (2 steps a second, every picture shown, "
                  "knobs visibly turning) to full speed (as many batches as fit each frame)")

        head("Switches")
        for names in SWITCH_ROWS:
            labels = row(*(1,) * len(names), gap=8, h=label_h)
            drops = row(*(1,) * len(names), gap=8)
            for name, lr_, dr_ in zip(names, labels, drops, strict=True):
                self._label(f"label:{name}", lr_, SWITCHES[name].label, "@switch_label")
                self.tooltips[f"label:{name}"] = SWITCHES[name].help
                self._switch(name, dr_, getattr(state.config, name), drop(dr_))
        ra, rz = row(1, 1)
        self._button("reset_random", ra, "Random knobs",
                     "Reset the knobs to random values from the seed (Ctrl+Z undoes)")
        self._button("reset_zero", rz, "Zero knobs", "Set every knob to zero (Ctrl+Z undoes)")

        head("By hand")
        rb, ru, rr = row(1.5, 0.75, 0.75)
        self._dropdown("brush", rb, BRUSHES, state.brush, drop(rb),
                       "Brush (B): paint over the board to raise, lower or zero many knobs; "
                       "off = drag single knobs")
        self._button("undo", ru, "Undo", "Undo the last knob edit (Ctrl+Z)")
        self._button("redo", rr, "Redo", "Redo (Ctrl+Y or Ctrl+Shift+Z)")
        rg, rc = row(1, 1)
        self._button("ghost", rg, "Ghosts: on" if state.ghost else "Ghosts: off",
                     "Ghost needles (G): which way gradient descent would turn each knob")
        self._button("clear", rc, "Clear retina",
                     "Blank the retina to draw your own digit (C); right button erases")

        head("Pictures")
        rpv, rnx, rrn = row(1, 1, 1)
        self._button("previous", rpv, "< Prev", "Previous test picture (Left)")
        self._button("next", rnx, "Next >", "Next test picture (Right)")
        self._button("random", rrn, "Random", "A random test picture (R)")
        (rf,) = row(1)
        self._dropdown("filter", rf, picture_filters(state.config.digit, state.picture_filter),
                       state.picture_filter, drop(rf),
                       "Which test pictures Prev/Next/Random show (F): all, only the target "
                       "digit, only others, or those the current knobs get wrong")

        (rpath,) = row(1)
        entry = UITextEntryLine(rpath, self.manager, initial_text=state.path)
        self._add("path", entry, "The knob file for Save and Load (.npz; the switches go in the "
                  ".json beside it), same format as 'python main.py train --save'")
        rsv, rld, rhp = row(1, 1, 1)
        self._button("save", rsv, "Save", "Save the knobs and switches to the file above (Ctrl+S)")
        self._button("load", rld, "Load", "Load knobs and switches from the file above (Ctrl+O)")
        self._button("help", rhp, "Help", "Keys and mouse (F1 or ?)")

    def _switch(self, name: str, rect, value, class_id: str) -> None:
        """A switch's drop-down: the table's choices, plus the value in force if it is
        another (a loaded file's learning rate)."""
        switch = SWITCHES[name]
        choices = list(switch.options)
        if value not in switch.values_shown:
            choices.append((switch.shown(value), value))
        self._dropdown(name, rect, choices, value, class_id, switch.help)

    def _add(self, name: str, element, tooltip: str) -> None:
        self.elements[name] = element
        self.tooltips[name] = tooltip

    def _button(self, name: str, rect, text: str, tooltip: str) -> None:
        self._add(name, UIButton(rect, text, self.manager, object_id=ObjectID(f"#{name}")), tooltip)

    def _label(self, name: str, rect, text: str, class_id: str = "@panel_label") -> None:
        label = UILabel(rect, text, self.manager, object_id=ObjectID(class_id=class_id))
        self.labels[name] = label
        self.elements[name] = label

    def _dropdown(self, name: str, rect, choices, value, class_id: str, tooltip: str) -> None:
        self._choices[name] = list(choices)
        texts = [t for t, _ in choices]
        menu = UIDropDownMenu(texts, _shown(choices, value), rect, self.manager,
                              object_id=ObjectID(f"#{name}", class_id),
                              expansion_height_limit=max(120, round(self.rect.h * 0.45)))
        self._drop_class[name] = class_id
        self._add(name, menu, tooltip)

    def _reselect(self, name: str, value) -> bool:
        """Show `value` in drop-down `name` (e.g. after the machine refused a choice): only
        that widget is made anew, not the whole panel."""
        menu, choices = self.elements[name], self._choices[name]
        shown = _shown(choices, value)
        if menu.selected_option[0] == shown or self.expanded:
            return False
        rect = menu.relative_rect
        menu.kill()
        self._dropdown(name, rect, choices, value, self._drop_class[name], self.tooltips[name])
        return True

    # ---- per frame --------------------------------------------------------------------------

    def sync(self, state: PanelState) -> None:
        """Bring the widgets up to date with the model (cheap unless choices changed)."""
        old = self._state
        if state.choices_key() != old.choices_key():
            self.rebuild(state)
            return
        if state.page in ("bench", "lesson"):
            if state.page == "bench":
                from .bench_panel import sync
            else:
                from .lesson_panel import sync
            sync(self, state, old)
            self._state = state
            return
        if state.playing != old.playing:
            self.elements["play"].set_text("Pause" if state.playing else "Play")
        if state.ghost != old.ghost:
            self.elements["ghost"].set_text("Ghosts: on" if state.ghost else "Ghosts: off")
        if abs(state.speed - old.speed) > 1e-9:
            self.labels["speed_label"].set_text(speed_text(state.speed))
            slider = self.elements["speed"]
            if abs(slider.get_current_value() - state.speed * 100) > 0.5:
                slider.set_current_value(state.speed * 100, warn=False)
        # A drop-down is put right when the model changed under it (a file loaded) or refused
        # the choice it sent (softmax with one bulb), never while a choice is on its way.
        shown = state.selections()
        before = old.selections()
        if shown["filter"] != before["filter"]:  # a scoreboard's cell is a choice while in force
            self._choices["filter"] = picture_filters(state.config.digit, state.picture_filter)
        remade = [self._reselect(name, value) for name, value in shown.items()
                  if value != before[name] or self._asked.pop(name, value) != value]
        if any(remade) or (state.can_undo, state.can_redo, state.mode) != (
                old.can_undo, old.can_redo, old.mode):
            self._sync_enabled(state)
        self._state = state

    def _sync_enabled(self, state: PanelState) -> None:
        if state.page != "controls":
            return
        procedure = PROCEDURES[state.mode]
        switches = [(name, procedure.switches is None or name in procedure.switches)
                    for name in PANEL_SWITCHES]
        for name, used in switches:  # greyed out: what this procedure ignores, and why
            tip = SWITCHES[name].help
            self.tooltips[name] = tip if used else f"{tip} ({procedure.label} does not use it)"
        for name, ok in (("undo", state.can_undo), ("redo", state.can_redo), *switches):
            button = self.elements[name]
            if ok and not button.is_enabled:
                button.enable()
            elif not ok and button.is_enabled:
                button.disable()

    def rebuild(self, state: PanelState, rect: pygame.Rect | None = None,
                scale: float | None = None) -> None:
        path = self.path
        self.kill()
        if rect is not None:
            self.rect = pygame.Rect(rect)
        if scale is not None:
            self.scale = scale
        self._build(PanelState(**{**state.__dict__, "path": path or state.path}))

    def kill(self) -> None:
        for element in self.elements.values():
            element.kill()
        self.elements.clear()
        self.labels.clear()
        self.tooltips.clear()
        self._choices.clear()
        self._drop_class.clear()

    @property
    def path(self) -> str:
        entry = self.elements.get("path")
        return entry.get_text().strip() if entry is not None else ""

    @property
    def typing(self) -> bool:
        """A text entry (the knob file, a run's name, the lesson's answer) has the keyboard:
        shortcuts must not fire."""
        return any(isinstance(e, UITextEntryLine) and e.is_focused
                   for e in self.elements.values())

    @property
    def expanded(self) -> bool:
        """A drop-down is open."""
        return any(isinstance(e, UIDropDownMenu) and e.current_state is e.menu_states["expanded"]
                   for e in self.elements.values())

    def close_dropdowns(self) -> bool:
        closed = False
        for e in self.elements.values():
            if isinstance(e, UIDropDownMenu) and e.current_state is e.menu_states["expanded"]:
                e.current_state.should_transition = True
                e.current_state.target_state = "closed"
                closed = True
        return closed

    def unfocus(self) -> None:
        for e in self.elements.values():
            if isinstance(e, UITextEntryLine) and e.is_focused:
                e.unfocus()

    def tooltip(self, pos) -> str | None:
        """The tooltip to show for the mouse at ``pos``: once it has rested on a control."""
        if not self.rect.collidepoint(pos) or self.expanded:
            self._resting = (None, 0.0)
            return None
        tip, now = self.tooltip_at(pos), time.perf_counter()
        if tip != self._resting[0]:
            self._resting = (tip, now)
            return None
        return tip if tip and now - self._resting[1] >= TOOLTIP_DELAY_S else None

    def tooltip_at(self, pos) -> str | None:
        for name, element in self.elements.items():
            tip = self.tooltips.get(name)
            if tip and element.visible and element.rect.collidepoint(pos):
                return tip
        return None

    def name_of(self, element) -> str | None:
        for name, e in self.elements.items():
            if e is element:
                return name
        return None

    # ---- events -> intents ------------------------------------------------------------------

    def handle(self, event) -> list:
        name = self.name_of(getattr(event, "ui_element", None))
        if name is None:
            return []
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            return self._pressed(name)
        if name == "bench:runs" and event.type in (pygame_gui.UI_SELECTION_LIST_NEW_SELECTION,
                                                   pygame_gui.UI_SELECTION_LIST_DROPPED_SELECTION):
            from .bench_panel import selection

            return selection(self, event)
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            return self._chosen(name, event.text)
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and name == "speed":
            return [I.SetSpeed(float(event.value) / 100.0)]
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and name == "lesson:answer":
            return [I.LessonAnswer(event.text.strip())]  # Enter checks it, as Check does
        return []

    def _pressed(self, name: str) -> list:
        if name.startswith("page:"):
            return [I.SetPage(name.split(":", 1)[1])]
        if name.startswith("bench:"):
            from .bench_panel import pressed

            return pressed(self, name)
        if name.startswith("lesson:"):
            from .lesson_panel import pressed

            return pressed(self, name)
        simple = {
            "play": I.TogglePlay(), "step": I.Step("batch"), "epoch": I.Step("epoch"),
            "reset_random": I.ResetKnobs("random"), "reset_zero": I.ResetKnobs("zero"),
            "undo": I.Undo(), "redo": I.Redo(), "ghost": I.ToggleGhost(),
            "clear": I.ClearRetina(), "previous": I.ShowPicture("previous"),
            "next": I.ShowPicture("next"), "random": I.ShowPicture("random"),
            "help": I.ToggleHelp(),
        }
        if name in simple:
            return [simple[name]]
        if name == "save":
            return [I.SaveKnobs(self.path)]
        if name == "load":
            return [I.LoadKnobs(self.path)]
        return []

    def _chosen(self, name: str, text: str) -> list:
        value = dict(self._choices.get(name, [])).get(text, _missing := object())
        if value is _missing:
            return []
        if name == "lesson:contents":
            return [I.OpenChapter(value)]
        self._asked[name] = value  # if the model refuses it, sync() shows what is in force
        if name == "mode":
            return [I.SetMode(value)]
        if name == "brush":
            return [I.SetBrush(value)]
        if name == "filter":
            return [I.SetPictureFilter(value)]
        return [I.SetSwitch(name, value)]
