"""The view draws state onto off-screen surfaces: layout, hit-testing and probed pixels."""

import math

import numpy as np
import pygame
import pytest
from windows import assert_fits, blank

from simulator import view
from simulator.theme import THEME, font
from simulator.view import charts, knobs, meter
from simulator.view.common import luminance, ui_scale

SIZES = [(1024, 700), (1280, 800), (1920, 1080)]


def rgb(surface, pos) -> tuple[int, int, int]:
    return tuple(surface.get_at((round(pos[0]), round(pos[1]))))[:3]


def dist(a, b) -> float:
    return math.dist(a[:3], b[:3])


def nearest(colour, **candidates) -> str:
    return min(candidates, key=lambda name: dist(colour, candidates[name]))


def weights_with(values: dict[int, float]) -> np.ndarray:
    w = np.zeros(784, dtype=np.float32)
    for i, v in values.items():
        w[i] = v
    return w


# ---- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_layout_fits_the_window_without_overlap(size):
    lay = view.compute_layout(size)
    assert_fits(lay.rects(), size)
    assert lay.board.w == lay.board.h, "the board is square"
    assert 300 <= lay.panel.w <= 340 and lay.panel.right == size[0]


@pytest.mark.parametrize("size", SIZES)
def test_board_is_the_hero_with_whole_pixel_knobs(size):
    lay = view.compute_layout(size)
    x, y, cell = view.board_grid(lay.board)
    assert cell >= 14 and lay.board.w >= 28 * 14
    assert lay.board.contains(pygame.Rect(x, y, 28 * cell, 28 * cell))
    assert all(
        lay.board.w * lay.board.h > r.w * r.h
        for name, r in lay.rects().items()
        if name not in ("board", "panel", "charts")
    )
    rx, ry, rcell = view.retina_grid(lay.retina)
    assert rcell >= 4 and lay.retina.contains(pygame.Rect(rx, ry, 28 * rcell, 28 * rcell))


def test_layout_survives_odd_sizes():
    for size in [(800, 600), (640, 480), (3840, 2160), (1024, 1400)]:
        lay = view.compute_layout(size)
        for r in lay.rects().values():
            assert r.w > 0 and r.h > 0


@pytest.mark.parametrize("size", SIZES)
def test_knob_at_round_trips_corners_and_centre(size):
    board = view.compute_layout(size).board
    for index in (0, 27, 28 * 27, 783, 14 * 28 + 13):
        r = view.knob_rect(board, index)
        for point in (r.center, r.topleft, (r.right - 1, r.bottom - 1)):
            assert view.knob_at(board, point) == index
    x, y, cell = view.board_grid(board)
    for outside in (
        (x - 1, y),
        (x, y - 1),
        (x + 28 * cell, y),
        (x, y + 28 * cell),
        (board.x + 2, board.y + 2),
        (-5, -5),
    ):
        assert view.knob_at(board, outside) is None


