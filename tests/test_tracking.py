"""Experiment tracking against the real wandb package, offline: a tiny run is written to
tmp_path and read back from wandb's own transaction log (``run-<id>.wandb``).

Offline runs of wandb-core write no ``files/config.yaml`` or ``files/wandb-summary.json`` (only
the syncer makes those), so the run is read back from the log, the file ``wandb sync`` uploads:
LevelDB log framing (https://github.com/google/leveldb/blob/main/doc/log_format.md) behind a
7-byte W&B header, each entry a ``wandb_internal_pb2.Record``. The framing has not changed since
wandb 0.10, and summary and config items are still JSON strings (``value_json``).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from simulator import tracking
from simulator.config import Config
from simulator.tracking import (
    KNOB_NEGATIVE,
    KNOB_POSITIVE,
    KNOB_ZERO,
    KNOBS_KEY,
    PICTURE_PIXEL,
    WandbRun,
    knob_picture,
    knob_scale,
)

ROOT = Path(__file__).resolve().parents[1]

EPOCHS = [  # made-up numbers for three epochs; None is left out of the log
    {"train_loss": 0.30, "train_accuracy": 0.90, "test_loss": 0.31, "test_accuracy": 0.905,
     "seconds": None},
    {"train_loss": 0.20, "train_accuracy": 0.95, "test_loss": 0.22, "test_accuracy": 0.951,
     "seconds": 1.5},
    {"train_loss": 0.10, "train_accuracy": 0.98, "test_loss": 0.12, "test_accuracy": 0.9812,
     "seconds": 1.25},
]


# ---- reading an offline run back -----------------------------------------------------------

_BLOCK, _HEADER = 32768, 7  # LevelDB log block and record header; W&B's file header is 7 too
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def _log_entries(path: Path):
    """The byte strings of a W&B transaction log, in order."""
    data = path.read_bytes()
    assert data[:4] == b":W&B" and data[4:6] == (0xBEE1).to_bytes(2, "little"), "not a .wandb"
    pos, pieces = _HEADER, b""
    while pos + _HEADER <= len(data):
        left = _BLOCK - pos % _BLOCK
        if left < _HEADER:  # a block's zero trailer
            pos += left
            continue
        length, kind = int.from_bytes(data[pos + 4:pos + 6], "little"), data[pos + 6]
        payload = data[pos + _HEADER:pos + _HEADER + length]
        pos += _HEADER + length
        if kind == _FULL:
            yield payload
        elif kind == _FIRST:
            pieces = payload
        elif kind == _MIDDLE:
            pieces += payload
        elif kind == _LAST:
            yield pieces + payload


def _item_path(item) -> list[str]:
    return list(item.nested_key) or [item.key]


def _put(target: dict, keys: list[str], value) -> None:
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _history_value(item):
    kind = item.WhichOneof("value") if item.DESCRIPTOR.oneofs_by_name.get("value") else None
    if kind in (None, "value_json", "json"):
        return json.loads(getattr(item, kind or "value_json"))
    return None if kind == "none" else getattr(item, kind)


def read_offline_run(run_dir: Path) -> dict:
    """Config, summary, history rows by step and exit code of an offline run's folder."""
    from wandb.proto import wandb_internal_pb2

    (log,) = run_dir.glob("run-*.wandb")
    run = {"config": {}, "summary": {}, "history": {}, "exit_code": None, "project": None}
    for entry in _log_entries(log):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(entry)
        kind = record.WhichOneof("record_type")
        if kind == "run":
            run["project"] = record.run.project
            run["name"], run["group"] = record.run.display_name, record.run.run_group
            updates = record.run.config.update
        elif kind == "config":
            updates = record.config.update
        elif kind == "summary":
            for item in record.summary.update:
                _put(run["summary"], _item_path(item), json.loads(item.value_json))
            continue
        elif kind == "history":
            row = run["history"].setdefault(record.history.step.num, {})
            for item in record.history.item:
                _put(row, _item_path(item), _history_value(item))
            continue
        elif kind == "exit":
            run["exit_code"] = record.exit.exit_code
            continue
        else:
            continue
        for item in updates:
            _put(run["config"], _item_path(item), json.loads(item.value_json))
    return run


