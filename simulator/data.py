"""MNIST for the perceptron machine: the four standard files in, uint8 arrays out.

Where the digits come from, in the order :func:`load_mnist` tries:

1. an explicit directory of IDX files (argument or env ``MNIST_DIR``); if it is bad that is an
   error, never a silent fallback;
2. the local array cache ``cache_dir()/mnist.npz``, validated on load; a corrupt cache is
   deleted with a warning and rebuilt;
3. tensorflow-datasets, used without TensorFlow: a prepared copy through ``tfds.data_source``,
   else its download manager fetching the four files and verifying them against tfds's
   registered checksums. A fast network probe comes first, so offline this step gives up in
   about ``offline_timeout`` seconds instead of tfds's own minutes;
4. the small bundled sample of real digits (``assets/mnist_sample.npz``), marked ``is_sample``.

Every array handed out is read-only (the data set is shared by the whole app): copy before
drawing on an image. Importing this module loads NumPy only; tensorflow-datasets is imported
inside step 3.

MNIST is by Yann LeCun and Corinna Cortes (http://yann.lecun.com/exdb/mnist/), CC BY-SA 3.0.
"""

from __future__ import annotations

import gzip
import os
import socket
import sys
import warnings
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .assets import asset_path
from .atomic import atomic_write
from .background import Background

__all__ = [
    "DataError",
    "DataWarning",
    "MNIST",
    "cache_dir",
    "load_idx_dir",
    "load_mnist",
    "load_sample",
    "read_idx",
]

Progress = Callable[[float, str], None]

ROWS = COLS = 28
IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
FULL_SIZES = {"train": 60_000, "test": 10_000}
KEYS = ("train_images", "train_labels", "test_images", "test_labels")
# The file names as distributed, without ".gz", keyed like the arrays.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
CACHE_FILE = "mnist.npz"
SAMPLE_PATH = asset_path("mnist_sample.npz")
APP_NAME = "perceptron-machine"
# tfds's MNIST mirror; probed while tfds imports, re-probed if its registry names another host.
TFDS_MNIST_HOST = "storage.googleapis.com"
DOWNLOAD_TIMEOUT = 120.0  # seconds for the 11 MB download once the network answered


class DataError(Exception):
    """MNIST could not be read; the message names the file or value and what is wrong."""


class DataWarning(UserWarning):
    """Something was discarded or fell back (corrupt cache, offline); loading went on."""


@dataclass(frozen=True, repr=False)
class MNIST:
    """The MNIST digits, split as published.

    Attributes
    ----------
    train_images : np.ndarray
        ``(n, 28, 28)`` uint8, 0 = background, 255 = full ink. Read-only when loaded here.
    train_labels : np.ndarray
        ``(n,)`` uint8 in 0..9.
    test_images : np.ndarray
        ``(m, 28, 28)`` uint8.
    test_labels : np.ndarray
        ``(m,)`` uint8 in 0..9.
    source : str
        Where the digits came from, in words fit to show the user.
    is_sample : bool
        True only for the small bundled sample.
    fallback_reason : str or None
        Why the sample stands in for the full set (e.g. "no network: ..."), if it does.
    """

    train_images: np.ndarray = field(repr=False)
    train_labels: np.ndarray = field(repr=False)
    test_images: np.ndarray = field(repr=False)
    test_labels: np.ndarray = field(repr=False)
    source: str = ""
    is_sample: bool = False
    fallback_reason: str | None = None

    def __post_init__(self) -> None:
        for split in FULL_SIZES:
            images, labels = getattr(self, f"{split}_images"), getattr(self, f"{split}_labels")
            if images.dtype != np.uint8 or labels.dtype != np.uint8:
                raise ValueError(
                    f"MNIST {split} arrays must be uint8, found {images.dtype} images "
                    f"and {labels.dtype} labels"
                )
            if (
                images.ndim != 3
                or images.shape[1:] != (ROWS, COLS)
                or labels.shape != (len(images),)
            ):
                raise ValueError(
                    f"MNIST {split} arrays must be (n, 28, 28) images and (n,) labels, "
                    f"found {images.shape} and {labels.shape}"
                )

    def __repr__(self) -> str:
        return (
            f"MNIST({len(self.train_labels):,} train, {len(self.test_labels):,} test, "
            f"is_sample={self.is_sample}, source={self.source!r})"
        )


