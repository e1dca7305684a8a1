"""Spread seeds: N seeds trained together, each bit for bit its own single run."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from simulator import cli, engine, storage
from simulator.spread import (
    SeedSpread,
    check_config,
    evaluate_seeds,
    evaluate_seeds_chunked,
    parse_seeds,
)

SEEDS = [0, 3, 7]


def single_runs(config, sample, seeds, epochs=2, params=None):
    """Each seed's knobs after ``epochs`` epochs of its own engine.Trainer run."""
    out = []
    for i, seed in enumerate(seeds):
        start = None if params is None else params[:, i : i + 1].copy()
        trainer = engine.Trainer(replace(config, seed=seed), sample.train_images,
                                 sample.train_labels, start)
        for _ in range(epochs):
            trainer.run_epoch()
        out.append(trainer)
    return out


@pytest.mark.parametrize("switches", [
    {},  # the defaults: sigmoid, mse, adam, batch 32, unit inputs
    {"inputs": "raw"},  # the tutorial's fix: sigmoid on raw pixels (where seeds freeze)
    {"activation": "none", "inputs": "raw"},  # the tutorial's model as first written
    {"loss": "ce"},
    {"loss": "mae", "optimizer": "sgd", "lr": 0.05},
    {"activation": "none", "loss": "ce"},
    {"activation": "none", "loss": "mae", "inputs": "raw", "lr": 0.01},
    {"batch_size": 1, "subset": 300},
    {"batch_size": 7, "subset": 1000},  # a shorter last batch every epoch
    {"batch_size": 1024},
    {"batch_size": 128, "subset": 100},  # the batch is larger than the data
    {"digit": 3, "inputs": "raw", "optimizer": "sgd", "lr": 1e-4},
])
def test_each_seed_equals_its_single_run_exactly(sample, switches):
    config = replace(engine.Config(), **switches)
    spread = SeedSpread(config, sample.train_images, sample.train_labels, SEEDS)
    spread.run_epoch()
    spread.run_epoch()
    assert spread.epoch == 2 and spread.position == 0
    for i, trainer in enumerate(single_runs(config, sample, SEEDS)):
        assert spread.knobs(i).tobytes() == trainer.params.tobytes(), (switches, SEEDS[i])
        assert spread.steps == trainer.steps


def test_steps_in_odd_chunks_keep_the_single_runs_pace(sample):
    config = replace(engine.Config(), batch_size=10, subset=455)
    spread = SeedSpread(config, sample.train_images, sample.train_labels, SEEDS)
    trainers = [engine.Trainer(replace(config, seed=s), sample.train_images,
                               sample.train_labels) for s in SEEDS]
    for n in (1, 5, 17, 30, 0, 46, 3, 1000, 7):
        done = spread.step(n)
        for t in trainers:
            assert t.step(n) == done
        for i, t in enumerate(trainers):
            assert (spread.epoch, spread.position, spread.steps) == (t.epoch, t.position,
                                                                     t.steps)
            assert np.array_equal(spread.last_batch[i], t.last_batch)
            assert spread.knobs(i).tobytes() == t.params.tobytes()
    assert spread.epoch_progress == trainers[0].epoch_progress
    assert spread.batches_per_epoch == trainers[0].batches_per_epoch == 46
    assert spread.n_train == 455


def test_given_knobs_start_every_seed_as_a_single_run_given_them(sample):
    config = replace(engine.Config(), inputs="raw")
    start = np.random.default_rng(42).uniform(-0.05, 0.05, (785, 3)).astype(np.float32)
    spread = SeedSpread(config, sample.train_images, sample.train_labels, SEEDS, start.copy())
    assert np.array_equal(spread.params, start)
    spread.run_epoch()
    spread.run_epoch()
    for i, trainer in enumerate(single_runs(config, sample, SEEDS, params=start)):
        assert spread.knobs(i).tobytes() == trainer.params.tobytes()
    assert not np.array_equal(spread.params, start)  # the knobs given were copied, not turned


def test_params_is_a_shared_view_and_knobs_a_copy(sample):
    spread = SeedSpread(engine.Config(), sample.train_images, sample.train_labels, SEEDS)
    assert spread.params.shape == (785, 3) and spread.params.dtype == np.float32
    assert spread.seeds == SEEDS
    k = spread.knobs(1)
    assert k.shape == (785, 1) and k.dtype == np.float32 and k.flags.c_contiguous
    k[:] = 7
    assert not (spread.params[:, 1] == 7).any()
    spread.params[784, 2] = 0.5  # turning a knob by hand turns the trained knob
    assert spread.knobs(2)[784, 0] == np.float32(0.5)
    fresh = [engine.init_knobs(engine.Config(), np.random.default_rng(s)) for s in SEEDS]
    assert np.array_equal(spread.params[:, :2], np.hstack(fresh[:2]))
    assert spread.config_of(1).seed == 3


