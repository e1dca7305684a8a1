"""``python main.py train``: the engine on the command line, epoch by epoch.

One line per epoch (train and test loss/accuracy beside the "never a 5" base rate), a
progress bar while an epoch runs, the tutorial's debugging print (``--predict K``), saved
knobs the desktop machine can open, and a JSON summary for scripts (``--json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

from . import engine
from .config import SWITCHES, Config, Switch
from .data import DataError, load_mnist
from .engine import TrainingDiverged
from .rules import RULES
from .storage import KnobFileError, load_knobs, save_knobs

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
    for switch in SWITCHES.values():
        flag = "--" + switch.name.replace("_", "-")
        default = "" if switch.name == "lr" else f" (default {switch.default})"
        help_ = switch.help + _EXTRA_HELP.get(switch.name, default)
        if switch.closed:
            p.add_argument(flag, type=switch.kind, choices=switch.values, help=help_)
        else:
            p.add_argument(flag, type=_typed(switch), help=help_)
    add = p.add_argument
    add("--data", metavar="DIR", help="folder with the four MNIST IDX files (or MNIST_DIR)")
    add("--predict", type=_typed(SWITCHES["subset"]), default=0, metavar="K",
        help="print raw outputs and weighted sums on the first K test pictures")
    add("--save", metavar="PATH", help="save the knobs (.npz) and switches (.json beside)")
    add("--load", metavar="PATH", help="start from saved knobs (and their switches)")
    add("--json", action="store_true", help="last line of stdout: a JSON summary")
    add("--quiet", action="store_true", help="no progress bar")
    add("--wandb", action="store_true", help="log the run to Weights & Biases (offline)")
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
    params, loaded = None, None
    if args.load:
        try:
            params, loaded = load_knobs(args.load)
        except KnobFileError as exc:
            return _fail(exc)
    try:
        config = make_config(args, loaded)
    except ValueError as exc:
        parser.error(str(exc))
    if params is not None and params.shape[1] != config.bulbs:
        parser.error(f"{args.load} holds knobs for {params.shape[1]} bulb(s), not {config.bulbs}")
    try:
        mnist = load_mnist(args.data)
    except DataError as exc:
        return _fail(exc)
    run = Run(config, mnist, params, progress=not (args.quiet or args.json))
    logger = _wandb_logger(config) if args.wandb else None
    code = run.train(logger)
    if args.predict:
        run.print_predictions(args.predict)
    if args.save:
        path = save_knobs(args.save, run.trainer.params, config, run.summary_numbers())
        print(f"knobs saved to {path} (switches in {path.with_suffix('.json').name})")
    if logger is not None:
        logger.finish()
    if args.json:
        print(json.dumps(run.summary()))
    return code


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


class Run:
    """One training run: the trainer, the prepared test set, the history of epochs."""

    def __init__(self, config: Config, mnist, params, progress: bool = True):
        self.config, self.mnist, self.progress = config, mnist, progress
        self.trainer = RULES[config.rule].trainer(config, mnist.train_images, mnist.train_labels,
                                                  params)
        n = self.trainer.n_train
        self.train_images, self.train_labels = mnist.train_images[:n], mnist.train_labels[:n]
        self.X_test = engine.prepare_inputs(mnist.test_images, config.scale)  # (m, 785)
        self.baseline = engine.baseline_accuracy(mnist.test_labels, config.digit, config.bulbs)
        self.history: list[dict] = []
        self.epoch_seconds: list[float] = []
        self.diverged: str | None = None

    def train(self, logger=None) -> int:
        c = self.config
        print(f"data: {self.mnist.source}; training on {self.trainer.n_train:,} pictures, "
              f"testing on {len(self.X_test):,}")
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
            if logger is not None:
                logger.log(self.history[-1], step=epoch)
        return 0

    def _one_epoch(self, epoch: int) -> float:
        trainer, total = self.trainer, self.trainer.batches_per_epoch
        bar = _progress_bar(total, f"epoch {epoch}/{self.config.epochs}", self.progress)
        chunk = max(1, total // 50)  # the bar updates ~50 times an epoch, not every batch
        start = time.perf_counter()
        while trainer.epoch < epoch:
            bar.update(trainer.step(chunk))
        seconds = time.perf_counter() - start
        bar.close()
        return seconds

    def measure(self, epoch: int, seconds: float | None = None) -> dict:
        params, c = self.trainer.params, self.config
        train = engine.evaluate_chunked(params, self.train_images, self.train_labels, c)
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
            "n_train": self.trainer.n_train, "n_test": len(self.X_test),
            "data_source": self.mnist.source, "data_is_sample": self.mnist.is_sample,
            "diverged": self.diverged, "config": self.config.to_dict(),
            "history": self.history,
        }


def _describe(c: Config) -> str:
    bulbs = f"one bulb: is it a {c.digit}?" if c.bulbs == 1 else "ten bulbs, one per digit"
    if c.rule == "rosenblatt":
        return f"{bulbs}; Rosenblatt's error-correction rule, step {c.lr:g}, " \
               f"{c.inputs} inputs, seed {c.seed}"
    if c.rule == "trial":
        return f"{bulbs}; the story's trial and error, activation {c.activation}, turn " \
               f"{c.lr:g}, {c.inputs} inputs, seed {c.seed}"
    return (f"{bulbs}; activation {c.activation}, loss {c.loss}, {c.optimizer} lr "
            f"{c.lr:g}, batch {c.batch_size}, {c.inputs} inputs, seed {c.seed}")


def _progress_bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="batch", leave=False, disable=not enabled,
                file=sys.stderr, dynamic_ncols=True)


class _WandbLogger:
    def __init__(self, wandb, config: Config):
        self._run = wandb.init(project="perceptron-machine", mode="offline",
                               config=config.to_dict())

    def log(self, metrics: dict, step: int) -> None:
        self._run.log({k: v for k, v in metrics.items() if v is not None}, step=step)

    def finish(self) -> None:
        self._run.finish()


def _wandb_logger(config: Config):
    try:
        import wandb
    except ImportError:
        print("note: --wandb needs the wandb package (pip install wandb); "
              "training without it", file=sys.stderr)
        return None
    return _WandbLogger(wandb, config)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