# ---------------------------------------------------------------------------------------------
# IDX files


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one MNIST IDX file, gzipped or raw (told apart by content, not name).

    Parameters
    ----------
    path : str or path-like
        An IDX file such as ``train-images-idx3-ubyte.gz`` or ``t10k-labels-idx1-ubyte``.

    Returns
    -------
    np.ndarray
        Images as ``(n, 28, 28)`` uint8 (magic 0x00000803) or labels as ``(n,)`` uint8
        (magic 0x00000801); read-only.

    Raises
    ------
    DataError
        Missing or unreadable file, bad or truncated gzip, wrong magic number, images not
        28x28, fewer bytes than the header declares, or trailing bytes.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise DataError(f"{path}: only {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic == IMAGES_MAGIC:
        return _parse_images(path, data)
    if magic == LABELS_MAGIC:
        return _parse_labels(path, data)
    swapped = int.from_bytes(data[:4], "little") in (IMAGES_MAGIC, LABELS_MAGIC)
    raise DataError(
        f"{path}: wrong magic number: expected 0x{IMAGES_MAGIC:08X} (images) or "
        f"0x{LABELS_MAGIC:08X} (labels), found 0x{magic:08X}"
        + (" (byte-swapped: the header was written little-endian)" if swapped else "")
    )


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except EOFError:
            raise DataError(f"{path}: truncated gzip (the compressed data ends early)") from None
        except (OSError, zlib.error) as exc:
            raise DataError(f"{path}: corrupt gzip data ({exc})") from None
    if path.suffix == ".gz":
        raise DataError(
            f"{path}: not a gzip file (named .gz but starts with 0x{raw[:4].hex().upper()})"
        )
    return raw


def _parse_images(path: Path, data: bytes) -> np.ndarray:
    if len(data) < 16:
        raise DataError(f"{path}: truncated image header ({len(data)} of 16 bytes)")
    n, rows, cols = (int(v) for v in np.frombuffer(data, ">u4", count=3, offset=4))
    if (rows, cols) != (ROWS, COLS):
        raise DataError(f"{path}: images are {rows}x{cols}, expected 28x28")
    _check_body(path, n, "images", n * ROWS * COLS, len(data) - 16)
    images = np.frombuffer(data, np.uint8, count=n * ROWS * COLS, offset=16)
    return images.reshape(n, ROWS, COLS)  # (n, 28, 28) uint8, read-only view of `data`


def _parse_labels(path: Path, data: bytes) -> np.ndarray:
    n = int.from_bytes(data[4:8], "big")
    _check_body(path, n, "labels", n, len(data) - 8)
    return np.frombuffer(data, np.uint8, count=n, offset=8)  # (n,) uint8, read-only


def _check_body(path: Path, n: int, what: str, expected: int, found: int) -> None:
    if found < expected:
        raise DataError(
            f"{path}: truncated: header says {n:,} {what} ({expected:,} bytes) "
            f"but the file holds only {found:,} bytes after the header"
        )
    if found > expected:
        raise DataError(
            f"{path}: {found - expected:,} trailing bytes after the {n:,} {what} "
            "the header declares"
        )


def load_idx_dir(directory: str | os.PathLike) -> MNIST:
    """Load MNIST from a directory holding the four IDX files.

    Each file may be gzipped (``train-images-idx3-ubyte.gz``) or raw
    (``train-images-idx3-ubyte``); the gzipped one is used when both are there.

    Parameters
    ----------
    directory : str or path-like
        The directory with ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each ``.gz`` or not).

    Returns
    -------
    MNIST
        ``(n, 28, 28)``/``(n,)`` train and ``(m, 28, 28)``/``(m,)`` test arrays, uint8,
        ``is_sample=False``.

    Raises
    ------
    DataError
        Missing directory or file, any :func:`read_idx` error, an image file holding labels
        (or the reverse), image and label counts that differ, or labels outside 0..9.
    """
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DataError(f"{directory}: MNIST directory not found")
    paths = _find_idx_files(directory)
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for split in FULL_SIZES:
        _check_split(arrays, paths, split)
    names = ", ".join(path.name for path in paths.values())
    return MNIST(**arrays, source=f"MNIST IDX files ({names}) in {directory}", is_sample=False)


def _find_idx_files(directory: Path) -> dict[str, Path]:
    found, missing = {}, []
    for key, stem in IDX_FILES.items():
        candidates = [directory / f"{stem}.gz", directory / stem]
        found[key] = next((path for path in candidates if path.is_file()), None)
        if found[key] is None:
            missing.append(f"{stem}.gz (or {stem})")
    if missing:
        raise DataError(f"{directory}: missing MNIST file(s): {', '.join(missing)}")
    return found


def _check_split(arrays: dict[str, np.ndarray], paths: dict[str, Path], split: str) -> None:
    images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
    image_path, label_path = paths[f"{split}_images"], paths[f"{split}_labels"]
    if images.ndim != 3:
        raise DataError(
            f"{image_path}: expected images (magic 0x{IMAGES_MAGIC:08X}), found labels "
            f"(magic 0x{LABELS_MAGIC:08X})"
        )
    if labels.ndim != 1:
        raise DataError(
            f"{label_path}: expected labels (magic 0x{LABELS_MAGIC:08X}), found images "
            f"(magic 0x{IMAGES_MAGIC:08X})"
        )
    if len(images) != len(labels):
        raise DataError(
            f"image and label counts differ: {image_path.name} holds {len(images):,} images "
            f"but {label_path.name} holds {len(labels):,} labels"
        )
    _check_labels(labels, str(label_path))


def _check_labels(labels: np.ndarray, where: str) -> None:
    bad = labels > 9
    if bad.any():
        first = int(np.argmax(bad))
        raise DataError(
            f"{where}: labels must be 0..9, found {int(labels[first])} at index {first:,} "
            f"({int(bad.sum()):,} such labels)"
        )


# ---------------------------------------------------------------------------------------------
# Array files: the cache and the bundled sample (same keys)


def cache_dir() -> Path:
    """Return the directory for the array cache and tfds downloads (not created here).

    Returns
    -------
    Path
        ``$PERCEPTRON_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/perceptron-machine``, else
        the platform's cache folder: ``~/Library/Caches/perceptron-machine`` on macOS,
        ``%LOCALAPPDATA%\\perceptron-machine\\Cache`` on Windows,
        ``~/.cache/perceptron-machine`` elsewhere.
    """
    if override := os.environ.get("PERCEPTRON_CACHE_DIR"):
        return Path(override).expanduser()
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg).expanduser() / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_NAME
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        return Path(local) / APP_NAME / "Cache"
    return Path.home() / ".cache" / APP_NAME