@pytest.mark.parametrize("switches, message", [
    ({"rule": "rosenblatt", "lr": 1.0}, "gradient descent only"),
    ({"rule": "trial", "lr": 0.1}, "gradient descent only"),
    ({"bulbs": 10, "activation": "softmax", "loss": "ce"}, "one bulb only"),
    ({"batch_size": 2048}, "batch sizes up to 1024"),
])
def test_unsupported_switches_are_refused_clearly(sample, switches, message):
    config = replace(engine.Config(), **switches)
    with pytest.raises(ValueError, match=message):
        check_config(config)
    with pytest.raises(ValueError, match=message):
        SeedSpread(config, sample.train_images, sample.train_labels, SEEDS)


@pytest.mark.parametrize("seeds, params, message", [
    ([], None, "no seeds"),
    ([1, 2, 1], None, "seed 1 appears twice"),
    ([0, -1], None, "non-negative"),
    ([0, 1.5], None, "whole numbers"),
    ([0, 1], np.zeros((785, 3), np.float32), r"shape \(785, 2\)"),
    ([0], np.full((785, 1), np.nan, np.float32), "NaN"),
])
def test_bad_seeds_and_knobs_are_refused(sample, seeds, params, message):
    with pytest.raises(ValueError, match=message):
        SeedSpread(engine.Config(), sample.train_images, sample.train_labels, seeds, params)


def test_divergence_names_the_seeds_and_rolls_every_seed_back(sample):
    config = replace(engine.Config(), activation="none", optimizer="sgd", lr=1e6,
                     inputs="raw")
    spread = SeedSpread(config, sample.train_images, sample.train_labels, [2, 4])
    with pytest.raises(engine.TrainingDiverged, match=r"for seeds 2, 4: .*rolled back") as info:
        spread.run_epoch()
    assert info.value.seeds == [2, 4]
    assert np.isfinite(spread.params).all()


