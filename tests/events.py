"""A small factory of synthetic pygame events, for driving the machine's window in tests.

Each function returns a list of events; feed them with `app.frame(events=...)` or
`pygame.event.post`. Positions are window pixels; widgets may be given instead (anything
with a `.rect`, e.g. a pygame_gui element) and are clicked at their centre.
"""

from __future__ import annotations

import pygame


def _pos(target) -> tuple[int, int]:
    rect = getattr(target, "rect", None)
    if rect is not None:
        return tuple(pygame.Rect(rect).center)
    if isinstance(target, pygame.Rect):
        return tuple(target.center)
    return int(target[0]), int(target[1])


def motion(pos, buttons=(0, 0, 0), mod: int = 0) -> list:
    pos = _pos(pos)
    return [pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=buttons,
                               touch=False, mod=mod)]


def press(pos, button: int = 1, mod: int = 0) -> list:
    return [pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=_pos(pos), button=button,
                               touch=False, mod=mod)]


def release(pos, button: int = 1, mod: int = 0) -> list:
    return [pygame.event.Event(pygame.MOUSEBUTTONUP, pos=_pos(pos), button=button,
                               touch=False, mod=mod)]


def click(target, button: int = 1, mod: int = 0) -> list:
    """Move to the target, press and release there."""
    pos = _pos(target)
    return motion(pos, mod=mod) + press(pos, button, mod) + release(pos, button, mod)


def drag(start, end, button: int = 1, steps: int = 6, mod: int = 0) -> list:
    """Press at start, move in `steps` straight steps to end, release."""
    (x0, y0), (x1, y1) = _pos(start), _pos(end)
    held = (1, 0, 0) if button == 1 else (0, 0, 1)
    events = motion((x0, y0), mod=mod) + press((x0, y0), button, mod)
    for k in range(1, steps + 1):
        p = (round(x0 + (x1 - x0) * k / steps), round(y0 + (y1 - y0) * k / steps))
        events += motion(p, buttons=held, mod=mod)
    return events + release((x1, y1), button, mod)


def wheel(pos, dy: float, mod: int = 0) -> list:
    """The mouse rests over pos and the wheel turns dy notches (positive = away/up)."""
    return motion(pos, mod=mod) + [pygame.event.Event(
        pygame.MOUSEWHEEL, x=0, y=int(dy), precise_x=0.0, precise_y=float(dy), flipped=False,
        touch=False, mod=mod)]


def key(k: int, mod: int = 0, unicode: str = "") -> list:
    return [pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode, scancode=0),
            pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode=unicode, scancode=0)]


def resize(w: int, h: int) -> list:
    return [pygame.event.Event(pygame.VIDEORESIZE, size=(w, h), w=w, h=h)]


def quit_event() -> list:
    return [pygame.event.Event(pygame.QUIT)]
