"""Ten bulbs, drawn: ten small knob boards in one colour scale, each with its bulb; a click on
one makes it the big, editable board. The view on off-screen surfaces, the App with
synthetic events."""

import math
from itertools import combinations

import events as E
import numpy as np
import pygame
import pytest
from windows import assert_fits, blank

from simulator import engine, view
from simulator import intents as I
from simulator.app import App, Options
from simulator.config import Config
from simulator.theme import THEME
from simulator.view.boards import (
    board_shape,
    board_slot_at,
    common_scale,
    draw_small_board,
    draw_ten_boards,
    picture_rect,
    ten_boards_geometry,
)
from simulator.view.common import ui_scale
from simulator.view.knobs import knob_colour
from simulator.view.scoreboard import draw_scoreboard, scoreboard_geometry, scoreboard_target_at

SIZES = [(1024, 700), (1280, 800), (1920, 1080)]
TEN = Config(bulbs=10, activation="softmax", loss="ce")
VIEW_SETS = [{"boards"}, {"boards", "scoreboard"}, {"scoreboard"},
             {"boards", "scoreboard", "strip", "histogram"}]


# ---------------------------------------------------------------- layout and hit-testing


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("views", VIEW_SETS, ids=lambda v: "+".join(sorted(v)))
def test_the_views_fit_the_window_without_overlap(size, views):
    lay = view.compute_layout(size, frozenset(views))
    rects = lay.rects()
    assert_fits(rects, size)
    assert ("boards" in rects) == ("boards" in views)
    assert ("scoreboard" in rects) == ("scoreboard" in views)
    _, _, cell = view.board_grid(lay.board)
    assert cell >= (8 if len(views) > 2 else 10)  # the big board stays turnable knob by knob


@pytest.mark.parametrize("size", SIZES)
def test_ten_small_boards_are_readable_and_hit_where_drawn(size):
    lay = view.compute_layout(size, frozenset({"boards"}))
    s = ui_scale(size)
    geo = ten_boards_geometry(lay.boards, s)
    rows, cols = board_shape(784)
    pictures = [picture_rect(r, rows, cols) for r in geo.boards]
    assert min(p.w for p in pictures) >= (84 if size[0] >= 1280 else 56)  # 3 (2) px a knob
    for d, (slot, pic) in enumerate(zip(geo.slots, pictures, strict=True)):
        assert lay.boards.contains(slot) and slot.contains(pic)
        for point in (pic.center, pic.topleft, (pic.right - 1, pic.bottom - 1), slot.midbottom):
            assert board_slot_at(lay.boards, (point[0], min(point[1], slot.bottom - 1)), s) == d
    assert board_slot_at(lay.boards, (lay.boards.x + 1, lay.boards.y + 1), s) is None
    assert board_slot_at(lay.boards, (-5, -5), s) is None


@pytest.mark.parametrize("ten", [True, False])
def test_scoreboard_cells_hit_where_drawn(ten):
    lay = view.compute_layout((1280, 800), frozenset({"scoreboard"} | ({"boards"} if ten else
                                                                        set())))
    geo = scoreboard_geometry(lay.scoreboard, ten, lay.scale)
    assert len(geo.cells) == (100 if ten else 4)
    for where, cell in geo.cells.items():
        assert lay.scoreboard.contains(cell)
        assert scoreboard_target_at(lay.scoreboard, cell.center, ten, lay.scale) == (
            "cell", where)
    assert scoreboard_target_at(lay.scoreboard, geo.clear.center, ten, lay.scale) == (
        "clear", None)
    for (a, ra), (b, rb) in combinations(geo.cells.items(), 2):
        assert not ra.colliderect(rb), (a, b)


# ---------------------------------------------------------------- drawing


def test_board_shapes_for_any_number_of_knobs():
    assert board_shape(784) == (28, 28)
    assert board_shape(512) == (16, 32)
    assert board_shape(100) == (10, 10)
    assert board_shape(7) == (1, 7)
    with pytest.raises(ValueError):
        board_shape(0)


@pytest.mark.parametrize("rows,cols", [(28, 28), (16, 32), (10, 10)])
def test_a_small_board_is_its_weight_picture(rows, cols):
    surface = blank((400, 300))
    w = np.zeros(rows * cols, np.float32)
    w[0] = 1.0  # top-left: full positive
    w[-1] = -1.0  # bottom-right: full negative
    rect = draw_small_board(surface, pygame.Rect(10, 10, 300, 200), w, rows, cols, 1.0, THEME)
    cell = rect.w / cols
    assert rect.h / rows == pytest.approx(cell)  # square cells
    top_left = tuple(surface.get_at((rect.x + int(cell / 2), rect.y + int(cell / 2))))[:3]
    bottom_right = tuple(surface.get_at((rect.right - 1 - int(cell / 2),
                                         rect.bottom - 1 - int(cell / 2))))[:3]
    middle = tuple(surface.get_at(rect.center))[:3]
    assert math.dist(top_left, knob_colour(1.0, THEME)) < 12
    assert math.dist(bottom_right, knob_colour(-1.0, THEME)) < 12
    assert math.dist(middle, knob_colour(0.0, THEME)) < 12
    with pytest.raises(ValueError):
        draw_small_board(surface, rect, w[:-1], rows, cols, 1.0, THEME)


