"""The desktop machine: one window, one boring main loop.

    tick -> events -> apply intents -> advance training within a time budget -> render -> flip

Widgets (:class:`~simulator.controls.FaceInput` for the board, retina and keys;
:class:`~simulator.panel.ControlPanel` for the pygame_gui panel) turn raw input into intents;
:meth:`App.apply` applies them to the model (:class:`~simulator.machine.Machine`) in one
place; :func:`simulator.view.draw_machine` draws the machine's snapshot. The command line
of the window is :mod:`simulator.launch`.
"""

# ruff: noqa: I001  (launch first: it sets the window's environment before NumPy and SDL)
from __future__ import annotations

import gc
import time
from collections import deque
from pathlib import Path

from . import launch  # noqa: F401  (sets the window's environment before NumPy and SDL load)

import pygame  # noqa: E402
import pygame_gui  # noqa: E402

from . import intents as I  # noqa: E402
from . import view, words  # noqa: E402
from .controls import FaceInput  # noqa: E402
from .data import load_sample  # noqa: E402
from .face_state import FaceState  # noqa: E402
from .frame_stats import Timings, percentile  # noqa: E402
from .launch import Options, main, parse_args, set_minimum_size  # noqa: E402, F401
from .loader import DataLoader, deliver  # noqa: E402
from .machine import SPEEDS, Machine  # noqa: E402
from .panel import BIG_TYPE_SCALE, ControlPanel, PanelState, make_manager  # noqa: E402
from .bench_actions import BenchActions  # noqa: E402
from .charts_input import ChartsInput  # noqa: E402
from .lesson_actions import LessonActions  # noqa: E402
from .runs import RunStore  # noqa: E402
from .window_face import FaceComposer  # noqa: E402
from .window_session import WindowSession  # noqa: E402

MIN_SIZE = (960, 640)
FRAME_S = 1 / 60
BUSY_TARGET_S = 0.0135  # a frame's work, leaving room under 16.7 ms for the unexpected
BUSY_SCORE_S = 0.010  # a frame that spent this long on events scores the knobs in a thread