@pytest.mark.parametrize("size", SIZES)
def test_retina_cell_at_round_trips_corners_and_centre(size):
    retina = view.compute_layout(size).retina
    x, y, cell = view.retina_grid(retina)
    for row, col in ((0, 0), (0, 27), (27, 0), (27, 27), (14, 13)):
        for dx, dy in ((0, 0), (cell - 1, cell - 1), (cell // 2, cell // 2)):
            assert view.retina_cell_at(retina, (x + col * cell + dx, y + row * cell + dy)) == (
                row,
                col,
            )
    for outside in ((x - 1, y), (x, y - 1), (x + 28 * cell, y + 3), (x, y + 28 * cell)):
        assert view.retina_cell_at(retina, outside) is None


# ---- knobs ---------------------------------------------------------------------------------


def _knob_probe(board, index, angle_deg, frac):
    """A point at `frac` of the knob radius from its centre, at `angle_deg` from straight up."""
    r = view.knob_rect(board, index)
    radius = r.w * knobs.KNOB_RADIUS
    a = math.radians(angle_deg)
    return r.centerx + math.sin(a) * radius * frac, r.centery - math.cos(a) * radius * frac


def _draw_board(size, values, **kw):
    surface = blank(size)
    board = view.compute_layout(size).board
    view.draw_knobs(surface, board, weights_with(values), THEME, scale=1.0, **kw)
    return surface, board


def test_knob_colour_follows_the_sign_of_the_weight():
    pos, neg, zero = 300, 310, 320
    surface, board = _draw_board((1920, 1080), {pos: 1.0, neg: -1.0})
    # Off the pointer: to the left of centre for +/-135 deg pointers and for the upright one.
    colours = {i: rgb(surface, _knob_probe(board, i, -80, 0.5)) for i in (pos, neg, zero)}
    candidates = dict(
        positive=THEME.knob_positive, negative=THEME.knob_negative, zero=THEME.knob_zero
    )
    assert nearest(colours[pos], **candidates) == "positive"
    assert nearest(colours[neg], **candidates) == "negative"
    assert nearest(colours[zero], **candidates) == "zero"
    assert dist(colours[pos], colours[neg]) > 100


def test_small_weights_are_nearly_neutral():
    surface, board = _draw_board((1920, 1080), {5 * 28 + 5: 0.05})
    colour = rgb(surface, _knob_probe(board, 5 * 28 + 5, -80, 0.5))
    assert dist(colour, THEME.knob_zero) < dist(colour, THEME.knob_positive) / 3


@pytest.mark.parametrize("weight", [1.0, -1.0, 0.0, 0.5])
def test_pointer_angle_moves_with_the_weight(weight):
    index = 12 * 28 + 12
    surface, board = _draw_board((1920, 1080), {index: weight})
    angle = knobs.knob_angle(weight)
    on = rgb(surface, _knob_probe(board, index, angle, 0.55))
    off = rgb(surface, _knob_probe(board, index, angle + 180, 0.55))
    face = knobs.knob_colour(weight, THEME)
    ink = knobs.pointer_colour(face, weight, THEME)
    assert dist(on, ink) < dist(on, face), f"pointer not found at {angle} deg"
    assert dist(off, face) < dist(off, ink), "pointer also found opposite"


def test_ghost_and_rings_draw_inside_the_board():
    size = (1280, 800)
    surface, board = _draw_board(
        size, {0: 1.0}, selected=0, hover=783, ghost=np.full(784, -0.6, dtype=np.float32)
    )
    plain, _ = _draw_board(size, {0: 1.0})
    a = pygame.surfarray.array3d(surface).astype(int)
    b = pygame.surfarray.array3d(plain).astype(int)
    changed = np.argwhere(np.abs(a - b).sum(axis=2) > 0)
    assert len(changed) > 0
    xs, ys = changed[:, 0], changed[:, 1]
    assert board.x <= xs.min() and xs.max() < board.right
    assert board.y <= ys.min() and ys.max() < board.bottom


def test_knob_levels_quantise_and_clip():
    levels = knobs.knob_levels([0.0, 1.0, -1.0, 5.0, np.nan, 0.5], 1.0)
    L = knobs.LEVELS
    assert levels.tolist() == [L, 2 * L, 0, 2 * L, L, L + L // 2]
    assert knobs.knob_levels([1.0], 0.0).tolist() == [2 * L]  # a zero scale does not crash


def test_draw_knobs_rejects_wrong_shapes():
    surface = blank()
    board = view.compute_layout((1280, 800)).board
    with pytest.raises(ValueError, match="784"):
        view.draw_knobs(surface, board, np.zeros(100), THEME, scale=1.0)
    with pytest.raises(ValueError, match="784"):
        view.draw_knobs(surface, board, np.zeros(784), THEME, scale=1.0, ghost=np.zeros(5))


# ---- retina, bulb, meter -------------------------------------------------------------------


def test_retina_cells_glow_with_their_pixels():
    size = (1280, 800)
    surface = blank(size)
    retina = view.compute_layout(size).retina
    image = np.zeros((28, 28), dtype=np.float32)
    image[3, 4], image[10, 20] = 1.0, 0.5
    view.draw_retina(surface, retina, image, THEME)
    x, y, cell = view.retina_grid(retina)

    def light(row, col):
        return luminance(rgb(surface, (x + col * cell + cell / 2, y + row * cell + cell / 2)))

    assert light(3, 4) > light(10, 20) > light(20, 5) + 0.1
    assert light(20, 5) < 0.15
    with pytest.raises(ValueError):
        view.draw_retina(surface, retina, np.zeros((5, 5)), THEME)


def _bulb_light(output, size=(1280, 800)):
    surface = blank(size)
    rect = view.compute_layout(size).bulb
    view.draw_bulb(surface, rect, output, THEME, lit=output > 0.5)
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).astype(float)
    centre = pixels[rect.w // 3 : 2 * rect.w // 3, rect.h // 4 : rect.h // 2]
    return float(centre.mean()), float(pixels.mean())


def test_bulb_glows_with_the_output():
    dark_centre, dark_all = _bulb_light(0.0)
    lit_centre, lit_all = _bulb_light(1.0)
    assert lit_centre > dark_centre + 40
    assert lit_all > dark_all
    # beyond 0..1 the glow clips; below the threshold there is no halo
    assert _bulb_light(250.0)[0] == pytest.approx(lit_centre)
    assert _bulb_light(-80.0)[0] == pytest.approx(dark_centre)
    # lit is the machine's answer (output above 0.5), drawn as given: the halo comes with it
    assert _bulb_light(0.51)[1] > _bulb_light(0.5)[1] + 2
    _bulb_light(float("nan"))


def _meter(value, pinned=False, size=(1280, 800)):
    surface = blank(size)
    rect = view.compute_layout(size).meter
    face = view.draw_meter(surface, rect, value, THEME, pinned=pinned)
    return surface, rect, face


def _needle_probe(face, value, size=(1280, 800)):
    pivot, radius = meter.meter_geometry(face, ui_scale(size), THEME)
    a = math.radians(meter.needle_angle(value, -10.0, 10.0))
    return pivot[0] + math.sin(a) * radius * 0.6, pivot[1] - math.cos(a) * radius * 0.6


def test_meter_needle_reads_the_weighted_sum():
    for value, other in ((-5.0, 5.0), (5.0, -5.0)):
        surface, _, face = _meter(value)
        here = rgb(surface, _needle_probe(face, value))
        there = rgb(surface, _needle_probe(face, other))
        assert dist(here, THEME.meter_needle) < dist(here, THEME.meter_face)
        assert dist(there, THEME.meter_face) < dist(there, THEME.meter_needle)


def _count(surface, rect, colour, tol=30) -> int:
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).astype(int)
    return int((np.abs(pixels - np.array(colour)).sum(axis=2) < tol).sum())


def test_meter_pins_with_a_red_mark():
    calm, rect, _ = _meter(3.0)
    assert _count(calm, rect, THEME.meter_pinned) == 0
    for surface, _, _ in (_meter(3.0, pinned=True), _meter(250.0), _meter(-250.0)):
        assert _count(surface, rect, THEME.meter_pinned) > 100
    surface, _, face = _meter(250.0)
    tip = _needle_probe(face, 1e9)
    assert dist(rgb(surface, tip), THEME.meter_pinned) < 60  # needle rests on the right stop


# ---- verdict, charts -----------------------------------------------------------------------


@pytest.mark.parametrize("verdict", ["hit", "miss", "false alarm", "correct rejection", None])
@pytest.mark.parametrize("size", SIZES)
def test_verdict_draws_its_word_in_its_colour(verdict, size):
    surface = blank(size)
    rect = view.compute_layout(size).verdict
    view.draw_verdict(
        surface,
        rect,
        THEME,
        label=None if verdict is None else 3,
        target_digit=5,
        predicted_yes=verdict in ("hit", "false alarm"),
        verdict=verdict,
    )
    if verdict is not None:
        colour = getattr(THEME, verdict.replace(" ", "_"))
        assert _count(surface, rect, colour, tol=12) > 40


def _history(n, nan_every=0):
    rows = []
    for e in range(1, n + 1):
        row = {
            "train_loss": 0.2 / e,
            "train_acc": 0.9 + 0.08 * (1 - 1 / e),
            "test_loss": 0.22 / e,
            "test_acc": 0.89 + 0.08 * (1 - 1 / e),
        }
        if nan_every and e % nan_every == 0:
            row["test_acc"] = float("nan")
            del row["train_loss"]
        rows.append(row)
    return rows


@pytest.mark.parametrize("n", [0, 1, 2, 50, 150])
@pytest.mark.parametrize("size", SIZES)
def test_charts_draw_any_number_of_epochs(n, size):
    surface = blank(size)
    rect = view.compute_layout(size).charts
    view.draw_charts(
        surface,
        rect,
        _history(n, nan_every=3),
        THEME,
        baseline=0.9108,
        epoch_progress=0.4,
        epoch=n + 1,
    )
    view.draw_charts(surface, rect, _history(n), THEME, baseline=None, epoch_progress=None)


def test_charts_cope_with_bad_numbers():
    surface = blank()
    rect = view.compute_layout((1280, 800)).charts
    history = [
        {"train_loss": float("inf")},
        {},
        {"test_acc": None, "train_acc": "x"},
        {"train_loss": 1e6, "test_loss": 1e-4, "train_acc": 0.5, "test_acc": 1.0},
    ]
    view.draw_charts(
        surface, rect, history, THEME, baseline=float("nan"), epoch_progress=float("nan")
    )


@pytest.mark.parametrize("size", SIZES)
def test_baseline_line_sits_at_the_base_rate(size):
    surface = blank(size)
    rect = view.compute_layout(size).charts
    history = _history(10)
    view.draw_charts(surface, rect, history, THEME, baseline=0.9108, target_digit=5)
    acc = charts.chart_geometry(rect, history, baseline=0.9108, s=ui_scale(size))["accuracy"]
    y = round(acc.py(0.9108))

    def dashes(row):
        strip = pygame.Rect(acc.rect.x, row, acc.rect.w // 2, 1)
        return _count(surface, strip, THEME.chart_baseline, tol=20)

    assert dashes(y) > acc.rect.w // 8
    assert dashes(y - 8) == 0 and dashes(y + 8) == 0


def test_loss_axis_turns_logarithmic_for_raw_inputs():
    data = charts.history_array([{"train_loss": 5e4}, {"train_loss": 3.0}])
    lo, hi, log = charts.loss_range(data)
    assert log and lo <= 3.0 and hi >= 5e4


# ---- overlays and chrome -------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_tooltip_stays_on_screen(size):
    surface = blank(size)
    lines = ["Knob row 27, column 27", "weight +0.1234", "pixel 0.50 × weight = +0.0617"]
    for pos in (
        (size[0] - 1, size[1] - 1),
        (0, 0),
        (size[0] - 1, 0),
        (0, size[1] - 1),
        (size[0] // 2, size[1] // 2),
    ):
        box = view.draw_tooltip(surface, pos, lines, THEME)
        assert surface.get_rect().contains(box), (pos, box)
        assert not box.collidepoint(pos), "the box should not cover the pointer"


@pytest.mark.parametrize("size", SIZES)
def test_every_drawer_stays_inside_its_rect(size):
    lay = view.compute_layout(size)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(784).astype(np.float32)
    calls = {
        "retina": lambda s, r: view.draw_retina(s, r, rng.random((28, 28)), THEME, hover=(0, 0)),
        "board": lambda s, r: view.draw_knobs(
            s, r, w, THEME, scale=1.0, selected=0, hover=783, ghost=-w, contribution=w
        ),
        "bias": lambda s, r: view.draw_bias_knob(s, r, -2.5, THEME, scale=5.0),
        "bulb": lambda s, r: view.draw_bulb(s, r, 1.0, THEME, lit=True),
        "meter": lambda s, r: view.draw_meter(s, r, 99.0, THEME),
        "verdict": lambda s, r: view.draw_verdict(
            s, r, THEME, label=3, target_digit=5, predicted_yes=True, verdict="false alarm"
        ),
        "charts": lambda s, r: view.draw_charts(
            s, r, _history(20), THEME, baseline=0.91, epoch_progress=0.5, epoch=21
        ),
        "panel": lambda s, r: view.draw_panel_background(s, r, THEME),
        "status": lambda s, r: view.draw_status(s, r, THEME, text="x" * 400, right_text="y" * 40),
    }
    for name, call in calls.items():
        rect = getattr(lay, name)
        surface = pygame.Surface(size)
        surface.fill((255, 0, 255))
        call(surface, rect)
        outside = pygame.surfarray.array3d(surface).astype(int)
        outside[rect.x : rect.right, rect.y : rect.bottom] = (255, 0, 255)
        assert (outside == (255, 0, 255)).all(), f"{name} drew outside {rect}"


def test_help_and_notice_draw():
    size = (1024, 700)
    surface = blank(size)
    shortcuts = [(f"Ctrl+{c}", f"an action called {c}") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    view.draw_help(surface, surface.get_rect(), shortcuts, THEME)
    view.draw_help(surface, surface.get_rect(), [], THEME)
    box = pygame.Rect(100, 100, 400, 70)
    view.draw_notice(
        surface, box, THEME, text="Loading full MNIST… working on the bundled sample", progress=0.3
    )
    assert _count(surface, box, THEME.accent, tol=20) > 50
    view.draw_notice(surface, pygame.Rect(0, 0, 60, 20), THEME, text="tiny " * 30, progress=None)


def test_font_is_cached_and_legible():
    assert font(14) is font(14)
    assert font(14, bold=True) is not font(14)
    for size in SIZES:
        assert round(THEME.font_small * ui_scale(size)) >= 13
