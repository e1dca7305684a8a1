"""Saved knobs: ``name.npz`` (weights and bias) with the switches as ``name.json`` beside it.

Every wiring (:mod:`simulator.wiring`) saves the same way: ``weights`` (n_in - 1, k) and
``bias`` (k,) are the knobs (784 rows with direct wiring, one per A-unit on the plugboard,
one per hidden unit); a hidden layer adds ``hidden_weights`` (784, H) and ``hidden_bias``
(H,); the plugboard adds its patch cords (``plugboard_cells``, ``plugboard_signs``), which
must match the wiring its seed makes. The JSON's switches say the wiring; a file without
them is taken as direct wiring (or a hidden layer, when it has one).

The command line's ``--save``/``--load`` and the desktop machine's Save/Load use these
two functions, so knobs trained on the command line open in the window. Writes are
atomic (a temporary file in the same folder, then ``os.replace``); a bad file raises
:class:`KnobFileError` naming the file and what is wrong, and loads nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import wiring
from .atomic import atomic_write
from .engine import N_PIXELS, Config, check_params

FORMAT = "perceptron-knobs/1"


class KnobFileError(ValueError):
    """A knob file that cannot be read; the message names the file and the problem."""


class Knobs(NamedTuple):
    """What a knob file holds: the knobs, the switches (None without a JSON), and the
    hidden layer's weights (785, H) for that wiring."""

    params: np.ndarray
    config: Config | None
    hidden: np.ndarray | None = None


def knob_path(path: str | os.PathLike) -> Path:
    """The .npz a name means, for saving and loading alike: "~" expanded, ".npz" added."""
    path = Path(path).expanduser()
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def config_path(path: str | os.PathLike) -> Path:
    """The JSON file of switches that sits beside a knob file."""
    return Path(path).with_suffix(".json")


def save_knobs(path, params: np.ndarray, config: Config, extra: dict | None = None,
               hidden: np.ndarray | None = None) -> Path:
    """Write knobs (n_in, k) float32 to ``path`` (.npz) and the config beside it, atomically
    (with the hidden layer's weights ``hidden`` (785, H) for that wiring).

    ``extra`` (e.g. metrics of the run) is stored in the JSON under "run".
    """
    path = knob_path(path)
    params = check_params(params, n_inputs=config.n_inputs)
    arrays = {"weights": params[:-1], "bias": params[-1]}
    if config.wiring == "hidden":
        if hidden is None:
            raise ValueError("knobs of the hidden wiring need the hidden layer's weights")
        hidden = wiring.check_hidden(hidden, wiring.n_units(config))
        arrays.update(hidden_weights=hidden[:N_PIXELS], hidden_bias=hidden[N_PIXELS])
    elif config.wiring == "plugboard":
        board = wiring.plugboard_of(config)
        arrays.update(plugboard_cells=board.cells.astype(np.int16),
                      plugboard_signs=board.signs)
    meta = {"format": FORMAT, "config": config.to_dict(), "run": extra or {}}
    atomic_write(path, lambda f: np.savez(f, **arrays))
    atomic_write(config_path(path), lambda f: f.write(json.dumps(meta, indent=2).encode()))
    return path


