"""Tests for simulator.data: IDX parsing, the cache, the tfds route, the sample, real MNIST.

No test touches the network: an autouse fixture makes every connection attempt fail, and the
tfds tests replace its download (or feed its real checksum check tiny local files).
"""

import gzip
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from simulator import data
from simulator.data import MNIST, DataError, DataWarning

# ---------------------------------------------------------------------------------------------
# Writing tiny IDX files


def idx_images(images: np.ndarray) -> bytes:
    n, rows, cols = images.shape
    header = np.array([0x00000803, n, rows, cols], ">u4").tobytes()
    return header + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    return np.array([0x00000801, len(labels)], ">u4").tobytes() + labels.astype(np.uint8).tobytes()


def write(path: Path, payload: bytes, gz: bool) -> Path:
    path = path.with_name(path.name + ".gz") if gz else path
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


def digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)  # (n, 28, 28) uint8
    return images, (np.arange(n) % 10).astype(np.uint8)  # (n,) uint8


def write_idx_dir(directory: Path, n_train: int = 6, n_test: int = 4, gz: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("test", n_test)):
        images, labels = digits(n, seed=n)
        write(directory / data.IDX_FILES[f"{split}_images"], idx_images(images), gz)
        write(directory / data.IDX_FILES[f"{split}_labels"], idx_labels(labels), gz)
    return directory


@pytest.fixture(scope="session")
def full_size_idx_dir(tmp_path_factory) -> Path:
    """Raw IDX files with MNIST's exact counts (60,000/10,000) and synthetic, cheap pixels."""
    directory = tmp_path_factory.mktemp("full_size_idx")
    for split, n in data.FULL_SIZES.items():
        labels = (np.arange(n) % 10).astype(np.uint8)  # (n,) uint8
        images = np.zeros((n, 28, 28), np.uint8)  # (n, 28, 28) uint8
        images[np.arange(n), 14, np.arange(n) % 28] = 25 * labels + 10
        write(directory / data.IDX_FILES[f"{split}_images"], idx_images(images), gz=False)
        write(directory / data.IDX_FILES[f"{split}_labels"], idx_labels(labels), gz=False)
    return directory


# ---------------------------------------------------------------------------------------------
# No network, ever


class _FakeSocket:
    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, tmp_path):
    """Every connection fails at once; no prepared tfds copy is found in the user's home."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no_tfds_data"))
    monkeypatch.delenv("MNIST_DIR", raising=False)


@pytest.fixture
def reachable(monkeypatch):
    """The network probe succeeds (no real socket is opened)."""
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: _FakeSocket())


@pytest.fixture
def tfds():
    return pytest.importorskip("tensorflow_datasets")


@pytest.fixture
def fake_download(monkeypatch, tfds, reachable, full_size_idx_dir):
    """tfds's DownloadManager.download returns local full-size files; records its calls."""
    calls = []

    def download(self, urls):
        calls.append(dict(urls))
        return {key: full_size_idx_dir / data.IDX_FILES[key] for key in urls}

    monkeypatch.setattr(tfds.download.DownloadManager, "download", download)
    return calls


def cache_path() -> Path:
    return data.cache_dir() / data.CACHE_FILE


# ---------------------------------------------------------------------------------------------
# read_idx


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_reads_images_and_labels(tmp_path, gz):
    images, labels = digits(5)
    image_path = write(tmp_path / "imgs-idx3-ubyte", idx_images(images), gz)
    label_path = write(tmp_path / "lbls-idx1-ubyte", idx_labels(labels), gz)

    read_images, read_labels = data.read_idx(image_path), data.read_idx(label_path)

    assert read_images.dtype == np.uint8 and read_images.shape == (5, 28, 28)
    assert read_labels.dtype == np.uint8 and read_labels.shape == (5,)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(DataError, match="nothere-idx3-ubyte.gz: file not found"):
        data.read_idx(tmp_path / "nothere-idx3-ubyte.gz")


def test_read_idx_gz_name_but_not_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(idx_images(digits(2)[0]))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: not a gzip file"):
        data.read_idx(path)


