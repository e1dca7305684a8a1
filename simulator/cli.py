"""``python main.py train``: the engine on the command line, epoch by epoch.

One line per epoch (train and test loss/accuracy beside the "never a 5" base rate), a
progress bar while an epoch runs, the tutorial's debugging print (``--predict K``), saved
knobs the desktop machine can open, and a JSON summary for scripts (``--json``).

``--seeds 0-9`` (or ``--seeds 0,3,7``) trains several seeds of the same switches at once
(:class:`simulator.spread.SeedSpread`, gradient descent only): one line per epoch with the
test accuracy's mean and range over the seeds, then a table of the seeds, the frozen ones
(the bulb never lit: the base rate) marked, and a JSON list of per-seed summaries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid

import numpy as np

from . import engine, spread, wiring
from .config import SWITCHES, Config, Switch
from .data import DataError, load_mnist
from .engine import TrainingDiverged
from .recording import Recorder
from .rules import RULES, make_trainer
from .runs import RunStore
from .spread_workers import ForkedSpread
from .storage import KnobFileError, knob_path, load_knobs, save_knobs, with_wiring
from .wiring import knob_rows

EXIT_BAD_INPUT = 2  # bad arguments or bad files (argparse uses 2 as well)
EXIT_DIVERGED = 3


def _typed(switch: Switch):
    """argparse's type for a switch: its kind, checked against the table."""

    def convert(text: str):
        try:
            value = switch.kind(text)
        except ValueError:
            kind = "whole number" if switch.kind is int else "number"
            raise argparse.ArgumentTypeError(f"not a {kind}: {text!r}") from None
        problem = switch.problem(value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    return convert


def _seeds_type(text: str) -> list[int]:
    """argparse's type for --seeds: a range 0-9 or a list 0,3,7 (or both: 0-4,9)."""
    try:
        return spread.parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_EXTRA_HELP = {"lr": " (default: the rule's own: gd 0.001, rosenblatt 1, trial "
                     f"{RULES['trial'].lr:g})"}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python main.py train",
        description="Train the perceptron on MNIST from the command line.",
        epilog="Defaults: one bulb for the digit 5, sigmoid, mse, adam, lr 0.001, batch 32, "
        "10 epochs, inputs scaled to 0..1 (98%% on the test set). The tutorial's model as first "
        "written is --activation none --inputs raw; its sigmoid fix, --inputs raw.",
    )
    # Switches come from the one table (config.SWITCHES) and default to None, so that knobs
    # loaded with --load bring their own switches and only the options given here override.
    one_or_many = p.add_mutually_exclusive_group()  # --seed or --seeds
    for switch in SWITCHES.values():
        flag = "--" + switch.name.replace("_", "-")
        default = "" if switch.name == "lr" else f" (default {switch.default})"
        help_ = switch.help + _EXTRA_HELP.get(switch.name, default)
        where = one_or_many if switch.name == "seed" else p
        if switch.closed:
            where.add_argument(flag, type=switch.kind, choices=switch.values, help=help_)
        else:
            where.add_argument(flag, type=_typed(switch), help=help_)
    one_or_many.add_argument(
        "--seeds", type=_seeds_type, metavar="SEEDS",
        help="train several seeds of the same switches at once (gradient descent only): a "
        "range 0-9 or a list 0,3,7; prints a table of the seeds and which froze at the base "
        "rate. With --save PATH, each seed's knobs go to PATH-seedS.npz")
    add = p.add_argument
    add("--data", metavar="DIR", help="folder with the four MNIST IDX files (or MNIST_DIR)")
    add("--predict", type=_typed(SWITCHES["subset"]), default=0, metavar="K",
        help="print raw outputs and weighted sums on the first K test pictures")
    add("--save", metavar="PATH", help="save the knobs (.npz) and switches (.json beside)")
    add("--load", metavar="PATH", help="start from saved knobs (and their switches)")
    add("--json", action="store_true", help="last line of stdout: a JSON summary")
    add("--quiet", action="store_true", help="no progress bar")
    add("--wandb", action="store_true", help="log the run to Weights & Biases (offline)")
    add("--no-record", action="store_true",
        help="do not keep the run on the bench (the window's list of runs)")
    return p