def load_sample() -> MNIST:
    """Load the small bundled sample of real MNIST digits (``assets/mnist_sample.npz``).

    Returns
    -------
    MNIST
        A few thousand digits drawn at random from both splits (see
        ``assets/MNIST_SAMPLE_LICENSE.md``): ``(n, 28, 28)``/``(n,)`` uint8 arrays,
        ``is_sample=True``.

    Raises
    ------
    DataError
        The sample file is missing or damaged.
    """
    if not SAMPLE_PATH.is_file():
        raise DataError(
            f"{SAMPLE_PATH}: bundled MNIST sample not found (rebuild it with tools/make_sample.py)"
        )
    try:
        arrays = _read_npz(SAMPLE_PATH, sizes=None)
    except Exception as exc:  # any failure of a shipped file is a DataError
        raise DataError(f"{SAMPLE_PATH}: bundled MNIST sample is damaged ({exc})") from exc
    total = len(arrays["train_labels"]) + len(arrays["test_labels"])
    source = f"bundled offline sample: {total:,} of MNIST's 70,000 digits"
    return MNIST(**arrays, source=source, is_sample=True)


def _read_npz(path: Path, sizes: Mapping[str, int] | None) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        missing = [key for key in KEYS if key not in npz.files]
        if missing:
            raise DataError(f"{path}: missing arrays {missing}, found {sorted(npz.files)}")
        arrays = {key: npz[key] for key in KEYS}
    _check_arrays(arrays, str(path), sizes)
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _check_arrays(
    arrays: Mapping[str, np.ndarray], where: str, sizes: Mapping[str, int] | None
) -> None:
    """Check dtypes, shapes (exact counts if `sizes` is given) and label range."""
    for key in KEYS:
        if arrays[key].dtype != np.uint8:
            raise DataError(f"{where}: {key} has dtype {arrays[key].dtype}, expected uint8")
    for split in FULL_SIZES:
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        n = sizes[split] if sizes else len(labels)
        if images.shape != (n, ROWS, COLS) or labels.shape != (n,):
            raise DataError(
                f"{where}: {split} arrays have shapes {images.shape} and {labels.shape}, "
                f"expected ({n}, 28, 28) and ({n},)"
            )
        _check_labels(labels, f"{where} ({split}_labels)")