def load_knobs(path) -> Knobs:
    """Read knobs saved by :func:`save_knobs`.

    Returns :class:`Knobs`: params (n_in, k) float32, the config (None when no JSON lies
    beside the file) and the hidden layer's weights (None unless that wiring). Raises
    KnobFileError naming the file and what is wrong.
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
            extra = {name: data[name] for name in data.files if name not in ("weights", "bias")}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, KnobFileError):
            raise
        raise KnobFileError(f"{path}: not a readable .npz knob file ({exc})") from None
    params = _assemble(path, weights, bias)
    hidden = _hidden(path, extra)
    config = _read_config(path, params.shape[1])
    _check_wiring(path, params, config, hidden, extra)
    return Knobs(params, config, hidden)


def _assemble(path: Path, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    if weights.ndim == 1:
        weights = weights[:, None]
    bias = np.atleast_1d(bias)
    if weights.ndim != 2 or weights.shape[0] < 1 or weights.shape[1] not in (1, 10) \
            or bias.shape != weights.shape[1:]:
        raise KnobFileError(
            f"{path}: weights must be (n, 1) or (n, 10) (n = 784 with direct wiring) with a "
            f"bias per bulb; found weights {weights.shape} and bias {bias.shape}"
        )
    if not (np.issubdtype(weights.dtype, np.number) and np.issubdtype(bias.dtype, np.number)):
        raise KnobFileError(f"{path}: knobs must be numbers, found {weights.dtype}")
    params = np.vstack([weights, bias[None, :]]).astype(np.float32)
    if not np.isfinite(params).all():
        raise KnobFileError(f"{path}: knobs contain NaN or infinite values")
    return params


def _hidden(path: Path, extra: dict) -> np.ndarray | None:
    if "hidden_weights" not in extra and "hidden_bias" not in extra:
        return None
    w, b = extra.get("hidden_weights"), extra.get("hidden_bias")
    if w is None or b is None or w.ndim != 2 or w.shape[0] != N_PIXELS or b.shape != w.shape[1:]:
        raise KnobFileError(
            f"{path}: a hidden layer needs hidden_weights (784, H) and hidden_bias (H,); found "
            f"{None if w is None else w.shape} and {None if b is None else b.shape}")
    if not (np.issubdtype(w.dtype, np.number) and np.issubdtype(b.dtype, np.number)):
        raise KnobFileError(f"{path}: hidden weights must be numbers, found {w.dtype}")
    hidden = np.vstack([w, b[None, :]]).astype(np.float32)
    if not np.isfinite(hidden).all():
        raise KnobFileError(f"{path}: hidden weights contain NaN or infinite values")
    return hidden


def _check_wiring(path: Path, params, config: Config | None, hidden, extra: dict) -> None:
    """The knobs, the hidden layer and the plugboard's cords agree with the switches."""
    n_weights = len(params) - 1
    if config is None:  # no switches: direct wiring, or a hidden layer if the file has one
        if hidden is not None and hidden.shape[1] == n_weights:
            return
        if hidden is None and n_weights == N_PIXELS:
            return
        raise KnobFileError(
            f"{path}: weights hold {n_weights} knobs per bulb, not the retina's {N_PIXELS}, "
            f"and no switches file {config_path(path).name} beside them says how they are "
            f"wired (found weights {params[:-1].shape})")
    cpath = config_path(path)
    if config.n_inputs != len(params):
        raise KnobFileError(
            f"{cpath}: says {config.wiring} wiring with {config.n_inputs - 1} knobs per bulb, "
            f"but {path.name} holds {n_weights}")
    if (config.wiring == "hidden") != (hidden is not None):
        raise KnobFileError(
            f"{path}: " + ("the hidden wiring needs hidden_weights and hidden_bias"
                           if hidden is None else f"holds a hidden layer, but {cpath.name} "
                           f"says {config.wiring} wiring"))
    if hidden is not None and hidden.shape[1] != wiring.n_units(config):
        raise KnobFileError(f"{path}: holds {hidden.shape[1]} hidden units, {cpath.name} says "
                            f"{wiring.n_units(config)}")
    if config.wiring == "plugboard" and "plugboard_cells" in extra:
        board = wiring.plugboard_of(config)
        cells, signs = extra["plugboard_cells"], extra.get("plugboard_signs")
        if cells.shape != board.cells.shape or signs is None or \
                not (np.array_equal(cells, board.cells) and np.array_equal(signs, board.signs)):
            raise KnobFileError(
                f"{path}: its plugboard's patch cords are not the ones seed {config.seed} "
                "wires (the file was made by another version of the machine)")


def with_wiring(config: Config, knobs: Knobs) -> Config:
    """``config`` with the wiring (and units) of knobs from a file that has no switches."""
    if knobs.hidden is not None:
        return dataclasses.replace(config, wiring="hidden", units=knobs.hidden.shape[1])
    return dataclasses.replace(config, wiring="direct", units=0)


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
