"""Experiment tracking: a training run logged to Weights & Biases, offline only.

:meth:`WandbRun.open` starts a W&B run in offline mode: nothing is sent anywhere, the run is
written to disk (``<directory>/wandb/offline-run-<time>-<id>/``, by default under the state
directory) and can be uploaded later with ``wandb sync <that folder>`` if anyone wants to.
The run's config is the machine's switches (:meth:`Config.to_dict`) plus the procedure and the
data source; each epoch logs the losses, accuracies and seconds (:meth:`WandbRun.log_epoch`)
and, when asked, the knob picture (:meth:`WandbRun.log_knobs`): the 28x28 weights of the bulb
on show in the board's colours, blue negative and orange positive.

wandb is optional and imported lazily: without it :meth:`WandbRun.open` returns
``(None, why)`` and the machine trains as before. ``wandb.Image`` also needs Pillow; without
it the run is still logged, only the knob pictures are left out (``open`` says so).

W&B does its work in a helper process (``wandb-core``) that talks to this one over a local
socket. It is started with error reporting off, the run with system metrics, system metadata,
git, code and requirements capture and console capture off, and :meth:`WandbRun.finish`
tears the helper down once no run of ours is open, so nothing outlives the run. No pygame here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .dims import BIAS, N_PIXELS, SIDE

PROJECT = "perceptron-machine"
KNOBS_KEY = "knobs"  # the knob picture's key in the run's history
PICTURE_PIXEL = 8  # each knob is drawn as an 8x8 block: a 224x224 picture

# The board's colours (simulator.theme.Theme, which imports pygame): blue = negative,
# orange = positive, warm grey = zero; small weights lifted by the same gamma.
KNOB_NEGATIVE = (72, 158, 240)
KNOB_POSITIVE = (245, 150, 45)
KNOB_ZERO = (74, 71, 66)
KNOB_GAMMA = 0.8

# W&B settings for a quiet, local, short-lived run. Only those the installed wandb knows are
# passed (see _settings), so an older or newer wandb does not refuse to start over one name.
_SETTINGS: dict[str, Any] = {
    "silent": True,  # as WANDB_SILENT: no banner, no sync hint (the caller says where it went)
    "console": "off",  # no capture of stdout/stderr (progress bars, the window's own prints)
    "x_disable_stats": True,  # no system-metrics sampler (CPU, memory, GPU every 15 s)
    "x_disable_meta": True,  # no system metadata probe (host, GPUs, pip freeze, git)
    "x_disable_machine_info": True,
    "x_save_requirements": False,
    "disable_git": True,
    "save_code": False,
    "disable_job_creation": True,
    "reinit": "create_new",  # an unfinished run elsewhere is neither reused nor finished
}
# The service process inherits the environment when the first run starts it: no crash reports.
_SERVICE_ENV = {"WANDB_ERROR_REPORTING": "false"}


class WandbRun:
    """One training run logged offline to W&B. Make it with :meth:`open`."""

    _open_runs = 0  # runs of ours not yet finished: the service is torn down at zero
    _hooks_before: tuple = ()  # sys.exit and sys.excepthook before wandb's service hooked them

    def __init__(self, wandb_module, run, config: Config, images: bool) -> None:
        self._wandb = wandb_module
        self._run = run
        self.config = config
        self.images = images  # False when Pillow is missing: log_knobs does nothing
        self.directory = Path(run.settings.sync_dir)  # the offline run's folder
        self._finished = False

    @classmethod
    def open(cls, config: Config, name: str, directory: Path | None = None,
             group: str | None = None, *, procedure: str | None = None,
             data: str | None = None) -> tuple[WandbRun | None, str]:
        """Start an offline run: ``(run, note)``, or ``(None, why)`` when W&B is not to be had.

        ``name`` and ``group`` are the run's name and group in W&B. ``directory`` is where
        wandb makes its ``wandb/`` folder (default: the state directory, so runs land in
        ``state_dir()/wandb/offline-run-*``). The run's config is ``config.to_dict()`` plus
        ``procedure`` (default: ``config.rule``) and ``data`` (the data source), if given.
        ``note`` is a one-line caveat even when the run started (no Pillow: no knob
        pictures), else "".
        """
        try:
            import wandb
        except ImportError:
            return None, "W&B logging needs the wandb package (pip install wandb)"
        if directory is None:
            from .session import state_dir

            directory = state_dir()
        directory = Path(directory).expanduser()
        run_config = dict(config.to_dict(), procedure=procedure or config.rule)
        if data is not None:
            run_config["data"] = data
        if WandbRun._open_runs == 0:
            WandbRun._hooks_before = (sys.exit, sys.excepthook)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with _environment(_SERVICE_ENV):
                run = wandb.init(project=PROJECT, name=name, group=group, config=run_config,
                                 dir=str(directory), mode="offline",
                                 settings=wandb.Settings(**_settings(wandb)))
        except Exception as exc:  # noqa: BLE001 - tracking never stops the machine
            _stop_service(wandb)
            return None, f"W&B logging could not start: {_one_line(exc)}"
        images = _has_pillow()
        WandbRun._open_runs += 1
        note = "" if images else "W&B knob pictures need Pillow (pip install pillow)"
        return cls(wandb, run, config, images), note

    # ---- logging ---------------------------------------------------------------------------

    def log_epoch(self, metrics: dict, epoch: int) -> None:
        """Log one epoch's numbers (train/test loss and accuracy, seconds, ...) at step
        ``epoch``; None values are left out. Epochs must not go backwards (W&B drops a
        step below the last one)."""
        row = {k: _plain(v) for k, v in metrics.items() if v is not None}
        row["epoch"] = int(epoch)
        self._run.log(row, step=int(epoch))

    def log_knobs(self, params: np.ndarray, epoch: int, bulb: int | None = None) -> bool:
        """Log the knob picture of ``params`` (785, k) at step ``epoch``: the weights of the
        bulb on show (the target digit's when there are ten, else the one), 28x28 in the
        board's colours, full colour at the 99th percentile of |w|. False if not logged
        (no Pillow)."""
        if not self.images:
            return False
        params = np.asarray(params)
        if params.ndim != 2 or params.shape[0] != BIAS + 1:
            raise ValueError(f"knobs must have shape (785, k), got {params.shape}")
        if bulb is None:
            bulb = self.config.digit if params.shape[1] == 10 else 0
        weights = params[:N_PIXELS, bulb]
        scale = knob_scale(weights, self.config.scale)
        picture = knob_picture(weights, scale, pixel=PICTURE_PIXEL)
        caption = (f"epoch {epoch}: knobs of bulb {bulb}, full colour at |w| = {scale:.3g} "
                   f"(99th percentile), bias {float(params[BIAS, bulb]):+.3g}")
        self._run.log({KNOBS_KEY: self._wandb.Image(picture, caption=caption)}, step=int(epoch))
        return True

    # ---- the end ---------------------------------------------------------------------------

    def finish(self, exit_code: int = 0) -> Path | None:
        """Close the run (its files are complete on disk) and, when it was our last open run,
        stop W&B's service process. Returns the offline run's folder (None if it is not
        there). Safe to call twice."""
        if not self._finished:
            self._finished = True
            WandbRun._open_runs -= 1
            try:
                self._run.finish(exit_code=exit_code)
            finally:
                _stop_service(self._wandb)
        return self.directory if self.directory.is_dir() else None

    def __enter__(self) -> WandbRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.finish(exit_code=0 if exc_type is None else 1)


# ---- the knob picture (NumPy only) ---------------------------------------------------------


def knob_scale(weights: np.ndarray, input_scale: float = 1.0) -> float:
    """|weight| drawn at full colour, as the board does: the 99th percentile of |w| (robust to
    a few big knobs), at least 0.01 of a full-on pixel's worth, 1.0 if a weight is not
    finite. ``input_scale`` is ``Config.scale`` (1/255 for inputs scaled to 0..1)."""
    w = np.asarray(weights, dtype=np.float64)
    if not np.isfinite(w).all():
        return 1.0
    return max(float(np.percentile(np.abs(w), 99)), 0.01 / (255.0 * input_scale))


def knob_picture(weights: np.ndarray, scale: float, pixel: int = 1) -> np.ndarray:
    """(28*pixel, 28*pixel, 3) uint8 RGB picture of 784 weights: warm grey at 0, blending to
    blue at -scale and orange at +scale and beyond (|t| ** 0.8, as the board); NaN is grey."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (N_PIXELS,):
        raise ValueError(f"weights must have 784 values, got shape {np.shape(weights)}")
    scale = float(scale) if np.isfinite(scale) and scale > 0 else 1.0
    t = np.clip(np.nan_to_num(w / scale, nan=0.0), -1.0, 1.0)
    zero = np.array(KNOB_ZERO, dtype=np.float64)
    end = np.where((t > 0)[:, None], KNOB_POSITIVE, KNOB_NEGATIVE).astype(np.float64)
    rgb = zero + (end - zero) * (np.abs(t) ** KNOB_GAMMA)[:, None]  # (784, 3)
    picture = np.clip(np.rint(rgb), 0, 255).astype(np.uint8).reshape(SIDE, SIDE, 3)
    if pixel > 1:
        picture = picture.repeat(pixel, axis=0).repeat(pixel, axis=1)
    return picture


# ---- helpers -------------------------------------------------------------------------------


def _has_pillow() -> bool:
    return importlib.util.find_spec("PIL") is not None


def _settings(wandb_module) -> dict[str, Any]:
    """The quiet settings that this wandb knows by name."""
    known = getattr(wandb_module.Settings, "model_fields", None)
    if known is None:
        return {}
    return {k: v for k, v in _SETTINGS.items() if k in known}


def _stop_service(wandb_module) -> None:
    """When no run is open (ours or the process's own), stop wandb's service process and put
    back sys.exit and sys.excepthook: each service start chains a hook onto both, so without
    this a traceback would print once more for every run the window has made."""
    if WandbRun._open_runs or getattr(wandb_module, "run", None) is not None:
        return
    with contextlib.suppress(Exception, SystemExit):  # teardown sys.exit()s on a bad exit code
        wandb_module.teardown()
    if WandbRun._hooks_before:
        exit_before, excepthook_before = WandbRun._hooks_before
        if _from_wandb(sys.exit):
            sys.exit = exit_before
        if _from_wandb(sys.excepthook):
            sys.excepthook = excepthook_before


def _from_wandb(function) -> bool:
    return (getattr(function, "__module__", None) or "").startswith("wandb")


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for the block, then put back what was there."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _plain(value):
    """NumPy scalars as Python numbers (W&B takes both; plain numbers read back the same)."""
    return value.item() if isinstance(value, np.generic) else value


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