def make_config(args: argparse.Namespace, loaded: Config | None) -> Config:
    """Defaults, then the loaded knobs' switches, then the options given on the line. A
    rule chosen here without --lr takes the rule's own learning rate."""
    base = (loaded or Config()).to_dict()
    given = {k: getattr(args, k) for k in SWITCHES if getattr(args, k) is not None}
    base.update(given)
    if "lr" not in given and (loaded is None or "rule" in given):
        base["lr"] = RULES[base["rule"]].lr
    return Config(**base).validate()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    params, loaded, hidden = None, None, None
    if args.load:
        try:
            params, loaded, hidden = knobs = load_knobs(args.load)
        except KnobFileError as exc:
            return _fail(exc)
        if loaded is None:  # no switches beside the file: its arrays say the wiring
            loaded = with_wiring(Config(), knobs)
    try:
        config = make_config(args, loaded)
    except ValueError as exc:
        parser.error(str(exc))
    if params is not None and params.shape[1] != config.bulbs:
        parser.error(f"{args.load} holds knobs for {params.shape[1]} bulb(s), not {config.bulbs}")
    if params is not None and (len(params) != config.n_inputs or loaded.wiring != config.wiring):
        parser.error(f"{args.load} holds knobs of {loaded.wiring} wiring "
                     f"({len(params) - 1} knobs per bulb); they do not fit {config.wiring} "
                     f"wiring with {config.n_inputs - 1}")
    if params is not None and config.wiring == "plugboard" and loaded.seed != config.seed:
        parser.error(f"{args.load} holds knobs for the plugboard that seed {loaded.seed} "
                     f"wires; seed {config.seed} wires another")
    if config.wiring != "hidden":
        hidden = None
    if args.seeds is not None:
        return _main_spread(parser, args, config, params)
    try:
        mnist = load_mnist(args.data)
    except DataError as exc:
        return _fail(exc)
    run = Run(config, mnist, params, progress=not (args.quiet or args.json), hidden=hidden)
    recorder = _recorder(args, config, run.trainer.params, mnist, run.baseline)
    code = run.train(recorder)
    if args.predict:
        run.print_predictions(args.predict)
    if args.save:
        path = save_knobs(args.save, run.trainer.params, config, run.summary_numbers(),
                          hidden=run.trainer.hidden)
        print(f"knobs saved to {path} (switches in {path.with_suffix('.json').name})")
    if recorder is not None:
        recorder.finish()
    if args.json:
        print(json.dumps(run.summary()))
    return code


def _main_spread(parser, args, config: Config, params) -> int:
    """``--seeds``: the seeds trained together, a table of them, a JSON list."""
    try:
        spread.check_config(config)
    except ValueError as exc:
        parser.error(f"argument --seeds: {exc}")
    for flag, given in (("--predict", args.predict), ("--wandb", args.wandb)):
        if given:
            parser.error(f"{flag} works on one run; it cannot be used with --seeds")
    seeds = args.seeds
    if params is not None:  # every seed starts from the loaded knobs
        params = np.repeat(params, len(seeds), axis=1)
    try:
        mnist = load_mnist(args.data)
    except DataError as exc:
        return _fail(exc)
    run = SpreadRun(config, mnist, seeds, params, progress=not (args.quiet or args.json))
    start = run.trainer.params.copy()  # (785, N) each seed's starting knobs
    try:
        code = run.train()
    finally:
        run.trainer.close()
    if not args.no_record:
        run.keep(start, mnist.source)
    for line in run.table():
        print(line)
    if args.save:
        base = knob_path(args.save)
        paths = [save_knobs(base.with_name(f"{base.stem}-seed{seed}.npz"),
                            run.trainer.knobs(i), run.trainer.config_of(i),
                            run.summary_numbers(i))
                 for i, seed in enumerate(seeds)]
        print(f"knobs saved to {paths[0]} ... {paths[-1].name} ({len(paths)} files, "
              "switches in a .json beside each)" if len(paths) > 1 else
              f"knobs saved to {paths[0]} (switches in {paths[0].with_suffix('.json').name})")
    if args.json:
        print(json.dumps(run.summaries()))
    return code


def _recorder(args, config: Config, start, mnist, baseline: float, group=None):
    """The run kept on the bench (unless --no-record) and logged to W&B (with --wandb)."""
    if args.no_record and not args.wandb:
        return None
    store = None if args.no_record else RunStore()
    return Recorder(config, start, mnist.source, baseline, store, args.wandb, group)


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