def _load_cache(path: Path) -> MNIST | None:
    """The cached full MNIST, or None; a cache that fails validation is deleted."""
    if not path.exists():
        return None
    try:
        arrays = _read_npz(path, sizes=FULL_SIZES)
    except Exception as exc:  # whatever is wrong, the cache is rebuilt
        warnings.warn(
            f"discarding the MNIST cache {path}: {exc}; it will be rebuilt",
            DataWarning,
            stacklevel=3,
        )
        path.unlink(missing_ok=True)
        return None
    return MNIST(**arrays, source=f"cached MNIST ({path})", is_sample=False)


def _write_cache(mnist: MNIST, path: Path) -> bool:
    """Write the arrays atomically (temp file in the same directory, then os.replace)."""
    try:
        atomic_write(path, lambda file: np.savez_compressed(
            file, **{key: getattr(mnist, key) for key in KEYS}))
    except OSError as exc:
        warnings.warn(f"could not write the MNIST cache {path}: {exc}", DataWarning, stacklevel=3)
        return False
    return True


# ---------------------------------------------------------------------------------------------
# tensorflow-datasets, without TensorFlow


class _Offline(Exception):
    """The network probe failed: skip the download."""


def _probe(host: str) -> Background:
    """Start resolving and connecting to `host`:443 (or the HTTPS proxy) in the background."""

    def connect() -> None:
        import urllib.request

        proxy = urllib.request.getproxies().get("https")
        address = (host, 443)
        if proxy and not urllib.request.proxy_bypass(host):
            parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            address = (parts.hostname or host, parts.port or 80)
        socket.create_connection(address, timeout=10.0).close()

    return Background(connect, name=f"probe {host}")


def _await_network(probe: Background, host: str, timeout: float) -> None:
    try:
        probe.result(within=timeout)
    except Exception as exc:  # DNS failure, refused, timed out: all "offline"
        raise _Offline(f"no network: could not reach {host} ({exc})") from exc


def _import_tfds():
    """Import tensorflow-datasets (about 1 s) and its registered MNIST files."""
    import tensorflow_datasets as tfds
    from tensorflow_datasets.image_classification import mnist as tfds_mnist

    tfds.disable_progress_bar()  # progress goes through our callback, not tqdm on stderr
    return tfds, dict(tfds_mnist.MNIST.url_infos)


