"""A spread of seeds over the machine's cores: the seeds split into groups, each group a
:class:`~simulator.spread.SeedSpread` (one vectorised pass over its seeds) in a process of
its own, the knobs of all in one shared array. NumPy and the standard library only.

One core is spent on one seed's run as it is (a step of 32 pictures is mostly Python and
memory traffic); ten seeds in one pass cost about four times one seed, because each seed's
batch must still be fetched from memory and turned into float32. A second process doing
the same for half the seeds uses the second core: the seeds do not share anything, so each
group steps on its own and every seed's knobs are, bit for bit, its single run's.
:meth:`ForkedSpread.run_epoch` lets each group run to the end of the epoch without meeting
the other on the way (a progress bar reads how far each is from shared memory); ``step(n)``
makes them meet after every n batches, as the interface promises.

After an epoch, :meth:`ForkedSpread.scores` has each worker score every seed on its share
of the training and test pictures (the knobs are all in the shared array), so that both
cores score too; the parent adds the shares up.

The interface is SeedSpread's. Workers are forked (Linux, macOS): call this from a process
that has no other threads running (the command line), not from the window, and with one
BLAS thread (``OPENBLAS_NUM_THREADS=1``, which main.py sets for ``train``): with OpenBLAS's
own threads, each worker's products would start threads that fight over the same cores.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
from dataclasses import replace
from multiprocessing.connection import wait

import numpy as np

from .dims import N_INPUTS
from .engine import (
    SCORE_CHUNK,
    EpochBookkeeping,
    Metrics,
    TrainingDiverged,
    combine_metrics,
    prepare_inputs,
    training_set,
)
from .spread import SeedSpread, check_config, evaluate_seeds, evaluate_seeds_chunked


def default_workers(n_seeds: int) -> int:
    """One process per core this process may use, at most one per seed."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, n_seeds))


PROGRESS_SECONDS = 0.1  # how often run_epoch tells a progress bar how far the workers are