class Run:
    """One training run: the trainer, the prepared test set, the history of epochs."""

    def __init__(self, config: Config, mnist, params, progress: bool = True, hidden=None):
        self.config, self.mnist, self.progress = config, mnist, progress
        self.trainer = make_trainer(config, mnist.train_images, mnist.train_labels, params,
                                    hidden)
        n = self.trainer.n_train
        self.train_images, self.train_labels = mnist.train_images[:n], mnist.train_labels[:n]
        # the training set's rows as the knobs weigh them: the A-units' 0/1 outputs, fired
        # once (plugboard); the pictures otherwise (prepared a chunk at a time)
        self.train_rows = (self.trainer.rows if config.wiring == "plugboard"
                           else self.train_images)
        self._X_test = None
        if config.wiring != "hidden":  # the hidden layer moves: its rows are made per score
            self._X_test = knob_rows(config, mnist.test_images)  # (m, n_in)
        self.baseline = engine.baseline_accuracy(mnist.test_labels, config.digit, config.bulbs)
        self.history: list[dict] = []
        self.epoch_seconds: list[float] = []
        self.diverged: str | None = None

    def train(self, recorder=None) -> int:
        c = self.config
        print(f"data: {self.mnist.source}; training on {self.trainer.n_train:,} pictures, "
              f"testing on {len(self.mnist.test_labels):,}")
        print(f"machine: {_describe(c)}")
        self.history.append(self.measure(0))
        print(self.epoch_line(self.history[-1]))
        for epoch in range(1, c.epochs + 1):
            try:
                seconds = self._one_epoch(epoch)
            except TrainingDiverged as exc:
                self.diverged = str(exc)
                print(f"stopped: {exc}", file=sys.stderr)
                return EXIT_DIVERGED
            self.epoch_seconds.append(seconds)
            self.history.append(self.measure(epoch, seconds))
            print(self.epoch_line(self.history[-1]))
            if recorder is not None:
                recorder.epoch(self.history[-1], self.trainer.params)
        return 0

    def _one_epoch(self, epoch: int) -> float:
        return _train_epoch(self.trainer, epoch, self.config.epochs, self.progress)

    @property
    def X_test(self) -> np.ndarray:
        """The test pictures as the knobs weigh them, (m, n_in) float32."""
        if self._X_test is not None:
            return self._X_test
        return knob_rows(self.config, self.mnist.test_images, self.trainer.hidden)

    def measure(self, epoch: int, seconds: float | None = None) -> dict:
        params, c = self.trainer.params, self.config
        train = engine.evaluate_chunked(params, self.train_rows, self.train_labels, c,
                                        hidden=self.trainer.hidden)
        test = engine.evaluate(params, self.X_test, self.mnist.test_labels, c)
        return {"epoch": epoch, "train_loss": train.loss, "train_accuracy": train.accuracy,
                "test_loss": test.loss, "test_accuracy": test.accuracy, "seconds": seconds}

    def epoch_line(self, h: dict) -> str:
        never = f"never a {self.config.digit}" if self.config.bulbs == 1 else "commonest digit"
        timing = f"  {h['seconds']:.2f} s" if h["seconds"] is not None else "  (start)"
        return (f"epoch {h['epoch']:>3}  train loss {h['train_loss']:.4f} "
                f"acc {100 * h['train_accuracy']:6.2f}%   test loss {h['test_loss']:.4f} "
                f"acc {100 * h['test_accuracy']:6.2f}%   ({never}: "
                f"{100 * self.baseline:.2f}%){timing}")

    def print_predictions(self, k: int) -> None:
        """The tutorial's debugging step: what does the machine say on a few test digits?"""
        X, labels = self.X_test[:k], self.mnist.test_labels[:k]
        said = engine.predict(self.trainer.params, X, self.config)
        z, a, answers = said.z, said.output, said.answer
        print(f"raw outputs on the first {len(X)} test pictures "
              f"(activation {self.config.activation}):")
        for i in range(len(X)):
            if self.config.bulbs == 1:
                print(f"  #{i:<3} label {labels[i]}  weighted sum {z[i, 0]:+12.4f}  "
                      f"output {a[i, 0]:+12.6f}  lit: {'yes' if answers[i] else 'no'}")
            else:
                outs = " ".join(f"{v:+.3f}" for v in a[i])
                print(f"  #{i:<3} label {labels[i]}  answer {answers[i]}  outputs [{outs}]")
        outside = np.mean((a < 0) | (a > 1))
        if outside:
            print(f"  {100 * outside:.0f}% of these outputs lie outside 0..1: nothing squashes "
                  "the weighted sum (set --activation sigmoid)")

    def summary_numbers(self) -> dict:
        last = self.history[-1]
        return {
            "test_accuracy": last["test_accuracy"], "train_accuracy": last["train_accuracy"],
            "test_loss": last["test_loss"], "train_loss": last["train_loss"],
            "baseline_accuracy": self.baseline, "epochs": len(self.history) - 1,
            "seconds_per_epoch": statistics.median(self.epoch_seconds)
            if self.epoch_seconds else None,
        }

    def summary(self) -> dict:
        return {
            **self.summary_numbers(),
            "n_train": self.trainer.n_train, "n_test": len(self.mnist.test_labels),
            "data_source": self.mnist.source, "data_is_sample": self.mnist.is_sample,
            "diverged": self.diverged, "config": self.config.to_dict(),
            "history": self.history,
        }