@pytest.mark.parametrize("text, seeds", [
    ("0-9", list(range(10))), ("0,3,7", [0, 3, 7]), ("4", [4]), ("0-2,9", [0, 1, 2, 9]),
    (" 5 - 6 ", [5, 6]),
])
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text, message", [
    ("abc", "'abc'"), ("", "''"), ("3-1", "runs backwards"), ("1,1", "seed 1 appears twice"),
    ("-3", "'-3'"), ("1.5", "'1.5'"), ("0-5000", "more than 1000 seeds"),
])
def test_parse_seeds_names_a_bad_value(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_seeds(text)


def test_scoring_all_seeds_at_once_agrees_with_the_engine(sample):
    config = replace(engine.Config(), inputs="raw")
    spread = SeedSpread(config, sample.train_images, sample.train_labels, [0, 5, 8, 9])
    spread.run_epoch()
    X = engine.prepare_inputs(sample.test_images, config.scale)
    together = evaluate_seeds(spread.params, X, sample.test_labels, config)
    chunked = evaluate_seeds_chunked(spread.params, sample.test_images, sample.test_labels,
                                     config, chunk=300)
    for i, (t, c) in enumerate(zip(together, chunked, strict=True)):
        alone = engine.evaluate(spread.knobs(i), X, sample.test_labels, config)
        assert t.accuracy == alone.accuracy == c.accuracy and t.n == alone.n == c.n
        assert t.loss == pytest.approx(alone.loss, rel=1e-6)
        assert c.loss == pytest.approx(alone.loss, rel=1e-6)


# ------------------------------------------------------------------- the command line


def train(capsys, *argv):
    """Run the trainer in-process; (exit code, last JSON line or None, stdout, stderr)."""
    code = cli.main([*argv, "--quiet"])
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, json.loads(lines[-1]) if "--json" in argv else None, out, err


TABLE_ROW = re.compile(r"^\s*(\d+)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)%(\s+frozen)?$")


def test_seeds_print_epoch_lines_a_table_and_a_count(capsys, mnist_dir):
    code, _, out, _ = train(capsys, "--data", str(mnist_dir), "--seeds", "0-2",
                            "--subset", "2000", "--epochs", "2")
    assert code == 0
    lines = out.splitlines()
    epochs = [line for line in lines if line.startswith("epoch")]
    assert [e.split()[1] for e in epochs] == ["0", "1", "2"]
    assert all(re.search(r"test acc mean +\d+\.\d\d%  min\.\.max \d+\.\d\d\.\.\d+\.\d\d%", e)
               for e in epochs)
    assert "seeds 0-2 (3 seeds at once)" in out
    rows = [TABLE_ROW.match(line) for line in lines]
    rows = [r for r in rows if r]
    assert [int(r.group(1)) for r in rows] == [0, 1, 2]
    frozen = sum(bool(r.group(4)) for r in rows)  # 2,000 pictures, 2 epochs: some still dark
    assert all(abs(float(r.group(2)) - 91.08) <= 0.011 for r in rows if r.group(4))
    assert lines[-1] == (f"{frozen} of 3 seeds froze at the base rate 91.08% (to within one "
                         "test picture)")


def test_seeds_json_is_one_summary_per_seed_equal_to_single_runs(capsys, mnist_dir, tmp_path):
    args = ["--data", str(mnist_dir), "--subset", "3000", "--epochs", "2", "--json"]
    code, many, out, _ = train(capsys, *args, "--seeds", "0,3", "--save",
                               str(tmp_path / "k.npz"))
    assert code == 0
    assert isinstance(many, list) and [s["seed"] for s in many] == [0, 3]
    for summary, seed in zip(many, (0, 3), strict=True):
        _, one, _, _ = train(capsys, *args, "--seed", str(seed), "--save",
                             str(tmp_path / f"single{seed}.npz"))
        assert set(one) <= set(summary)
        assert summary["config"] == one["config"] and summary["config"]["seed"] == seed
        assert len(summary["history"]) == 3 and summary["frozen"] is False
        for h_many, h_one in zip(summary["history"], one["history"], strict=True):
            for key in ("train_accuracy", "test_accuracy", "train_loss", "test_loss"):
                assert h_many[key] == pytest.approx(h_one[key], rel=1e-6, abs=1e-12), key
        knobs, config, _ = storage.load_knobs(tmp_path / f"k-seed{seed}.npz")
        single, _, _ = storage.load_knobs(tmp_path / f"single{seed}.npz")
        assert knobs.tobytes() == single.tobytes() and config.seed == seed


def test_seeds_from_loaded_knobs(capsys, mnist_dir, tmp_path):
    start = engine.init_knobs(engine.Config(), np.random.default_rng(11))
    storage.save_knobs(tmp_path / "start.npz", start, engine.Config(subset=500))
    code, many, _, _ = train(capsys, "--data", str(mnist_dir), "--load",
                             str(tmp_path / "start.npz"), "--seeds", "1,2", "--epochs", "1",
                             "--json")
    assert code == 0 and [s["config"]["subset"] for s in many] == [500, 500]
    assert many[0]["history"][0] == many[1]["history"][0]  # the same knobs at the start
    assert many[0]["test_loss"] != many[1]["test_loss"]  # then different picture orders


def test_raw_inputs_freeze_the_seeds_a_single_run_freezes(capsys, mnist_dir):
    # sigmoid on raw pixels: seed 5 freezes at the base rate in a single run, seed 4 learns
    code, many, out, _ = train(capsys, "--data", str(mnist_dir), "--seeds", "4-5",
                               "--inputs", "raw", "--json")
    assert code == 0
    assert [s["frozen"] for s in many] == [False, True]
    assert many[1]["test_accuracy"] == pytest.approx(0.9108)
    assert many[0]["test_accuracy"] > 0.95
    assert re.search(r"^\s+5\s+91\.08%\s+\d+\.\d\d%\s+frozen$", out, re.M)
    assert "1 of 2 seeds froze at the base rate 91.08% (to within one test picture)" in out


def test_divergence_of_a_spread_is_a_clear_stop(capsys, mnist_dir):
    code, many, _, err = train(capsys, "--data", str(mnist_dir), "--seeds", "0-1",
                               "--activation", "none", "--optimizer", "sgd", "--lr", "1e6",
                               "--inputs", "raw", "--subset", "2000", "--json")
    assert code == cli.EXIT_DIVERGED
    assert "rolled back" in err and "Traceback" not in err
    assert all(s["diverged"] for s in many)


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "abc"], "argument --seeds: not a seed, a range like 0-9 or a list like "
                         "0,3,7: 'abc'"),
    (["--seeds", "9-3"], "argument --seeds: the range '9-3' runs backwards"),
    (["--seeds", "1,2,1"], "argument --seeds: seed 1 appears twice in '1,2,1'"),
    (["--seeds", "-4"], "argument --seeds: not a seed"),
    (["--seeds", "0-3", "--seed", "2"], "not allowed with argument"),
    (["--seeds", "0-3", "--rule", "rosenblatt"], "argument --seeds: spread seeds trains "
                                                 "gradient descent only"),
    (["--seeds", "0-3", "--bulbs", "10", "--activation", "softmax"], "one bulb only"),
    (["--seeds", "0-3", "--batch-size", "4096"], "batch sizes up to 1024"),
    (["--seeds", "0-3", "--predict", "5"], "--predict works on one run"),
])
def test_bad_seeds_are_argparse_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_forked_spread_is_the_one_process_spread_bit_for_bit(sample):
    """The command line's spread, one process per core, keeps every seed's single run."""
    from simulator.spread_workers import ForkedSpread

    config = engine.Config(subset=300, batch_size=16)
    seeds = [3, 1, 4, 1 + 4, 9]
    one = SeedSpread(config, sample.train_images, sample.train_labels, seeds)
    forked = ForkedSpread(config, sample.train_images, sample.train_labels, seeds, workers=2)
    try:
        for n in (5, 3, 100, 1 << 30):  # uneven steps, then the rest of the epoch
            assert forked.step(n) == one.step(n)
            assert (forked.epoch, forked.position) == (one.epoch, one.position)
        forked.run_epoch()
        one.run_epoch()
        np.testing.assert_array_equal(forked.params, one.params)
        np.testing.assert_array_equal(forked.knobs(2), one.knobs(2))
    finally:
        forked.close()


