"""Every run kept on disk: the switches, the knobs it started from, the knobs and the scores
after each epoch. NumPy and the standard library only.

A run is one stretch of training with fixed switches from a given starting state of the knobs.
The :class:`RunStore` keeps each run as two files in one folder (``state_dir() / "runs"``):

- ``ID.json``: everything but the arrays (id, time, switches, procedure, data source, origin,
  the scores per epoch, name, group, base rate); small, so that listing reads only these.
- ``ID.npz``: ``start`` (785, k) float32, the knobs the run started from, and ``knobs``
  (E, 785, k) float32, the knobs after each of its E epochs.

Both are written atomically (:func:`simulator.atomic.atomic_write`), the ``.npz`` first and
then the ``.json``: a run is listed only once its JSON exists, so a reader never meets a run
whose knobs are still to come. Ids begin with the creation time, so sorting ids sorts runs by
age. The command line and the window may write to one store at once: each writes only its own
runs' files (pruning aside: the oldest runs go when the store is over its limit).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
import secrets
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .config import Config
from .dims import N_INPUTS
from .storage import save_knobs

FORMAT = "perceptron-run/1"
METRIC_KEYS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds")

_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,79}")  # a plain file name: no dot, no slash


class RunFileError(ValueError):
    """A run's file that cannot be read; the message names the file and what is wrong."""


# ---------------------------------------------------------------------------- the run


@dataclass
class Run:
    """One stretch of training with fixed switches from given starting knobs.

    Runs listed by :meth:`RunStore.list` come without their arrays (``start`` is None and
    ``knobs`` empty; :meth:`RunStore.load_knobs` reads them); ``knobs_problem`` then says why
    their knobs cannot be read, if they cannot.
    """

    id: str  # unique, sortable by creation: "20261204-141503-123456-ab12"
    created: str  # ISO time, local, with its UTC offset
    config: Config  # the switches (seed inside)
    procedure: str  # "gd" | "rosenblatt" | "trial" | ...
    source: str  # the data source's description
    origin: str  # "window" | "cli"
    start: np.ndarray | None  # (785, k) float32: the knobs the run started from
    metrics: list[dict] = field(default_factory=list)  # one row per scored epoch (METRIC_KEYS)
    knobs: list[np.ndarray] = field(default_factory=list)  # (785, k) float32 after each epoch
    name: str | None = None  # set by RunStore.rename
    group: str | None = None  # the spread of seeds it belongs to, if any
    baseline: float | None = None  # the never-lit base rate on its test set
    knobs_problem: str | None = None  # listed runs: why the knobs cannot be read, if so

    @classmethod
    def new(cls, config: Config, start: np.ndarray, *, procedure: str | None = None,
            source: str = "", origin: str = "window", group: str | None = None,
            baseline: float | None = None) -> Run:
        """A run about to start from ``start`` (copied), with a fresh id and the time now."""
        now = _now()
        return cls(id=_new_id(now), created=now.isoformat(timespec="microseconds"),
                   config=config, procedure=procedure or config.rule, source=source,
                   origin=origin, start=_knob_array(start, "start").copy(), group=group,
                   baseline=baseline)

    def add_knobs(self, params: np.ndarray) -> None:
        """Keep a copy of the knobs after an epoch (the trainer turns its array in place)."""
        self.knobs.append(_knob_array(params, f"knobs after epoch {len(self.knobs) + 1}").copy())

    @property
    def arrays_loaded(self) -> bool:
        return self.start is not None

    @property
    def bulbs(self) -> int:
        return self.config.bulbs

    def label(self) -> str:
        """The name given by rename, else :func:`auto_name`."""
        return self.name if self.name else auto_name(self)

    def final_accuracy(self) -> float | None:
        """The last scored epoch's test accuracy (0..1); None without one (or if NaN)."""
        if not self.metrics:
            return None
        value = self.metrics[-1].get("test_acc")
        if value is None or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        return float(value)


# ---------------------------------------------------------------------------- names

