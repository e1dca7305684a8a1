"""Render one mock frame of the machine's face to a PNG, or time the view's frame rendering.

    python tools/preview_view.py --size 1280x800 --out frame.png
    python tools/preview_view.py --size 1920x1080 --mnist ../shared/mnist --out big.png
    python tools/preview_view.py --size 1920x1080 --bench 300

Runs headless (SDL dummy driver, off-screen surface). The fake state is plausible: with
--mnist the knobs are a ridge-regression '5' detector fitted on real digits, otherwise a
synthetic 5/anti-5 picture. The control panel gets grey placeholder boxes where the app's
pygame_gui widgets would go.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from simulator import view  # noqa: E402
from simulator.theme import THEME  # noqa: E402

TARGET = 5
BASELINE = 0.9108

SHORTCUTS = [
    ("Space", "play / pause"),
    ("S", "one step"),
    ("E", "one epoch"),
    ("Left / Right", "previous / next picture"),
    ("Drag", "turn a knob (Shift: fine)"),
    ("Wheel", "turn the knob under the mouse"),
    ("Up / Down", "turn the selected knob"),
    ("0", "zero the selected knob"),
    ("B", "brush"),
    ("Ctrl+Z", "undo"),
    ("Ctrl+Y", "redo"),
    ("G", "ghost needles"),
    ("C", "clear the retina"),
    ("H", "this help"),
]


@dataclass
class MockState:
    weights: np.ndarray  # (784,) float32
    bias: float
    image: np.ndarray  # (28, 28) float32 in [0, 1]
    label: int | None
    history: list[dict] = field(default_factory=list)
    hover: int | None = None
    selected: int | None = None
    ghost: np.ndarray | None = None
    help: bool = False
    notice: str | None = None
    notice_progress: float | None = None
    epoch_progress: float | None = 0.37
    raw: bool = False  # the tutorial's first model: pixels 0..255, no activation
    status: str = "Gradient descent · Adam · lr 0.001 · batch 32 · sigmoid + MSE"

    @property
    def scale(self) -> float:
        return float(np.percentile(np.abs(self.weights), 99)) or 1.0

    @property
    def weighted_sum(self) -> float:
        light = self.image.reshape(-1) * (255.0 if self.raw else 1.0)
        return float(light @ self.weights + self.bias)

    @property
    def output(self) -> float:
        z = self.weighted_sum
        return z if self.raw else 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


# ---- fake data -------------------------------------------------------------------------------


def read_idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_state(folder: Path, n: int = 12000) -> MockState:
    images = read_idx(folder / "train-images-idx3-ubyte.gz")[:n].reshape(n, 784) / 255.0
    labels = read_idx(folder / "train-labels-idx1-ubyte.gz")[:n]
    x = images.astype(np.float32)  # (n, 784) float32 in [0, 1]
    is5 = labels == TARGET
    # A blurry 5 / anti-5, as a slowly trained linear unit looks: mean 5 minus mean of the rest
    w = x[is5].mean(axis=0) - x[~is5].mean(axis=0)
    test = read_idx(folder / "t10k-images-idx3-ubyte.gz")[:50] / 255.0
    test_labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz")[:50]
    pick = int(np.flatnonzero(test_labels == TARGET)[0])
    w = (w * 2.0).astype(np.float32)
    bias = 2.2 - float(test[pick].reshape(-1) @ w)  # the bulb at 0.9 on this 5
    return MockState(w, bias, test[pick].astype(np.float32), int(test_labels[pick]))


def _stroke_image(points, width: float) -> np.ndarray:
    """A 28x28 light image of a pen stroke, drawn big and smoothed down."""
    k = 8
    surf = pygame.Surface((28 * k, 28 * k))
    pts = [(x * k, y * k) for x, y in points]
    pygame.draw.lines(surf, (255, 255, 255), False, pts, round(width * k))
    for p in pts:
        pygame.draw.circle(surf, (255, 255, 255), p, width * k / 2)
    small = pygame.transform.smoothscale(surf, (28, 28))
    return pygame.surfarray.array3d(small)[:, :, 0].T.astype(np.float32) / 255.0


FIVE = [(19, 6), (10, 6), (9, 13), (14, 12), (18, 14), (19, 18), (17, 22), (12, 23), (8, 21)]


def synthetic_state() -> MockState:
    five = _stroke_image(FIVE, 3.4)
    others = _stroke_image(
        [(14 + 5.5 * math.sin(a), 14 - 8 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 40)],
        3.0,
    )  # a blurry 0
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:28, 0:28]
    centre = np.exp(-((yy - 14) ** 2 + (xx - 14) ** 2) / 90.0)  # MNIST's border is never lit
    w = five - 0.55 * others + 0.06 * centre * rng.standard_normal((28, 28))
    w = (w * 0.9).astype(np.float32).reshape(-1)
    image = _stroke_image([(x + 0.5, y) for x, y in FIVE], 2.2)
    w *= 8.0 / float(image.reshape(-1) @ w)  # weighted sum 8 on this 5
    bias = -5.8
    return MockState(w, bias, image, TARGET)


def raw_history(n: int) -> list[dict]:
    """The tutorial's first run: huge MSE, accuracy stuck at the base rate."""
    return [
        {
            "train_loss": 4.1e4 / e**1.5,
            "test_loss": 3.9e4 / e**1.5,
            "train_acc": 0.9097,
            "test_acc": BASELINE,
        }
        for e in range(1, n + 1)
    ]