def test_read_idx_truncated_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    whole = gzip.compress(idx_images(digits(20)[0]))
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: truncated gzip"):
        data.read_idx(path)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_wrong_magic(tmp_path, gz):
    payload = np.array([0x00000804, 1, 28, 28], ">u4").tobytes() + bytes(784)
    path = write(tmp_path / "odd-idx3-ubyte", payload, gz)
    with pytest.raises(DataError) as info:
        data.read_idx(path)
    message = str(info.value)
    assert path.name in message and "wrong magic number" in message
    assert "expected 0x00000803 (images) or 0x00000801 (labels), found 0x00000804" in message


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_truncated_images(tmp_path, gz):
    images = digits(3)[0]
    payload = idx_images(images)[: -784 - 10]  # header says 3 images; 1 image and change remain
    path = write(tmp_path / "short-idx3-ubyte", payload, gz)
    with pytest.raises(DataError, match=rf"{path.name}: truncated: header says 3 images"):
        data.read_idx(path)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_truncated_labels(tmp_path, gz):
    path = write(tmp_path / "short-idx1-ubyte", idx_labels(np.arange(10))[:-4], gz)
    with pytest.raises(DataError, match=rf"{path.name}: truncated: header says 10 labels"):
        data.read_idx(path)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_wrong_image_size(tmp_path, gz):
    images = np.zeros((2, 20, 20), np.uint8)
    path = write(tmp_path / "small-idx3-ubyte", idx_images(images), gz)
    with pytest.raises(DataError, match=rf"{path.name}: images are 20x20, expected 28x28"):
        data.read_idx(path)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_trailing_bytes(tmp_path, gz):
    path = write(tmp_path / "long-idx1-ubyte", idx_labels(np.arange(4)) + b"extra", gz)
    with pytest.raises(DataError, match=rf"{path.name}: 5 trailing bytes after the 4 labels"):
        data.read_idx(path)


def test_read_idx_too_short_for_header(tmp_path):
    path = write(tmp_path / "tiny-idx1-ubyte", b"\x00\x00\x08", gz=False)
    with pytest.raises(DataError, match=r"tiny-idx1-ubyte: only 3 bytes, too short"):
        data.read_idx(path)


def test_read_idx_returns_read_only_arrays(tmp_path):
    path = write(tmp_path / "imgs-idx3-ubyte", idx_images(digits(2)[0]), gz=True)
    with pytest.raises(ValueError, match="read-only"):
        data.read_idx(path)[0, 0, 0] = 1


# ---------------------------------------------------------------------------------------------
# load_idx_dir


