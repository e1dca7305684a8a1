"""Shared test set-up: headless SDL before pygame is imported, and the real MNIST."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# One BLAS thread, as the window runs (simulator.launch): the machine trains on the main
# thread while its scorer works in another, and OpenBLAS's spinning threads would fight them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import socket  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# The full, original MNIST lives beside the project (../shared/mnist) for tests and CI.
SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "mnist"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    path = Path(os.environ.get("MNIST_DIR", SHARED_MNIST))
    if not (path / "train-images-idx3-ubyte.gz").exists() and not (
        path / "train-images-idx3-ubyte"
    ).exists():
        pytest.skip(f"full MNIST not found at {path}")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test away from the user's real cache and saved knobs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PERCEPTRON_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("PERCEPTRON_STATE_DIR", str(home / "state"))


_LOCAL = ("127.0.0.1", "::1", "localhost", "")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the network: a connection or name lookup beyond this machine fails."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address):
        if isinstance(address, tuple) and address[0] not in _LOCAL:
            raise OSError(f"a test tried to reach the network: {address}")
        return connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL and host is not None:
            raise socket.gaierror(f"a test tried to look up {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture(scope="module")
def sample():
    """The bundled sample of real digits (instant, for model tests)."""
    from simulator.data import load_sample

    return load_sample()


@pytest.fixture
def machine(sample):
    """The model behind the window, on the sample, with the default switches."""
    from simulator.engine import Config
    from simulator.machine import Machine

    return Machine(sample, Config())


@pytest.fixture(scope="session", autouse=True)
def _fonts():
    """pygame's fonts, for the tests that draw an instrument on a surface of their own."""
    import pygame

    pygame.font.init()
    yield


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Relative knob files (the panel's default 'knobs.npz') land in a temporary folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def app():
    """The window, headless, on the bundled sample (tests/windows.py), paused at the end."""
    from windows import make_app

    a = make_app()
    yield a
    a.machine.pause()