def hand_drawn_image() -> np.ndarray:
    return _stroke_image([(9, 7), (18, 7), (12, 15), (18, 17), (16, 23), (9, 22)], 2.4)


def apply_scenario(st: MockState, name: str, epochs: int) -> MockState:
    """trained: a good '5' detector; untrained: random knobs, no epoch yet; raw: pixels 0..255
    without an activation (the meter pins); drawn: a hand-drawn digit, no true label."""
    rng = np.random.default_rng(3)
    st.history = fake_history(epochs)
    if name == "untrained":
        st.weights = (0.05 * rng.standard_normal(784)).astype(np.float32)
        st.bias, st.history, st.epoch_progress = 0.0, [], 0.08
    elif name == "raw":
        st.raw, st.history = True, raw_history(max(epochs, 3))
        st.status = "Gradient descent · Adam · lr 0.001 · no activation · raw pixels 0..255"
    elif name == "drawn":
        st.image, st.label = hand_drawn_image(), None
        st.status = "By hand · drawing on the retina"
    elif name == "miss":
        st.bias -= 4.0
    elif name == "false-alarm":
        st.label = 3
    return st


def fake_history(n: int) -> list[dict]:
    out = []
    for e in range(1, n + 1):
        out.append(
            {
                "train_loss": 0.06 + 0.09 * math.exp(-e / 2.5),
                "test_loss": 0.065 + 0.085 * math.exp(-e / 2.8),
                "train_acc": 0.981 - 0.07 * math.exp(-e / 1.6),
                "test_acc": 0.979 - 0.075 * math.exp(-e / 1.8),
            }
        )
    return out


# ---- one frame ---------------------------------------------------------------------------


