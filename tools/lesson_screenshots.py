"""Render every chapter of the lesson for docs/lesson/, and time how long opening each takes.

    python tools/lesson_screenshots.py --data ../shared/mnist [--size WxH] [--out DIR]

Each chapter is opened as a person opens it (the panel's Next button, a real click), its
views drawn, then the window saved. Prints, per chapter, the slowest frame of the second
after the click and the opening's cost: the frame time above the usual frame, summed over
that second (targets: opening under 100 ms, no frame over 50 ms). Uses a state folder of
its own (nothing of yours is touched).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ["PERCEPTRON_STATE_DIR"] = tempfile.mkdtemp(prefix="perceptron-lesson-")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import events as E  # noqa: E402  (the tests' synthetic events)
import pygame  # noqa: E402

from simulator import intents as I  # noqa: E402
from simulator.app import App, Options  # noqa: E402
from simulator.lesson import CHAPTERS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default="docs/lesson")
    ap.add_argument("--size", default="1280x800")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = App(Options(data=args.data, size=size, restore=False, autosave=False,
                      record_runs=False))
    while app.loader is not None:
        app.frame()
    timings = []
    for i, chapter in enumerate(CHAPTERS):
        if i == 0:
            app.apply(I.SetPage("lesson"))
            app.frame()
        else:
            start = len(app.timings.frame_ms)
            app.frame(E.click(app.panel.elements["lesson:next"]))
            for _ in range(60):  # a second of frames after it
                app.frame()
            frames = list(app.timings.frame_ms)[start:]
            usual = statistics.median(frames)  # a frame's work when nothing opens
            timings.append({"chapter": i + 1, "click_frame_ms": round(frames[0], 1),
                            "max_frame_ms": round(max(frames), 1),
                            "opening_ms": round(sum(max(0.0, f - usual) for f in frames), 1)})
        app.machine.note = None  # the card says it; no box over the charts
        app.frame(E.motion((size[0] // 2, size[1] - 2)))  # the mouse off the buttons
        app.frame()
        path = out / f"{i + 1:02d}-{chapter.key}-{size[0]}x{size[1]}.png"
        pygame.image.save(app.window, path)
        print(path, flush=True)
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
