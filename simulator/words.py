"""The window's words for what the machine states: notes, slow motion's narration, the
status line. The machine gives facts; only this module (and the panel's tooltips) speaks."""

from __future__ import annotations

import math

from . import engine
from .config import SWITCHES

_FILTERS = {"all": "all pictures", "target": "only {d}s", "other": "only not-{d}s",
            "misclassified": "misclassified"}


_ONE_BULB_CELLS = {(True, True): "hits: {d}s that lit the bulb",
                   (True, False): "misses: {d}s left dark",
                   (False, True): "false alarms: not-{d}s that lit it",
                   (False, False): "correct rejections: not-{d}s left dark"}


def filter_label(which, digit: int) -> str:
    """The picture filter in words: one of the panel's, or a scoreboard's cell."""
    if isinstance(which, tuple):  # ("cell", truth, answer)
        _, truth, answer = which
        if isinstance(truth, bool):
            return _ONE_BULB_CELLS[truth, answer].format(d=digit)
        return f"{truth}s read right" if truth == answer else f"{truth}s read as {answer}"
    return _FILTERS[which].format(d=digit)


def note_text(note) -> str:
    """One note (:class:`simulator.face_state.Note`) in words."""
    f, kind = note.facts, note.kind
    if kind == "new_knobs" and f["switch"] == "bulbs":
        bulbs = "Ten bulbs, one per digit" if f["bulbs"] == 10 else "One bulb"
        return f"{bulbs}: new random knobs from seed {f['seed']}"
    if kind == "new_knobs" and f["switch"] in ("wiring", "units"):
        return f"{wiring_words(f['wiring'], f['units'])}: new random knobs from seed {f['seed']}"
    if kind == "wiring_loaded":
        return (f"The knobs are wired differently: "
                f"{wiring_words(f['wiring'], f['units'])} (it was {f['was']} wiring)")
    if kind == "new_knobs":
        return f"Seed {f['seed']}: its random knobs are on the board (Ctrl+Z undoes)"
    if kind == "never_lit":
        return (f"The bulb never lights on the test set: {f['baseline']:.2%} is only the share "
                f"of pictures that are not {f['digit']}s (the base rate). A saturated bulb "
                "cannot tell which way to turn.")
    if kind == "ghosts" and f.get("on") and f.get("wiring", "direct") != "direct":
        return ("Ghost needles on: they point on the retina's 784 knobs, so they show with "
                "direct wiring")
    simple = {
        "undo": "Undone" if f.get("done") else "Nothing to undo",
        "redo": "Redone" if f.get("done") else "Nothing to redo",
        "paused": "Paused: the knobs are yours",
        "ghosts": "Ghost needles: which way gradient descent would turn each knob"
                  if f.get("on") else "Ghost needles off",
    }
    if kind in simple:
        return simple[kind]
    if kind == "reset":
        return ("Knobs set to zero (Ctrl+Z undoes)" if f["how"] == "zero" else
                f"Knobs reset to random values from seed {f['seed']} (Ctrl+Z undoes)")
    if kind == "refused":
        return f"Not possible: {f['error']}"
    if kind == "no_match":
        return f"No test pictures match '{filter_label(f['filter'], f['digit'])}'"
    if kind == "epochs_done":
        n = f["epochs"]
        return (f"{n} epoch{'s' if n != 1 else ''} done — press Play for more; the knobs are "
                "yours meanwhile")
    if kind == "stopped":
        return f"Training stopped: {f['error']}"
    if kind == "score_failed":
        what = "the knobs" if f["epoch"] is None else f"epoch {f['epoch']}"
        return f"Could not score {what}: {f['error']}"
    if kind == "spread":
        return (f"Spreading {f['n']} seeds ({f['first']}..{f['first'] + f['n'] - 1}) of these "
                "switches at once: every curve on the charts, the sum-up on the Bench page")
    if kind == "rewound":
        when = "as it started" if f["epoch"] == 0 else f"after epoch {f['epoch']}"
        return f"Knobs {when} of the run '{f['run']}' (Ctrl+Z undoes; [ and ] step)"
    if kind == "said":  # words the window itself chose
        return f["text"]
    raise KeyError(f"no words for the note {kind!r}")