def test_ten_boards_share_one_colour_scale_and_mark_the_answer_and_the_big_one():
    size = (1280, 800)
    lay = view.compute_layout(size, frozenset({"boards"}))
    surface = blank(size)
    W = np.zeros((784, 10), np.float32)
    W[:, 0] = 0.5
    W[:, 1] = 0.25  # half as strong: paler in the common scale
    outputs = np.linspace(0.0, 0.9, 10)
    before = pygame.surfarray.array3d(surface).copy()
    draw_ten_boards(surface, lay.boards, W, outputs, column=3, answer=9, theme=THEME)
    after = pygame.surfarray.array3d(surface)
    changed = np.argwhere((before != after).any(axis=2))
    assert lay.boards.collidepoint(*changed.min(axis=0))
    assert lay.boards.collidepoint(*changed.max(axis=0))  # nothing drawn outside the band
    geo = ten_boards_geometry(lay.boards, lay.scale)
    zero = knob_colour(0.0, THEME)

    def strength(d):
        pic = picture_rect(geo.boards[d], 28, 28)
        return math.dist(tuple(surface.get_at(pic.center))[:3], zero)

    assert strength(0) > strength(1) + 20 > strength(2) + 20
    assert common_scale(W) == pytest.approx(0.5)
    big = picture_rect(geo.boards[3], 28, 28)
    assert math.dist(tuple(surface.get_at((big.centerx, big.y - 1)))[:3],
                     THEME.knob_selected) < 40  # the big one's frame
    lit = geo.captions[9]
    assert math.dist(tuple(surface.get_at((lit.right - 2, lit.y + 1)))[:3],
                     THEME.card_bg) > 15  # the answer's caption is lit
    with pytest.raises(ValueError):
        draw_ten_boards(surface, lay.boards, W[:, :9], outputs, 3, 9, THEME)


@pytest.mark.parametrize("ten", [True, False])
def test_the_scoreboard_draws_inside_its_rect(ten, sample):
    from simulator import scoreboard

    config = TEN if ten else Config()
    params = engine.init_knobs(config, np.random.default_rng(0))
    X = engine.prepare_inputs(sample.test_images, config.scale)
    board = scoreboard.tally(params, X, sample.test_labels, config)
    for size in SIZES:
        lay = view.compute_layout(size, frozenset({"scoreboard"} | ({"boards"} if ten else
                                                                    set())))
        surface = blank(size)
        before = pygame.surfarray.array3d(surface).copy()
        draw_scoreboard(surface, lay.scoreboard, board, THEME, ten=ten, chosen=(1, 0),
                        showing="misses")
        after = pygame.surfarray.array3d(surface)
        changed = np.argwhere((before != after).any(axis=2))
        assert lay.scoreboard.collidepoint(*changed.min(axis=0))
        assert lay.scoreboard.collidepoint(*changed.max(axis=0))


# ---------------------------------------------------------------- the App


@pytest.fixture
def app():
    a = App(Options(load_full=False, restore=False, pace=False, autosave=False,
                    record_runs=False))
    a.frame()
    yield a
    a.machine.pause()


def ten_bulbs(app) -> None:
    m = app.machine
    for name, value in (("bulbs", 10), ("activation", "softmax"), ("loss", "ce")):
        assert m.set_switch(name, value)
    app.frame()


def test_ten_bulbs_bring_their_boards_and_one_bulb_takes_them_away(app):
    assert app.layout.boards.w == 0 and app.face_state().boards is None
    ten_bulbs(app)
    assert app.layout.boards.w > 0
    state = app.face_state()
    np.testing.assert_array_equal(state.boards, app.machine.params[:-1])
    assert app.machine.set_switch("activation", "sigmoid")
    assert app.machine.set_switch("bulbs", 1)
    app.frame()
    assert app.layout.boards.w == 0


def test_clicking_a_small_board_makes_it_the_big_one(app):
    ten_bulbs(app)
    m = app.machine
    m.set_mode("gd")
    m.step("epoch")  # a run with an epoch on the charts
    while m.playing:
        app.frame()
    m.evaluator.wait()
    app.frame()
    history = len(m.history)
    geo = ten_boards_geometry(app.layout.boards, app.layout.scale)
    app.frame(E.click(geo.boards[3].center))
    assert m.config.digit == m.column == 3
    assert len(m.history) == history and m.history  # the run goes on: only the board changed
    state = app.face_state()
    np.testing.assert_array_equal(state.weights, m.params[:784, 3])
    assert state.column == 3 and state.bulb == pytest.approx(float(state.output[3]))
    # the hand turns the big board's knobs: bulb 3's, and undo puts them back
    before = m.params.copy()
    k = int(np.argmax(m.picture.pixels))
    r = view.knob_rect(app.layout.board, k)
    app.frame(E.drag(r.center, (r.centerx, r.centery - 40)))
    moved = np.argwhere(m.params != before)
    assert len(moved) and (moved[:, 1] == 3).all()
    app.frame(E.key(pygame.K_z, pygame.KMOD_CTRL))
    np.testing.assert_array_equal(m.params, before)
    # the ghosts are gradient descent's way for bulb 3's knobs
    app.apply(I.ToggleGhost())
    m.update_ghost(force=True)
    X = engine.prepare_inputs(m.data.train_images[:2000], m.config.scale)
    direction = engine.descent_direction(m.params, X, m.data.train_labels[:2000], m.config)
    np.testing.assert_allclose(m.ghost, direction[:, 3], rtol=1e-5, atol=1e-7)


def test_a_procedure_trains_on_while_the_big_board_changes(app):
    ten_bulbs(app)
    m = app.machine
    m.set_mode("gd")
    m.play()
    app.frame()
    geo = ten_boards_geometry(app.layout.boards, app.layout.scale)
    app.frame(E.click(geo.boards[8].center))
    assert m.playing and m.column == 8
    before = m.params[:, 8].copy()
    for _ in range(3):
        app.frame()
    assert not np.array_equal(before, m.params[:, 8])
    assert app.face_state().column == 8
    m.pause()