def draw_panel_placeholders(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """Stand-ins for the app's pygame_gui widgets (only in this preview)."""
    s = view.layout.ui_scale(surface.get_size())
    y = rect.y + round(28 * s)
    h, gap = round(30 * s), round(10 * s)
    labels = [
        "Mode: gradient descent",
        "Play     Step     Epoch",
        "Speed",
        "Activation: sigmoid",
        "Loss: MSE",
        "Optimizer: Adam",
        "Learning rate 0.001",
        "Batch size 32",
        "Inputs: scaled 0..1",
        "Target digit 5",
        "Seed 0",
        "<  picture 17 / 10000  >",
    ]
    for text in labels:
        if y + h > rect.bottom - round(20 * s):
            break
        box = pygame.Rect(rect.x + round(16 * s), y, rect.w - round(32 * s), h)
        pygame.draw.rect(surface, (58, 54, 49), box, border_radius=4)
        view.common.draw_text(
            surface,
            text,
            view.common.font_px(14, s, THEME),
            (200, 194, 182),
            (box.x + 8, box.centery),
            anchor="midleft",
        )
        y += h + gap


def render_frame(
    surface: pygame.Surface, lay: view.Layout, st: MockState, *, placeholders: bool = True
) -> None:
    theme = THEME
    view.draw_background(surface, theme, lay)
    view.draw_retina(
        surface,
        lay.retina,
        st.image,
        theme,
        hover=None if st.hover is None else divmod(st.hover, 28),
    )
    scale = st.scale
    view.draw_knobs(
        surface,
        lay.board,
        st.weights,
        theme,
        scale=scale,
        selected=st.selected,
        hover=st.hover,
        ghost=st.ghost,
    )
    view.draw_bias_knob(surface, lay.bias, st.bias, theme, scale=max(10.0, abs(st.bias)))
    out = st.output
    view.draw_bulb(surface, lay.bulb, out, theme)
    view.draw_meter(surface, lay.meter, st.weighted_sum, theme, pinned=not 0 <= out <= 1)
    yes = out >= 0.5
    verdict = (
        None
        if st.label is None
        else (
            ("hit" if yes else "miss")
            if st.label == TARGET
            else ("false alarm" if yes else "correct rejection")
        )
    )
    view.draw_verdict(
        surface,
        lay.verdict,
        theme,
        label=st.label,
        target_digit=TARGET,
        predicted_yes=yes,
        verdict=verdict,
    )
    view.draw_charts(
        surface,
        lay.charts,
        st.history,
        theme,
        baseline=BASELINE,
        epoch_progress=st.epoch_progress,
        epoch=len(st.history) + 1,
        target_digit=TARGET,
    )
    view.draw_panel_background(surface, lay.panel, theme)
    if placeholders:
        draw_panel_placeholders(surface, lay.panel)
    view.draw_status(
        surface,
        lay.status,
        theme,
        text=st.status,
        right_text="picture 17 / 10000 · 2,400 pictures/s",
    )
    if st.hover is not None:
        r, c = divmod(st.hover, 28)
        px = float(st.image.reshape(-1)[st.hover])
        wt = float(st.weights[st.hover])
        view.draw_tooltip(
            surface,
            view.knob_rect(lay.board, st.hover).center,
            [
                f"Knob row {r}, column {c}",
                f"weight {wt:+.4f}",
                f"pixel {px:.2f} × weight = {px * wt:+.4f}",
            ],
            theme,
        )
    if st.notice:
        w = min(lay.board.w, round(520 * lay.scale))
        box = pygame.Rect(0, 0, w, round(80 * lay.scale))
        box.midtop = (lay.board.centerx, lay.board.y + round(60 * lay.scale))
        view.draw_notice(surface, box, theme, text=st.notice, progress=st.notice_progress)
    if st.help:
        view.draw_help(surface, surface.get_rect(), SHORTCUTS, theme, hint="press H to close")


# ---- command line ----------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def bench(surface: pygame.Surface, lay: view.Layout, st: MockState, frames: int) -> None:
    rng = np.random.default_rng(1)
    base = st.weights.copy()
    times = []
    for i in range(frames + 20):
        st.weights = base + 0.02 * st.scale * rng.standard_normal(784).astype(np.float32)
        st.image = np.roll(st.image, 1, axis=1)  # a new picture every frame
        st.hover = int(rng.integers(784))
        st.history = fake_history(10 + i // 30)
        st.epoch_progress = (i % 100) / 100
        t0 = time.perf_counter()
        render_frame(surface, lay, st, placeholders=False)
        if i >= 20:  # the first frames build the sprite caches
            times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    print(
        f"{surface.get_width()}x{surface.get_height()}: {frames} frames, "
        f"p50 {np.percentile(ms, 50):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
        f"max {ms.max():.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1280x800", type=parse_size)
    ap.add_argument("--out", default="perceptron_view.png")
    ap.add_argument("--mnist", type=Path, default=None, help="folder with the MNIST IDX files")
    ap.add_argument("--epochs", type=int, default=8, help="finished epochs in the charts")
    ap.add_argument("--ghost", action="store_true", help="show ghost needles")
    ap.add_argument("--help-overlay", action="store_true", help="show the help sheet")
    ap.add_argument("--notice", default=None, help="show a notice banner with this text")
    ap.add_argument(
        "--scenario",
        default="trained",
        choices=["trained", "untrained", "raw", "drawn", "miss", "false-alarm"],
    )
    ap.add_argument("--bench", type=int, default=0, help="time this many frames instead")
    ap.add_argument(
        "--window",
        action="store_true",
        help="draw into a real window (needs a display, e.g. xvfb-run)",
    )
    args = ap.parse_args(argv)

    if args.window:
        os.environ["SDL_VIDEODRIVER"] = os.environ.get("PREVIEW_VIDEODRIVER", "x11")
    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode(args.size) if args.window else pygame.Surface(args.size)
    st = mnist_state(args.mnist) if args.mnist else synthetic_state()
    apply_scenario(st, args.scenario, args.epochs)
    st.hover, st.selected = 14 * 28 + 9, 8 * 28 + 17
    if args.ghost:
        rng = np.random.default_rng(2)
        st.ghost = (0.35 * st.scale * np.sign(rng.standard_normal(784))).astype(np.float32)
    st.help, st.notice = args.help_overlay, args.notice
    st.notice_progress = 0.42 if args.notice else None
    lay = view.compute_layout(args.size)
    if args.bench:
        bench(surface, lay, st, args.bench)
        return 0
    render_frame(surface, lay, st)
    pygame.image.save(surface, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
