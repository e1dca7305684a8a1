"""``python main.py train`` end to end: the tutorial's story on the full MNIST."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator import cli, engine, storage

ROOT = Path(__file__).resolve().parents[1]


def train(capsys, *argv):
    """Run the trainer in-process; returns (exit code, JSON summary or None, stdout, stderr)."""
    code = cli.main([*argv, "--quiet"] if "--json" not in argv else list(argv))
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    summary = json.loads(lines[-1]) if "--json" in argv and lines else None
    return code, summary, out, err


def test_defaults_reach_98_percent(capsys, mnist_dir):
    code, s, out, _ = train(capsys, "--data", str(mnist_dir), "--json")
    assert code == 0
    assert s["n_train"] == 60_000 and s["n_test"] == 10_000 and s["epochs"] == 10
    assert s["baseline_accuracy"] == pytest.approx(0.9108)
    assert s["test_accuracy"] >= 0.980
    assert len(s["history"]) == 11 and s["seconds_per_epoch"] > 0
    assert s["config"]["activation"] == "sigmoid" and s["config"]["inputs"] == "unit"
    assert "MNIST IDX files" in s["data_source"] and not s["data_is_sample"]


def test_the_tutorials_broken_model_does_worse_than_never_lighting(capsys, mnist_dir):
    _, s, _, _ = train(capsys, "--data", str(mnist_dir), "--activation", "none",
                       "--inputs", "raw", "--json")
    accuracies = [h["test_accuracy"] for h in s["history"][1:]]
    assert s["test_accuracy"] < 0.9108
    assert max(accuracies) - min(accuracies) > 0.05  # it swings, it does not learn


def test_ten_bulbs_softmax(capsys, mnist_dir):
    _, s, _, _ = train(capsys, "--data", str(mnist_dir), "--bulbs", "10",
                       "--activation", "softmax", "--loss", "ce", "--json")
    assert s["test_accuracy"] >= 0.925
    assert s["baseline_accuracy"] == pytest.approx(0.1135)  # the commonest digit, 1


def test_fit_twenty_pictures(capsys, mnist_dir):
    _, s, _, _ = train(capsys, "--data", str(mnist_dir), "--subset", "20", "--epochs", "100",
                       "--json")
    assert s["n_train"] == 20 and s["train_accuracy"] == 1.0


def test_rosenblatt_rule_prints_every_epoch(capsys, mnist_dir):
    code, s, out, _ = train(capsys, "--data", str(mnist_dir), "--rule", "rosenblatt", "--json")
    assert code == 0
    assert [line.split()[1] for line in out.splitlines() if line.startswith("epoch")] == \
        [str(e) for e in range(11)]
    assert s["test_accuracy"] >= 0.955
    assert min(h["test_accuracy"] for h in s["history"][1:]) > 0.85


def test_predict_shows_outputs_outside_0_1(capsys, mnist_dir):
    code, _, out, _ = train(capsys, "--data", str(mnist_dir), "--activation", "none",
                            "--inputs", "raw", "--epochs", "1", "--predict", "10")
    assert code == 0
    rows = [line for line in out.splitlines() if line.strip().startswith("#")]
    assert len(rows) == 10 and "label 7" in rows[0]
    assert "outside 0..1" in out


def test_save_then_load_gives_the_same_knobs(capsys, mnist_dir, tmp_path):
    path = tmp_path / "k.npz"
    _, first, _, _ = train(capsys, "--data", str(mnist_dir), "--epochs", "1", "--subset",
                           "2000", "--bulbs", "10", "--activation", "softmax", "--loss", "ce",
                           "--save", str(path), "--json")
    params, config, _ = storage.load_knobs(path)
    assert config.bulbs == 10 and config.subset == 2000
    # switches come back with the knobs: no --bulbs needed to evaluate them again
    _, again, _, _ = train(capsys, "--data", str(mnist_dir), "--load", str(path),
                           "--epochs", "0", "--json")
    assert again["test_accuracy"] == first["test_accuracy"]
    assert again["config"]["bulbs"] == 10


def test_divergence_is_a_clear_stop(capsys, mnist_dir):
    code, s, _, err = train(capsys, "--data", str(mnist_dir), "--activation", "none",
                            "--optimizer", "sgd", "--lr", "1e6", "--inputs", "raw", "--json")
    assert code == cli.EXIT_DIVERGED
    assert "rolled back" in err and s["diverged"]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--digit", "12"], "argument --digit: invalid choice: 12"),
        (["--lr", "-3"], "argument --lr: must be above 0, got -3.0"),
        (["--lr", "fast"], "argument --lr: not a number: 'fast'"),
        (["--rule", "hebb"], "argument --rule: invalid choice: 'hebb'"),
        (["--activation", "relu"], "invalid choice"),
        (["--activation", "softmax"], "softmax needs ten bulbs"),
        (["--batch-size", "0"], "must be at least 1"),
    ],
)
def test_bad_arguments_are_argparse_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_files_exit_2_with_one_line(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(12))
    bad_knobs = tmp_path / "k.npz"
    bad_knobs.write_bytes(b"not a zip")
    for argv in (["--data", str(tmp_path)], ["--load", str(bad_knobs)]):
        run = subprocess.run([sys.executable, "main.py", "train", *argv], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert str(tmp_path) in lines[0]


def test_knob_files_are_written_atomically_and_checked(tmp_path):
    config = engine.Config()
    params = engine.init_knobs(config, np.random.default_rng(0))
    path = storage.save_knobs(tmp_path / "k.npz", params, config)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json", "k.npz"]
    loaded, loaded_config, _ = storage.load_knobs(path)
    assert loaded.tobytes() == params.tobytes() and loaded_config == config
    np.savez(tmp_path / "bad.npz", weights=np.zeros((783, 1)), bias=np.zeros(1))
    with pytest.raises(storage.KnobFileError,
                       match=r"bad.npz: weights hold 783 knobs per bulb, not the retina.s 784"):
        storage.load_knobs(tmp_path / "bad.npz")
    np.savez(tmp_path / "nan.npz", weights=np.full((784, 1), np.nan), bias=np.zeros(1))
    with pytest.raises(storage.KnobFileError, match="NaN"):
        storage.load_knobs(tmp_path / "nan.npz")


def test_wandb_without_the_package_is_a_clear_note(capsys, mnist_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # as if not installed
    code, s, _, err = train(capsys, "--data", str(mnist_dir), "--subset", "100", "--epochs", "1",
                            "--wandb", "--json")
    assert code == 0 and s["epochs"] == 1
    assert "W&B logging needs the wandb package" in err


def test_a_knob_file_name_means_the_same_file_to_save_and_load(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    config = engine.Config()
    params = engine.init_knobs(config, np.random.default_rng(0))
    saved = storage.save_knobs("~/mine", params, config)
    assert saved == tmp_path / "mine.npz"
    loaded, _, _ = storage.load_knobs("~/mine")
    assert loaded.tobytes() == params.tobytes()


def test_runs_are_kept_on_the_bench_unless_told_not_to(capsys, mnist_dir):
    from simulator.runs import RunStore

    base = ["--data", str(mnist_dir), "--subset", "100", "--epochs", "2", "--quiet"]
    assert cli.main(base) == 0
    runs, notices = RunStore().list()
    assert len(runs) == 1 and not notices
    run = runs[0]
    assert run.origin == "cli" and [m["epoch"] for m in run.metrics] == [1, 2]
    start, after = RunStore().load_knobs(run.id)
    assert len(after) == 2 and not np.array_equal(start, after[-1])
    assert cli.main([*base, "--no-record"]) == 0
    assert len(RunStore().list()[0]) == 1
    assert cli.main([*base, "--seeds", "0-2"]) == 0
    spread = [r for r in RunStore().list()[0] if r.group]
    assert sorted(r.config.seed for r in spread) == [0, 1, 2]
    assert len({r.group for r in spread}) == 1 and all(len(r.metrics) == 2 for r in spread)


def test_wandb_logs_the_run_offline_with_the_real_package(capsys, mnist_dir):
    pytest.importorskip("wandb")
    from pathlib import Path

    code, s, out, _ = train(capsys, "--data", str(mnist_dir), "--subset", "100", "--epochs",
                            "2", "--wandb", "--json")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("W&B offline run:"))
    folder = Path(line.split(": ", 1)[1].split(" (")[0])
    assert folder.is_dir() and list(folder.glob("*.wandb"))
    assert list(folder.glob("files/media/images/knobs_2_*.png"))  # the knob picture, epoch 2