class ForkedSpread(EpochBookkeeping):
    """N seeds trained in ``workers`` processes; ``params`` (785, N) is shared memory.
    ``test``, (images, labels), is the test set that :meth:`scores` scores besides the
    training set."""

    n_train = batch_size = 0  # the workers say (plain values: they hold no pictures here)

    def __init__(self, config, images, labels, seeds: list[int], params=None,
                 workers: int | None = None, test=None) -> None:
        self.config = check_config(config)
        self.seeds = list(seeds)
        N = len(self.seeds)
        workers = default_workers(N) if workers is None else max(1, min(int(workers), N))
        self._buffer = mmap.mmap(-1, N * N_INPUTS * 4)  # anonymous and shared with children
        self._knobs = np.frombuffer(self._buffer, np.float32).reshape(N, N_INPUTS)
        # batches each worker has done in the epoch under way (run_epoch's progress)
        self._progress_buffer = mmap.mmap(-1, workers * 8)
        self._progress = np.frombuffer(self._progress_buffer, np.int64)
        bounds = np.linspace(0, N, workers + 1).round().astype(int)
        self._groups = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        context = multiprocessing.get_context("fork")
        self._pipes, self._procs = [], []
        for a, b in self._groups:
            parent, child = context.Pipe()
            start = None if params is None else np.asarray(params)[:, a:b]
            part = len(self._pipes)
            share = _Share(self._knobs, self.config, images, labels, test, part=part,
                           parts=workers)
            proc = context.Process(target=_work, daemon=True, args=(
                child, self.config, images, labels, self.seeds[a:b], start, self._knobs[a:b],
                share, self._progress[part : part + 1]))
            proc.start()
            child.close()
            self._pipes.append(parent)
            self._procs.append(proc)
        replies = self._gather()
        self.n_train, self.batch_size = replies[0]["n_train"], replies[0]["batch_size"]
        self._state(replies)

    # ---- the interface ----------------------------------------------------------------------

    @property
    def params(self) -> np.ndarray:
        return self._knobs.T  # (785, N), a view of the shared knobs

    def knobs(self, i: int) -> np.ndarray:
        return self._knobs[i].reshape(N_INPUTS, 1).copy()

    def config_of(self, i: int):
        return replace(self.config, seed=self.seeds[i])

    def step(self, max_batches: int = 1) -> int:
        for pipe in self._pipes:
            pipe.send(("step", int(max_batches)))
        replies = self._gather()
        self._state(replies)
        return replies[0]["done"]

    def run_epoch(self, on_batches=None) -> None:
        """Train until the epoch under way is finished: each worker runs to the end of
        the epoch on its own, without waiting for the other at every step (which
        :meth:`step` makes them do). ``on_batches(n)``, if given, hears the batches done
        since it last heard (by the slowest worker), a few times a second."""
        told = -(-self.position // self.batch_size)  # batches done before the call
        self._progress[:] = told
        for pipe in self._pipes:
            pipe.send(("epoch", 0))

        def progress():
            nonlocal told
            done = int(self._progress.min())
            if on_batches is not None and done > told:
                on_batches(done - told)
                told = done

        self._state(self._gather(progress))

    def scores(self) -> tuple[list[Metrics], list[Metrics]]:
        """Every seed's scores on the training set and on the test set given as ``test``:
        (train, test), each a list of Metrics in seed order. Each worker scores every
        seed on its share of the pictures (both cores at work), a chunk at a time."""
        for pipe in self._pipes:
            pipe.send(("scores", 0))
        shares = [reply["scores"] for reply in self._gather()]  # per worker: (train, test)
        N = len(self.seeds)
        return tuple([combine_metrics([share[which][i] for share in shares]) for i in range(N)]
                     for which in (0, 1))

    def close(self) -> None:
        for pipe, proc in zip(self._pipes, self._procs, strict=True):
            try:
                pipe.send(("close", 0))
            except OSError:
                pass
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        self._pipes, self._procs = [], []

    def __del__(self) -> None:
        if getattr(self, "_procs", None):
            self.close()

    # ---- inside -----------------------------------------------------------------------------

    def _gather(self, progress=None) -> list[dict]:
        """Every worker's reply, in the order of the groups; ``progress()``, if given, is
        called every :data:`PROGRESS_SECONDS` while they work, and once at the end."""
        replies = {}
        while len(replies) < len(self._pipes):
            waiting = [pipe for pipe in self._pipes if pipe not in replies]
            for pipe in wait(waiting, None if progress is None else PROGRESS_SECONDS):
                reply = pipe.recv()
                if "diverged" in reply:
                    raise TrainingDiverged(reply["diverged"])
                if "error" in reply:
                    a = self._groups[self._pipes.index(pipe)][0]
                    raise RuntimeError(f"a spread worker (seeds from {self.seeds[a]}) failed: "
                                       f"{reply['error']}")
                replies[pipe] = reply
            if progress is not None:
                progress()
        return [replies[pipe] for pipe in self._pipes]

    def _state(self, replies: list[dict]) -> None:
        first = replies[0]
        assert all((r["epoch"], r["position"]) == (first["epoch"], first["position"])
                   for r in replies), "the groups of a spread step together"
        self.epoch, self.position, self.steps = first["epoch"], first["position"], first["steps"]


class _Share:
    """What a worker scores: every seed's knobs (the shared array) on its share of the
    training pictures and of the test pictures, whole chunks of rows each."""

    def __init__(self, knobs, config, images, labels, test, part: int, parts: int) -> None:
        self.knobs = knobs
        self.train = _slice(*training_set(images, labels, config), part, parts)
        self.test = None if test is None else _slice(*test, part, parts)
        self._X_test = None

    def scores(self, config) -> dict:
        params = self.knobs.T  # (785, N): all seeds, read between steps
        train = evaluate_seeds_chunked(params, *self.train, config)
        if self.test is None:
            return {"scores": (train, [Metrics(float("nan"), float("nan"), 0)] * len(train))}
        if self._X_test is None:
            self._X_test = prepare_inputs(self.test[0], config.scale)
        return {"scores": (train, evaluate_seeds(params, self._X_test, self.test[1], config))}


def _slice(images, labels, part: int, parts: int):
    """Worker ``part`` of ``parts``'s share of (images, labels): whole scoring chunks."""
    chunks = -(-len(labels) // SCORE_CHUNK)
    a, b = (SCORE_CHUNK * (chunks * k // parts) for k in (part, part + 1))
    return images[a:b], labels[a:b]


def _work(pipe, config, images, labels, seeds, start, knobs_out, share, progress) -> None:
    """A worker: its seeds' SeedSpread, stepping when told (or running to the end of the
    epoch, its batches done so far in ``progress[0]``), its knobs in the shared array;
    scoring every seed on its share of the pictures when asked."""
    try:
        spread = SeedSpread(config, images, labels, seeds, start, knobs_out=knobs_out)
        reply = {"n_train": spread.n_train, "batch_size": spread.batch_size}
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
        return
    while True:
        reply.update(epoch=spread.epoch, position=spread.position, steps=spread.steps)
        pipe.send(reply)
        what, n = pipe.recv()
        if what == "close":
            return
        try:
            if what == "scores":
                reply = share.scores(spread.config)
            elif what == "epoch":  # progress[0] starts at the batches already done
                spread.run_epoch(lambda done: progress.__setitem__(0, progress[0] + done))
                reply = {}
            else:
                reply = {"done": spread.step(n)}
        except TrainingDiverged as exc:
            pipe.send({"diverged": str(exc)})
            return
        except Exception as exc:  # noqa: BLE001
            pipe.send({"error": f"{type(exc).__name__}: {exc}"})
            return

