"""Render the bench's screenshots for docs/: three runs overlaid, the raw-output strip, the
weighted-sum histogram for raw and scaled inputs, and ten seeds spread at once.

    python tools/bench_screenshots.py --data ../shared/mnist [--size 1280x800] [--out docs]

Everything is trained for real on full MNIST (about two minutes), in a state folder of its
own (nothing of yours is touched).
"""


from shots import arguments, open_window, settle, shot  # first: a headless window

from simulator import intents as I


def train(app, **switches):
    m = app.machine
    for name, value in switches.items():
        m.set_switch(name, value)
    m.reset_knobs("random")  # each run from the seed's own random knobs
    m.set_mode("gd")
    m.play()
    while m.playing:
        app.frame()
    settle(app, 30)


def main() -> None:
    args = arguments(__doc__).parse_args()
    size, out = args.size, args.out
    app = open_window(args.data, size, record_runs=True)
    m = app.machine
    train(app, activation="none", inputs="raw")  # the model as first written
    app.apply(I.ToggleView("strip"))
    settle(app)
    print(shot(app, out, "predictions-strip", size))
    app.apply(I.ToggleView("strip"))
    train(app, activation="sigmoid", inputs="raw", seed=5)  # the tutorial's fix, frozen
    app.apply(I.ToggleView("histogram"))
    settle(app)
    print(shot(app, out, "histogram-raw", size))
    train(app, inputs="unit", seed=0)  # scaled inputs
    settle(app)
    print(shot(app, out, "histogram-scaled", size))
    app.apply(I.ToggleView("histogram"))
    for run_id, _ in m.bench.listing()[:3]:
        app.apply(I.ShowRun(run_id, True))
    app.apply(I.SetPage("bench"))
    settle(app)
    print(shot(app, out, "bench-runs", size))
    m.set_switch("inputs", "raw")
    m.set_switch("seed", 0)
    app.apply(I.SpreadSeeds(10))
    while m.playing:
        app.frame()
    settle(app, 120)
    print(shot(app, out, "spread-seeds", size))
    m.bench.close()


if __name__ == "__main__":
    main()
