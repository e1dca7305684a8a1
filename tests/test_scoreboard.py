"""The scoreboard: its counts against a direct count on the real MNIST test set, its cells as
picture filters, and clicks on its drawn cells (through the App) browsing exactly their
pictures."""

import dataclasses
from collections import Counter

import events as E
import numpy as np
import pygame
import pytest

from simulator import engine, scoreboard, words
from simulator import intents as I
from simulator.app import App, Options
from simulator.config import Config
from simulator.data import load_idx_dir
from simulator.pictures import Pictures
from simulator.view.scoreboard import scoreboard_geometry

ONE = Config()
TEN = Config(bulbs=10, activation="softmax", loss="ce")


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_idx_dir(mnist_dir)


def trained(mnist, config: Config) -> np.ndarray:
    """Knobs after one epoch of gradient descent on the first 20,000 training pictures (a
    machine that gets most, not all, of the test pictures right)."""
    config = dataclasses.replace(config, subset=20_000)
    trainer = engine.Trainer(config, mnist.train_images, mnist.train_labels)
    trainer.run_epoch()
    return trainer.params.copy()


@pytest.fixture(scope="module")
def ten_knobs(mnist):
    return trained(mnist, TEN)


@pytest.fixture(scope="module")
def one_knobs(mnist):
    return trained(mnist, ONE)


def direct_answers(params, images, config) -> list:
    """The machine's answer picture by picture, in float64, as a person would work it out."""
    out = []
    for picture in images:
        x = np.append(picture.reshape(-1).astype(np.float64) * config.scale, 1.0)
        z = x @ params.astype(np.float64)
        if config.bulbs == 10:
            out.append(int(np.argmax(z)))  # softmax keeps the order of the sums
        else:
            out.append(bool(1.0 / (1.0 + np.exp(-z[0])) > 0.5))
    return out


# ---------------------------------------------------------------- the counts


def test_the_confusion_matrix_counts_every_test_picture_once(mnist, ten_knobs):
    X = engine.prepare_inputs(mnist.test_images, TEN.scale)
    board = scoreboard.tally(ten_knobs, X, mnist.test_labels, TEN)
    answers = direct_answers(ten_knobs, mnist.test_images, TEN)
    pairs = Counter(zip(mnist.test_labels.tolist(), answers, strict=True))
    direct = np.array([[pairs[i, j] for j in range(10)] for i in range(10)])
    # float32 against float64 may part on a near tie or two; the count may not
    assert np.abs(board.counts - direct).sum() <= 4
    assert board.n == len(mnist.test_labels) == 10_000
    assert board.counts.sum() == 10_000
    np.testing.assert_array_equal(board.counts.sum(axis=1), np.bincount(mnist.test_labels))
    said = engine.predict(ten_knobs, X, TEN).answer
    exact = Counter(zip(mnist.test_labels.tolist(), said.tolist(), strict=True))
    assert all(board.counts[i, j] == exact[i, j] for i in range(10) for j in range(10))
    np.testing.assert_array_equal(board.counts.sum(axis=0), np.bincount(said, minlength=10))
    accuracy = engine.evaluate(ten_knobs, X, mnist.test_labels, TEN).accuracy
    assert board.accuracy == pytest.approx(accuracy, abs=1e-12)
    assert 0.8 < board.accuracy < 1.0  # a machine that learned, and still errs
    rows = np.bincount(mnist.test_labels)
    np.testing.assert_allclose(board.per_digit, np.diag(board.counts) / rows)
    assert board.base_rate == pytest.approx(engine.baseline_accuracy(mnist.test_labels, 5, 10))


def test_one_bulbs_four_outcomes_with_precision_and_recall(mnist, one_knobs):
    X = engine.prepare_inputs(mnist.test_images, ONE.scale)
    board = scoreboard.tally(one_knobs, X, mnist.test_labels, ONE)
    lit = np.array(direct_answers(one_knobs, mnist.test_images, ONE))
    five = mnist.test_labels == 5
    direct = {"hits": five & lit, "misses": five & ~lit, "false_alarms": ~five & lit,
              "correct_rejections": ~five & ~lit}
    found = {name: getattr(board, name) for name in direct}
    assert sum(found.values()) == 10_000 == board.n
    for name, mask in direct.items():
        assert abs(found[name] - int(mask.sum())) <= 2, name  # (a near tie or two)
    said = engine.predict(one_knobs, X, ONE).answer
    assert board.hits == int((five & said).sum())
    assert board.false_alarms == int((~five & said).sum())
    assert board.hits + board.misses == int(five.sum()) == 892
    assert board.precision == board.hits / (board.hits + board.false_alarms)
    assert board.recall == board.hits / int(five.sum())
    accuracy = engine.evaluate(one_knobs, X, mnist.test_labels, ONE).accuracy
    assert board.accuracy == pytest.approx(accuracy, abs=1e-12)
    assert board.base_rate == pytest.approx(0.9108)
    assert 0 < board.misses and 0 < board.false_alarms  # every cell has pictures to open


