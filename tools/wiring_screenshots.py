"""Render the wirings' screenshots for docs/: the Mark I's plugboard trained by Rosenblatt's
rule with its lamps lit for a 5, and the hidden layer's 100 weight pictures after training.

    python tools/wiring_screenshots.py --data ../shared/mnist [--size 1280x800] [--out docs]
        [--epochs 10]

Everything is trained for real on full MNIST, in the window's own loop, in a state folder of
its own (nothing of yours is touched).
"""


import numpy as np
from shots import arguments, open_window, settle, shot, train  # first: a headless window

from simulator import engine


def show_a(app, digit: int) -> None:
    """The first test picture of ``digit`` that the machine reads right, on the retina."""
    m = app.machine
    said = engine.predict(m.params, m.X_test, m.config)
    right = said.answer == said.truth(m.data.test_labels, m.config)
    i = int(np.flatnonzero((m.data.test_labels == digit) & right)[0])
    m.pictures.picture = m.pictures.test_picture(i)
    m.knobs_changed(hidden=False)


def main() -> None:
    args = arguments(__doc__, epochs=10).parse_args()
    size, out = args.size, args.out
    app = open_window(args.data, size)
    m = app.machine
    # the Mark I: Rosenblatt's rule from zero knobs on the plugboard's A-units
    m.set_mode("rosenblatt")
    m.set_switch("wiring", "plugboard")
    m.reset_knobs("zero")
    train(app, args.epochs)
    show_a(app, 5)
    settle(app)
    print(shot(app, out, "plugboard", size))
    # the hidden layer: the tutorial's next model, ten bulbs over 100 ReLU units
    m.set_mode("gd")
    m.set_switch("bulbs", 10)
    m.set_switch("activation", "softmax")
    m.set_switch("loss", "ce")
    m.set_switch("wiring", "hidden")
    train(app, args.epochs)
    show_a(app, 3)
    settle(app)
    print(shot(app, out, "hidden-layer", size))
    m.evaluator.wait()


if __name__ == "__main__":
    main()
