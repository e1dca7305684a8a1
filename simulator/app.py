"""The desktop machine: one window, one boring main loop.

    tick -> events -> apply intents -> advance training within a time budget -> render -> flip

Widgets (:class:`~simulator.controls.FaceInput` for the board, retina and keys;
:class:`~simulator.panel.ControlPanel` for the pygame_gui panel) turn raw input into intents;
:meth:`App.apply` applies them to the model (:class:`~simulator.machine.Machine`) in one
place; the view (:mod:`simulator.view`) draws the model onto the window's surface.

    python main.py [--data DIR] [--load PATH] [--frames N] [--screenshot PATH] [--train]
                   [--speed {slow,normal,max}] [--stats] [--size WxH]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import sys
import time
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
if sys.platform.startswith("linux"):
    # SDL's X11 window surface waits (XSync) for the server to copy every frame: 7-13 ms per
    # flip under Xvfb. Its software texture framebuffer hands the copy over and returns in
    # about 0.5 ms, with the same pixels on screen (checked against Xvfb's framebuffer).
    os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "software")
# One BLAS thread: the machine's products are small or memory-bound, and OpenBLAS's extra
# threads spin between calls, taking the second core from the X server and the epoch scorer
# (with them: 10 epochs in 5.6 s and 19 ms frames at p95; without: 2.9 s and 14 ms).
# This takes effect only if NumPy is not imported yet (python main.py imports it here).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pygame_gui  # noqa: E402

from . import intents as I  # noqa: E402
from . import view  # noqa: E402
from .controls import SHORTCUTS, FaceInput  # noqa: E402
from .data import load_sample  # noqa: E402
from .hud import draw_ten_bulbs, draw_turned_knobs, ten_bulbs_height, tooltip_lines  # noqa: E402
from .intents import BIAS  # noqa: E402
from .loader import DataLoader  # noqa: E402
from .machine import PICTURE_FILTERS, SPEEDS, Machine  # noqa: E402
from .panel import ControlPanel, PanelState  # noqa: E402
from .session import load_session, save_session  # noqa: E402
from .storage import KnobFileError, load_knobs, save_knobs  # noqa: E402
from .theme import THEME  # noqa: E402

T_START = time.perf_counter()  # as near to the process start as this module gets
DEFAULT_SIZE = (1280, 800)
MIN_SIZE = (960, 640)
FRAME_S = 1 / 60
PIN_MARGIN = 0.005  # the meter's readout shows two decimals
STATS_FRAMES = 60 * 60 * 60  # frames of timings kept for --stats (an hour at 60 fps)
BUSY_TARGET_S = 0.0135  # a frame's work, leaving room under 16.7 ms for the unexpected
MESSAGE_S = 8.0
STORY_S = 3.0  # a slow-motion step's narration stays this long
TOOLTIP_DELAY_S = 0.6
THEME_PATH = Path(__file__).resolve().parent.parent / "assets" / "gui_theme.json"
DEFAULT_KNOB_FILE = "knobs.npz"


@dataclass
class Options:
    data: str | None = None
    load: str | None = None
    frames: int | None = None
    screenshot: str | None = None
    train: bool = False
    speed: str = "max"
    stats: bool = False
    size: tuple[int, int] = DEFAULT_SIZE
    load_full: bool = True  # fetch full MNIST in the background (tests may stay on the sample)
    restore: bool = True  # restore the saved session
    pace: bool = True  # hold 60 frames a second (tests run frames back to back)


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, got {text!r}") from None
    if w < 320 or h < 240:
        raise argparse.ArgumentTypeError(f"size {text} is too small (at least 320x240)")
    return w, h


def parse_args(argv: list[str]) -> Options:
    ap = argparse.ArgumentParser(
        prog="python main.py",
        description="Rosenblatt's perceptron machine on MNIST: turn its 784 knobs by hand or "
                    "watch a procedure train them. ('python main.py train --help' for the CLI.)")
    ap.add_argument("--data", metavar="DIR", help="a directory of the four MNIST IDX files")
    ap.add_argument("--load", metavar="PATH", help="start with these knobs (.npz from --save)")
    ap.add_argument("--frames", type=int, metavar="N", help="run N frames, then exit")
    ap.add_argument("--screenshot", metavar="PATH", help="save the last frame as a PNG")
    ap.add_argument("--train", action="store_true", help="start gradient descent at once")
    ap.add_argument("--speed", choices=tuple(SPEEDS), default="max", help="training speed")
    ap.add_argument("--stats", action="store_true",
                    help="print frame timings as one JSON object (the last line of stdout)")
    ap.add_argument("--size", type=parse_size, default=DEFAULT_SIZE, metavar="WxH",
                    help="window size (default 1280x800)")
    ap.add_argument("--sample", action="store_true",
                    help="stay on the bundled sample of digits (no full MNIST)")
    ap.add_argument("--fresh", action="store_true", help="do not restore the saved session")
    a = ap.parse_args(argv)
    if a.frames is not None and a.frames < 1:
        ap.error("--frames must be at least 1")
    return Options(data=a.data, load=a.load, frames=a.frames, screenshot=a.screenshot,
                   train=a.train, speed=a.speed, stats=a.stats, size=a.size,
                   load_full=not a.sample, restore=not a.fresh)


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    if options.data is not None and not Path(options.data).expanduser().is_dir():
        print(f"perceptron: --data {options.data}: no such directory", file=sys.stderr)
        return 2
    preload = None
    if options.load is not None:
        try:
            preload = load_knobs(options.load)
        except KnobFileError as exc:
            print(f"perceptron: --load: {exc}", file=sys.stderr)
            return 2
    app = App(options, preload=preload)
    code = app.run()
    if options.stats:
        print(json.dumps(app.stats()), flush=True)
    return code


def _meter_reach(z: float, config) -> float:
    """The meter's full scale. With no activation it stays at 10, so that the tutorial's
    runaway sums pin the needle; a sigmoid or a threshold unit cannot leave 0..1, so the
    meter ranges by decades (10, 100, ...) like a multimeter, and its needle always reads."""
    if config.activation == "none" and config.rule != "rosenblatt":
        return 10.0
    return 10.0 ** max(1, math.ceil(math.log10(abs(z)))) if np.isfinite(z) and z else 10.0


def _percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else 0.0


class App:
    """The window, the widgets and the model; `run()` is the main loop, `frame()` one turn."""

    def __init__(self, options: Options | None = None, preload=None) -> None:
        self.options = options or Options()
        self.t_start = time.perf_counter()
        pygame.display.init()
        pygame.font.init()
        size = self.options.size
        self.window = pygame.display.set_mode(size, pygame.RESIZABLE)
        pygame.display.set_caption("Rosenblatt's perceptron machine")
        self._set_minimum_size()
        pygame.key.set_repeat(300, 40)
        self.layout = view.compute_layout(size)
        self.machine = Machine(load_sample())
        self.data_note = "sample digits" + (" (loading MNIST)" if self.options.load_full else "")
        self.notice: str | None = None
        self.loader: DataLoader | None = None
        self.knob_file = DEFAULT_KNOB_FILE
        self._restore(preload)
        if self.options.load_full:  # first, so that it loads while the window is built
            self.loader = DataLoader(self.options.data, self.machine.config.scale).start()
            self.notice = "Loading full MNIST in the background…"
        self.manager = self._make_manager(size)
        self.face = FaceInput(self.layout)
        if self.options.train:
            self.machine.set_mode("gd")
            self.machine.set_speed(SPEEDS[self.options.speed])
            self.machine.play()
        self.panel = ControlPanel(self.manager, self.layout.panel, self.panel_state(),
                                  self.layout.scale)
        self.help_open = False
        self.mouse_used = False
        self.running = True
        self.quit_requested = False
        self.frames = 0
        # Frame timings for --stats: the last hour's worth, not an ever-growing list.
        self.frame_ms: deque[float] = deque(maxlen=STATS_FRAMES)
        self.render_ms: deque[float] = deque(maxlen=STATS_FRAMES)
        self.parts_ms: deque[tuple] = deque(maxlen=STATS_FRAMES)  # events+ui, training, sync, flip
        self._ui_dt = 0.0
        self._post_training = deque([0.006] * 10, maxlen=30)  # seconds after training, recent
        self.first_frame_s: float | None = None
        self.train_started: float | None = None
        self.seconds_to_10: float | None = None
        self._tooltip_since = (None, 0.0)
        self._last_frame = time.perf_counter()
        self._deadline = self._last_frame
        self.peak_rss_mb = 0.0
        gc.collect()
        gc.freeze()  # the long-lived start-up objects (widgets, fonts) leave the GC's sweeps

    # ------------------------------------------------------------------ set-up

    def _set_minimum_size(self) -> None:
        try:
            with warnings.catch_warnings():  # deprecated for surface rendering, still works
                warnings.simplefilter("ignore", DeprecationWarning)
                pygame.Window.from_display_module().minimum_size = MIN_SIZE
        except (AttributeError, pygame.error):
            pass

    def _make_manager(self, size) -> pygame_gui.UIManager:
        theme = json.loads(THEME_PATH.read_text())
        if self.layout.scale >= 1.15:  # a big window: bigger type in the panel too
            for block in theme.values():
                font = block.get("font") if isinstance(block, dict) else None
                if font and "size" in font:
                    font["size"] = str(round(int(font["size"]) * 1.2))
        return pygame_gui.UIManager(size, theme, enable_live_theme_updates=False)

    def _restore(self, preload) -> None:
        """Knobs from --load, else the saved session, else the seed's random knobs."""
        m = self.machine
        if preload is not None:
            params, config = preload
            m.put_knobs(params, config)
            m.hand.forget()
            m.say(f"Knobs loaded from {self.options.load}")
            return
        if not self.options.restore:
            return
        session, why = load_session()
        if session is None:
            if why:
                m.say(why)
            return
        try:
            m.put_knobs(session.params, session.config)
        except ValueError as exc:
            m.say(f"Saved session not restored: {exc}")
            return
        m.hand.forget()
        gui = session.gui
        mode = gui.get("mode")
        if isinstance(mode, str) and mode in m.procedures.table:
            m.set_mode(mode)
        if isinstance(gui.get("speed"), int | float):
            m.set_speed(gui["speed"])
        if gui.get("picture_filter") in PICTURE_FILTERS:
            m.picture_filter = gui["picture_filter"]
        if isinstance(gui.get("knob_file"), str):
            self.knob_file = gui["knob_file"]
        m.ghost_on = bool(gui.get("ghost", False))
        m.say("Welcome back: your knobs are as you left them")

    def panel_state(self) -> PanelState:
        m = self.machine
        return PanelState(mode=m.mode, playing=m.playing, speed=m.speed, config=m.config,
                          brush=getattr(self, "face", None) and self.face.brush,
                          ghost=m.ghost_on, picture_filter=m.picture_filter,
                          path=getattr(self, "knob_file", DEFAULT_KNOB_FILE),
                          can_undo=m.hand.can_undo, can_redo=m.hand.can_redo)

    # ------------------------------------------------------------------ the main loop

    def run(self) -> int:
        limit = self.options.frames
        while self.running and (limit is None or self.frames < limit):
            self.frame()
        if self.options.screenshot:
            Path(self.options.screenshot).parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.window, self.options.screenshot)
        if self.quit_requested:
            self.save_session()
        self.machine.pause()
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
        dt, self._last_frame = now - self._last_frame, now
        return min(dt, 0.25)

    def frame(self, events: list | None = None) -> None:
        """One turn of the loop. `events` (tests) are handled after the queue's."""
        dt = self._tick()
        t0 = time.perf_counter()
        queue = pygame.event.get() + list(events or [])
        for event in queue:
            for intent in self.route(event):
                self.apply(intent)
        self._poll_loader()
        m = self.machine
        m.poll()
        m.update_score()
        m.update_ghost()
        self._update_ui(dt, bool(queue))
        t_train = time.perf_counter()
        # Training gets what is left of the frame once drawing (its recent 80th percentile)
        # is set aside; BUSY_TARGET_S leaves room under 16.7 ms for the odd slow frame.
        budget = BUSY_TARGET_S - (t_train - t0) - _percentile(self._post_training, 80)
        was_epochs = m.run_epochs
        m.advance(max(0.0005, budget), dt)
        self._note_training(was_epochs)
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
        self.frames += 1
        self.frame_ms.append((t1 - t0) * 1000)
        self.render_ms.append((t_flip - t_render) * 1000)
        self.parts_ms.append(((t_train - t0) * 1000, (t_ui - t_train) * 1000,
                              (t_render - t_ui) * 1000, (t1 - t_flip) * 1000))
        if self.first_frame_s is None:
            self.first_frame_s = t1 - self.t_start
            self.first_frame_process_s = _process_age()
        if self.frames % 30 == 0:
            self.peak_rss_mb = _peak_rss_mb()

    def _update_ui(self, dt: float, had_events: bool) -> None:
        """pygame_gui's per-frame update (hover, tooltips, caret) costs about 1.5 ms; with no
        input and the mouse away from the panel it runs every fourth frame only."""
        self._ui_dt += dt
        if had_events or self.frames % 4 == 0 or self.panel.typing or self.panel.expanded \
                or self.layout.panel.collidepoint(self.face.mouse):
            self.manager.update(self._ui_dt)
            self._ui_dt = 0.0

    def _note_training(self, was_epochs: int) -> None:
        m = self.machine
        if m.training and self.train_started is None and not m.data.is_sample:
            self.train_started = time.perf_counter()
        if self.train_started is not None and self.seconds_to_10 is None and \
                m.run_epochs >= 10 and was_epochs < 10:
            self.seconds_to_10 = time.perf_counter() - self.train_started
            self.scored_at_10 = len(m.history)

    def _poll_loader(self) -> None:
        loader = self.loader
        if loader is None:
            return
        if not loader.done:
            self.notice = f"Full MNIST is on its way: {loader.message}"
            return
        self.loader, self.notice = None, None
        m = self.machine
        if loader.error:
            m.say(f"Full MNIST not loaded ({loader.error}); working on the bundled sample")
            self.data_note = "sample digits (full MNIST failed)"
            return
        data = loader.result
        # Train on, on the real set: a run under way, or one that finished on the sample (not
        # one a person paused: the knobs are theirs).
        resume = m.playing or (m.run_finished and m.data.is_sample)
        m.pause()
        X = loader.X_test if loader.scale == m.config.scale else None
        m.set_data(data, X)
        if data.is_sample:
            self.data_note = "offline sample digits"
            why = f" ({data.fallback_reason})" if data.fallback_reason else ""
            m.say(f"Full MNIST is not available{why}. The machine works on a sample of "
                  f"{len(data.train_labels) + len(data.test_labels):,} real digits; set "
                  "MNIST_DIR or connect once for all 70,000.")
        else:
            self.data_note = f"full MNIST ({len(data.train_labels):,} + {len(data.test_labels):,})"
            m.say(f"Full MNIST is here: {len(data.train_labels):,} training and "
                  f"{len(data.test_labels):,} test digits; the knobs are as they were")
        if resume:
            m.play()
        self.train_started = None

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
            if event.type == pygame.MOUSEMOTION and self.face.hover is not None:
                self.face.hover = None
                return [I.HoverKnob(None)]
            return []
        if event.type == pygame.MOUSEWHEEL and self.layout.panel.collidepoint(self.face.mouse):
            return []
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
        handler = getattr(self, f"_on_{type(intent).__name__}", None)
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

    def _on_SetBrush(self, it):
        self.face.brush = it.mode
        self.machine.say(f"Brush: {it.mode} (paint over the board; right button does the "
                         f"opposite)" if it.mode else "Brush off: drag single knobs")

    def _on_Undo(self, it):
        self.face.cancel()
        self.machine.undo()

    def _on_Redo(self, it):
        self.face.cancel()
        self.machine.redo()

    def _on_SelectKnob(self, it):
        self.face.selected = it.index

    def _on_MoveSelection(self, it):
        row, col = divmod(self.face.selected if self.face.selected not in (None, BIAS) else 406,
                          28)
        self.face.selected = min(27, max(0, row + it.drow)) * 28 + min(27, max(0, col + it.dcol))

    def _on_HoverKnob(self, it):
        self.face.hover = it.index

    def _on_ResetKnobs(self, it):
        self.machine.reset_knobs(it.how)

    def _on_ToggleGhost(self, it):
        self.machine.toggle_ghost()

    def _on_PaintRetina(self, it):
        self.machine.paint(it.row, it.col, it.erase)

    def _on_ClearRetina(self, it):
        self.machine.clear_retina()
        self.machine.say("Retina cleared: draw a digit with the mouse (right button erases)")

    def _on_ShowPicture(self, it):
        self.machine.show_picture(it.how)

    def _on_SetPictureFilter(self, it):
        which = it.which
        if which == "next":
            i = PICTURE_FILTERS.index(self.machine.picture_filter)
            which = PICTURE_FILTERS[(i + 1) % len(PICTURE_FILTERS)]
        self.machine.set_picture_filter(which)
        self.machine.say(f"Pictures: {self.machine.filter_label()}")

    def _on_SetMode(self, it):
        self.machine.set_mode(it.name)
        self.machine.say(f"Mode: {self.machine.procedure.label}. {self.machine.procedure.tooltip}")

    def _on_TogglePlay(self, it):
        self.face.cancel()
        self.machine.toggle_play()
        if self.machine.playing:
            self.machine.say(f"{self.machine.procedure.label} is turning the knobs "
                             f"(Space pauses)")

    def _on_Step(self, it):
        self.face.cancel()
        self.machine.step(it.unit)

    def _on_SetSpeed(self, it):
        self.machine.set_speed(it.value)

    def _on_SetSwitch(self, it):
        if self.machine.set_switch(it.name, it.value) and it.name not in ("bulbs", "seed"):
            name = it.name.replace("_", " ").replace("lr", "learning rate").capitalize()
            self.machine.say(f"{name}: {it.value} (the charts start a new run; the knobs stay)")

    def _on_SaveKnobs(self, it):
        path = it.path or self.panel.path or self.knob_file
        self.knob_file = path
        m = self.machine
        try:
            written = save_knobs(path, m.params, m.config,
                                 extra={"source": "the desktop machine", "epochs": m.run_epochs})
        except (OSError, ValueError) as exc:
            m.say(f"Could not save to {path}: {exc}")
            return
        m.say(f"Knobs saved to {written} (switches in {written.with_suffix('.json').name})")

    def _on_LoadKnobs(self, it):
        path = it.path or self.panel.path or self.knob_file
        self.knob_file = path
        m = self.machine
        try:
            params, config = load_knobs(path)
            m.put_knobs(params, config)
        except (KnobFileError, ValueError) as exc:
            m.say(f"Not loaded — {exc}. The knobs are unchanged.")
            return
        m.say(f"Knobs loaded from {path}" + (" with its switches" if config else "")
              + " (Ctrl+Z undoes)")

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
        size = self.window.get_size()
        self.face.cancel()
        old_scale = self.layout.scale
        self.layout = view.compute_layout(size)
        self.face.layout = self.layout
        if (old_scale >= 1.15) != (self.layout.scale >= 1.15):
            self.panel.kill()
            self.manager = self._make_manager(size)
            self.panel = ControlPanel(self.manager, self.layout.panel, self.panel_state(),
                                      self.layout.scale)
        else:
            self.manager.set_window_resolution(size)
            self.panel.rebuild(self.panel_state(), self.layout.panel, self.layout.scale)

    def _on_Quit(self, it):
        self.running = False
        self.quit_requested = True

    def save_session(self) -> None:
        m = self.machine
        m.pause()
        gui = {"mode": m.mode, "speed": m.speed, "picture_filter": m.picture_filter,
               "ghost": m.ghost_on, "knob_file": self.panel.path or self.knob_file}
        try:
            save_session(m.params, m.config, gui)
        except (OSError, ValueError) as exc:
            print(f"perceptron: could not save the session: {exc}", file=sys.stderr)

    # ------------------------------------------------------------------ drawing

    def render(self) -> None:
        """Draw the whole machine onto the window surface (the view does the drawing)."""
        surface, lay, m, theme = self.window, self.layout, self.machine, THEME
        reading = m.reading()
        weights = m.weights
        scale = m.knob_scale()
        hover = self.face.hover
        view.draw_background(surface, theme, lay)
        view.draw_retina(surface, lay.retina, m.picture.light, theme,
                         hover=divmod(hover, 28) if hover is not None and hover < 784 else None)
        view.draw_knobs(surface, lay.board, weights, theme, scale=scale,
                        selected=self.face.selected if self.face.selected != BIAS else None,
                        hover=hover if hover != BIAS else None, ghost=self._ghost(scale))
        if m.turned is not None:
            fade = 1.0 - (m.clock() - m.turned_time) / 0.8
            draw_turned_knobs(surface, lay.board, m.turned, theme, fade)
        view.draw_bias_knob(surface, lay.bias, m.bias, theme, scale=_bias_scale(m.bias))
        self._draw_bulb(reading)
        out = reading.bulb  # pinned once the output visibly leaves 0..1 (not by -0.0001)
        reach = _meter_reach(reading.weighted_sum, m.config)
        view.draw_meter(surface, lay.meter, reading.weighted_sum, theme, lo=-reach, hi=reach,
                        pinned=not (-PIN_MARGIN <= out <= 1.0 + PIN_MARGIN))
        view.draw_verdict(surface, lay.verdict, theme, label=m.picture.label,
                          target_digit=m.config.digit, predicted_yes=reading.lit,
                          verdict=reading.verdict)
        view.draw_charts(surface, lay.charts, m.history, theme, baseline=m.baseline,
                         epoch_progress=m.epoch_progress(), epoch=m.run_epochs + 1,
                         target_digit=m.config.digit if m.config.bulbs == 1 else None,
                         baseline_name=None if m.config.bulbs == 1 else "commonest digit")
        view.draw_panel_background(surface, lay.panel, theme)
        left, right = self.status_text()
        view.draw_status(surface, lay.status, theme, text=left, right_text=right)
        self.manager.draw_ui(surface)
        self._draw_overlays(reading)

    def _ghost(self, scale: float):
        g = self.machine.ghost
        if g is None:
            return None
        peak = float(np.max(np.abs(g[:784]))) or 1.0
        return g[:784] * np.float32(0.6 * scale / peak)

    def _draw_bulb(self, reading) -> None:
        lay, m = self.layout, self.machine
        if m.config.bulbs == 1:
            view.draw_bulb(self.window, lay.bulb, reading.bulb, THEME,
                           lit_threshold=0.5)
            return
        strip_h = ten_bulbs_height(self.window, THEME)
        top = pygame.Rect(lay.bulb.x, lay.bulb.y, lay.bulb.w, lay.bulb.h - strip_h)
        view.draw_bulb(self.window, top, reading.bulb, THEME)
        strip = pygame.Rect(lay.bulb.x, top.bottom, lay.bulb.w, strip_h)
        pygame.draw.rect(self.window, THEME.card_bg, strip)
        draw_ten_bulbs(self.window, strip.inflate(-8, -4), reading.output, reading.column,
                       reading.answer, THEME)

    def _draw_overlays(self, reading) -> None:
        surface, lay, m = self.window, self.layout, self.machine
        hover = self.face.hover
        if hover is not None and self.mouse_used and (
                not self.face.busy or self.face.dragging == "turn"):
            self._knob_tooltip(hover)
        if self.notice or m.diverged:
            w = min(lay.board.w - 40, round(560 * lay.scale))
            box = pygame.Rect(0, 0, w, round((96 if m.diverged else 74) * lay.scale))
            box.midtop = (lay.board.centerx, lay.board.y + round(56 * lay.scale))
            if m.diverged:
                view.draw_notice(surface, box, THEME, text=m.diverged + "  (Esc closes)")
            else:
                progress = self.loader.fraction if self.loader is not None else None
                view.draw_notice(surface, box, THEME, text=self.notice, progress=progress)
        if m.story and m.clock() - m.turned_time < STORY_S:
            self._draw_story()
        elif m.message and m.clock() - m.message_time < MESSAGE_S:
            self._draw_long_message()
        tip = self._panel_tooltip() if self.mouse_used else None
        if tip:
            view.draw_tooltip(surface, self.face.mouse, tooltip_lines(tip, THEME, surface), THEME)
        if self.help_open:
            view.draw_help(surface, surface.get_rect(), SHORTCUTS, THEME,
                           hint="Esc, F1 or a click closes")

    def _draw_story(self) -> None:
        """Slow motion's narration over the charts: what the machine answered, what turned."""
        lay, m = self.layout, self.machine
        box = pygame.Rect(0, 0, min(lay.charts.w - 40, round(620 * lay.scale)),
                          round(58 * lay.scale))
        box.midtop = (lay.charts.centerx, lay.charts.y + round(40 * lay.scale))
        view.draw_notice(self.window, box, THEME, text=f"{m.procedure.label}: {m.story}")

    def _draw_long_message(self) -> None:
        """A message too long for the status line is shown whole, just above it."""
        lay, m = self.layout, self.machine
        left, right = self.status_text()
        size = view.common.font_px(THEME.font_small, lay.scale, THEME)
        room = lay.status.w - view.common.text_width(right, size) - round(40 * lay.scale)
        if view.common.text_width(left, size) <= room:
            return
        width = min(lay.charts.w - 40, round(720 * lay.scale))
        body = view.common.font_px(THEME.font_body, lay.scale, THEME)
        lines = len(view.common.wrap(m.message, body, width - round(20 * lay.scale)))
        height = lines * view.common.line_height(body) + round(20 * lay.scale)
        box = pygame.Rect(0, 0, width, min(height, lay.charts.h - 8))
        box.midbottom = (lay.charts.centerx, lay.charts.bottom - round(6 * lay.scale))
        view.draw_notice(self.window, box, THEME, text=m.message)

    def _knob_tooltip(self, index: int) -> None:
        m = self.machine
        x = m.inputs(m.picture.pixels)
        w = float(m.params[index, m.column])
        if index == BIAS:
            lines = ["Bias (the threshold, sign flipped)", f"weight {w:+.4f}",
                     f"constant input 1 × weight = {w:+.4f}"]
            anchor = self.layout.bias.center
        else:
            row, col = divmod(index, 28)
            lines = [f"Knob row {row}, column {col}", f"weight {w:+.4f}",
                     f"pixel {x[index]:.3g} × weight = {x[index] * w:+.4f}"]
            anchor = view.knob_rect(self.layout.board, index).center
        view.draw_tooltip(self.window, anchor, lines, THEME)

    def _panel_tooltip(self) -> str | None:
        pos = self.face.mouse
        if not self.layout.panel.collidepoint(pos) or self.panel.expanded:
            self._tooltip_since = (None, 0.0)
            return None
        tip = self.panel.tooltip_at(pos)
        now = time.perf_counter()
        if tip != self._tooltip_since[0]:
            self._tooltip_since = (tip, now)
            return None
        return tip if tip and now - self._tooltip_since[1] >= TOOLTIP_DELAY_S else None

    def status_text(self) -> tuple[str, str]:
        """(left, right): the latest message or where the picture comes from; the knobs'
        test score beside the never-lit base rate, and the data source."""
        m = self.machine
        base = f"never a {m.config.digit}" if m.config.bulbs == 1 else "commonest digit"
        score = "…" if m.score is None or not np.isfinite(m.score.accuracy) \
            else f"{m.score.accuracy:.2%}"
        n = len(m.data.test_labels)
        head = f"Test score {score}  ({base}: {m.baseline:.2%})"
        if m.message and m.clock() - m.message_time < MESSAGE_S:
            return f"{head}  ·  {m.message}", self.data_note
        pic = m.picture
        where = {"test": f"test picture {pic.index + 1:,} / {n:,}",
                 "train": f"training picture {pic.index + 1:,} / {len(m.data.train_labels):,}",
                 "drawn": "your drawing"}[pic.split]
        return f"{head}  ·  {m.procedure.label}  ·  {where}", self.data_note

    # ------------------------------------------------------------------ numbers

    def stats(self) -> dict:
        frames = np.asarray(self.frame_ms)
        parts = np.asarray(self.parts_ms).reshape(-1, 4).T
        wall = time.perf_counter() - self.t_start
        m = self.machine
        test_acc = m.history[-1]["test_acc"] if m.history else (
            m.score.accuracy if m.score is not None else None)
        return {
            "frames": self.frames,
            "fps_mean": round(self.frames / max(1e-9, self._last_frame - self._first_tick()), 2),
            "frame_ms_p50": round(_percentile(frames, 50), 3),
            "frame_ms_p95": round(_percentile(frames, 95), 3),
            "frame_ms_max": round(float(frames.max()) if len(frames) else 0.0, 3),
            "render_ms_p50": round(_percentile(self.render_ms, 50), 3),
            "render_ms_p95": round(_percentile(self.render_ms, 95), 3),
            "parts_ms_p50": {name: round(_percentile(col, 50), 3) for name, col in zip(
                ("events_ui_scores", "training", "panel_sync", "flip"), parts, strict=False)},
            "epochs_done": m.run_epochs,
            "epochs_scored": len(m.history),
            "test_accuracy": None if test_acc is None else round(float(test_acc), 4),
            "train_accuracy": round(m.history[-1]["train_acc"], 4) if m.history else None,
            "epochs_charted_at_10": getattr(self, "scored_at_10", None),
            "seconds_to_10_epochs": None if self.seconds_to_10 is None
            else round(self.seconds_to_10, 3),
            "first_frame_s": None if self.first_frame_s is None else round(self.first_frame_s, 3),
            "first_frame_since_process_start_s": getattr(self, "first_frame_process_s", None),
            "peak_rss_mb": round(max(self.peak_rss_mb, _peak_rss_mb()), 1),
            "data_source": m.data.source,
            "full_mnist": not m.data.is_sample,
            "window": list(self.window.get_size()),
            "wall_s": round(wall, 3),
        }

    def _first_tick(self) -> float:
        return self.t_start + (self.first_frame_s or 0.0) - (self.frame_ms[0] / 1000
                                                             if self.frame_ms else 0.0)


_UI_EVENTS = {pygame_gui.UI_BUTTON_PRESSED, pygame_gui.UI_DROP_DOWN_MENU_CHANGED,
              pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, pygame_gui.UI_TEXT_ENTRY_FINISHED,
              pygame_gui.UI_TEXT_ENTRY_CHANGED, pygame_gui.UI_BUTTON_START_PRESS,
              pygame_gui.UI_BUTTON_ON_HOVERED, pygame_gui.UI_BUTTON_ON_UNHOVERED,
              pygame_gui.UI_BUTTON_DOUBLE_CLICKED}


_MOUSE_EVENTS = {pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP}


def _bias_scale(bias: float) -> float:
    """Full deflection for the bias knob: a power of two above |bias|, so it rarely jumps."""
    b = abs(bias) if np.isfinite(bias) else 1.0
    return float(max(1.0, 2.0 ** np.ceil(np.log2(max(b, 1e-9) * 1.1))))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _process_age() -> float | None:
    """Seconds since this process started (Linux), to time the first frame honestly."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return round(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 3)
    except (OSError, ValueError, IndexError):
        return None
