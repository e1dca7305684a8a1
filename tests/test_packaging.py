"""pyproject.toml: dependencies, console script, packages and data files (no pip install here)."""

import importlib
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from simulator import assets

ROOT = Path(__file__).resolve().parents[1]
ASSET_FILES = ["gui_theme.json", "mnist_sample.npz", "MNIST_SAMPLE_LICENSE.md"]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_dependencies_are_requirements_txt(pyproject):
    assert pyproject["project"]["dependencies"] == requirement_lines(ROOT / "requirements.txt")


def test_build_backend_is_setuptools(pyproject):
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    assert any(req.startswith("setuptools") for req in pyproject["build-system"]["requires"])


def test_console_script_resolves_to_main_main(pyproject):
    assert pyproject["project"]["scripts"] == {"perceptron-machine": "main:main"}
    entry = EntryPoint("perceptron-machine", "main:main", "console_scripts")
    main = entry.load()
    assert main is importlib.import_module("main").main
    assert pyproject["tool"]["setuptools"]["py-modules"] == ["main"]


def test_console_script_exits_with_mains_return_code(tmp_path):
    """The generated wrapper does sys.exit(main()): a failure must not exit 0."""
    main = importlib.import_module("main").main
    argv = ["train", "--data", str(tmp_path / "no-such-mnist"), "--quiet"]
    with pytest.raises(SystemExit) as exc:
        sys.exit(main(argv))
    assert exc.value.code not in (0, None)


def test_every_package_is_listed(pyproject):
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "simulator").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= listed
    assert {"simulator", "simulator.view"} <= listed


def test_assets_are_installed_as_package_data(pyproject):
    setuptools = pyproject["tool"]["setuptools"]
    package = assets.ASSETS_PACKAGE
    assert package in setuptools["packages"]
    assert setuptools["package-dir"][package] == "assets"
    assert sorted(setuptools["package-data"][package]) == sorted(ASSET_FILES)
    assert sorted(p.name for p in (ROOT / "assets").iterdir() if p.is_file()) == sorted(ASSET_FILES)


def test_asset_path_finds_the_checkouts_files():
    for name in ASSET_FILES:
        path = assets.asset_path(name)
        assert path == ROOT / "assets" / name
        assert path.is_file()


def test_asset_path_finds_the_installed_copy_without_a_checkout(tmp_path, monkeypatch):
    installed = tmp_path / "site-packages" / assets.ASSETS_PACKAGE
    installed.mkdir(parents=True)
    for name in ASSET_FILES:
        (installed / name).write_bytes((ROOT / "assets" / name).read_bytes())
    monkeypatch.setattr(assets, "CHECKOUT_ASSETS", tmp_path / "no-checkout" / "assets")
    monkeypatch.syspath_prepend(str(tmp_path / "site-packages"))
    importlib.invalidate_caches()
    for name in ASSET_FILES:
        assert assets.asset_path(name) == installed / name
    missing = assets.asset_path("no-such-file.json")  # neither: the checkout path, no raise
    assert missing == tmp_path / "no-checkout" / "assets" / "no-such-file.json"


def test_the_bundled_sample_is_found_through_asset_path():
    from simulator.data import SAMPLE_PATH

    assert SAMPLE_PATH == assets.asset_path("mnist_sample.npz")
    assert SAMPLE_PATH.is_file()


def test_build_leftovers_are_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/build/" in ignored or "build/" in ignored
    assert "*.egg-info/" in ignored