# ---- the real thing ------------------------------------------------------------------------


@pytest.fixture
def wandb_home(tmp_path, monkeypatch):
    """wandb's own folders (settings, cache, the service's debug log) under tmp_path."""
    pytest.importorskip("wandb")
    for var, sub in (("WANDB_CONFIG_DIR", "config"), ("WANDB_CACHE_DIR", "cache"),
                     ("WANDB_DATA_DIR", "data"), ("XDG_CACHE_HOME", "xdg-cache")):
        monkeypatch.setenv(var, str(tmp_path / "wandb-home" / sub))
    for var in ("WANDB_MODE", "WANDB_DIR", "WANDB_RUN_ID", "WANDB_RESUME", "WANDB_SERVICE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _children() -> list:
    import psutil

    return psutil.Process().children(recursive=True)


def _services() -> list:
    """wandb's service processes started by this process (wandb-core, a Go binary)."""
    import psutil

    found = []
    for p in _children():
        with contextlib.suppress(psutil.Error):
            if p.name().startswith("wandb-core"):
                found.append(p)
    return found


def test_offline_run_is_written_and_reads_back(wandb_home):
    pytest.importorskip("PIL")
    import psutil

    # A run another test left open keeps the shared service up; then only "nothing new" holds.
    others_open = WandbRun._open_runs
    before = {p.pid for p in _children()}
    hooks = (sys.exit, sys.excepthook)
    config = Config(activation="none", inputs="raw")  # the tutorial's model as first written
    rng = np.random.default_rng(0)
    params = rng.normal(0.0, 0.05, size=(785, 1)).astype(np.float32)
    params[0, 0], params[1, 0] = 10.0, -10.0  # far past the 99th percentile: full colour

    started = time.perf_counter()
    run, note = WandbRun.open(config, "tiny", wandb_home, group="tests", procedure="gd",
                              data="made-up numbers")
    opened = time.perf_counter()
    assert run is not None, note
    assert note == ""
    services = _services()
    assert services, "wandb's service process was expected while the run is open"
    assert all("--no-observability" in p.cmdline() for p in services)  # no crash reports
    for epoch, metrics in enumerate(EPOCHS, start=1):
        run.log_epoch(metrics, epoch)
    assert run.log_knobs(params, epoch=3)
    logged = time.perf_counter()
    run_dir = run.finish()
    finished = time.perf_counter()
    print(f"\nwandb open {opened - started:.2f} s, 3 epochs + picture {logged - opened:.2f} s, "
          f"finish {finished - logged:.2f} s")

    # Nothing outlives the run: the service is gone, the interpreter's hooks are put back.
    new = [p for p in _children() if p.pid not in before]
    gone, alive = psutil.wait_procs(new, timeout=5)
    assert not alive, [p.cmdline() for p in alive]
    if not others_open:
        assert not _services()
    assert (sys.exit, sys.excepthook) == hooks
    assert run.finish() == run_dir  # twice is harmless

    # <tmp>/wandb/offline-run-<date>_<time>-<id>/ with run-<id>.wandb and files/media/images/
    assert run_dir is not None and run_dir.parent == wandb_home / "wandb"
    assert run_dir.name.startswith("offline-run-")
    read = read_offline_run(run_dir)
    assert read["project"] == "perceptron-machine"
    assert (read["name"], read["group"]) == ("tiny", "tests")
    assert read["exit_code"] == 0

    assert read["config"]["activation"] == "none"
    assert read["config"]["inputs"] == "raw"
    assert read["config"]["procedure"] == "gd"
    assert read["config"]["data"] == "made-up numbers"
    assert {k: read["config"][k] for k in config.to_dict()} == config.to_dict()

    summary = read["summary"]
    assert summary["test_accuracy"] == pytest.approx(0.9812)
    assert summary["train_loss"] == pytest.approx(0.10)
    assert summary["seconds"] == pytest.approx(1.25)
    assert summary["epoch"] == 3
    history = read["history"]
    assert sorted(history) == [1, 2, 3]
    assert [history[e]["test_accuracy"] for e in (1, 2, 3)] == pytest.approx([0.905, 0.951,
                                                                             0.9812])
    assert "seconds" not in history[1]  # None was left out

    image = summary[KNOBS_KEY]
    assert image["_type"] == "image-file"
    picture_path = run_dir / "files" / image["path"]
    assert picture_path.parent == run_dir / "files" / "media" / "images"
    assert picture_path.suffix == ".png" and picture_path.is_file()
    from PIL import Image

    pixels = np.asarray(Image.open(picture_path).convert("RGB"))
    side = 28 * PICTURE_PIXEL
    assert pixels.shape == (side, side, 3)
    expected = knob_picture(params[:784, 0], knob_scale(params[:784, 0], config.scale),
                            pixel=PICTURE_PIXEL)
    np.testing.assert_array_equal(pixels, expected)  # PNG is lossless: the very picture
    assert tuple(pixels[0, 0]) == KNOB_POSITIVE
    assert tuple(pixels[0, PICTURE_PIXEL]) == KNOB_NEGATIVE


def test_open_without_wandb_says_why(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "wandb", None)  # import wandb raises ImportError
    run, why = WandbRun.open(Config(), "no-wandb", tmp_path / "runs")
    assert run is None
    assert "wandb" in why and "pip install wandb" in why and "\n" not in why
    assert not (tmp_path / "runs").exists()


def test_without_pillow_the_run_goes_on_without_pictures(wandb_home, monkeypatch):
    monkeypatch.setattr(tracking, "_has_pillow", lambda: False)
    run, note = WandbRun.open(Config(), "no-pillow", wandb_home)
    assert run is not None
    assert "pip install pillow" in note and "\n" not in note
    with run:
        run.log_epoch({"test_accuracy": 0.5}, 1)
        assert run.log_knobs(np.zeros((785, 1), np.float32), 1) is False
    read = read_offline_run(run.finish())
    assert read["summary"]["test_accuracy"] == 0.5 and KNOBS_KEY not in read["summary"]
    assert not (run.directory / "files" / "media").exists()


def test_settings_are_known_to_the_installed_wandb():
    """The quiet settings are filtered by name; a wandb that renames one should be noticed."""
    wandb = pytest.importorskip("wandb")
    from simulator.tracking import _SETTINGS

    assert set(_SETTINGS) <= set(wandb.Settings.model_fields)


def test_tracking_imports_neither_pygame_nor_wandb():
    code = ("import sys, simulator.tracking; "
            "print(sorted(m for m in ('pygame', 'wandb') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


# ---- the knob picture ----------------------------------------------------------------------


def test_knob_picture_is_the_boards_colours():
    from simulator.theme import Theme
    from simulator.view.knobs import knob_colour

    theme = Theme()
    assert (KNOB_POSITIVE, KNOB_NEGATIVE, KNOB_ZERO) == (
        theme.knob_positive, theme.knob_negative, theme.knob_zero)
    t = np.array([-2.0, -1.0, -0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 1.0, 3.0])
    weights = np.zeros(784)
    weights[:len(t)] = t * 0.25
    picture = knob_picture(weights, scale=0.25)
    assert picture.shape == (28, 28, 3) and picture.dtype == np.uint8
    got = [tuple(int(c) for c in picture[0, i]) for i in range(len(t))]
    assert got == [knob_colour(float(x), theme) for x in t]


def test_knob_picture_layout_scale_and_bad_values():
    weights = np.zeros(784, dtype=np.float32)
    weights[28 * 3 + 5] = 1.0  # row 3, column 5
    weights[27] = np.nan
    picture = knob_picture(weights, scale=1.0, pixel=2)
    assert picture.shape == (56, 56, 3)
    assert tuple(picture[6, 10]) == tuple(picture[7, 11]) == KNOB_POSITIVE
    assert tuple(picture[0, 54]) == KNOB_ZERO  # NaN drawn as zero
    assert (picture == np.array(KNOB_ZERO, np.uint8)).all(axis=2).sum() == 56 * 56 - 4

    w = np.linspace(-1, 1, 784)
    assert knob_scale(w) == pytest.approx(np.percentile(np.abs(w), 99))
    assert knob_scale(np.zeros(784), 1 / 255) == pytest.approx(0.01)  # a zeroed board
    assert knob_scale(np.full(784, np.inf)) == 1.0
    with pytest.raises(ValueError):
        knob_picture(np.zeros(783), 1.0)
