"""What lies between the retina and the knobs: the plugboard (the Mark I's A-units) and the
hidden layer, in the engine, the knob files and the command line, on the real MNIST."""

import json

import numpy as np
import pytest

from simulator import cli, engine, storage, wiring
from simulator.config import Config
from simulator.data import load_idx_dir
from simulator.hidden import HiddenTrainer
from simulator.rules import make_trainer


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_idx_dir(mnist_dir)


def train(capsys, *argv):
    code = cli.main([*argv, "--quiet", "--no-record", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]) if code == 0 else None, out, err


# ---- the photocells and the patch cords -------------------------------------------------


def test_photocells_average_the_pixels_they_cover_and_switch_at_half_light():
    dark, bright = np.zeros((1, 28, 28), np.uint8), np.full((1, 28, 28), 255, np.uint8)
    assert not wiring.photocells(dark).any() and wiring.photocells(bright).all()
    block = np.zeros((1, 28, 28), np.uint8)
    block[0, :7, :7] = 255  # the top-left quarter's corner: photocells 0..4 cover rows 0..7
    lit = wiring.photocells(block).reshape(20, 20)
    assert lit[:5, :5].all() and lit.sum() == 25
    half = np.full((1, 28, 28), 127, np.uint8)  # just under half light: all dark
    assert not wiring.photocells(half).any()


def test_the_plugboard_is_fixed_by_the_seed_and_fires_as_its_cords_say(mnist):
    a, b, c = wiring.Plugboard(512, 0), wiring.Plugboard(512, 0), wiring.Plugboard(512, 1)
    assert np.array_equal(a.cells, b.cells) and np.array_equal(a.signs, b.signs)
    assert not np.array_equal(a.cells, c.cells)
    assert a.cells.shape == (512, wiring.CONNECTIONS) and set(np.unique(a.signs)) == {-1, 1}
    pictures = mnist.test_images[:200]
    fired = a.fire(pictures)
    lit = wiring.photocells(pictures)
    for unit in (0, 7, 511):  # each unit by hand: the signed sum over its lit photocells
        sums = (lit[:, a.cells[unit]] * a.signs[unit]).sum(axis=1)
        assert np.array_equal(fired[:, unit], (sums >= wiring.A_THRESHOLD).astype(np.uint8))
    share = a.fire(mnist.test_images).mean()
    assert 0.1 < share < 0.5, f"A-units should fire for some pictures, not all: {share}"


def test_the_plugboards_cords_come_from_a_stream_of_their_own(mnist):
    config = Config(wiring="plugboard")
    board = engine.Trainer(config, mnist.train_images, mnist.train_labels)
    assert board.params.shape == (513, 1) and board.rows.shape == (60_000, 513)
    # the knobs' start is the seed's, as if no plugboard had drawn its cords first
    assert np.array_equal(board.params, engine.init_knobs(config, np.random.default_rng(0)))
    assert np.array_equal(board.rows[:, :512], wiring.plugboard(512, 0).fire(mnist.train_images))


def test_units_and_wiring_are_checked_with_a_clear_message():
    with pytest.raises(ValueError, match="direct wiring has none"):
        Config(units=64).validate()
    with pytest.raises(ValueError, match="gd procedure works with|trial procedure works with"):
        Config(wiring="hidden", rule="trial", activation="sigmoid", lr=0.1).validate()
    with pytest.raises(ValueError, match="rosenblatt procedure works with direct or plugboard"):
        Config(wiring="hidden", rule="rosenblatt").validate()
    assert Config(wiring="plugboard", units=64).n_inputs == 65
    assert Config(wiring="hidden").n_inputs == 101 and Config().n_inputs == 785


# ---- the hidden layer --------------------------------------------------------------------


def _loss(W1, W2, X, Y, config):
    h = np.maximum(X @ W1, 0)
    z = np.hstack([h, np.ones((len(h), 1))]) @ W2
    a = engine.activate(z, config.activation)
    return engine.loss_value(a, Y, config)


@pytest.mark.parametrize("bulbs,activation,loss", [(10, "softmax", "ce"), (1, "sigmoid", "mse")])
def test_backpropagation_matches_the_numerical_gradient(mnist, bulbs, activation, loss):
    config = Config(wiring="hidden", units=6, bulbs=bulbs, activation=activation, loss=loss,
                    optimizer="sgd", lr=1.0, batch_size=8, subset=8)
    trainer = HiddenTrainer(config, mnist.train_images, mnist.train_labels)
    W1, W2 = trainer.hidden.astype(np.float64), trainer.params.astype(np.float64)
    X = engine.prepare_inputs(mnist.train_images[:8], config.scale).astype(np.float64)
    Y = engine.make_targets(mnist.train_labels[:8], config)
    trainer.step(1)  # SGD with lr 1 on the whole subset: the knobs move by -gradient
    g1 = W1 - trainer.hidden
    g2 = W2 - trainer.params
    rng = np.random.default_rng(1)
    eps = 1e-4
    for W, g in ((W1, g1), (W2, g2)):
        picks = [tuple(rng.integers(0, s) for s in W.shape) for _ in range(6)]
        picks += [tuple(i) for i in np.argwhere(np.abs(g) > 1e-3)[:6]]  # some that moved
        for i in picks:
            old = W[i]
            W[i] = old + eps
            up = _loss(W1, W2, X, Y, config)
            W[i] = old - eps
            down = _loss(W1, W2, X, Y, config)
            W[i] = old
            assert g[i] == pytest.approx((up - down) / (2 * eps), abs=2e-5, rel=2e-2), i


