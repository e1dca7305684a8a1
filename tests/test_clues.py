"""The tutorial's clues: ten pictures' raw outputs and the histogram of weighted sums, checked
against plain loops on the bundled sample; their drawers and the charts' overlaid runs and
hit-testing, checked on off-screen surfaces by probed pixels."""

import math

import numpy as np
import pygame
import pytest

from simulator import clues, engine
from simulator.config import Config
from simulator.theme import THEME
from simulator.view import charts, compute_layout
from simulator.view.charts import LIVE_RUN, ChartPoint, ChartRun
from simulator.view.common import ui_scale
from simulator.view.histogram import draw_histogram, flat_spans, histogram_geometry
from simulator.view.predictions import compact_number, draw_predictions, predictions_geometry

SIZES = [(1024, 700), (1280, 800)]
STRIP = {(1024, 700): pygame.Rect(7, 500, 700, 100), (1280, 800): pygame.Rect(8, 600, 940, 110)}


def knobs(config: Config, seed: int = 0, spread: float = 1.0) -> np.ndarray:
    return engine.init_knobs(config, np.random.default_rng(seed)) * np.float32(spread)


def naive_sum(params: np.ndarray, picture: np.ndarray, scale: float, column: int) -> float:
    """The weighted sum of one picture, one knob at a time."""
    total = float(params[784, column])
    for i, p in enumerate(picture.reshape(784)):
        total += float(np.float32(p) * np.float32(scale)) * float(params[i, column])
    return total


def picture_sum(params: np.ndarray, picture: np.ndarray, scale: float, column: int) -> float:
    """The weighted sum of one picture in float64 (for the 1,000 pictures of a histogram)."""
    x = picture.reshape(784).astype(np.float32) * np.float32(scale)
    return float(np.dot(x.astype(np.float64), params[:784, column].astype(np.float64))
                 + params[784, column])


def naive_output(z: float, config: Config) -> float:
    if config.threshold_unit:
        return 1.0 if z > 0 else 0.0
    if config.activation == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    return z


CONFIGS = {
    "none raw": Config(activation="none", inputs="raw"),
    "sigmoid unit": Config(),
    "sigmoid raw": Config(inputs="raw"),
    "threshold unit": Config(rule="rosenblatt"),
    "ten bulbs softmax": Config(bulbs=10, activation="softmax", digit=3),
}


# ---- ten pictures --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONFIGS))
def test_predictions_match_a_loop_over_the_knobs(sample, name):
    config = CONFIGS[name]
    params = knobs(config, seed=3, spread=4.0)
    indices = [0, 7, 13, 101, 250, 499, 500, 640, 811, 999]
    items = clues.predictions(params, sample.test_images, sample.test_labels, config, indices)
    assert [it.index for it in items] == indices
    column = 0 if config.bulbs == 1 else config.digit
    for it in items:
        picture = sample.test_images[it.index]
        z = naive_sum(params, picture, config.scale, column)
        assert it.z == pytest.approx(z, rel=1e-4, abs=1e-3 * max(1.0, config.scale * 255))
        assert it.label == sample.test_labels[it.index]
        assert np.array_equal(it.picture, picture)
        assert it.is_target == (it.label == (config.digit if config.bulbs == 1 else column))
        if config.bulbs == 1:
            assert it.output == pytest.approx(naive_output(it.z, config), rel=1e-5, abs=1e-6)
            assert it.lit == (naive_output(it.z, config) > 0.5)
        else:
            zs = [naive_sum(params, picture, config.scale, k) for k in range(10)]
            assert it.lit == (int(np.argmax(zs)) == column)
            assert 0.0 <= it.output <= 1.0