def test_a_bulb_that_never_lights_scores_the_base_rate():
    labels = np.array([5, 5, 3, 1, 0, 5, 9])
    board = scoreboard.from_answers(np.zeros(7, bool), labels, ONE)
    assert (board.hits, board.misses, board.false_alarms, board.correct_rejections) == \
        (0, 3, 0, 4)
    assert board.accuracy == board.base_rate == 4 / 7
    assert np.isnan(board.precision) and board.recall == 0.0


# ---------------------------------------------------------------- cells as picture filters


def test_every_cell_filter_lets_through_exactly_its_pictures(mnist, ten_knobs):
    pictures = Pictures(mnist)
    said = engine.predict(ten_knobs, pictures.X_test(TEN.scale), TEN).answer
    seen = np.zeros(10_000, int)
    for i in range(10):
        for j in range(10):
            pictures.set_filter(scoreboard.cell_filter(10, i, j))
            pool = pictures.matching(ten_knobs, TEN)
            expected = np.flatnonzero((mnist.test_labels == i) & (said == j))
            np.testing.assert_array_equal(pool, expected)
            seen[pool] += 1
    assert (seen == 1).all()  # the cells share out the test set


def test_cell_filters_of_the_other_table_let_nothing_through_and_are_forgotten(sample):
    from simulator.machine import Machine

    m = Machine(sample, Config())
    m.set_picture_filter(scoreboard.cell_filter(1, 0, 1))  # misses
    assert m.picture_filter == ("cell", True, False)
    m.set_switch("bulbs", 10)
    assert m.picture_filter == "all"
    with pytest.raises(ValueError):
        m.pictures.set_filter(("cell", 3, 12))
    assert words.filter_label(("cell", 3, 5), 5) == "3s read as 5"
    assert words.filter_label(("cell", True, False), 5) == "misses: 5s left dark"


# ---------------------------------------------------------------- clicks through the App


def full_app(mnist_dir, **kw) -> App:
    options = Options(data=str(mnist_dir), load_full=True, restore=False, pace=False,
                      autosave=False, record_runs=False)
    for k, v in kw.items():
        setattr(options, k, v)
    app = App(options)
    if app.loader is not None:
        app.loader.wait(30)
    app.frame()
    assert not app.machine.data.is_sample
    return app


def show_scoreboard(app) -> None:
    """Through the panel, as a person does: the Bench page, then the Scoreboard button."""
    app.frame(E.click(app.panel.elements["page:bench"]))
    app.frame()
    app.frame(E.click(app.panel.elements["bench:view:scoreboard"]))
    app.frame()
    assert "scoreboard" in app.views and app.layout.scoreboard.w > 0


def browse(app, n: int) -> list[int]:
    """The test pictures the retina shows over n presses of the Right key."""
    seen = []
    for _ in range(n):
        app.frame(E.key(pygame.K_RIGHT))
        seen.append(app.machine.picture.index)
    return seen


def cell_rect(app, row: int, col: int, ten: bool) -> pygame.Rect:
    return scoreboard_geometry(app.layout.scoreboard, ten, app.layout.scale).cells[row, col]


def test_clicking_a_matrix_cell_browses_exactly_its_pictures(mnist_dir, ten_knobs):
    app = full_app(mnist_dir)
    m = app.machine
    m.put_knobs(ten_knobs, TEN)
    show_scoreboard(app)
    state = app.face_state()
    board = state.scoreboard
    assert board is not None and board.bulbs == 10 and board.n == 10_000
    counts = board.counts.copy()
    np.fill_diagonal(counts, 0)
    i, j = np.unravel_index(np.argmax(counts), counts.shape)  # the commonest confusion
    said = engine.predict(m.params, m.X_test, m.config).answer
    expected = set(np.flatnonzero((m.data.test_labels == i) & (said == j)).tolist())
    assert len(expected) == board.counts[i, j] > 1
    app.frame(E.click(cell_rect(app, i, j, ten=True)))
    assert m.picture_filter == ("cell", i, j)
    assert m.picture.index in expected
    seen = browse(app, len(expected))
    assert set(seen) == expected and len(seen) == len(set(seen))  # each once,
    assert seen[-1] == min(expected)  # then round to the first
    # the filter is on screen (the scoreboard's foot, the panel's drop-down) and clearable
    label = words.filter_label(("cell", i, j), m.config.digit)
    assert app.face_state().picture_filter == ("cell", i, j)
    app.frame(E.click(app.panel.elements["page:controls"]))
    app.frame()
    assert label.capitalize() in app.panel.elements["filter"].selected_option[0]
    geo = scoreboard_geometry(app.layout.scoreboard, True, app.layout.scale)
    app.frame(E.click(geo.clear))
    assert m.picture_filter == "all"
    app.frame(E.click(cell_rect(app, i, j, ten=True)))
    app.frame(E.click(cell_rect(app, i, j, ten=True)))  # the same count again: all pictures
    assert m.picture_filter == "all"
    m.pause()


