"""The session autosave: background, debounced, atomic writes that survive a killed process."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from simulator import session as session_mod
from simulator.engine import Config
from simulator.session import SessionSaver, load_session, save_session, state_dir

ROOT = Path(__file__).resolve().parents[1]  # the checkout: main.py and simulator/
WAIT = 20.0  # generous: only ever a bound on how long to wait, never a speed requirement


def knobs(seed: int, bulbs: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((785, bulbs)).astype(np.float32)


def wait_until(predicate, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def assert_saved(params: np.ndarray, config: Config, gui: dict) -> None:
    loaded, why = load_session()
    assert loaded is not None, why
    assert loaded.params.dtype == np.float32
    assert loaded.params.tobytes() == params.astype(np.float32).tobytes()
    assert loaded.config == config
    assert loaded.gui == gui


@pytest.fixture
def saver():
    savers = []

    def make(**kwargs) -> SessionSaver:
        savers.append(SessionSaver(**kwargs))
        return savers[-1]

    yield make
    for s in savers:
        s.close(timeout=WAIT)


def test_save_and_load_session_round_trip_byte_for_byte():
    params, config, gui = (
        knobs(1, bulbs=10),
        Config(bulbs=10, activation="softmax", loss="ce"),
        {"mode": "hand", "speed": "slow", "ghost": True, "knob_file": "~/k.npz"},
    )
    save_session(params, config, gui)
    assert_saved(params, config, gui)


def test_burst_of_plain_requests_makes_one_write_of_the_newest_state(saver):
    s = saver(debounce_s=0.5)
    config = Config()
    for i in range(20):  # a burst of hand edits
        s.request(knobs(i), config, {"step": i})
    assert wait_until(lambda: s.writes >= 1)
    time.sleep(3 * s.debounce_s)  # nothing else was requested: nothing else is written
    assert s.writes == 1
    assert s.error is None
    assert_saved(knobs(19), config, {"step": 19})


def test_urgent_request_is_written_without_waiting_for_the_debounce(saver):
    s = saver(debounce_s=3600.0)
    params, config = knobs(2), Config(seed=2)
    s.request(params, config, {"mode": "gd"}, urgent=True)
    assert wait_until(lambda: s.writes == 1)
    assert not s.pending
    assert_saved(params, config, {"mode": "gd"})


def test_flush_writes_a_pending_request_now(saver):
    s = saver(debounce_s=3600.0)
    params, config = knobs(3), Config(lr=0.5, optimizer="sgd")
    s.request(params, config, {"speed": "max"})
    assert s.pending and s.writes == 0
    assert s.flush(timeout=WAIT) is True
    assert s.writes == 1 and not s.pending
    assert_saved(params, config, {"speed": "max"})
    assert s.flush(timeout=WAIT) is True  # nothing pending: returns at once
    assert s.writes == 1


def test_request_copies_the_state_so_later_changes_do_not_leak_in(saver):
    s = saver(debounce_s=3600.0)
    params, config, gui = knobs(4), Config(), {"mode": "hand"}
    s.request(params, config, gui)
    params[:] = 0
    config.seed = 99
    gui["mode"] = "gd"
    assert s.flush(timeout=WAIT)
    assert_saved(knobs(4), Config(), {"mode": "hand"})


def test_request_never_waits_for_a_write_and_the_newest_state_wins(saver, monkeypatch):
    """While one write hangs on a slow disk, requests return at once; of the states
    requested meanwhile only the newest is written, after the hung one, never beside it."""
    release = threading.Event()
    written, active, overlap = [], [0], [False]
    real_save = session_mod.save_session

    def slow_save(params, config, gui=None, path=None, hidden=None):
        active[0] += 1
        overlap[0] |= active[0] > 1
        try:
            if not written:
                release.wait(WAIT)
            written.append(gui["n"])
            return real_save(params, config, gui, path)
        finally:
            active[0] -= 1

    monkeypatch.setattr(session_mod, "save_session", slow_save)
    s = saver(debounce_s=3600.0)
    s.request(knobs(0), Config(), {"n": 0}, urgent=True)
    assert wait_until(lambda: active[0] == 1)  # the first write hangs
    started = time.monotonic()
    s.request(knobs(1), Config(), {"n": 1}, urgent=True)
    s.request(knobs(2), Config(), {"n": 2})  # plain, but the urgent one keeps its place
    assert time.monotonic() - started < WAIT / 2  # returned although the writer is stuck
    assert s.pending and s.writes == 0
    release.set()
    assert wait_until(lambda: s.writes == 2)
    assert s.flush(timeout=WAIT)
    assert written == [0, 2]
    assert not overlap[0]
    assert_saved(knobs(2), Config(), {"n": 2})


def test_unwritable_state_dir_sets_error_and_a_later_write_clears_it(saver, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a regular file where the state directory's parent should be")
    bad = blocker / "state"
    monkeypatch.setenv("PERCEPTRON_STATE_DIR", str(bad))
    assert state_dir() == bad
    s = saver(debounce_s=3600.0)
    s.request(knobs(5), Config(), {"mode": "hand"}, urgent=True)  # raises nothing
    assert s.flush(timeout=WAIT) is False
    assert s.writes == 0
    assert s.error is not None
    assert str(bad) in s.error
    assert "\n" not in s.error
    assert not s.pending

    blocker.unlink()  # the directory is fixed: the saver kept running, the next write works
    s.request(knobs(6), Config(), {"mode": "gd"})
    assert s.flush(timeout=WAIT) is True
    assert s.error is None
    assert s.writes == 1
    assert_saved(knobs(6), Config(), {"mode": "gd"})


def test_a_bad_state_sets_error_and_keeps_the_saver_running(saver):
    s = saver(debounce_s=3600.0)
    s.request(np.zeros((10, 1), np.float32), Config(), urgent=True)  # not (785, k)
    assert s.flush(timeout=WAIT) is False
    assert s.error and str(state_dir()) in s.error and "\n" not in s.error
    s.request(knobs(7), Config(), {}, urgent=True)
    assert s.flush(timeout=WAIT) is True and s.error is None
    assert_saved(knobs(7), Config(), {})


def test_the_state_directory_is_fixed_when_the_saver_starts(saver, tmp_path, monkeypatch):
    """A saver writes where its run began, even if the environment changes later."""
    first = state_dir()
    s = saver(debounce_s=3600.0)
    monkeypatch.setenv("PERCEPTRON_STATE_DIR", str(tmp_path / "elsewhere"))
    s.request(knobs(9), Config(), {}, urgent=True)
    assert s.flush(timeout=WAIT) is True
    assert (first / "session.npz").exists() and not (tmp_path / "elsewhere").exists()


def test_close_writes_what_is_pending_and_stops_the_thread():
    s = SessionSaver(debounce_s=3600.0)
    s.request(knobs(8), Config(), {"mode": "hand"})
    assert s.close(timeout=WAIT) is True
    assert not s._thread.is_alive()
    assert s.writes == 1
    assert_saved(knobs(8), Config(), {"mode": "hand"})
    s.request(knobs(9), Config(), {})  # after close: ignored, raises nothing
    assert s.writes == 1 and not s.pending
    assert_saved(knobs(8), Config(), {"mode": "hand"})


CHILD = """
import sys, time
import numpy as np
from simulator.engine import Config
from simulator.session import SessionSaver

def knobs(seed):
    return np.random.default_rng(seed).standard_normal((785, 1)).astype(np.float32)

saver = SessionSaver(debounce_s=3600.0)
saver.request(knobs(11), Config(seed=11, lr=0.25), {"mode": "gd", "epoch": 3}, urgent=True)
deadline = time.monotonic() + 60
while saver.writes < 1 and time.monotonic() < deadline:
    time.sleep(0.01)
print("saved" if saver.writes >= 1 else f"not saved: {saver.error}", flush=True)
saver.request(knobs(12), Config(seed=12), {"mode": "hand"})  # pending when the kill comes
print("pending", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_session_survives_sigkill_of_the_saving_process():
    env = dict(os.environ, PERCEPTRON_STATE_DIR=str(state_dir()), PYTHONUNBUFFERED="1")
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)  # never hang the suite
    watchdog.start()
    try:
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
        assert (first, second) == ("saved", "pending"), proc.stderr.read() if not first else first
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(WAIT) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    rng = np.random.default_rng(11)
    assert_saved(
        rng.standard_normal((785, 1)).astype(np.float32),
        Config(seed=11, lr=0.25),
        {"mode": "gd", "epoch": 3},
    )
    leftovers = [p.name for p in state_dir().iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