def _prepared_tfds_dir() -> Path | None:
    """The tfds data dir holding a prepared MNIST, found without importing tfds."""
    data_dir = Path(os.environ.get("TFDS_DATA_DIR") or Path.home() / "tensorflow_datasets")
    if any((data_dir.expanduser() / "mnist").glob("*/dataset_info.json")):
        return data_dir.expanduser()
    return None


def _from_tfds_data_source(data_dir: Path) -> MNIST:
    """Read a prepared copy; raises (e.g. ImportError) where decoding would need TF/PIL/cv2."""
    import tensorflow_datasets as tfds

    sources = tfds.data_source("mnist", data_dir=str(data_dir), download=False)
    arrays = {}
    for split in FULL_SIZES:
        # tfds decodes one record at a time; this runs once, then the cache takes over.
        records = [sources[split][i] for i in range(len(sources[split]))]
        images = np.stack([record["image"] for record in records])  # (n, 28, 28, 1)
        arrays[f"{split}_images"] = images.reshape(-1, ROWS, COLS).astype(np.uint8)
        arrays[f"{split}_labels"] = np.array([r["label"] for r in records], np.uint8)  # (n,)
    return _full_mnist(arrays, f"MNIST via tensorflow-datasets (prepared copy in {data_dir})")


def _download_manager(tfds, download_dir: Path, url_infos: dict):
    """tfds's download manager, which checks every file against the registered checksums."""
    return tfds.download.DownloadManager(download_dir=download_dir, url_infos=url_infos)


def _from_tfds_download(report: Progress, offline_timeout: float) -> MNIST:
    probe = _probe(TFDS_MNIST_HOST)  # runs while tfds imports
    report(0.15, "Loading tensorflow-datasets")
    tfds, url_infos = _import_tfds()
    urls = _urls_by_key(url_infos)
    host = urlsplit(urls["train_images"]).hostname or TFDS_MNIST_HOST
    if host != TFDS_MNIST_HOST:
        probe = _probe(host)
    report(0.2, f"Checking the network ({host})")
    _await_network(probe, host, offline_timeout)
    report(0.3, "Downloading MNIST (11 MB) with tensorflow-datasets")
    manager = _download_manager(tfds, cache_dir() / "downloads", url_infos)
    paths = Background(lambda: manager.download(urls), name="mnist download").result(
        within=DOWNLOAD_TIMEOUT
    )
    report(0.75, "Reading the downloaded IDX files")
    arrays = {key: read_idx(paths[key]) for key in KEYS}
    return _full_mnist(arrays, "MNIST via tensorflow-datasets (checksums verified)")


def _urls_by_key(url_infos: Mapping[str, object]) -> dict[str, str]:
    urls = {}
    for url in url_infos:
        name = Path(urlsplit(url).path).name
        urls.update({key: url for key, stem in IDX_FILES.items() if name.startswith(stem)})
    if sorted(urls) != sorted(KEYS):
        raise DataError(f"tensorflow-datasets lists unexpected MNIST files: {sorted(url_infos)}")
    return urls


def _full_mnist(arrays: Mapping[str, np.ndarray], source: str) -> MNIST:
    _check_arrays(arrays, source, FULL_SIZES)
    return MNIST(**arrays, source=source, is_sample=False)


def _from_tfds(report: Progress, offline_timeout: float) -> MNIST:
    if (prepared := _prepared_tfds_dir()) is not None:
        report(0.1, f"Reading the tensorflow-datasets copy in {prepared}")
        try:
            return _from_tfds_data_source(prepared)
        except Exception:  # e.g. decoding needs TF or PIL: try a download
            pass
    return _from_tfds_download(report, offline_timeout)


def _why(exc: BaseException) -> str:
    if isinstance(exc, _Offline | DataError):
        return str(exc)
    if isinstance(exc, ImportError):
        return f"tensorflow-datasets unavailable ({exc})"
    if isinstance(exc, TimeoutError):
        return f"download did not finish within {DOWNLOAD_TIMEOUT:g} s"
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:300]


