"""Saved knobs: ``name.npz`` (weights and bias) with the switches as ``name.json`` beside it.

The command line's ``--save``/``--load`` and the desktop machine's Save/Load use these
two functions, so knobs trained on the command line open in the window. Writes are
atomic (a temporary file in the same folder, then ``os.replace``); a bad file raises
:class:`KnobFileError` naming the file and what is wrong, and loads nothing.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .engine import N_PIXELS, Config, check_params

FORMAT = "perceptron-knobs/1"


class KnobFileError(ValueError):
    """A knob file that cannot be read; the message names the file and the problem."""


def knob_path(path: str | os.PathLike) -> Path:
    """The .npz a name means, for saving and loading alike: "~" expanded, ".npz" added."""
    path = Path(path).expanduser()
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def config_path(path: str | os.PathLike) -> Path:
    """The JSON file of switches that sits beside a knob file."""
    return Path(path).with_suffix(".json")


def save_knobs(path, params: np.ndarray, config: Config, extra: dict | None = None) -> Path:
    """Write knobs (785, k) float32 to ``path`` (.npz) and the config beside it, atomically.

    ``extra`` (e.g. metrics of the run) is stored in the JSON under "run".
    """
    path = knob_path(path)
    params = check_params(params)
    meta = {"format": FORMAT, "config": config.to_dict(), "run": extra or {}}
    atomic_write(path, lambda f: np.savez(f, weights=params[:N_PIXELS], bias=params[N_PIXELS]))
    atomic_write(config_path(path), lambda f: f.write(json.dumps(meta, indent=2).encode()))
    return path


def load_knobs(path) -> tuple[np.ndarray, Config | None]:
    """Read knobs saved by :func:`save_knobs`.

    Returns (params (785, k) float32, config or None when no JSON lies beside the file).
    Raises KnobFileError naming the file and what is wrong.
    """
    path = knob_path(path)
    if not path.is_file():
        raise KnobFileError(f"{path}: no such knob file")
    try:
        with np.load(path, allow_pickle=False) as data:
            if "weights" not in data or "bias" not in data:
                raise KnobFileError(
                    f"{path}: not a knob file (needs arrays 'weights' and 'bias', "
                    f"found {sorted(data.files)})"
                )
            weights, bias = data["weights"], data["bias"]
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, KnobFileError):
            raise
        raise KnobFileError(f"{path}: not a readable .npz knob file ({exc})") from None
    params = _assemble(path, weights, bias)
    return params, _read_config(path, params.shape[1])


def _assemble(path: Path, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    if weights.ndim == 1:
        weights = weights[:, None]
    bias = np.atleast_1d(bias)
    if weights.shape not in ((N_PIXELS, 1), (N_PIXELS, 10)) or bias.shape != weights.shape[1:]:
        raise KnobFileError(
            f"{path}: weights must be (784, 1) or (784, 10) with a bias per bulb; "
            f"found weights {weights.shape} and bias {bias.shape}"
        )
    if not (np.issubdtype(weights.dtype, np.number) and np.issubdtype(bias.dtype, np.number)):
        raise KnobFileError(f"{path}: knobs must be numbers, found {weights.dtype}")
    params = np.vstack([weights, bias[None, :]]).astype(np.float32)
    if not np.isfinite(params).all():
        raise KnobFileError(f"{path}: knobs contain NaN or infinite values")
    return params


def _read_config(path: Path, bulbs: int) -> Config | None:
    cpath = config_path(path)
    if not cpath.exists():
        return None
    try:
        meta = json.loads(cpath.read_text())
        config = Config.from_dict(meta["config"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnobFileError(f"{cpath}: not a readable knob config ({exc})") from None
    if config.bulbs != bulbs:
        raise KnobFileError(f"{cpath}: says {config.bulbs} bulb(s) but {path} holds {bulbs}")
    return config
