"""Render the README's screenshot: the machine after a few epochs on full MNIST, a 5 lit.

    python tools/readme_screenshot.py --data ../shared/mnist --out docs/machine-1280x800.png

Trained for real, in a state folder of its own (nothing of yours is touched).
"""

import pygame
from shots import arguments, open_window  # first: a headless window, a state folder of its own


def main() -> None:
    args = arguments(__doc__, out="docs/machine-1280x800.png", epochs=6).parse_args()
    app = open_window(args.data, args.size)
    m = app.machine
    m.set_mode("gd")
    m.play(epochs=args.epochs)
    while m.playing:
        app.frame()
    m.set_picture_filter("target")  # a 5 on the retina, one the machine gets right
    while not m.reading().answer[0]:
        m.show_picture("next")
    m.note = None
    app.options.pace = True  # real frames: the epoch scorer works between them
    for _ in range(120):  # the charts catch up
        app.frame()
    pygame.image.save(app.window, args.out)
    print(f"{args.out}: {m.score.accuracy:.2%} on the test set after {len(m.history)} epochs")


if __name__ == "__main__":
    main()