def test_predictions_read_prepared_rows_as_well_as_pictures(sample):
    config = Config(activation="none", inputs="raw")
    params = knobs(config)
    X = engine.prepare_inputs(sample.test_images, config.scale)
    a = clues.predictions(params, sample.test_images, sample.test_labels, config)
    b = clues.predictions(params, X, sample.test_labels, config)
    assert len(a) == len(b) == 10 and [it.index for it in a] == list(range(10))
    for x, y in zip(a, b, strict=True):
        assert (x.z, x.output, x.lit, x.label) == (y.z, y.output, y.lit, y.label)
        assert np.array_equal(x.picture, y.picture)
    unit = Config()
    b = clues.predictions(knobs(unit), engine.prepare_inputs(sample.test_images, unit.scale),
                          sample.test_labels, unit)
    assert all(np.array_equal(it.picture, sample.test_images[it.index]) for it in b)


def test_raw_outputs_leave_zero_to_one_without_an_activation(sample):
    """The tutorial's clue: with no activation and raw pixels the outputs are not
    probabilities."""
    config = Config(activation="none", inputs="raw")
    items = clues.predictions(knobs(config), sample.test_images, sample.test_labels, config)
    assert sum(it.out_of_range for it in items) >= 8
    sig = Config(inputs="raw")
    items = clues.predictions(knobs(sig), sample.test_images, sample.test_labels, sig)
    assert not any(it.out_of_range for it in items)


def test_compact_numbers():
    assert [compact_number(v) for v in (0.973, -2.87, 415, -1760, 0.000118, 0, 1.0)] == [
        "0.973", "−2.87", "415", "−1.76e3", "1.18e−4", "0", "1"]


# ---- the histogram -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONFIGS))
def test_histogram_counts_every_picture_once_split_by_label(sample, name):
    config = CONFIGS[name]
    params = knobs(config, seed=1, spread=3.0)
    h = clues.sum_histogram(params, sample.test_images, sample.test_labels, config, bins=40)
    n = len(sample.test_labels)
    digit = config.digit
    assert h.n == n and h.bins == 40 and len(h.edges) == 41
    assert h.target.sum() + h.other.sum() == n
    assert h.n_target == int(np.sum(sample.test_labels == digit)) and h.digit == digit
    assert np.all(np.diff(h.edges) > 0)
    # against a loop: each picture's sum, placed in its bin (the ends take what lies beyond)
    column = 0 if config.bulbs == 1 else digit
    target, other = np.zeros(40, int), np.zeros(40, int)
    for picture, label in zip(sample.test_images, sample.test_labels, strict=True):
        z = picture_sum(params, picture, config.scale, column)
        b = min(39, max(0, int(np.searchsorted(h.edges, z, side="right")) - 1))
        (target if label == digit else other)[b] += 1
    assert np.abs(target - h.target).sum() <= 2 and np.abs(other - h.other).sum() <= 2


def test_histogram_range_is_robust_and_holds_the_threshold(sample):
    config = Config(activation="none", inputs="raw")
    params = knobs(config, seed=2)
    params[784, 0] = 1e4  # every sum far above the threshold of 0.5
    h = clues.sum_histogram(params, sample.test_images, sample.test_labels, config)
    assert h.threshold == 0.5 and h.edges[0] <= 0.5 <= h.edges[-1]
    assert h.z_min >= h.edges[0] or h.below > 0
    assert h.below + h.above <= 0.02 * h.n  # 0.5% each side of each group, at most


def test_threshold_is_where_the_bulb_lights(sample):
    assert clues.threshold_of(Config(activation="none")) == 0.5
    assert clues.threshold_of(Config(activation="sigmoid")) == 0.0
    assert clues.threshold_of(Config(rule="rosenblatt")) == 0.0
    assert clues.threshold_of(Config(bulbs=10, activation="softmax")) is None
    for config in (CONFIGS["none raw"], CONFIGS["sigmoid unit"], CONFIGS["threshold unit"]):
        t = clues.threshold_of(config)
        for it in clues.predictions(knobs(config, spread=5.0), sample.test_images,
                                    sample.test_labels, config, range(40)):
            assert it.lit == (it.z > t), (config, it.z)