def test_clicking_a_count_of_one_bulb_browses_exactly_its_pictures(mnist_dir, one_knobs):
    app = full_app(mnist_dir)
    m = app.machine
    m.put_knobs(one_knobs, ONE)
    show_scoreboard(app)
    five = m.data.test_labels == m.config.digit
    lit = engine.predict(m.params, m.X_test, m.config).answer
    for (row, col), mask, name in (((0, 1), five & ~lit, "misses"),
                                   ((1, 0), ~five & lit, "false_alarms")):
        expected = set(np.flatnonzero(mask).tolist())
        assert len(expected) == getattr(app.face_state().scoreboard, name) > 1
        app.frame(E.click(cell_rect(app, row, col, ten=False)))
        assert m.picture_filter == scoreboard.cell_filter(1, row, col)
        seen = browse(app, len(expected))
        assert set(seen) == expected
        verdict = "miss" if name == "misses" else "false alarm"
        assert app.face_state().verdict == verdict  # the retina shows one of them
    m.pause()


def test_the_scoreboard_follows_a_hands_turn_at_once(mnist_dir, one_knobs):
    app = full_app(mnist_dir)
    m = app.machine
    m.put_knobs(one_knobs, ONE)
    app.apply(I.ToggleView("scoreboard"))
    app.frame()
    before = app.face_state().scoreboard
    app.frame(E.wheel(app.layout.bias.center, +30))  # the threshold down: more bulbs light
    after = app.face_state().scoreboard
    assert after is not before
    assert after.hits + after.false_alarms > before.hits + before.false_alarms
    X = m.X_test
    expected = scoreboard.tally(m.params, X, m.data.test_labels, m.config)
    np.testing.assert_array_equal(after.counts, expected.counts)
    m.pause()


def test_while_training_the_scoreboard_is_counted_at_each_epochs_end(sample):
    app = App(Options(load_full=False, restore=False, pace=False, autosave=False,
                      record_runs=False))
    m = app.machine
    for name, value in (("bulbs", 10), ("activation", "softmax"), ("loss", "ce"),
                        ("epochs", 3)):
        m.set_switch(name, value)
    app.apply(I.ToggleView("scoreboard"))
    app.frame()
    before = app.face_state().scoreboard
    assert before is not None and before.n == len(m.data.test_labels)
    m.set_mode("gd")
    m.play()
    counted = [before]  # the scoreboards shown while the machine trains
    while m.playing:
        app.frame()
        m.evaluator.wait()
        board = app.face_state().scoreboard
        if board is not counted[-1]:
            counted.append(board)
    # the first two epochs' ends were counted in the scorer's thread (the third's end
    # stopped the run: counted at once, below)
    assert len(counted) >= 3
    assert all(b.n == len(m.data.test_labels) for b in counted)
    assert counted[-1].accuracy > before.accuracy  # the counts follow the training
    app.frame()  # paused: counted at once, for the knobs as they are
    final = scoreboard.tally(m.params, m.X_test, m.data.test_labels, m.config)
    np.testing.assert_array_equal(app.face_state().scoreboard.counts, final.counts)


def test_a_drag_is_counted_when_it_is_let_go(sample):
    from simulator import view

    app = App(Options(load_full=False, restore=False, pace=False, autosave=False,
                      record_runs=False))
    m = app.machine
    app.apply(I.ToggleView("scoreboard"))
    app.frame()
    k = int(np.argmax(m.picture.pixels))
    r = view.knob_rect(app.layout.board, k)
    app.frame(E.motion(r.center) + E.press(r.center))
    for dy in range(4, 200, 4):  # a long drag, a frame per move: the knob far up
        app.frame(E.motion((r.centerx, r.centery - dy), buttons=(1, 0, 0)))
    app.frame(E.release((r.centerx, r.centery - 200)))
    board = app.face_state().scoreboard
    expected = scoreboard.tally(m.params, m.X_test, m.data.test_labels, m.config)
    np.testing.assert_array_equal(board.counts, expected.counts)
    m.pause()