# The words for each switch's values, in the order a name says them: a dict of value -> words,
# or a format string / function of the value. "lr" is keyed by the procedure (its step's word).
WORDS: dict[str, dict | str | Callable] = {
    "rule": {"gd": "gradient descent", "rosenblatt": "Rosenblatt's rule",
             "trial": "trial and error", "hand": "by hand"},
    "bulbs": {1: "one bulb", 10: "ten bulbs"},
    "digit": "digit {}",
    "activation": {"none": "no activation", "sigmoid": "sigmoid", "softmax": "softmax"},
    "loss": {"mse": "MSE", "mae": "MAE", "ce": "cross-entropy"},
    "optimizer": {"adam": "Adam", "sgd": "SGD"},
    "lr": {"gd": "lr {:g}", "rosenblatt": "step {:g}", "trial": "turn {:g}", None: "lr {:g}"},
    "batch_size": "batch {}",
    "inputs": {"raw": "raw pixels", "unit": "pixels 0..1"},
    "subset": lambda n: f"{n:,} picture{'' if n == 1 else 's'}",
    "seed": "seed {}",
}


def auto_name(run: Run) -> str:
    """The run named by what differs from the defaults (``Config()``), then its seed and final
    test accuracy: ``"no activation, raw pixels, seed 0: 24.7%"``, ``"defaults, seed 0: 98.0%"``.

    Only the switches the procedure reads are named; the learning rate is compared with the
    procedure's own (Rosenblatt's step 1 is its default), the digit only matters to one bulb,
    and the epochs are left out (the scores say how many ran). The activation is named with
    raw inputs even when it is the default: the tutorial's story is "no activation" against
    "sigmoid" on raw pixels.
    """
    from .rules import RULES

    config, default = run.config, Config()
    procedure = run.procedure or config.rule
    rule = RULES.get(procedure)
    reads = set(rule.switches) if rule is not None and rule.switches is not None else None

    def relevant(name: str) -> bool:
        return reads is None or name in reads

    differs = {name: getattr(config, name) != getattr(default, name) for name in WORDS}
    differs["rule"] = procedure != default.rule
    differs["lr"] = config.lr != (rule.lr if rule is not None else default.lr)
    differs["digit"] = differs["digit"] and config.bulbs == 1
    differs["activation"] = differs["activation"] or differs["inputs"]

    words = []
    for name in WORDS:
        if name == "seed" or not differs[name] or (name != "rule" and not relevant(name)):
            continue
        value = procedure if name == "rule" else getattr(config, name)
        words.append(_words(name, value, procedure))
    head = ", ".join(words) if words else "defaults"
    head = f"{head}, {_words('seed', config.seed, procedure)}"
    accuracy = run.final_accuracy()
    if accuracy is not None:
        return f"{head}: {accuracy:.1%}"
    if run.metrics:
        return f"{head}: not scored"
    return f"{head} (scoring)" if run.knobs else f"{head} (no epochs yet)"


def _words(name: str, value, procedure: str) -> str:
    entry = WORDS[name]
    if name == "lr":
        entry = entry.get(procedure, entry[None])
    if isinstance(entry, dict):
        return entry.get(value, f"{name} {value}")
    if isinstance(entry, str):
        return entry.format(value)
    return entry(value)


# ---------------------------------------------------------------------------- the store