def test_flat_ranges_belong_to_the_sigmoid(sample):
    slope = lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2  # noqa: E731
    assert slope(clues.FLAT_Z) == pytest.approx(0.01 * 0.25)
    one = np.array([[clues.SATURATED_HI + 0.01], [clues.SATURATED_HI - 0.05]], np.float32)
    assert engine.activate(one, "sigmoid")[:, 0].tolist()[0] == 1.0
    assert engine.activate(one, "sigmoid")[1, 0] < 1.0
    zero = np.array([[clues.SATURATED_LO - 0.01], [clues.SATURATED_LO + 0.05]], np.float32)
    assert engine.activate(zero, "sigmoid")[0, 0] == 0.0 < engine.activate(zero, "sigmoid")[1, 0]

    raw, unit = Config(inputs="raw"), Config()
    h_raw = clues.sum_histogram(knobs(raw), sample.test_images, sample.test_labels, raw)
    h_unit = clues.sum_histogram(knobs(unit), sample.test_images, sample.test_labels, unit)
    # the freeze's picture: raw pixels put nearly every sum where the sigmoid is flat
    assert h_raw.flat_fraction > 0.9 and h_unit.flat_fraction < 0.05
    X = engine.prepare_inputs(sample.test_images, raw.scale)
    z = (X @ knobs(raw))[:, 0]
    assert h_raw.flat_fraction == pytest.approx(np.mean(np.abs(z) > clues.FLAT_Z))
    assert h_raw.flat == ((-math.inf, -clues.FLAT_Z), (clues.FLAT_Z, math.inf))
    assert 0.0 <= h_raw.stuck_fraction <= min(h_raw.flat_fraction, h_raw.wrong_fraction)
    for config in (CONFIGS["none raw"], CONFIGS["threshold unit"], CONFIGS["ten bulbs softmax"]):
        h = clues.sum_histogram(knobs(config), sample.test_images, sample.test_labels, config)
        assert h.flat is None and h.flat_fraction is None and h.saturated is None


# ---- drawers: helpers ----------------------------------------------------------------------

SENTINEL = (255, 0, 255)


def canvas(size) -> pygame.Surface:
    surface = pygame.Surface(size)
    surface.fill(SENTINEL)
    return surface


def outside_untouched(surface: pygame.Surface, rect: pygame.Rect) -> bool:
    a = pygame.surfarray.array3d(surface)
    mask = np.ones(a.shape[:2], bool)
    mask[rect.x : rect.right, rect.y : rect.bottom] = False
    return bool(np.all(a[mask] == SENTINEL))


def count_near(surface, area: pygame.Rect, colour, tol: float = 30) -> int:
    area = pygame.Rect(area).clip(surface.get_rect())
    a = pygame.surfarray.array3d(surface)[area.x : area.right, area.y : area.bottom].astype(int)
    return int(np.sum(np.sqrt(((a - np.asarray(colour)) ** 2).sum(axis=2)) <= tol))


def rgb(surface, pos):
    return tuple(surface.get_at((round(pos[0]), round(pos[1]))))[:3]


def nearest(colour, **candidates) -> str:
    return min(candidates, key=lambda k: math.dist(colour, candidates[k]))


def fake_items(outputs, lit=None, sample=None):
    pics = (
        sample.test_images[: len(outputs)]
        if sample is not None
        else np.zeros((len(outputs), 28, 28), np.uint8)
    )
    lit = lit or [o > 0.5 for o in outputs]
    return [
        clues.PicturePrediction(index=i, picture=pics[i], label=i % 10, z=o * 7.0, output=o,
                                lit=lit[i], is_target=i % 10 == 5, digit=5)
        for i, o in enumerate(outputs)
    ]