# ---------------------------------------------------------------------------------------------
# The front door


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    progress: Progress | None = None,
    offline_timeout: float = 3.0,
) -> MNIST:
    """Load MNIST from the best source available, falling back to the bundled sample.

    Tries, in order: `data_dir` (or env ``MNIST_DIR``); the array cache
    ``cache_dir()/mnist.npz``; tensorflow-datasets (prepared copy, else a verified download,
    then cached); the bundled sample.

    Parameters
    ----------
    data_dir : str or path-like, optional
        A directory of the four IDX files. Overrides ``MNIST_DIR``. If given (either way) and
        bad, :class:`DataError` is raised: an explicit source is never silently replaced.
    download : bool
        Allow step 3 (tensorflow-datasets). False goes from the cache straight to the sample.
    progress : callable, optional
        Called as ``progress(fraction, message)`` at each stage, fraction in [0, 1], ending
        at 1.0. Meant for a GUI loading in a background thread.
    offline_timeout : float
        Seconds to wait for the network probe (DNS and TCP connect) before the download.

    Returns
    -------
    MNIST
        ``(n, 28, 28)``/``(n,)`` train and ``(m, 28, 28)``/``(m,)`` test arrays, uint8,
        read-only; n = 60,000 and m = 10,000 unless ``is_sample``. ``source`` says where
        they came from, and for the sample why the full set was not had.

    Raises
    ------
    DataError
        The explicit directory is bad, or the bundled sample is missing when needed.
    ValueError
        `offline_timeout` is not positive.
    """
    if not offline_timeout > 0:
        raise ValueError(f"offline_timeout must be positive, found {offline_timeout!r}")
    report = _reporter(progress)
    report(0.0, "Looking for MNIST")
    if (explicit := _explicit_dir(data_dir)) is not None:
        return _done(report, _load_explicit(explicit, report))
    cache = cache_dir() / CACHE_FILE
    report(0.05, f"Checking the MNIST cache ({cache})")
    if (mnist := _load_cache(cache)) is not None:
        return _done(report, mnist)
    if not download:
        return _done(report, _sample_because("downloads are turned off", report))
    try:
        mnist = _from_tfds(report, offline_timeout)
    except Exception as exc:  # any failure here means "use the sample"
        return _done(report, _sample_because(_why(exc), report))
    report(0.85, f"Saving the MNIST cache ({cache})")
    _write_cache(mnist, cache)
    return _done(report, mnist)


def _reporter(progress: Progress | None) -> Progress:
    return progress if progress is not None else (lambda fraction, message: None)


def _explicit_dir(data_dir: str | os.PathLike | None) -> tuple[Path, str] | None:
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir), "data_dir"
    if env := os.environ.get("MNIST_DIR"):
        return Path(env), "MNIST_DIR"
    return None


def _load_explicit(explicit: tuple[Path, str], report: Progress) -> MNIST:
    directory, origin = explicit
    report(0.1, f"Reading MNIST IDX files in {directory}")
    if origin == "data_dir":
        return load_idx_dir(directory)
    try:
        return load_idx_dir(directory)
    except DataError as exc:
        raise DataError(f"MNIST_DIR={directory}: {exc}") from exc


def _sample_because(reason: str, report: Progress) -> MNIST:
    report(0.9, f"Full MNIST not available ({reason}); loading the bundled sample")
    warnings.warn(
        f"full MNIST not available ({reason}); using the bundled sample", DataWarning, stacklevel=3
    )
    sample = load_sample()
    source = f"{sample.source} (full MNIST not available: {reason})"
    return MNIST(*(getattr(sample, key) for key in KEYS), source=source, is_sample=True,
                 fallback_reason=reason)


def _done(report: Progress, mnist: MNIST) -> MNIST:
    report(
        1.0,
        f"Loaded {len(mnist.train_labels):,} training and {len(mnist.test_labels):,} test "
        f"digits from {mnist.source}",
    )
    return mnist