class RunStore:
    """Runs kept as ``ID.json`` + ``ID.npz`` in ``directory`` (``state_dir() / "runs"``),
    at most ``limit`` of them: saving a new run past the limit deletes the oldest.

    Safe to share between threads; the command line and the window may use one folder at once.
    """

    def __init__(self, directory: Path | str | None = None, limit: int = 200):
        if directory is None:
            from .session import state_dir

            directory = state_dir() / "runs"
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"a run store keeps at least one run; limit {limit!r}")
        self.directory = Path(directory).expanduser()
        self.limit = limit
        self._lock = threading.RLock()
        self._written: dict[str, tuple] = {}  # id -> what its .npz on disk holds (see save)
        self._deleted: set[str] = set()
        self._listed: dict[str, tuple] = {}  # id -> (file stats, Run or notice): list's cache

    # ------------------------------------------------------------------ paths

    def json_path(self, run_id: str) -> Path:
        return self.directory / f"{check_id(run_id)}.json"

    def npz_path(self, run_id: str) -> Path:
        return self.directory / f"{check_id(run_id)}.npz"

    # ------------------------------------------------------------------ writing

    def save(self, run: Run) -> bool:
        """Create or update ``run``'s files; the window calls it after each epoch.

        The ``.npz`` is rewritten only when the arrays changed since this store last wrote
        them (another knob array, or a different start), so saving a score that arrived late
        rewrites only the small JSON. The name on disk wins over ``run.name`` (it is set by
        :meth:`rename`, perhaps by another process) and is copied into ``run.name``.

        Returns False, writing nothing, when the run was deleted (here or, after this store
        first wrote it, by another process): a deleted run is not brought back. Raises
        ValueError for a bad id or bad arrays and OSError naming the file that could not be
        written.
        """
        check_id(run.id)
        arrays = None if run.start is None else self._arrays(run)
        with self._lock:
            if run.id in self._deleted:
                return False
            jpath, npath = self.json_path(run.id), self.npz_path(run.id)
            on_disk = _read_json_quietly(jpath)
            if on_disk is None and run.id in self._written:
                self._deleted.add(run.id)  # deleted or pruned elsewhere
                return False
            if isinstance(on_disk, dict):
                if run.id not in self._written and on_disk.get("created") != run.created:
                    raise ValueError(f"run {run.id}: {jpath} holds another run (created "
                                     f"{on_disk.get('created')}, this one {run.created})")
                name = on_disk.get("name")
                run.name = name if isinstance(name, str) and name else None
            data = _json_bytes(run.id, _to_meta(run))  # before any write: all or nothing
            if arrays is not None:
                fingerprint = (len(run.knobs), run.start, run.knobs[-1] if run.knobs else None)
                old = self._written.get(run.id)
                if (old is None or old[0] != fingerprint[0]
                        or any(a is not b for a, b in zip(old[1:], fingerprint[1:], strict=True))
                        or not npath.exists()):
                    start, knobs = arrays
                    stack = np.stack(knobs) if knobs else np.empty((0, *start.shape), np.float32)
                    _write(npath, lambda f: np.savez(f, start=start, knobs=stack))
                    self._written[run.id] = fingerprint
            elif not npath.exists():
                raise ValueError(f"run {run.id}: no knobs to save (start is None) and none "
                                 f"on disk at {npath}")
            self._listed.pop(run.id, None)
            _write(jpath, lambda f: f.write(data))
            self._written.setdefault(run.id, (None, None, None))
            self._prune(keep=run.id)
        return True

    def rename(self, run_id: str, name: str | None) -> Run:
        """Give a run a name (None or blank: back to its automatic name); returns the run
        (without arrays). KeyError if there is no such run."""
        name = name.strip() if isinstance(name, str) else None
        with self._lock:
            meta = self._read_meta(run_id)
            meta["name"] = name or None
            data = _json_bytes(run_id, meta)
            self._listed.pop(run_id, None)
            _write(self.json_path(run_id), lambda f: f.write(data))
            return _from_meta(meta, self.json_path(run_id))

    def delete(self, run_id: str) -> None:
        """Delete a run's files (the JSON first: it leaves the lists at once). KeyError if
        there is no such run."""
        jpath, npath = self.json_path(run_id), self.npz_path(run_id)
        with self._lock:
            if not jpath.exists() and not npath.exists():
                raise KeyError(f"no run {run_id!r} in {self.directory}")
            self._deleted.add(run_id)
            self._written.pop(run_id, None)
            self._listed.pop(run_id, None)
            for path in (jpath, npath):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise _os_error(exc, path, f"cannot delete run {run_id}") from None

    def _prune(self, keep: str) -> None:
        ids = self._ids()
        excess = len(ids) - self.limit
        for run_id in ids:  # oldest first
            if excess <= 0:
                break
            if run_id == keep:
                continue
            try:
                self.delete(run_id)
            except KeyError:
                pass  # gone meanwhile (another process pruned it too)
            excess -= 1

    def _ids(self) -> list[str]:
        """Ids of the runs with a JSON file, oldest first."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names
                      if n.endswith(".json") and _ID.fullmatch(n[:-5]))

    # ------------------------------------------------------------------ reading

    def list(self) -> tuple[list[Run], list[str]]:
        """All runs, newest first, without their arrays; and notices, one per file that could
        not be read (naming it and what is wrong). Never raises.

        A file unchanged since the last listing (same inode, size and modification time) is
        not read again, so listing again after each epoch costs little more than a stat per
        file.
        """
        runs, notices, seen = [], [], {}
        try:
            ids = self._ids()
        except OSError as exc:
            return [], [f"{self.directory}: cannot list the runs ({exc})"]
        for run_id in reversed(ids):
            jpath = self.directory / f"{run_id}.json"
            npath = self.directory / f"{run_id}.npz"
            key = (_stat_key(jpath), _stat_key(npath))
            if key[0] is None:
                continue  # deleted meanwhile
            cached = self._listed.get(run_id)
            if cached is not None and cached[0] == key:
                entry = cached[1]
            else:
                try:
                    entry = _from_meta(_read_json(jpath), jpath)
                except FileNotFoundError:
                    continue
                except RunFileError as exc:
                    entry = f"Run skipped: {exc}"
                if isinstance(entry, Run):
                    entry.knobs_problem = _npz_problem(npath)
            seen[run_id] = (key, entry)
            if isinstance(entry, str):
                notices.append(entry)
                continue
            if entry.knobs_problem:
                notices.append(f"Run {run_id}: its knobs are unavailable ({entry.knobs_problem})")
            run = dataclasses.replace(entry, metrics=[dict(m) for m in entry.metrics], knobs=[])
            runs.append(run)
        with self._lock:
            self._listed = seen
        return runs, notices

    def get(self, run_id: str) -> Run:
        """One run, without its arrays. KeyError if there is none; RunFileError if its JSON
        cannot be read."""
        return _from_meta(self._read_meta(run_id), self.json_path(run_id))

    def load_knobs(self, run_id: str) -> tuple[np.ndarray, list[np.ndarray]]:
        """(start (785, k), [knobs after epoch 1, 2, ...]) as float32 arrays.

        KeyError if there is no such run; RunFileError if its ``.npz`` is missing or damaged.
        """
        npath, jpath = self.npz_path(run_id), self.json_path(run_id)
        if not npath.exists():
            if not jpath.exists():
                raise KeyError(f"no run {run_id!r} in {self.directory}")
            raise RunFileError(f"{npath}: the knobs of run {run_id} are missing")
        try:
            with np.load(npath, allow_pickle=False) as data:
                if "start" not in data or "knobs" not in data:
                    raise RunFileError(f"{npath}: needs arrays 'start' and 'knobs', found "
                                       f"{sorted(data.files)}")
                start, stack = data["start"], data["knobs"]
        except FileNotFoundError:
            raise KeyError(f"no run {run_id!r} in {self.directory}") from None
        except RunFileError:
            raise
        except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
            raise RunFileError(f"{npath}: not a readable run file ({exc})") from None
        if (start.dtype != np.float32 or stack.dtype != np.float32
                or start.ndim != 2 or start.shape[0] != N_INPUTS
                or start.shape[1] not in (1, 10)
                or stack.ndim != 3 or stack.shape[1:] != start.shape):
            raise RunFileError(f"{npath}: expected start (785, k) and knobs (E, 785, k) float32, "
                               f"found {start.shape} {start.dtype} and {stack.shape} "
                               f"{stack.dtype}")
        return start, list(stack)

    def load(self, run_id: str) -> Run:
        """One run with its arrays (KeyError, RunFileError as :meth:`load_knobs`)."""
        run = self.get(run_id)
        run.start, run.knobs = self.load_knobs(run_id)
        return run

    # ------------------------------------------------------------------ export

    def export_csv(self, run: Run, path: str | os.PathLike) -> Path:
        """The run's scores, one row per epoch under a header, written atomically."""
        path = Path(path).expanduser()
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(METRIC_KEYS)
        for row in run.metrics:
            writer.writerow(["" if row.get(k) is None else row.get(k) for k in METRIC_KEYS])
        _write(path, lambda f: f.write(text.getvalue().encode()))
        return path

    def export_knobs(self, run: Run, epoch: int, path: str | os.PathLike) -> Path:
        """The knobs after ``epoch`` (0: the start) as a knob file the window and the command
        line open (:func:`simulator.storage.save_knobs`); returns the ``.npz`` written.

        The arrays are read from the store when ``run`` came from :meth:`list`. ValueError
        names the run and the epochs it has when ``epoch`` is not one of them.
        """
        if run.start is not None:
            start, knobs = run.start, run.knobs
        else:
            start, knobs = self.load_knobs(run.id)
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer) \
                or not 0 <= epoch <= len(knobs):
            raise ValueError(f"run {run.id} has epochs 0..{len(knobs)} (0: the start); "
                             f"got {epoch!r}")
        params = start if epoch == 0 else knobs[epoch - 1]
        scores = next((m for m in run.metrics if m.get("epoch") == epoch), None)
        extra = {"run_id": run.id, "run_label": run.label(), "epoch": int(epoch),
                 "procedure": run.procedure, "source": run.source, "scores": scores}
        try:
            return save_knobs(path, params, run.config, extra=extra)
        except OSError as exc:
            raise _os_error(exc, path, f"cannot export run {run.id}") from None

    # ------------------------------------------------------------------ helpers

    def _read_meta(self, run_id: str) -> dict:
        jpath = self.json_path(run_id)
        try:
            return _read_json(jpath)
        except FileNotFoundError:
            raise KeyError(f"no run {run_id!r} in {self.directory}") from None

    @staticmethod
    def _arrays(run: Run) -> tuple[np.ndarray, list[np.ndarray]]:
        start = _knob_array(run.start, f"run {run.id}: start")
        knobs = [_knob_array(k, f"run {run.id}: knobs after epoch {i + 1}")
                 for i, k in enumerate(run.knobs)]
        if any(k.shape != start.shape for k in knobs):
            raise ValueError(f"run {run.id}: every knob array must have the start's shape "
                             f"{start.shape}")
        if start.shape[1] != run.config.bulbs:
            raise ValueError(f"run {run.id}: knobs for {start.shape[1]} bulb(s), the "
                             f"switches say {run.config.bulbs}")
        return start, knobs