# ---- the predictions strip -----------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_out_of_range_outputs_are_drawn_in_the_warning_colour(size, sample):
    rect = STRIP[size]
    outputs = [-1760.0, 0.4, 3.1, 0.97, 0.02, -0.5, 0.6, 1.0, 0.0, 42.0]
    items = fake_items(outputs, sample=sample)
    surface = canvas(size)
    draw_predictions(surface, rect, items, THEME)
    assert outside_untouched(surface, rect)
    g = predictions_geometry(rect, len(items), ui_scale(size), THEME)
    for it, (thumb, _, out_c, _) in zip(items, g["cells"], strict=True):
        cell = pygame.Rect(0, 0, g["cell_w"] - 4, g["row_h"])
        cell.center = out_c
        warned = count_near(surface, cell, THEME.out_of_range, tol=12)
        tinted = count_near(surface, cell, THEME.out_of_range_bg, tol=6)
        if it.out_of_range:
            assert warned > 8 and tinted > 20, (it.output, warned, tinted)
        else:
            assert warned == 0 and tinted == 0, (it.output, warned, tinted)
        # the thumbnail shows the picture: its brightest pixel lights the retina colour
        assert count_near(surface, thumb, THEME.retina_on, tol=150) > 5
        frame = count_near(surface, thumb.inflate(6, 6), THEME.lit_mark, tol=10)
        assert (frame > 4 * thumb.w) == it.lit, (it.output, frame)


@pytest.mark.parametrize("size", SIZES)
def test_the_strip_copes_with_few_and_odd_items(size):
    rect = STRIP[size]
    for items in ([], fake_items([float("nan"), float("inf")]), fake_items([0.5] * 12)):
        surface = canvas(size)
        draw_predictions(surface, rect, items, THEME)
        assert outside_untouched(surface, rect)


# ---- the histogram -------------------------------------------------------------------------


def synthetic_histogram(flat=True, threshold=0.0) -> clues.Histogram:
    edges = np.linspace(-20.0, 20.0, 41)
    target = np.zeros(40, np.int64)
    other = np.zeros(40, np.int64)
    other[10:13] = [300, 500, 200]  # z -10..-7
    target[28:30] = [60, 40]  # z 8..10
    return clues.Histogram(
        edges=edges, target=target, other=other, threshold=threshold,
        flat=((-math.inf, -clues.FLAT_Z), (clues.FLAT_Z, math.inf)) if flat else None,
        saturated=None, flat_fraction=1.0 if flat else None, stuck_fraction=0.0 if flat else None,
        below=0, above=0, z_min=-20.0, z_max=20.0, digit=5,
        activation="sigmoid" if flat else "none", n=1100, wrong_fraction=0.0,
    )