class App:
    """The window, the widgets and the model; `run()` is the main loop, `frame()` one turn."""

    def __init__(self, options: Options | None = None, preload=None) -> None:
        self.options = options or Options()
        self.timings = Timings(time.perf_counter())
        pygame.display.init()
        pygame.font.init()
        size = self.options.size
        self.window = pygame.display.set_mode(size, pygame.RESIZABLE)
        pygame.display.set_caption("Rosenblatt's perceptron machine")
        set_minimum_size(MIN_SIZE)
        pygame.key.set_repeat(300, 40)
        self.page, self.views = "controls", set()  # the panel's page; the extra views shown
        self.layout = view.compute_layout(size)
        self._laid_out: frozenset = frozenset()  # the views the layout was made for
        keep = self.options.autosave and self.options.frames is None
        record = keep if self.options.record_runs is None else self.options.record_runs
        self.machine = Machine(load_sample(), store=RunStore() if record else None)
        self.bench_actions = BenchActions(self)
        self.lesson_actions: LessonActions | None = None  # made once the session is read
        self.data_note = "sample digits" + (" (loading MNIST)" if self.options.load_full else "")
        self.notice: str | None = None
        self.loader: DataLoader | None = None
        self.session = WindowSession(self.machine, self.say)
        self.session.restore(preload, self.options.load, from_disk=self.options.restore)
        self.lesson_actions = LessonActions(self, self.session.lesson)
        notices = self.machine.bench.notices
        if notices:  # damaged run records: skipped, and said
            more = f" (and {len(notices) - 1} more)" if len(notices) > 1 else ""
            self.say(f"A kept run was skipped: {notices[0]}{more}")
        if self.options.load_full:  # first, so that it loads while the window is built
            self.loader = DataLoader(self.options.data).start()
            self.notice = "Loading full MNIST in the background…"
        if keep:
            self.session.start_saving()  # scripted runs (--frames) leave the session alone
        self.manager = make_manager(size, self.layout.scale)
        self.face = FaceInput(self.layout)
        if self.options.train:
            self.machine.set_mode("gd")
            self.machine.set_speed(SPEEDS[self.options.speed])
            self.machine.play()
        self.panel = ControlPanel(self.manager, self.layout.panel, self.panel_state(),
                                  self.layout.scale)
        if self.options.lesson is not None:  # --lesson [N]
            lesson = self.lesson_actions
            lesson.open(self.options.lesson - 1 if self.options.lesson else lesson.lesson.index)
        self.help_open = False
        self.charts_input = ChartsInput()
        self.composer = FaceComposer()
        self._drawn: FaceState | None = None  # the last frame's state (the charts' hit-tests)
        self.mouse_used = False
        self.running = True
        self.quit_requested = False
        self._ui_dt = 0.0
        self._post_training = deque([0.006] * 10, maxlen=30)  # seconds after training, recent
        self._deadline = time.perf_counter()
        gc.collect()
        gc.freeze()  # the long-lived start-up objects (widgets, fonts) leave the GC's sweeps

    # ------------------------------------------------------------------ set-up

    def panel_state(self) -> PanelState:
        m = self.machine
        return PanelState(mode=m.mode, playing=m.playing, speed=m.speed, config=m.config,
                          brush=getattr(self, "face", None) and self.face.brush,
                          ghost=m.ghost_on, picture_filter=m.picture_filter,
                          path=self.session.knob_file,
                          can_undo=m.hand.can_undo, can_redo=m.hand.can_redo,
                          page=getattr(self, "page", "controls"), runs=m.bench.listing(),
                          shown=frozenset(m.bench.shown), views=frozenset(self.views),
                          tracking=m.bench.tracking, spread_note=m.bench.spread_note,
                          lesson=self.lesson_actions.card() if getattr(
                              self, "lesson_actions", None) else None)

    def say(self, text: str) -> None:
        """The window's own words, shown like the machine's notes."""
        self.machine.tell("said", text=text)

    # ------------------------------------------------------------------ the main loop

    def run(self) -> int:
        limit = self.options.frames
        while self.running and (limit is None or self.timings.frames < limit):
            self.frame()
        if self.options.screenshot:
            Path(self.options.screenshot).parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.window, self.options.screenshot)
        self.machine.pause()
        self.save_session()
        self.machine.bench.close()
        return 0

    def _tick(self) -> float:
        """Wait for the next frame's moment (not counted as busy time); seconds since the last.

        The scorer's gate opens here and stays open through events and training (measured:
        the charts then trail training by about one epoch, at no cost to the frame or the
        10-epoch time); it shuts while the frame is drawn."""
        self.machine.evaluator.gate.set()
        now = time.perf_counter()
        if self.options.pace:
            self._deadline += FRAME_S
            if self._deadline < now - FRAME_S:  # fell behind: start afresh, no catch-up burst
                self._deadline = now
            wait = self._deadline - now
            if wait > 0:
                time.sleep(wait)
            now = time.perf_counter()
        dt, self.timings.last_tick = now - self.timings.last_tick, now
        return min(dt, 0.25)

    def frame(self, events: list | None = None) -> None:
        """One turn of the loop. `events` (tests) are handled after the queue's."""
        dt = self._tick()
        t0 = time.perf_counter()
        queue = pygame.event.get() + list(events or [])
        self.face.follow(self.machine)
        for event in queue:
            for intent in self.route(event):
                self.apply(intent)
        self.face.follow(self.machine)  # a switch (or a file) may have rewired it just now
        self._poll_loader()
        m = self.machine
        m.poll()
        m.update_score(busy=time.perf_counter() - t0 > BUSY_SCORE_S)
        m.update_ghost()
        self._update_ui(dt, bool(queue))
        t_train = time.perf_counter()
        # Training gets what is left of the frame once drawing (its recent 80th percentile)
        # is set aside; BUSY_TARGET_S leaves room under 16.7 ms for the odd slow frame.
        budget = BUSY_TARGET_S - (t_train - t0) - percentile(self._post_training, 80)
        was_epochs = m.run_epochs
        m.advance(max(0.0005, budget), dt)
        self.timings.training(m, was_epochs)
        self.session.keep(self.panel.path)
        self.lesson_actions.tick()
        m.evaluator.gate.clear()  # the epoch scorer waits while the frame is drawn
        t_ui = time.perf_counter()
        self.panel.sync(self.panel_state())
        t_render = time.perf_counter()
        self.render()
        t_flip = time.perf_counter()
        pygame.display.flip()
        t1 = time.perf_counter()
        m.evaluator.gate.set()
        self._post_training.append(t1 - t_ui)
        self.timings.frame((t0, t_train, t_ui, t_render, t_flip, t1))

    def _update_ui(self, dt: float, had_events: bool) -> None:
        """pygame_gui's per-frame update (hover, tooltips, caret) costs about 1.5 ms; with no
        input and the mouse away from the panel it runs every fourth frame only."""
        self._ui_dt += dt
        if had_events or self.timings.frames % 4 == 0 or self.panel.typing or \
                self.panel.expanded or self.layout.panel.collidepoint(self.face.mouse):
            self.manager.update(self._ui_dt)
            self._ui_dt = 0.0

    def _poll_loader(self) -> None:
        loader = self.loader
        if loader is None:
            return
        if not loader.done:
            self.notice = f"Full MNIST is on its way: {loader.message}"
            return
        self.loader, self.notice = None, None
        self.data_note = deliver(loader, self.machine, self.say)
        self.timings.train_started = None

    def save_session(self) -> None:
        """Write the session now (the window is closing), the lesson's progress included."""
        self.session.lesson = self.lesson_actions.lesson.to_dict()
        error = self.session.close(self.panel.path)
        if error:
            print(f"perceptron: {error}", flush=True)

    # ------------------------------------------------------------------ events -> intents

    def route(self, event) -> list:
        """Which widget an event belongs to, and the intents it means."""
        moved = event.type == pygame.MOUSEMOTION and tuple(getattr(event, "rel", (0, 0))) != (0, 0)
        if moved or event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEWHEEL, pygame.KEYDOWN):
            self.mouse_used = True  # not just a pointer that happened to rest on the window
        if event.type == pygame.QUIT:
            return [I.Quit()]
        if event.type == pygame.VIDEORESIZE:
            return [I.Resize(tuple(event.size))]
        if event.type == pygame.USEREVENT:  # pygame_gui's deprecated twin events
            return []
        if event.type in _UI_EVENTS:  # widgets hear their own (a drop-down opens on one)
            self.manager.process_events(event)
            return self.panel.handle(event)
        if hasattr(event, "pos") and event.type in _MOUSE_EVENTS:
            self.face.mouse = tuple(event.pos)  # tooltips over the panel need it too
        if self.help_open:
            return self._route_help(event)
        consumed = self.manager.process_events(event)
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            return [I.CloseOverlay()]
        if consumed:
            if event.type == pygame.MOUSEBUTTONUP and self.face.busy:
                return self.face.handle(event)  # a drag from the board ends over the panel
            if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEWHEEL):
                return self.face.cancel()
            return []
        if event.type in (pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT) and self.panel.typing:
            return []
        pos = getattr(event, "pos", None)
        if pos is not None and self.layout.panel.collidepoint(pos) and not self.face.busy:
            self.face.hover = None
            return []
        if event.type == pygame.MOUSEWHEEL and self.layout.panel.collidepoint(self.face.mouse):
            return []
        over_charts = self.layout.charts.collidepoint(pos if pos is not None else self.face.mouse)
        if over_charts and not self.face.busy and (pos is not None or "tiny" in self.views):
            return self.charts_input.handle(event, self.layout.charts, self._drawn,
                                            self.window.get_size(), "tiny" in self.views,
                                            self.face.mouse)
        self.charts_input.hover = None
        return self.face.handle(event)

    def _route_help(self, event) -> list:
        if event.type == pygame.KEYDOWN and (
            event.key in (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h)
            or getattr(event, "unicode", "") == "?"
        ):
            return [I.ToggleHelp()]
        if event.type == pygame.MOUSEBUTTONDOWN:
            return [I.ToggleHelp()]
        return []

    # ------------------------------------------------------------------ intents -> model

    def apply(self, intent) -> None:
        """The one place where intents change the model."""
        name = f"_on_{type(intent).__name__}"
        handler = getattr(self, name, None) or getattr(self.bench_actions, name, None) or \
            getattr(self.lesson_actions, name, None)
        if handler is None:
            raise TypeError(f"no handler for intent {intent!r}")
        handler(intent)

    def _on_BeginGesture(self, it):
        self.machine.begin_gesture()

    def _on_EndGesture(self, it):
        self.machine.end_gesture()

    def _on_TurnKnob(self, it):
        self.machine.turn(it.index, it.steps, it.fine)

    def _on_SetKnob(self, it):
        self.machine.set_knob(it.index, it.value)

    def _on_BrushKnobs(self, it):
        self.machine.brush(it.index, it.mode, it.fine)

    def _on_SetBrush(self, it):  # the panel's brush menu and the face's B key share the brush
        self.face.brush = it.mode
        self.say(f"Brush: {it.mode} (paint over the board; right button does the opposite)"
                 if it.mode else "Brush off: drag single knobs")

    def _on_Undo(self, it):
        self.face.cancel()
        self.machine.undo()

    def _on_Redo(self, it):
        self.face.cancel()
        self.machine.redo()

    def _on_ResetKnobs(self, it):
        self.machine.reset_knobs(it.how)

    def _on_ToggleGhost(self, it):
        self.machine.toggle_ghost()

    def _on_PaintRetina(self, it):
        self.machine.paint(it.row, it.col, it.erase)

    def _on_ClearRetina(self, it):
        self.machine.clear_retina()
        self.say("Retina cleared: draw a digit with the mouse (right button erases)")

    def _on_ShowPicture(self, it):
        self.machine.show_picture(it.how)

    def _on_SetPictureFilter(self, it):
        m = self.machine
        m.set_picture_filter(it.which, toggle=it.toggle)
        if m.note is None or m.note.kind != "no_match" or m.clock() - m.note.time > 0.05:
            self.say(f"Pictures: {words.filter_label(m.picture_filter, m.config.digit)}")

    def _on_SetMode(self, it):
        if self.machine.set_mode(it.name):
            p = self.machine.procedure
            self.say(f"Mode: {p.label}. {p.tooltip}")

    def _on_TogglePlay(self, it):
        self.face.cancel()
        self.machine.toggle_play()
        if self.machine.playing:
            self.say(f"{self.machine.procedure.label} is turning the knobs (Space pauses)")

    def _on_Step(self, it):
        self.face.cancel()
        self.machine.step(it.unit)

    def _on_SetSpeed(self, it):
        self.machine.set_speed(it.value)

    def _on_SetSwitch(self, it):
        ten = self.machine.config.bulbs == 10
        said = self.machine.set_switch(it.name, it.value) and words.switch_said(
            it.name, it.value, ten)
        if said:
            self.say(said)

    def _on_SaveKnobs(self, it):
        self.say(self.session.save_knobs(it.path or self.panel.path))

    def _on_LoadKnobs(self, it):
        self.say(self.session.load_knobs(it.path or self.panel.path))

    def _on_ToggleHelp(self, it):
        self.help_open = not self.help_open
        if self.help_open:
            self.face.cancel()
            self.panel.close_dropdowns()

    def _on_CloseOverlay(self, it):
        if self.help_open:
            self.help_open = False
        elif self.machine.diverged:
            self.machine.diverged = ""
        elif self.panel.close_dropdowns():
            pass
        elif self.panel.typing:
            self.panel.unfocus()
        elif self.face.brush:
            self._on_SetBrush(I.SetBrush(None))
        else:
            self.face.selected = None

    def _on_Resize(self, it):
        w, h = max(MIN_SIZE[0], int(it.size[0])), max(MIN_SIZE[1], int(it.size[1]))
        if self.window.get_size() != (w, h):
            self.window = pygame.display.set_mode((w, h), pygame.RESIZABLE)
        self.layout_changed()

    def face_views(self) -> frozenset:
        """The views laid out: those shown, and the small boards when there are ten bulbs."""
        return frozenset(self.views) | ({"boards"} if self.machine.config.bulbs == 10 else set())

    def layout_changed(self) -> None:
        """The window's size or its shown views changed: lay everything out anew."""
        size = self.window.get_size()
        self.face.cancel()
        old = self.layout
        self._laid_out = self.face_views()
        self.layout = view.compute_layout(size, self._laid_out)
        self.face.layout = self.layout
        if (self.layout.panel, self.layout.scale) == (old.panel, old.scale) and \
                self.manager.window_resolution == size:
            return  # the panel stays as it is (rebuilding it costs ~40 ms)
        old_scale = old.scale
        if (old_scale >= BIG_TYPE_SCALE) != (self.layout.scale >= BIG_TYPE_SCALE):
            self.panel.kill()
            self.manager = make_manager(size, self.layout.scale)
            self.panel = ControlPanel(self.manager, self.layout.panel, self.panel_state(),
                                      self.layout.scale)
        else:
            self.manager.set_window_resolution(size)
            self.panel.rebuild(self.panel_state(), self.layout.panel, self.layout.scale)

    def _on_Quit(self, it):
        self.running = False
        self.quit_requested = True

    # ------------------------------------------------------------------ drawing

    def face_state(self) -> FaceState:
        """The machine's snapshot with the window's part: pointer, tooltips, overlays."""
        return self.composer.compose(self)

    def render(self) -> None:
        """Draw the whole machine onto the window surface (the view does the drawing)."""
        if self.face_views() != self._laid_out:
            self.layout_changed()  # ten bulbs came or went (a switch, a file, a lesson)
        self._drawn = self.face_state()
        view.draw_machine(self.window, self.layout, self._drawn, view.THEME, ui=self.manager)

    def status_text(self) -> tuple[str, str]:
        """The status line (left, right) as drawn this frame."""
        state = self.face_state()
        return words.status_text(state, state.overlay.message), state.overlay.data_note


_UI_EVENTS = {pygame_gui.UI_BUTTON_PRESSED, pygame_gui.UI_DROP_DOWN_MENU_CHANGED,
              pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, pygame_gui.UI_TEXT_ENTRY_FINISHED,
              pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_BUTTON_START_PRESS,
              pygame_gui.UI_BUTTON_ON_HOVERED, pygame_gui.UI_BUTTON_ON_UNHOVERED,
              pygame_gui.UI_BUTTON_DOUBLE_CLICKED}
_MOUSE_EVENTS = {pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP}