def check_id(run_id) -> str:
    """``run_id`` if it is a well-formed run id (a plain file name), else ValueError."""
    if not isinstance(run_id, str) or not _ID.fullmatch(run_id):
        raise ValueError(f"not a run id: {run_id!r} (letters, digits, '-' and '_' only)")
    return run_id


# ---------------------------------------------------------------------------- internals

_id_lock = threading.Lock()
_last_time: list[datetime] = []


def _now() -> datetime:
    """The time now, strictly after the last id made in this process (ids sort by it)."""
    with _id_lock:
        now = datetime.now().astimezone()
        if _last_time and now <= _last_time[0]:
            now = _last_time[0] + timedelta(microseconds=1)
        _last_time[:] = [now]
        return now


def _new_id(when: datetime) -> str:
    """The id: the creation time in UTC (so ids sort by age across time zones and clock
    changes), then 4 random hex digits against a clash with another process."""
    return f"{when.astimezone(UTC):%Y%m%d-%H%M%S-%f}-{secrets.token_hex(2)}"


def _knob_array(params, what: str) -> np.ndarray:
    params = np.asarray(params)
    if params.ndim != 2 or params.shape[0] != N_INPUTS or params.shape[1] not in (1, 10):
        raise ValueError(f"{what} must have shape (785, 1) or (785, 10), got {params.shape}")
    return params.astype(np.float32, copy=False)