@pytest.mark.parametrize("size", SIZES)
def test_histogram_shades_the_flat_range_and_marks_the_threshold(size):
    rect = compute_layout(size).charts
    h = synthetic_histogram()
    surface = canvas(size)
    draw_histogram(surface, rect, h, THEME)
    assert outside_untouched(surface, rect)
    g = histogram_geometry(rect, h, ui_scale(size), THEME)
    axes, plot = g["axes"], g["plot"]
    mid = plot.y + plot.h * 0.55
    shade = dict(flat=THEME.hist_flat, hatch=THEME.hist_flat_hatch, plate=THEME.card_bg)
    # no bars at z = -16 or +15: the flat range is shaded there, not at z = +3
    for z in (-16.0, 15.0):
        strip = [rgb(surface, (axes.px(z) + dx, mid)) for dx in range(-4, 5)]
        assert all(nearest(c, **shade) in ("flat", "hatch") for c in strip), (z, strip)
    strip = [rgb(surface, (axes.px(3.0) + dx, mid)) for dx in range(-4, 5)]
    assert all(nearest(c, **shade) == "plate" for c in strip), strip
    # the threshold line at z = 0
    column = pygame.Rect(round(axes.px(0.0)) - 1, plot.y + plot.h // 3, 3, plot.h // 3)
    assert count_near(surface, column, THEME.hist_threshold, tol=10) >= plot.h // 3
    # each group's bars in its own colour, where its sums are
    for z, colour, absent in ((-9.5, THEME.hist_other, THEME.hist_target),
                              (9.0, THEME.hist_target, THEME.hist_other)):
        x0, x1 = round(axes.px(z - 1.4)), round(axes.px(z + 1.4))
        bar = pygame.Rect(x0, plot.y, x1 - x0, plot.h)
        assert count_near(surface, bar, colour, tol=12) > 10
        assert count_near(surface, bar, absent, tol=12) == 0
    assert flat_spans(axes, None) == []


@pytest.mark.parametrize("size", SIZES)
def test_histogram_without_a_sigmoid_is_not_shaded(size):
    rect = compute_layout(size).charts
    h = synthetic_histogram(flat=False, threshold=0.5)
    surface = canvas(size)
    draw_histogram(surface, rect, h, THEME)
    assert outside_untouched(surface, rect)
    plot = histogram_geometry(rect, h, ui_scale(size), THEME)["plot"]
    assert count_near(surface, plot, THEME.hist_flat, tol=4) == 0
    assert count_near(surface, plot, THEME.hist_flat_hatch, tol=4) == 0


@pytest.mark.parametrize("size", SIZES)
def test_real_histograms_draw_inside_their_rect(size, sample):
    rect = compute_layout(size).charts
    for config in CONFIGS.values():
        h = clues.sum_histogram(knobs(config, spread=3.0), sample.test_images,
                                sample.test_labels, config)
        surface = canvas(size)
        draw_histogram(surface, rect, h, THEME)
        assert outside_untouched(surface, rect)


# ---- charts: overlaid runs and hit-testing -------------------------------------------------


def flat_history(test_acc, train_acc, test_loss, train_loss, n=6):
    return [{"test_acc": test_acc, "train_acc": train_acc, "test_loss": test_loss,
             "train_loss": train_loss}] * n


RUNS = (
    ChartRun("raw pixels, seed 5", flat_history(0.95, 0.70, 0.02, 0.3), colour=0),
    ChartRun("scaled inputs", flat_history(0.80, 0.60, 0.2, 0.5), colour=1),
)


def _geometry(rect, size, history=(), runs=RUNS):
    return charts.chart_geometry(rect, list(history), baseline=0.9108, s=ui_scale(size),
                                 theme=THEME, overlays=runs)


@pytest.mark.parametrize("size", SIZES)
def test_two_overlaid_runs_appear_in_their_own_colours(size):
    rect = compute_layout(size).charts
    surface = canvas(size)
    charts.draw_charts(surface, rect, [], THEME, baseline=0.9108, target_digit=5, overlays=RUNS)
    assert outside_untouched(surface, rect)
    g = _geometry(rect, size)
    acc, loss = g["accuracy"], g["loss"]
    c0, c1 = THEME.run_colours[0], THEME.run_colours[1]
    assert math.dist(c0, c1) > 100
    for epoch in (2, 4):
        for axes, v0, v1 in ((acc, 0.95, 0.80), (loss, 0.02, 0.2)):
            p0, p1 = (axes.px(epoch), axes.py(v0)), (axes.px(epoch), axes.py(v1))
            assert nearest(rgb(surface, p0), a=c0, b=c1, plate=THEME.card_bg) == "a"
            assert nearest(rgb(surface, p1), a=c0, b=c1, plate=THEME.card_bg) == "b"
    # the legend names both runs on the header line, in their colours
    header = pygame.Rect(rect.x, rect.y, rect.w, g["header_h"])
    assert count_near(surface, header, c0, tol=10) > 10
    assert count_near(surface, header, c1, tol=10) > 10


def test_overlays_keep_the_live_run_and_the_plain_call():
    size = (1280, 800)
    rect = compute_layout(size).charts
    live = flat_history(0.90, 0.85, 0.05, 0.07)
    plain, empty = canvas(size), canvas(size)
    charts.draw_charts(plain, rect, live, THEME, baseline=0.9108)
    charts.draw_charts(empty, rect, live, THEME, baseline=0.9108, overlays=[])
    assert pygame.image.tobytes(plain, "RGB") == pygame.image.tobytes(empty, "RGB")
    surface = canvas(size)
    charts.draw_charts(surface, rect, live, THEME, baseline=0.9108, overlays=RUNS)
    g = _geometry(rect, size, live)
    p = (g["accuracy"].px(3), g["accuracy"].py(0.90))
    assert nearest(rgb(surface, p), live=THEME.text, a=THEME.run_colours[0],
                   b=THEME.run_colours[1], plate=THEME.card_bg) == "live"


@pytest.mark.parametrize("size", SIZES)
def test_hit_testing_finds_the_drawn_points(size):
    rect = compute_layout(size).charts
    live = flat_history(0.90, 0.85, 0.05, 0.07)
    g = _geometry(rect, size, live)
    acc, loss = g["accuracy"], g["loss"]
    kw = dict(baseline=0.9108, surface_size=size)
    at = charts.chart_point_at(rect, (acc.px(4), acc.py(0.80) + 2), live, RUNS, **kw)
    assert at == ChartPoint(1, 4, 0.80, "test_acc")
    at = charts.chart_point_at(rect, (loss.px(2) + 1, loss.py(0.02)), live, RUNS, **kw)
    assert at == ChartPoint(0, 2, 0.02, "test_loss")
    at = charts.chart_point_at(rect, (acc.px(6), acc.py(0.90)), live, RUNS, **kw)
    assert at[:2] == (LIVE_RUN, 6)
    far = (acc.px(3.5), acc.py(0.5))
    assert charts.chart_point_at(rect, far, live, RUNS, **kw) is None
    assert charts.chart_point_at(rect, (rect.x + 2, rect.y + 2), live, RUNS, **kw) is None
    # a click picks the epoch under it, on either plot, and nothing off the plots
    for axes in (acc, loss):
        for epoch in range(1, 7):
            y = axes.rect.centery
            assert charts.chart_epoch_at(rect, (axes.px(epoch) + 3, y), 6, surface_size=size) \
                == epoch
    assert charts.chart_epoch_at(rect, (rect.x + 2, rect.y + 2), 6, surface_size=size) is None
    assert charts.chart_epoch_at(rect, (acc.rect.centerx, acc.rect.centery), 0,
                                 surface_size=size) is None


@pytest.mark.parametrize("size", SIZES)
def test_a_hovered_point_is_ringed_and_explained_inside_the_rect(size):
    rect = compute_layout(size).charts
    live = flat_history(0.90, 0.85, 0.05, 0.07)
    before, after = canvas(size), canvas(size)
    charts.draw_charts(before, rect, live, THEME, baseline=0.9108, overlays=RUNS)
    for hover in ((1, 6), (LIVE_RUN, 1), (0, 3)):
        charts.draw_charts(after, rect, live, THEME, baseline=0.9108, overlays=RUNS, hover=hover)
        assert outside_untouched(after, rect)
        a = pygame.surfarray.array3d(before).astype(int)
        b = pygame.surfarray.array3d(after).astype(int)
        assert np.any(np.abs(a - b).sum(axis=2) > 0)
        assert count_near(after, rect, THEME.tooltip_border, tol=2) > 20
    # nonsense hovers draw nothing more
    for hover in ((5, 1), (0, 99), ("x", None)):
        surface = canvas(size)
        charts.draw_charts(surface, rect, live, THEME, baseline=0.9108, overlays=RUNS,
                           hover=hover)
        assert pygame.image.tobytes(surface, "RGB") == pygame.image.tobytes(before, "RGB")


def test_many_runs_with_long_names_fit_the_header():
    size = (1024, 700)
    rect = compute_layout(size).charts
    runs = [ChartRun(f"a run with a very long name number {i}", flat_history(0.9, 0.9, 0.1, 0.1),
                     colour=i, dim=i % 3 == 0) for i in range(9)]
    surface = canvas(size)
    charts.draw_charts(surface, rect, flat_history(0.5, 0.5, 1, 1), THEME, baseline=0.9,
                       overlays=runs, epoch=3, epoch_progress=0.5)
    assert outside_untouched(surface, rect)