def test_forked_epochs_run_on_their_own_and_report_every_batch(sample):
    """run_epoch lets each worker run to the end of the epoch without waiting for the
    others at every step; the progress heard adds up to the batches left, and every seed's
    knobs are still the one-process spread's (from mid-epoch, and over a whole epoch)."""
    from simulator.spread_workers import ForkedSpread

    config = engine.Config(subset=600, batch_size=8)
    seeds = [6, 0, 2]
    one = SeedSpread(config, sample.train_images, sample.train_labels, seeds)
    forked = ForkedSpread(config, sample.train_images, sample.train_labels, seeds, workers=2)
    try:
        assert forked.step(4) == one.step(4) == 4
        for left in (forked.batches_per_epoch - 4, forked.batches_per_epoch):
            heard: list[int] = []
            forked.run_epoch(heard.append)
            one.run_epoch()
            assert sum(heard) == left and min(heard) >= 1
            assert (forked.epoch, forked.position, forked.steps) == \
                (one.epoch, one.position, one.steps)
            np.testing.assert_array_equal(forked.params, one.params)
    finally:
        forked.close()


@pytest.mark.parametrize("workers, subset, chunk", [(2, 0, 128), (3, 0, 96), (2, 300, 2048)])
def test_forked_workers_score_every_seed_as_one_process_does(sample, monkeypatch, workers,
                                                             subset, chunk):
    """Each worker scores every seed on its share of the pictures, whole chunks of them
    (the command line's epoch scores); together they are the one-process scores: the same
    counts of right answers, the same losses to float64 rounding. With 300 pictures in
    one chunk, one worker's share is empty."""
    from simulator import spread_workers
    from simulator.spread_workers import ForkedSpread

    monkeypatch.setattr(spread_workers, "SCORE_CHUNK", chunk)  # shares of the sample
    config = engine.Config(subset=subset)
    seeds = [2, 0, 5]
    forked = ForkedSpread(config, sample.train_images, sample.train_labels, seeds,
                          workers=workers, test=(sample.test_images, sample.test_labels))
    try:
        forked.step(7)
        trains, tests = forked.scores()
        n = forked.n_train
        alone_train = evaluate_seeds_chunked(forked.params, sample.train_images[:n],
                                             sample.train_labels[:n], config)
        X = engine.prepare_inputs(sample.test_images, config.scale)
        alone_test = evaluate_seeds(forked.params, X, sample.test_labels, config)
        for got, want in zip(trains + tests, alone_train + alone_test, strict=True):
            assert got.accuracy == want.accuracy and got.n == want.n
            assert got.loss == pytest.approx(want.loss, rel=1e-12)
        assert [t.n for t in trains] == [n] * 3 and [t.n for t in tests] == [1000] * 3
        before = forked.params.copy()
        forked.scores()  # scoring turns no knob
        np.testing.assert_array_equal(forked.params, before)
    finally:
        forked.close()


def test_workers_shares_of_the_pictures_are_whole_chunks_covering_each_once():
    from simulator.spread_workers import SCORE_CHUNK, _slice

    for n, parts in ((60_000, 2), (10_000, 2), (60_000, 3), (300, 2), (5, 4)):
        images, labels = np.arange(n)[:, None], np.arange(n)
        shares = [_slice(images, labels, k, parts)[1] for k in range(parts)]
        assert np.array_equal(np.concatenate(shares), labels)
        assert all(len(s) % SCORE_CHUNK == 0 for s in shares[:-1] if len(s))
        assert max(map(len, shares)) - min(map(len, shares)) <= SCORE_CHUNK