def _write(path: Path, write) -> None:
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise _os_error(exc, path, "cannot write") from None


def _os_error(exc: OSError, path, what: str) -> OSError:
    return OSError(exc.errno, f"{what} {path}: {exc.strerror or exc}", str(path))


def _to_meta(run: Run) -> dict:
    return {
        "format": FORMAT, "id": run.id, "created": run.created,
        "config": run.config.to_dict(), "procedure": run.procedure, "source": run.source,
        "origin": run.origin, "name": run.name, "group": run.group,
        "baseline": None if run.baseline is None else float(run.baseline),
        "metrics": [{k: _plain(v) for k, v in m.items()} for m in run.metrics],
    }


def _plain(value):
    """NumPy scalars as Python numbers (JSON knows no float32)."""
    return value.item() if isinstance(value, np.generic) else value


def _json_bytes(run_id: str, meta: dict) -> bytes:
    try:
        return json.dumps(meta, indent=1).encode()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"run {run_id}: cannot be written as JSON ({exc})") from None


def _read_json(path: Path) -> dict:
    """The JSON object in ``path``; FileNotFoundError passes, other trouble is RunFileError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise RunFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        meta = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        what = "empty" if not data.strip() else f"not valid JSON ({exc})"
        raise RunFileError(f"{path}: {what}") from None
    if not isinstance(meta, dict):
        raise RunFileError(f"{path}: not a run (a JSON {type(meta).__name__})")
    return meta


def _read_json_quietly(path: Path) -> dict | str | None:
    """The JSON object, None when the file is absent, "damaged" when it cannot be read."""
    try:
        return _read_json(path)
    except FileNotFoundError:
        return None
    except RunFileError:
        return "damaged"


def _from_meta(meta: dict, path: Path) -> Run:
    """A run (without arrays) from its JSON; RunFileError naming the file and the problem."""
    if meta.get("format") != FORMAT:
        raise RunFileError(f"{path}: not a run file (format {meta.get('format')!r}, expected "
                           f"{FORMAT!r})")
    if meta.get("id") != path.stem:
        raise RunFileError(f"{path}: says it is run {meta.get('id')!r}")
    try:
        config = Config.from_dict(meta["config"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RunFileError(f"{path}: bad switches ({exc})") from None
    for key in ("created", "procedure", "source", "origin"):
        if not isinstance(meta.get(key), str):
            raise RunFileError(f"{path}: {key!r} must be text, found {meta.get(key)!r}")
    for key in ("name", "group"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise RunFileError(f"{path}: {key!r} must be text or null, found {meta[key]!r}")
    baseline = meta.get("baseline")
    if baseline is not None and (isinstance(baseline, bool)
                                 or not isinstance(baseline, int | float)):
        raise RunFileError(f"{path}: 'baseline' must be a number or null, found {baseline!r}")
    metrics = meta.get("metrics")
    if not isinstance(metrics, list) or not all(isinstance(m, dict) for m in metrics):
        raise RunFileError(f"{path}: 'metrics' must be a list of objects")
    return Run(id=meta["id"], created=meta["created"], config=config,
               procedure=meta["procedure"], source=meta["source"], origin=meta["origin"],
               start=None, metrics=metrics, knobs=[], name=meta.get("name") or None,
               group=meta.get("group"), baseline=None if baseline is None else float(baseline))


def _stat_key(path: Path) -> tuple | None:
    """What changes when a file is replaced or rewritten; None when it is absent."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _npz_problem(path: Path) -> str | None:
    """Why the knobs in ``path`` cannot be read, judged from the zip's directory (cheap: the
    arrays are not read), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except FileNotFoundError:
        return f"{path.name} is missing"
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        return f"{path.name} is damaged: {exc}"
    missing = {"start.npy", "knobs.npy"} - names
    if missing:
        return f"{path.name} is damaged: no {', '.join(sorted(missing))}"
    return None