def test_the_hidden_trainer_shares_both_layers_and_rolls_back_on_divergence(mnist):
    config = Config(wiring="hidden", units=20, optimizer="sgd", lr=1e10, inputs="raw",
                    activation="none", subset=2000)
    params = engine.init_knobs(config, np.random.default_rng(0))
    hidden = wiring.init_hidden(config, np.random.default_rng(1))
    trainer = make_trainer(config, mnist.train_images, mnist.train_labels, params, hidden)
    assert trainer.params is params and trainer.hidden is hidden
    with pytest.raises(engine.TrainingDiverged, match="both layers were rolled back"):
        trainer.run_epoch()
    assert np.isfinite(params).all() and np.isfinite(hidden).all()


# ---- the command line: the measured figures (10 epochs, full MNIST) ----------------------


def test_hidden_layer_reads_ten_digits_to_97_5_percent(capsys, mnist_dir):
    code, s, out, _ = train(capsys, "--data", str(mnist_dir), "--wiring", "hidden",
                            "--bulbs", "10", "--activation", "softmax", "--loss", "ce")
    assert code == 0 and s["epochs"] == 10
    assert s["test_accuracy"] >= 0.975
    assert "hidden layer of 100 ReLU units" in out


@pytest.mark.parametrize("bulbs,at_least", [(1, 0.955), (10, 0.885)])
def test_the_mark_i_plugboard_learns_by_rosenblatts_rule(capsys, mnist_dir, bulbs, at_least):
    code, s, out, _ = train(capsys, "--data", str(mnist_dir), "--wiring", "plugboard",
                            "--rule", "rosenblatt", "--bulbs", str(bulbs))
    assert code == 0 and s["epochs"] == 10
    assert s["test_accuracy"] >= at_least
    assert s["test_accuracy"] > s["baseline_accuracy"] + 0.03
    assert "400 photocells patched to 512 association units" in out


# ---- knob files of every wiring ----------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("--wiring", "plugboard", "--units", "64", "--rule", "rosenblatt"),
    ("--wiring", "hidden", "--units", "16"),
    ("--wiring", "hidden", "--units", "16", "--bulbs", "10", "--activation", "softmax"),
])
def test_knob_files_of_every_wiring_save_and_load_in_the_cli(capsys, mnist_dir, tmp_path, argv):
    path = tmp_path / "knobs"
    common = ("--data", str(mnist_dir), "--subset", "2000", "--epochs", "1")
    code, first, _, _ = train(capsys, *common, *argv, "--save", str(path))
    assert code == 0
    knobs = storage.load_knobs(path)
    assert knobs.config.wiring == argv[1] and len(knobs.params) == knobs.config.n_inputs
    assert (knobs.hidden is not None) == (argv[1] == "hidden")
    # loading brings the wiring: no --wiring given, 0 epochs: the same test score
    code, again, _, _ = train(capsys, "--data", str(mnist_dir), "--load", str(path),
                              "--epochs", "0")
    assert code == 0 and again["config"]["wiring"] == argv[1]
    assert again["test_accuracy"] == first["test_accuracy"]
    # knobs of one wiring do not go into another
    with pytest.raises(SystemExit):
        cli.main(["--data", str(mnist_dir), "--load", str(path), "--wiring", "direct",
                  "--units", "0", "--quiet"])
    assert "do not fit direct wiring" in capsys.readouterr().err


def test_bad_knob_files_of_a_wiring_name_the_file_and_the_problem(tmp_path):
    config = Config(wiring="plugboard", units=64, seed=3)
    params = engine.init_knobs(config, np.random.default_rng(0))
    path = storage.save_knobs(tmp_path / "pb", params, config)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["plugboard_cells"] = (arrays["plugboard_cells"] + 1) % wiring.N_PHOTOCELLS
    np.savez(path, **arrays)
    with pytest.raises(storage.KnobFileError, match="patch cords are not the ones seed 3"):
        storage.load_knobs(path)
    storage.config_path(path).unlink()  # without its switches, 64 knobs say nothing
    with pytest.raises(storage.KnobFileError,
                       match="64 knobs per bulb, not the retina's 784, and no switches file"):
        storage.load_knobs(path)
    hidden_config = Config(wiring="hidden", units=8)
    hp = storage.save_knobs(tmp_path / "h", engine.init_knobs(hidden_config,
                                                              np.random.default_rng(0)),
                            hidden_config, hidden=wiring.init_hidden(hidden_config,
                                                                    np.random.default_rng(0)))
    with np.load(hp) as data:
        arrays = {k: v for k, v in data.items() if k != "hidden_bias"}
    np.savez(hp, **arrays)
    with pytest.raises(storage.KnobFileError, match="hidden layer needs hidden_weights"):
        storage.load_knobs(hp)
