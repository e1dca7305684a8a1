"""Where the machine's data files (theme, bundled digits, their licence) are.

In a checkout they sit in the top-level ``assets/`` folder. An installed wheel carries the same
folder as the data-only package ``perceptron_machine_assets`` (pyproject.toml maps it to
``assets/``), found through :mod:`importlib.resources`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ASSETS_PACKAGE = "perceptron_machine_assets"
CHECKOUT_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def asset_path(name: str) -> Path:
    """The file ``assets/NAME``: the checkout's copy if there is one, else the installed one.

    Never raises: when neither exists, the checkout's path comes back, so that the caller's
    "not found" message names where the file was expected.
    """
    local = CHECKOUT_ASSETS / name
    if local.exists():
        return local
    try:
        installed = resources.files(ASSETS_PACKAGE) / name
    except (ModuleNotFoundError, TypeError, ValueError):
        return local
    if installed.is_file() and isinstance(installed, Path):
        return installed
    return local
