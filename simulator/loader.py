"""Full MNIST arrives in the background while the window already works on the sample.

The thread calls :func:`simulator.data.load_mnist` (which imports tensorflow-datasets only
when it must download) and prepares the test inputs, so the window's frames never wait.
"""

from __future__ import annotations

import threading
import warnings

from . import engine
from .data import DataError, DataWarning, load_mnist


class DataLoader:
    """Load MNIST in a daemon thread; poll `done`, then read `result` or `error`."""

    def __init__(self, data_dir=None, download: bool = True) -> None:
        self.data_dir = data_dir
        self.download = download
        self.fraction = 0.0
        self.message = "Looking for MNIST"
        self.result = None
        self.X_tests: dict[float, object] = {}  # scale -> (10000, 785) float32 test inputs
        self.error: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mnist loader", daemon=True)

    def start(self) -> DataLoader:
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _progress(self, fraction: float, message: str) -> None:
        self.fraction, self.message = float(fraction), str(message)

    def _run(self) -> None:
        try:
            with warnings.catch_warnings():  # the window says it, not the terminal
                warnings.simplefilter("ignore", DataWarning)
                mnist = load_mnist(self.data_dir, download=self.download,
                                   progress=self._progress)
            # Both input scales (raw and unit), so that a switch between them costs no frame
            # a 30 MB conversion: 31 MB each, made here in the loader's thread.
            self.X_tests = {scale: engine.prepare_inputs(mnist.test_images, scale)
                            for scale in (1 / 255, 1.0)}
            self.result = mnist
        except DataError as exc:
            self.error = str(exc)
        except Exception as exc:  # never a traceback in the window: say what happened
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.fraction = 1.0
            self._done.set()


def deliver(loader: DataLoader, machine, say) -> str:
    """Hand a finished load to the machine (its knobs stay as they are) and say so; returns
    the status line's note of where the digits come from. A run under way trains on, on
    the real set, and so does one that finished on the sample (not one a person paused:
    the knobs are theirs)."""
    if loader.error:
        say(f"Full MNIST not loaded ({loader.error}); working on the bundled sample")
        return "sample digits (full MNIST failed)"
    m, data = machine, loader.result
    resume = m.playing or (m.run_finished and m.data.is_sample)
    m.pause()
    m.set_data(data, loader.X_tests)
    n_train, n_test = len(data.train_labels), len(data.test_labels)
    if resume:
        m.play()
    if data.is_sample:
        why = f" ({data.fallback_reason})" if data.fallback_reason else ""
        say(f"Full MNIST is not available{why}. The machine works on a sample of "
            f"{n_train + n_test:,} real digits; set MNIST_DIR or connect once for all 70,000.")
        return "offline sample digits"
    say(f"Full MNIST is here: {n_train:,} training and {n_test:,} test digits; the knobs are "
        "as they were")
    return f"full MNIST ({n_train:,} + {n_test:,})"