class SpreadRun:
    """Several seeds trained together: the spread, the prepared test set, each seed's
    history of epochs."""

    def __init__(self, config: Config, mnist, seeds: list[int], params,
                 progress: bool = True):
        self.config, self.mnist, self.progress = config, mnist, progress
        # One process per core, each a vectorised pass over its share of the seeds
        # (spread_workers): every seed's knobs are still its single run's, bit for bit.
        # The workers also score every seed after each epoch, each on its share of the
        # pictures.
        self.trainer = ForkedSpread(config, mnist.train_images, mnist.train_labels, seeds,
                                    params, test=(mnist.test_images, mnist.test_labels))
        self.n_test = len(mnist.test_labels)
        self.baseline = engine.baseline_accuracy(mnist.test_labels, config.digit, config.bulbs)
        self.histories: list[list[dict]] = [[] for _ in seeds]  # per seed, per epoch
        self.knobs_after: list[np.ndarray] = []  # (785, N) after each epoch
        self.epoch_seconds: list[float] = []
        self.diverged: str | None = None

    @property
    def seeds(self) -> list[int]:
        return self.trainer.seeds

    def train(self) -> int:
        c, N = self.config, len(self.seeds)
        print(f"data: {self.mnist.source}; training on {self.trainer.n_train:,} pictures, "
              f"testing on {self.n_test:,}")
        print(f"machine: {_describe(c, seeds=self.seeds)} ({N} seeds at once)")
        self._record(0, None)
        for epoch in range(1, c.epochs + 1):
            try:
                seconds = _train_epoch(self.trainer, epoch, c.epochs, self.progress)
            except TrainingDiverged as exc:
                self.diverged = str(exc)
                print(f"stopped: {exc}", file=sys.stderr)
                return EXIT_DIVERGED
            self.epoch_seconds.append(seconds)
            self._record(epoch, seconds)
        return 0

    def _record(self, epoch: int, seconds: float | None) -> None:
        for history, h in zip(self.histories, self.measure(epoch, seconds), strict=True):
            history.append(h)
        if epoch:
            self.knobs_after.append(self.trainer.params.copy())  # (785, N)
        print(self.epoch_line(epoch, seconds))

    def keep(self, start: np.ndarray, source: str) -> None:
        """Each seed a run on the bench, the spread their group."""
        group = f"spread-{uuid.uuid4().hex[:8]}"
        for i, history in enumerate(self.histories):
            recorder = Recorder(self.trainer.config_of(i), start[:, i : i + 1], source,
                                self.baseline, RunStore(), wandb=False, group=group)
            for row, knobs in zip(history[1:], self.knobs_after, strict=True):
                recorder.epoch(row, knobs[:, i : i + 1], save=False)
            recorder.save()

    def measure(self, epoch: int, seconds: float | None = None) -> list[dict]:
        """Every seed's scores on the training and test sets: each chunk of pictures scored
        for all seeds in one product ``X @ params`` (785, N), the chunks shared between
        the workers."""
        trains, tests = self.trainer.scores()
        return [{"epoch": epoch, "train_loss": train.loss, "train_accuracy": train.accuracy,
                 "test_loss": test.loss, "test_accuracy": test.accuracy, "seconds": seconds}
                for train, test in zip(trains, tests, strict=True)]

    def epoch_line(self, epoch: int, seconds: float | None) -> str:
        acc = [100 * h[-1]["test_accuracy"] for h in self.histories]
        timing = f"  {seconds:.2f} s" if seconds is not None else "  (start)"
        return (f"epoch {epoch:>3}  test acc mean {statistics.fmean(acc):6.2f}%  "
                f"min..max {min(acc):.2f}..{max(acc):.2f}%   (never a {self.config.digit}: "
                f"{100 * self.baseline:.2f}%){timing}")

    def frozen(self, i: int) -> bool:
        """Seed i ended at the base rate (to within one test picture, as the window counts):
        its bulb (all but) never lights, after some training."""
        last = self.histories[i][-1]
        return last["epoch"] > 0 and engine.at_base_rate(last["test_accuracy"], self.baseline,
                                                         self.n_test)

    def table(self) -> list[str]:
        lines = [" seed  test acc  train acc"]
        for i, seed in enumerate(self.seeds):
            last = self.histories[i][-1]
            lines.append(f"{seed:>5}  {100 * last['test_accuracy']:7.2f}%  "
                         f"{100 * last['train_accuracy']:8.2f}%"
                         + ("  frozen" if self.frozen(i) else ""))
        froze = sum(self.frozen(i) for i in range(len(self.seeds)))
        lines.append(f"{froze} of {len(self.seeds)} seeds froze at the base rate "
                     f"{100 * self.baseline:.2f}% (to within one test picture)")
        return lines

    def summary_numbers(self, i: int) -> dict:
        last = self.histories[i][-1]
        return {
            "test_accuracy": last["test_accuracy"], "train_accuracy": last["train_accuracy"],
            "test_loss": last["test_loss"], "train_loss": last["train_loss"],
            "baseline_accuracy": self.baseline, "epochs": len(self.histories[i]) - 1,
            "seconds_per_epoch": statistics.median(self.epoch_seconds)
            if self.epoch_seconds else None,  # the spread's: all seeds at once
        }

    def summaries(self) -> list[dict]:
        """One summary per seed, with the single run's keys (and ``seed``, ``frozen``)."""
        return [{
            "seed": seed, **self.summary_numbers(i), "frozen": self.frozen(i),
            "n_train": self.trainer.n_train, "n_test": self.n_test,
            "data_source": self.mnist.source, "data_is_sample": self.mnist.is_sample,
            "diverged": self.diverged, "config": self.trainer.config_of(i).to_dict(),
            "history": self.histories[i],
        } for i, seed in enumerate(self.seeds)]