def narration(facts, procedure: str) -> str:
    """Slow motion's line: what the machine answered on the picture shown, what turned."""
    f = facts
    who = (f"batch of {f.pictures}, the last a {f.label}" if f.pictures > 1 else f"a {f.label}")
    if f.knob is not None:  # trial and error, one knob at a time
        knob = "the bias knob" if f.knob == 784 else f"knob ({f.knob // 28}, {f.knob % 28})"
        want = "brighter" if f.label == f.target else "dimmer"
        if f.turns:
            way = "up" if f.turns > 0 else "down"
            return (f"{procedure}: {who}: {knob} turned {way} {abs(f.turns)}× — the bulb got "
                    f"{want}")
        return f"{procedure}: {who}: {knob}: no turn made the bulb {want}; left as it was"
    if f.ten:
        right = "right" if f.answer == f.label else "wrong"
        said = f"the brightest bulb said {f.answer} ({right})"
        if f.rule == "rosenblatt" and f.answer != f.label:
            return (f"{procedure}: {who}: {said}: the {f.label}-bulb's knobs up, the "
                    f"{f.answer}-bulb's down")
        moved = f"{f.turned} of the {f.target}-bulb's knobs turned" if f.turned else \
            "knobs left alone"
        return f"{procedure}: {who}: {said}; {moved}"
    bulb = f"bulb {'lit' if f.lit else 'dark'} — {engine.verdict(f.label == f.target, f.lit)}"
    if f.rule == "gd":
        return f"{procedure}: {who}: {bulb}; the gradient turned {f.turned} knobs"
    if not f.turned:
        return f"{procedure}: {who}: {bulb}: knobs left alone"
    way = "up" if f.label == f.target else "down"
    return f"{procedure}: {who}: {bulb}: {f.turned} knobs turned {way}"


def status_text(state, message: str | None) -> str:
    """The status line's left part: the live score beside the base rate, then the latest
    message, or who turns the knobs and where the picture comes from."""
    base = f"never a {state.digit}" if state.bulbs == 1 else "commonest digit"
    score = "…" if state.score is None or not math.isfinite(state.score) else \
        f"{state.score:.2%}"
    head = f"Test score {score}  ({base}: {state.baseline:.2%})"
    if message:
        return f"{head}  ·  {message}"
    if state.spread_note:
        return f"{head}  ·  {state.spread_note.replace(chr(10), ' ')}"
    where = {"test": f"test picture {state.index + 1:,} / {state.n_test:,}",
             "train": f"training picture {state.index + 1:,} / {state.n_train:,}",
             "drawn": "your drawing"}[state.split]
    return f"{head}  ·  {state.procedure}  ·  {where}"


def wiring_words(kind: str, units: int) -> str:
    """The wiring in a few words: what lies between the retina and the knobs."""
    if kind == "plugboard":
        return f"The plugboard: 400 photocells patched at random into {units} association units"
    if kind == "hidden":
        return f"A hidden layer of {units} ReLU units between the retina and the knobs"
    return "Direct wiring: each sensor to its own knob"


def switch_said(name: str, value, ten_bulbs: bool) -> str | None:
    """The status line after a switch is set in the panel; None where the machine's own note
    says it (new knobs: bulbs, seed, wiring, units)."""
    if name == "digit" and ten_bulbs:  # a board of ten bulbs made the big one
        return f"The {value}-bulb's knobs are on the big board: turn them by hand"
    if name in ("bulbs", "seed", "wiring", "units"):
        return None
    switch = SWITCHES[name]
    return f"{switch.label}: {switch.shown(value)}" + (
        "" if name == "epochs" else " (the charts start a new run; the knobs stay)")