def test_load_idx_dir_mixed_gz_and_raw(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist", gz=True)
    raw = directory / "t10k-labels-idx1-ubyte"
    raw.write_bytes(gzip.decompress((directory / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()

    mnist = data.load_idx_dir(directory)

    assert mnist.train_images.shape == (6, 28, 28) and mnist.test_labels.shape == (4,)
    assert not mnist.is_sample
    assert mnist.source.startswith("MNIST IDX files (train-images-idx3-ubyte.gz")
    assert "t10k-labels-idx1-ubyte)" in mnist.source  # the raw file, named as found
    assert str(directory) in mnist.source


def test_load_idx_dir_missing_file(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist")
    (directory / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"missing MNIST file\(s\): t10k-images-idx3-ubyte.gz"):
        data.load_idx_dir(directory)


def test_load_idx_dir_not_a_directory(tmp_path):
    with pytest.raises(DataError, match="nowhere: MNIST directory not found"):
        data.load_idx_dir(tmp_path / "nowhere")


def test_load_idx_dir_counts_differ(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist", gz=False)
    write(directory / "train-labels-idx1-ubyte", idx_labels(np.arange(5)), gz=False)
    with pytest.raises(DataError) as info:
        data.load_idx_dir(directory)
    message = str(info.value)
    assert "train-images-idx3-ubyte holds 6 images" in message
    assert "train-labels-idx1-ubyte holds 5 labels" in message


def test_load_idx_dir_labels_out_of_range(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist")
    write(directory / "t10k-labels-idx1-ubyte", idx_labels(np.array([1, 2, 12, 3])), gz=True)
    with pytest.raises(
        DataError, match=r"t10k-labels-idx1-ubyte.gz: labels must be 0..9, found 12"
    ):
        data.load_idx_dir(directory)


def test_load_idx_dir_images_file_holding_labels(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist")
    write(directory / "train-images-idx3-ubyte", idx_labels(np.arange(6)), gz=True)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: expected images"):
        data.load_idx_dir(directory)


# ---------------------------------------------------------------------------------------------
# load_mnist: explicit directories


def test_load_mnist_explicit_dir(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist")
    mnist = data.load_mnist(directory)
    assert not mnist.is_sample and str(directory) in mnist.source
    assert not cache_path().exists()  # an explicit directory is read as is, not cached


def test_load_mnist_honours_mnist_dir_env(tmp_path, monkeypatch):
    directory = write_idx_dir(tmp_path / "from_env", n_train=7)
    monkeypatch.setenv("MNIST_DIR", str(directory))
    mnist = data.load_mnist()
    assert len(mnist.train_labels) == 7 and str(directory) in mnist.source


def test_load_mnist_argument_beats_env(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(write_idx_dir(tmp_path / "env", n_train=7)))
    mnist = data.load_mnist(write_idx_dir(tmp_path / "arg", n_train=8))
    assert len(mnist.train_labels) == 8


def test_load_mnist_explicit_bad_dir_raises(tmp_path):
    directory = write_idx_dir(tmp_path / "mnist")
    (directory / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte.gz: corrupt gzip"):
        data.load_mnist(directory)
    with pytest.raises(DataError, match="MNIST directory not found"):
        data.load_mnist(tmp_path / "does-not-exist")


def test_load_mnist_bad_env_dir_raises_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    with pytest.raises(DataError, match=rf"MNIST_DIR={tmp_path}: .*missing MNIST file"):
        data.load_mnist()


# ---------------------------------------------------------------------------------------------
# load_mnist: the tfds route, the cache


def test_tfds_download_route_writes_cache_then_cache_is_used(fake_download):
    first = data.load_mnist()

    assert first.source.startswith("MNIST via tensorflow-datasets") and not first.is_sample
    assert len(fake_download) == 1
    assert sorted(fake_download[0]) == sorted(data.KEYS)
    assert all(url.startswith("https://") for url in fake_download[0].values())
    assert cache_path().is_file()
    assert not list(cache_path().parent.glob("*.tmp"))  # the atomic write left nothing behind

    second = data.load_mnist()

    assert second.source == f"cached MNIST ({cache_path()})"
    assert len(fake_download) == 1  # no second download
    for key in data.KEYS:
        np.testing.assert_array_equal(getattr(second, key), getattr(first, key))
        assert getattr(second, key).dtype == np.uint8
        assert not getattr(second, key).flags.writeable
    assert second.train_images.shape == (60_000, 28, 28)


def _save_bad_cache(path: Path, case: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if case == "garbage bytes":
        path.write_bytes(b"this is not an npz file at all")
        return
    images, labels = digits(10)
    arrays = dict(train_images=images, train_labels=labels, test_images=images, test_labels=labels)
    if case == "missing key":
        del arrays["test_labels"]
    if case == "labels out of range":  # right shapes; a tenth digit that does not exist
        arrays = {
            "train_images": np.zeros((60_000, 28, 28), np.uint8),
            "train_labels": np.full(60_000, 10, np.uint8),
            "test_images": np.zeros((10_000, 28, 28), np.uint8),
            "test_labels": np.zeros(10_000, np.uint8),
        }
    np.savez_compressed(path, **arrays)


@pytest.mark.parametrize(
    "case, complaint",
    [
        ("garbage bytes", "discarding the MNIST cache"),
        ("wrong shapes", r"train arrays have shapes \(10, 28, 28\)"),
        ("missing key", r"missing arrays \['test_labels'\]"),
        ("labels out of range", "labels must be 0..9, found 10"),
    ],
)
def test_corrupt_cache_is_discarded(case, complaint):
    _save_bad_cache(cache_path(), case)
    with pytest.warns(DataWarning) as record:
        mnist = data.load_mnist(download=False)
    discarded = [str(w.message) for w in record if "discarding the MNIST cache" in str(w.message)]
    assert len(discarded) == 1 and re.search(complaint, discarded[0])
    assert not cache_path().exists()
    assert mnist.is_sample


def test_corrupt_cache_is_rebuilt(fake_download):
    _save_bad_cache(cache_path(), "garbage bytes")
    with pytest.warns(DataWarning, match="discarding the MNIST cache"):
        rebuilt = data.load_mnist()
    assert rebuilt.source.startswith("MNIST via tensorflow-datasets")
    assert data.load_mnist().source.startswith("cached MNIST")


def test_tfds_checksum_mismatch_falls_back_to_sample(monkeypatch, tfds, reachable, tmp_path):
    """tfds's real checksum check, fed tiny local files named like MNIST's (no network)."""
    manual = write_idx_dir(tmp_path / "manual", gz=True)

    def manager(tfds_module, download_dir, url_infos):
        return tfds_module.download.DownloadManager(
            download_dir=download_dir, manual_dir=manual, url_infos=url_infos
        )

    monkeypatch.setattr(data, "_download_manager", manager)
    with pytest.warns(DataWarning, match="NonMatchingChecksumError"):
        mnist = data.load_mnist()
    assert mnist.is_sample and "NonMatchingChecksumError" in mnist.source
    assert not cache_path().exists()


def test_offline_falls_back_to_sample_within_bound(monkeypatch, tfds):
    """DNS or connect hangs: the probe gives up after offline_timeout, the sample loads."""
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(10.0)
        raise OSError("hung until the test ended")

    monkeypatch.setattr(socket, "create_connection", hang)
    started = time.monotonic()
    try:
        with pytest.warns(DataWarning, match="no network"):
            mnist = data.load_mnist(offline_timeout=0.5)
    finally:
        release.set()
    elapsed = time.monotonic() - started

    assert elapsed < 5.0
    assert mnist.is_sample
    assert mnist.source.startswith("bundled offline sample")
    assert "no network: could not reach storage.googleapis.com" in mnist.source


def test_missing_tfds_falls_back_to_sample(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.warns(DataWarning, match="tensorflow-datasets unavailable"):
        mnist = data.load_mnist()
    assert mnist.is_sample and "tensorflow-datasets unavailable" in mnist.source


def test_download_false_skips_tfds(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # importing it would fail
    with pytest.warns(DataWarning, match="downloads are turned off"):
        mnist = data.load_mnist(download=False)
    assert mnist.is_sample and "downloads are turned off" in mnist.source


class _FakeDataSource:
    """Records as tfds.data_source yields them: image (28, 28, 1) uint8, label int."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images, self.labels = images[..., None], labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"image": self.images[i], "label": int(self.labels[i])}


@pytest.fixture
def prepared_tfds_copy(monkeypatch, tmp_path):
    data_dir = tmp_path / "tensorflow_datasets"
    (data_dir / "mnist" / "3.0.1").mkdir(parents=True)
    (data_dir / "mnist" / "3.0.1" / "dataset_info.json").write_text("{}")
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    return data_dir


def test_tfds_prepared_copy_is_read_and_cached(
    monkeypatch, tfds, prepared_tfds_copy, full_size_idx_dir
):
    expected = data.load_idx_dir(full_size_idx_dir)
    sources = {
        split: _FakeDataSource(
            getattr(expected, f"{split}_images"), getattr(expected, f"{split}_labels")
        )
        for split in data.FULL_SIZES
    }
    seen = {}

    def data_source(name, *, data_dir, download):
        seen.update(name=name, data_dir=data_dir, download=download)
        return sources

    monkeypatch.setattr(tfds, "data_source", data_source)
    mnist = data.load_mnist()

    assert seen == {"name": "mnist", "data_dir": str(prepared_tfds_copy), "download": False}
    assert mnist.source.startswith("MNIST via tensorflow-datasets (prepared copy")
    np.testing.assert_array_equal(mnist.train_images, expected.train_images)
    np.testing.assert_array_equal(mnist.test_labels, expected.test_labels)
    assert cache_path().is_file()


def test_tfds_prepared_copy_that_needs_tf_is_skipped(
    monkeypatch, tfds, prepared_tfds_copy, fake_download
):
    def data_source(*args, **kwargs):
        raise ImportError("Decoding images with NumPy requires either OpenCV or PIL.")

    monkeypatch.setattr(tfds, "data_source", data_source)
    mnist = data.load_mnist()
    assert mnist.source.startswith("MNIST via tensorflow-datasets (checksums verified)")
    assert len(fake_download) == 1


def test_progress_reports_rise_to_one(tmp_path):
    calls = []
    data.load_mnist(write_idx_dir(tmp_path / "mnist"), progress=lambda f, m: calls.append((f, m)))
    with pytest.warns(DataWarning):
        data.load_mnist(download=False, progress=lambda f, m: calls.append((f, m)))
    for run in (calls[: len(calls) // 2], calls):
        fractions = [fraction for fraction, _ in run]
        assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(isinstance(message, str) and message for _, message in calls)
    assert [f for f, _ in calls].count(1.0) == 2
    assert calls[-1][0] == 1.0 and "sample" in calls[-1][1]


def test_offline_timeout_must_be_positive():
    with pytest.raises(ValueError, match="offline_timeout must be positive, found 0"):
        data.load_mnist(offline_timeout=0)


# ---------------------------------------------------------------------------------------------
# cache_dir, import cost, the MNIST container


def test_cache_dir_sources(monkeypatch, tmp_path):
    monkeypatch.setenv("PERCEPTRON_CACHE_DIR", str(tmp_path / "explicit"))
    assert data.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("PERCEPTRON_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "xdg" / "perceptron-machine"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    assert data.cache_dir() == tmp_path / ".cache" / "perceptron-machine"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert data.cache_dir() == tmp_path / "Library" / "Caches" / "perceptron-machine"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert data.cache_dir() == tmp_path / "Local" / "perceptron-machine" / "Cache"


def test_import_is_cheap():
    code = (
        "import sys, simulator.data; "
        "heavy = [m for m in ('tensorflow_datasets', 'tensorflow', 'pygame') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)


def test_mnist_checks_its_arrays():
    images, labels = digits(3)
    with pytest.raises(ValueError, match="must be uint8, found float64 images"):
        MNIST(images.astype(float), labels, images, labels, source="x", is_sample=False)
    with pytest.raises(ValueError, match=r"found \(3, 28, 28\) and \(2,\)"):
        MNIST(images, labels[:2], images, labels, source="x", is_sample=False)


# ---------------------------------------------------------------------------------------------
# The bundled sample and the real MNIST


def test_bundled_sample():
    sample = data.load_sample()
    assert sample.is_sample
    assert sample.source == "bundled offline sample: 3,000 of MNIST's 70,000 digits"
    assert sample.train_images.shape == (2000, 28, 28) and sample.test_images.shape == (
        1000,
        28,
        28,
    )
    for key in data.KEYS:
        assert getattr(sample, key).dtype == np.uint8
    assert set(np.unique(sample.test_labels)) == set(range(10))
    assert 0.05 < np.mean(sample.test_labels == 5) < 0.13  # MNIST's test set: 8.92% fives
    assert sample.train_images.max() == 255  # real ink, not placeholder pixels


def test_real_mnist(mnist_dir):
    mnist = data.load_mnist(mnist_dir)

    assert mnist.train_images.shape == (60_000, 28, 28)
    assert mnist.train_labels.shape == (60_000,)
    assert mnist.test_images.shape == (10_000, 28, 28)
    assert mnist.test_labels.shape == (10_000,)
    for key in data.KEYS:
        assert getattr(mnist, key).dtype == np.uint8
    assert set(np.unique(mnist.train_labels)) == set(range(10))
    assert set(np.unique(mnist.test_labels)) == set(range(10))
    assert int(np.sum(mnist.test_labels == 5)) == 892
    assert round(float(np.mean(mnist.test_labels != 5)) * 100, 2) == 91.08  # the base rate
    assert not mnist.is_sample
