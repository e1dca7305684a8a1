"""Frames while the plugboard or the hidden layer trains at full speed in the window.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_window_wiring.py \
        [--data DIR] [--size 1280x800] [--wiring hidden] [--bulbs 10] [--rule gd] [--epochs 3]

Runs the real window (paced at 60 frames a second, as a person sees it) on full MNIST with
the wiring drawn where the knob board sits (the hidden units' weight pictures and lamps, or
the plugboard's photocells, cords and association units), trains it at full speed and times
every frame while it trains. Target: p95 of the frame's busy time at most 16.7 ms. Also
reports the epochs' seconds in the window (training only gets the frame's spare time).
"""

from __future__ import annotations

import argparse
import json

from window_frames import ROOT, open_app, time_training  # first: the window's environment


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--wiring", choices=("plugboard", "hidden"), default="hidden")
    ap.add_argument("--bulbs", type=int, choices=(1, 10), default=10)
    ap.add_argument("--rule", choices=("gd", "rosenblatt"), default="gd")
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    app = open_app(args.data, args.size)
    m = app.machine
    m.set_mode(args.rule)
    if args.bulbs == 10:
        m.set_switch("bulbs", 10)
        if args.rule == "gd":  # the tutorial's ten bulbs: softmax and cross-entropy
            m.set_switch("activation", "softmax")
            m.set_switch("loss", "ce")
    assert m.set_switch("wiring", args.wiring), m.note
    m.set_switch("epochs", args.epochs)
    for _ in range(30):  # settle: the view's first drawings
        app.frame()
    stats = time_training(app, m.play)
    print(json.dumps({
        "size": args.size, "wiring": args.wiring, "bulbs": args.bulbs, "rule": args.rule,
        "epochs": args.epochs, **stats,
        "seconds_per_epoch": round(stats["train_seconds"] / args.epochs, 2),
        "test_accuracy": m.history[-1]["test_acc"] if m.history else None}))


if __name__ == "__main__":
    main()
