"""Every run kept on disk (simulator/runs.py): round trips byte for byte, restarts, damaged
files reported and skipped, the bounded store, rename and delete, exports, names, atomic
writes and two writers on one folder. Fast: small arrays in tmp_path, no MNIST."""

import csv
import dataclasses
import json
import os
import zipfile

import numpy as np
import pytest

from simulator import atomic as atomic_mod
from simulator import runs as runs_mod
from simulator.config import Config
from simulator.runs import METRIC_KEYS, Run, RunFileError, RunStore, auto_name
from simulator.session import state_dir
from simulator.storage import load_knobs


def knobs(seed: int, bulbs: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((785, bulbs)).astype(np.float32)


def row(epoch: int, test_acc: float = 0.9) -> dict:
    return {"epoch": epoch, "train_loss": 0.5 / epoch, "train_acc": 0.8 + epoch / 1000,
            "test_loss": 0.6 / epoch, "test_acc": test_acc, "seconds": 0.25 * epoch}


def make_run(config: Config | None = None, epochs: int = 3, seed: int = 0, scored=None,
             **kw) -> Run:
    """A run with ``epochs`` knob arrays and ``scored`` (default: all) rows of scores."""
    config = config or Config()
    run = Run.new(config, knobs(seed, config.bulbs), source="test digits", origin="cli", **kw)
    for e in range(1, epochs + 1):
        run.add_knobs(knobs(seed * 100 + e, config.bulbs))
    for e in range(1, (epochs if scored is None else scored) + 1):
        run.metrics.append(row(e))
    return run


def files(directory) -> list[str]:
    return sorted(os.listdir(directory))


# ---------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("bulbs", [1, 10])
def test_round_trip_byte_for_byte(tmp_path, bulbs):
    config = Config(bulbs=bulbs, activation="softmax", loss="ce") if bulbs == 10 else Config()
    run = make_run(config, epochs=4, group="seeds 0-9", baseline=0.9108)
    store = RunStore(tmp_path)
    assert store.save(run) is True
    assert files(tmp_path) == [f"{run.id}.json", f"{run.id}.npz"]

    start, stack = RunStore(tmp_path).load_knobs(run.id)
    assert start.dtype == np.float32 and start.shape == (785, bulbs)
    assert start.tobytes() == run.start.tobytes()
    assert len(stack) == 4
    for saved, loaded in zip(run.knobs, stack, strict=True):
        assert loaded.dtype == np.float32 and loaded.tobytes() == saved.tobytes()

    loaded = RunStore(tmp_path).load(run.id)
    for name in ("id", "created", "config", "procedure", "source", "origin", "metrics",
                 "name", "group", "baseline"):
        assert getattr(loaded, name) == getattr(run, name), name
    assert loaded.label() == run.label()


def test_a_new_store_on_the_same_folder_lists_the_same_runs(tmp_path):
    store = RunStore(tmp_path)
    made = [make_run(seed=s) for s in range(3)]
    for run in made:
        store.save(run)
    before, notices = store.list()
    after, notices_after = RunStore(tmp_path).list()  # the restart
    assert notices == notices_after == []
    assert [r.id for r in after] == [r.id for r in before] == [r.id for r in reversed(made)]
    assert [r.label() for r in after] == [r.label() for r in reversed(made)]
    assert all(r.start is None and r.knobs == [] and not r.arrays_loaded for r in after)
    assert after[0].config == made[-1].config and after[0].metrics == made[-1].metrics


def test_saved_after_each_epoch_with_scores_lagging_by_one(tmp_path):
    store = RunStore(tmp_path)
    trainer_params = knobs(1)
    expected = [trainer_params.copy()]
    run = Run.new(Config(), trainer_params, source="s")
    store.save(run)  # no epoch yet
    assert store.load_knobs(run.id)[1] == []
    assert store.list()[0][0].label() == "defaults, seed 0 (no epochs yet)"
    for epoch in (1, 2, 3):
        trainer_params += 1.0  # the trainer turns its knobs in place
        run.add_knobs(trainer_params)  # a copy is kept
        expected.append(trainer_params.copy())
        store.save(run)  # the epoch's knobs, its score still to come
        assert len(store.load_knobs(run.id)[1]) == epoch
        assert len(store.list()[0][0].metrics) == epoch - 1
        run.metrics.append(row(epoch, test_acc=0.95))
        store.save(run)  # the score arrives: only the JSON changes
    start, stack = store.load_knobs(run.id)
    assert [a.tobytes() for a in (start, *stack)] == [a.tobytes() for a in expected]
    assert len({a.tobytes() for a in expected}) == 4
    assert store.list()[0][0].final_accuracy() == 0.95


def test_scores_only_save_leaves_the_npz_alone(tmp_path):
    store = RunStore(tmp_path)
    run = make_run(epochs=2, scored=1)
    store.save(run)
    npz = store.npz_path(run.id)
    stamp = (npz.stat().st_ino, npz.stat().st_mtime_ns)
    run.metrics.append(row(2))
    store.save(run)
    assert (npz.stat().st_ino, npz.stat().st_mtime_ns) == stamp
    run.add_knobs(knobs(99))
    store.save(run)
    assert npz.stat().st_ino != stamp[0] or npz.stat().st_mtime_ns != stamp[1]
    assert len(store.load_knobs(run.id)[1]) == 3


def test_default_folder_is_the_state_dir(tmp_path):
    assert RunStore().directory == state_dir() / "runs"
    assert RunStore(tmp_path / "nothing yet").list() == ([], [])


# ---------------------------------------------------------------------------- damage


def test_damaged_json_files_are_skipped_with_a_notice(tmp_path):
    store = RunStore(tmp_path)
    good, bad = make_run(seed=1), [make_run(seed=s) for s in (2, 3, 4, 5, 6)]
    for run in (good, *bad):
        store.save(run)
    store.json_path(bad[0].id).write_text('{"format": "perceptron-run/1", "id": ')  # truncated
    store.json_path(bad[1].id).write_bytes(b"")
    store.json_path(bad[2].id).write_text("[1, 2, 3]")
    meta = json.loads(store.json_path(bad[3].id).read_text())
    meta["config"]["activation"] = "tanh"
    store.json_path(bad[3].id).write_text(json.dumps(meta))
    meta = json.loads(store.json_path(bad[4].id).read_text())
    meta["id"] = good.id
    store.json_path(bad[4].id).write_text(json.dumps(meta))

    runs, notices = RunStore(tmp_path).list()
    assert [r.id for r in runs] == [good.id]
    assert len(notices) == 5
    for run, what in zip(bad, ("not valid JSON", "empty", "not a run", "activation",
                               "says it is run"), strict=True):
        notice = next(n for n in notices if f"{run.id}.json" in n)
        assert what in notice, notice
    with pytest.raises(RunFileError, match=bad[0].id):
        store.get(bad[0].id)


@pytest.mark.parametrize("damage", ["truncated", "missing", "not a zip", "wrong arrays"])
def test_damaged_npz_is_listed_with_its_knobs_unavailable(tmp_path, damage):
    store = RunStore(tmp_path)
    good, hurt = make_run(seed=1), make_run(seed=2)
    store.save(good)
    store.save(hurt)
    npz = store.npz_path(hurt.id)
    if damage == "truncated":
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    elif damage == "missing":
        npz.unlink()
    elif damage == "not a zip":
        npz.write_bytes(b"\x00" * 100)
    else:
        np.savez(npz, weights=np.zeros(3))

    runs, notices = RunStore(tmp_path).list()
    assert [r.id for r in runs] == [hurt.id, good.id]
    assert runs[0].knobs_problem and runs[1].knobs_problem is None
    assert len(notices) == 1 and hurt.id in notices[0] and "unavailable" in notices[0]
    with pytest.raises(RunFileError, match=f"{hurt.id}.npz"):
        store.load_knobs(hurt.id)
    with pytest.raises(RunFileError):
        store.export_knobs(runs[0], 1, tmp_path / "out" / "k.npz")
    assert len(store.load_knobs(good.id)[1]) == 3


def test_corrupted_bytes_inside_the_npz_raise_on_load(tmp_path):
    store = RunStore(tmp_path)
    run = make_run()
    store.save(run)
    npz = store.npz_path(run.id)
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the knobs' bytes: the zip's CRC no longer matches
    npz.write_bytes(bytes(data))
    with pytest.raises(RunFileError, match=run.id):
        store.load_knobs(run.id)


def test_half_written_files_are_not_runs(tmp_path):
    store = RunStore(tmp_path)
    run = make_run()
    store.save(run)
    (tmp_path / "20990101-000000-000000-abcd.npz").write_bytes(b"PK")  # npz, json to come
    (tmp_path / f".{run.id}.json.x1y2.tmp").write_text("{")  # another writer's temp file
    (tmp_path / "notes.txt").write_text("hello")
    runs, notices = store.list()
    assert [r.id for r in runs] == [run.id] and notices == []


# ---------------------------------------------------------------------------- the store


def test_bounded_store_prunes_the_oldest(tmp_path):
    store = RunStore(tmp_path, limit=3)
    made = [make_run(seed=s) for s in range(5)]
    for run in made:
        store.save(run)
    runs, _ = store.list()
    assert [r.id for r in runs] == [r.id for r in reversed(made[2:])]
    assert files(tmp_path) == sorted(f"{r.id}.{ext}" for r in made[2:] for ext in ("json",
                                                                                  "npz"))
    assert store.save(made[0]) is False  # pruned: not brought back
    assert len(store.list()[0]) == 3


def test_the_run_being_saved_is_never_pruned(tmp_path):
    old, mid, new = (make_run(seed=s) for s in range(3))
    for run in (old, mid, new):
        RunStore(tmp_path).save(run)
    store = RunStore(tmp_path, limit=2)
    old.add_knobs(knobs(7))  # the oldest run, continued: saved again past the limit
    assert store.save(old) is True
    assert [r.id for r in store.list()[0]] == [new.id, old.id]  # the oldest other one went
    assert len(store.load_knobs(old.id)[1]) == 4


def test_rename_and_delete(tmp_path):
    store = RunStore(tmp_path)
    run, other = make_run(seed=1), make_run(seed=2)
    store.save(run)
    store.save(other)
    renamed = store.rename(run.id, "  my best run ")
    assert renamed.name == "my best run" and renamed.label() == "my best run"
    assert {r.id: r.label() for r in RunStore(tmp_path).list()[0]}[run.id] == "my best run"

    # The window's copy of the run knows no name: its next save keeps the one on disk.
    assert run.name is None
    run.add_knobs(knobs(5))
    store.save(run)
    assert run.name == "my best run" and store.get(run.id).name == "my best run"

    assert store.rename(run.id, None).label() == auto_name(dataclasses.replace(run, name=None))
    assert store.get(run.id).name is None

    store.delete(run.id)
    assert [r.id for r in store.list()[0]] == [other.id]
    assert files(tmp_path) == [f"{other.id}.json", f"{other.id}.npz"]
    assert store.save(run) is False  # deleted: the window's next epoch does not bring it back
    assert files(tmp_path) == [f"{other.id}.json", f"{other.id}.npz"]
    with pytest.raises(KeyError, match=run.id):
        store.delete(run.id)
    with pytest.raises(KeyError, match=run.id):
        store.rename(run.id, "x")
    with pytest.raises(KeyError, match=run.id):
        store.load_knobs(run.id)


@pytest.mark.parametrize("bad", ["../etc/passwd", "", ".hidden", "a/b", "x.json", 42, None])
def test_bad_ids_raise_naming_the_id(tmp_path, bad):
    store = RunStore(tmp_path)
    for call in (store.load_knobs, store.delete, store.get, lambda i: store.rename(i, "n")):
        with pytest.raises(ValueError, match="not a run id"):
            call(bad)


def test_bad_arrays_are_refused_before_anything_is_written(tmp_path):
    store = RunStore(tmp_path)
    run = make_run()
    run.knobs.append(np.zeros((785, 10), np.float32))
    with pytest.raises(ValueError, match="shape"):
        store.save(run)
    with pytest.raises(ValueError, match="bulb"):
        store.save(Run.new(Config(), knobs(0, 10)))
    with pytest.raises(ValueError, match="785"):
        Run.new(Config(), np.zeros((784, 1)))
    assert files(tmp_path) == []


def test_save_errors_are_os_errors_naming_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = RunStore(blocker / "runs")
    run = make_run()
    with pytest.raises(OSError) as info:
        store.save(run)
    assert str(blocker / "runs") in str(info.value)


# ---------------------------------------------------------------------------- exports


def test_export_csv(tmp_path):
    store = RunStore(tmp_path / "runs")
    run = make_run(epochs=3)
    run.metrics[1]["test_acc"] = float("nan")  # a score that failed
    path = store.export_csv(run, tmp_path / "out" / "scores.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(METRIC_KEYS)
    assert len(rows) == 4
    for line, expected in zip(rows[1:], run.metrics, strict=True):
        assert int(line[0]) == expected["epoch"]
        values = [float(v) for v in line[1:]]
        wanted = [expected[k] for k in METRIC_KEYS[1:]]
        np.testing.assert_array_equal(values, wanted)  # full precision, NaN as nan
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["scores.csv"]


@pytest.mark.parametrize("bulbs", [1, 10])
def test_export_knobs_loads_back(tmp_path, bulbs):
    config = Config(bulbs=bulbs, activation="softmax", loss="ce", seed=3) if bulbs == 10 \
        else Config(inputs="raw", seed=3)
    store = RunStore(tmp_path / "runs")
    run = make_run(config, epochs=3)
    store.save(run)
    listed = store.list()[0][0]  # without arrays: read from the store
    for epoch, expected in ((0, run.start), (2, run.knobs[1]), (3, run.knobs[2])):
        for which in (run, listed):
            path = store.export_knobs(which, epoch, tmp_path / f"epoch{epoch}")
            assert path == tmp_path / f"epoch{epoch}.npz"
            params, loaded_config, _ = load_knobs(path)
            assert params.tobytes() == expected.tobytes()
            assert loaded_config == config
    meta = json.loads((tmp_path / "epoch2.json").read_text())
    assert meta["run"]["run_id"] == run.id and meta["run"]["epoch"] == 2
    assert meta["run"]["scores"]["test_acc"] == run.metrics[1]["test_acc"]
    for bad in (-1, 4, 1.5, True):
        with pytest.raises(ValueError, match=rf"run {run.id} has epochs 0\.\.3"):
            store.export_knobs(run, bad, tmp_path / "bad")


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize("config, accuracy, name", [
    (Config(activation="none", inputs="raw"), 0.247, "no activation, raw pixels, seed 0: 24.7%"),
    (Config(inputs="raw", seed=5), 0.9108, "sigmoid, raw pixels, seed 5: 91.1%"),
    (Config(rule="rosenblatt", lr=1.0), 0.9673, "Rosenblatt's rule, seed 0: 96.7%"),
    (Config(rule="rosenblatt", lr=0.5), 0.9, "Rosenblatt's rule, step 0.5, seed 0: 90.0%"),
    (Config(rule="trial", lr=0.1), 0.9719, "trial and error, seed 0: 97.2%"),
    (Config(bulbs=10, activation="softmax", loss="ce"), 0.927,
     "ten bulbs, softmax, cross-entropy, seed 0: 92.7%"),
    (Config(subset=20, epochs=100), 0.901, "20 pictures, seed 0: 90.1%"),
    (Config(), 0.98, "defaults, seed 0: 98.0%"),
    (Config(epochs=100), 0.98, "defaults, seed 0: 98.0%"),
    (Config(digit=3, optimizer="sgd", lr=0.01), 0.95, "digit 3, SGD, lr 0.01, seed 0: 95.0%"),
    (Config(), None, "defaults, seed 0 (no epochs yet)"),
])
def test_auto_name(config, accuracy, name):
    run = Run.new(config, np.zeros((785, config.bulbs), np.float32))
    if accuracy is not None:
        run.metrics.append(row(1, test_acc=accuracy))
        run.add_knobs(run.start)
    assert auto_name(run) == name
    assert run.label() == name
    assert len(name) <= 48


def test_label_and_final_accuracy(tmp_path):
    run = make_run(epochs=2, scored=1)
    assert run.final_accuracy() == 0.9
    run.metrics[-1]["test_acc"] = float("nan")
    assert run.final_accuracy() is None and run.label() == "defaults, seed 0: not scored"
    run.metrics.clear()
    assert run.label() == "defaults, seed 0 (scoring)"
    run.name = "mine"
    assert run.label() == "mine"


# ---------------------------------------------------------------------------- atomic writes


def test_a_failed_first_save_leaves_no_file(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    run = make_run()

    def half_then_fail(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runs_mod.np, "savez", half_then_fail)
    with pytest.raises(OSError, match=f"{run.id}.npz"):
        store.save(run)
    assert files(tmp_path) == []
    assert store.list() == ([], [])


def test_a_failed_update_leaves_the_old_files(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    run = make_run(epochs=2)
    store.save(run)
    before = {p: (tmp_path / p).read_bytes() for p in files(tmp_path)}

    calls = []
    real_fsync = atomic_mod.os.fsync

    def fsync_fails_on_the_json(fd):  # the npz is written, the JSON fails half-way
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    run.add_knobs(knobs(50))
    run.metrics.append(row(3))
    monkeypatch.setattr(atomic_mod.os, "fsync", fsync_fails_on_the_json)
    with pytest.raises(OSError, match=f"{run.id}.json"):
        store.save(run)
    monkeypatch.undo()
    assert files(tmp_path) == sorted(before)  # no temp file left
    assert (tmp_path / f"{run.id}.json").read_bytes() == before[f"{run.id}.json"]
    listed = RunStore(tmp_path).list()[0][0]
    assert len(listed.metrics) == 2  # the old JSON; the knobs may run one ahead
    assert len(store.load_knobs(run.id)[1]) == 3


def test_atomic_npz_failure_on_update_keeps_the_old_npz(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    run = make_run(epochs=2)
    store.save(run)
    before = {p: (tmp_path / p).read_bytes() for p in files(tmp_path)}
    run.add_knobs(knobs(51))

    def half_then_fail(file, **arrays):
        file.write(b"PK\x03\x04")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runs_mod.np, "savez", half_then_fail)
    with pytest.raises(OSError):
        store.save(run)
    monkeypatch.undo()
    assert {p: (tmp_path / p).read_bytes() for p in files(tmp_path)} == before
    assert len(store.load_knobs(run.id)[1]) == 2
    assert store.save(run) is True and len(store.load_knobs(run.id)[1]) == 3


# ---------------------------------------------------------------------------- two writers


def test_two_writers_on_one_folder(tmp_path):
    window, cli = RunStore(tmp_path), RunStore(tmp_path)
    a = make_run(seed=1)
    b = make_run(seed=2)
    a.origin, b.origin = "window", "cli"
    for epoch in range(4, 7):  # interleaved epochs
        window.save(a)
        cli.save(b)
        a.add_knobs(knobs(epoch))
        b.add_knobs(knobs(epoch + 10))
    window.save(a)
    cli.save(b)
    for store in (window, cli):
        runs, notices = store.list()
        assert notices == [] and [r.id for r in runs] == [b.id, a.id]
    assert len(window.load_knobs(b.id)[1]) == len(cli.load_knobs(a.id)[1]) == 6

    cli.rename(a.id, "renamed from the CLI")
    window.list()  # cached
    assert window.list()[0][1].name == "renamed from the CLI"
    window.save(a)  # the window's next epoch keeps the other writer's name
    assert cli.get(a.id).name == "renamed from the CLI"

    cli.delete(a.id)  # deleted elsewhere: the window's next save does not resurrect it
    assert window.save(a) is False
    assert [r.id for r in window.list()[0]] == [b.id]


def test_ids_are_unique_and_sort_by_creation():
    made = [Run.new(Config(), np.zeros((785, 1), np.float32)) for _ in range(500)]
    ids = [r.id for r in made]
    assert len(set(ids)) == len(ids) and sorted(ids) == ids
    assert all(runs_mod.check_id(i) == i for i in ids)


def test_an_id_clash_never_overwrites_another_run(tmp_path):
    store = RunStore(tmp_path)
    mine = make_run(seed=1)
    store.save(mine)
    before = {p: (tmp_path / p).read_bytes() for p in files(tmp_path)}
    clash = make_run(seed=2)
    clash.id = mine.id
    with pytest.raises(ValueError, match="another run"):
        RunStore(tmp_path).save(clash)
    assert {p: (tmp_path / p).read_bytes() for p in files(tmp_path)} == before


def test_npz_layout(tmp_path):
    store = RunStore(tmp_path)
    run = make_run(Config(bulbs=10, activation="softmax", loss="ce"), epochs=2)
    store.save(run)
    with zipfile.ZipFile(store.npz_path(run.id)) as z:
        assert sorted(z.namelist()) == ["knobs.npy", "start.npy"]
    with np.load(store.npz_path(run.id)) as data:
        assert data["knobs"].shape == (2, 785, 10) and data["knobs"].dtype == np.float32
    meta = json.loads(store.json_path(run.id).read_text())
    assert meta["format"] == "perceptron-run/1" and meta["id"] == run.id
    assert meta["config"] == run.config.to_dict() and meta["origin"] == "cli"