def _train_epoch(trainer, epoch: int, epochs: int, progress: bool) -> float:
    """Train the epoch under way (``epoch`` of ``epochs``) behind a progress bar; the
    seconds taken."""
    bar = _progress_bar(trainer.batches_per_epoch, f"epoch {epoch}/{epochs}", progress)
    start = time.perf_counter()
    trainer.run_epoch(bar.update if progress else None)
    seconds = time.perf_counter() - start
    bar.close()
    return seconds


def seeds_text(seeds: list[int]) -> str:
    """Seeds as the command line writes them: runs as ranges (0-9), the rest by commas."""
    parts, i = [], 0
    while i < len(seeds):
        j = i
        while j + 1 < len(seeds) and seeds[j + 1] == seeds[j] + 1:
            j += 1
        parts.append(f"{seeds[i]}-{seeds[j]}" if j - i >= 2 else
                     ",".join(str(s) for s in seeds[i : j + 1]))
        i = j + 1
    return ",".join(parts)


def _describe(c: Config, seeds: list[int] | None = None) -> str:
    bulbs = f"one bulb: is it a {c.digit}?" if c.bulbs == 1 else "ten bulbs, one per digit"
    seed = f"seed {c.seed}" if seeds is None else f"seeds {seeds_text(seeds)}"
    bulbs = _wired(c) + bulbs
    if c.rule == "rosenblatt":
        return f"{bulbs}; Rosenblatt's error-correction rule, step {c.lr:g}, " \
               f"{c.inputs} inputs, {seed}"
    if c.rule == "trial":
        return f"{bulbs}; the story's trial and error, activation {c.activation}, turn " \
               f"{c.lr:g}, {c.inputs} inputs, {seed}"
    return (f"{bulbs}; activation {c.activation}, loss {c.loss}, {c.optimizer} lr "
            f"{c.lr:g}, batch {c.batch_size}, {c.inputs} inputs, {seed}")


def _wired(c: Config) -> str:
    units = wiring.n_units(c)
    if c.wiring == "plugboard":
        return (f"plugboard ({wiring.N_PHOTOCELLS} photocells patched to {units} association "
                f"units, {wiring.CONNECTIONS} cords each); ")
    if c.wiring == "hidden":
        return f"hidden layer of {units} ReLU units; "
    return ""


def _progress_bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="batch", leave=False, disable=not enabled,
                file=sys.stderr, dynamic_ncols=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
