"""The machine remembers its knobs: saved when the window closes, restored at the next start.

The session is an ordinary knob file (:mod:`simulator.storage`, the CLI's format) named
``session.npz`` in the state directory (env ``PERCEPTRON_STATE_DIR``, else
``~/.local/state/perceptron-machine``); the window's own settings (mode, speed, picture)
ride along in the JSON beside it under ``run.gui``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine import Config
from .storage import KnobFileError, config_path, load_knobs, save_knobs

APP_NAME = "perceptron-machine"
SESSION_FILE = "session.npz"


def state_dir() -> Path:
    env = os.environ.get("PERCEPTRON_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "state" / APP_NAME


def session_path() -> Path:
    return state_dir() / SESSION_FILE


@dataclass
class Session:
    params: np.ndarray  # (785, k) float32
    config: Config | None
    gui: dict = field(default_factory=dict)


def save_session(params: np.ndarray, config: Config, gui: dict | None = None) -> Path:
    """Write the knobs and switches atomically (as storage.save_knobs does)."""
    return save_knobs(session_path(), params, config, extra={"gui": gui or {}})


def load_session() -> tuple[Session | None, str]:
    """The saved session, or (None, why) when there is none or it cannot be read."""
    path = session_path()
    if not path.exists():
        return None, ""
    try:
        params, config = load_knobs(path)
    except KnobFileError as exc:
        return None, f"Saved session not restored: {exc}"
    return Session(params, config, _read_gui(path)), ""


def _read_gui(path: Path) -> dict:
    try:
        gui = json.loads(config_path(path).read_text())["run"]["gui"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return gui if isinstance(gui, dict) else {}
