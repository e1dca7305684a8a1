"""Render the ten bulbs' screenshots for docs/: the ten small boards after a few epochs, and
the scoreboard's confusion matrix with the commonest confusion's pictures on the retina.

    python tools/board_screenshots.py --data ../shared/mnist [--size 1280x800] [--out docs]
        [--epochs 5]

Ten bulbs (softmax, cross-entropy) are trained for real on full MNIST with gradient descent,
in a state folder of its own (nothing of yours is touched). Prints what each shot shows.
"""


import numpy as np
from shots import arguments, open_window, settle, shot  # first: a headless window

from simulator import intents as I
from simulator import scoreboard, words


def main() -> None:
    args = arguments(__doc__, epochs=5).parse_args()
    size, out = args.size, args.out
    app = open_window(args.data, size)
    m = app.machine
    for name, value in (("bulbs", 10), ("activation", "softmax"), ("loss", "ce")):
        app.apply(I.SetSwitch(name, value))
    app.apply(I.SetMode("gd"))
    m.play(epochs=args.epochs)
    while m.playing:
        app.frame()
    settle(app)

    # a test picture the machine reads right, its bulb's board on the big board
    X = m.X_test
    said = scoreboard.answers(m.params, X, m.config)
    right = np.flatnonzero((said == m.data.test_labels) & (m.data.test_labels == 3))
    i = int(right[0])
    m.pictures.picture = m.pictures.test_picture(i)
    app.apply(I.SetSwitch("digit", int(said[i])))
    settle(app)
    path = shot(app, out, "ten-bulbs", size)
    print(f"{path}: {len(m.history)} epochs, {m.history[-1]['test_acc']:.2%} on the test set; "
          f"test picture {i + 1} ({m.data.test_labels[i]}), read as {said[i]}")

    # the scoreboard, the commonest confusion's pictures on the retina
    app.apply(I.ToggleView("scoreboard"))
    settle(app, 10)
    board = app.face_state().scoreboard
    counts = board.counts.copy()
    np.fill_diagonal(counts, 0)
    t, a = (int(v) for v in np.unravel_index(np.argmax(counts), counts.shape))
    app.apply(I.SetPictureFilter(scoreboard.cell_filter(10, t, a), toggle=True))
    app.apply(I.SetSwitch("digit", a))
    settle(app, 10)
    path = shot(app, out, "scoreboard", size)
    print(f"{path}: {board.accuracy:.2%} right; pictures: "
          f"{words.filter_label(m.picture_filter, m.config.digit)} ({counts[t, a]})")
    m.bench.close()


if __name__ == "__main__":
    main()
