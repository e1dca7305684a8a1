"""The panel's Bench page: runs kept and compared, ten seeds at once, the tutorial's clues on
screen. pygame_gui widgets that emit intents (see :mod:`simulator.intents`), built into the
control panel (:class:`simulator.panel.ControlPanel`) when its Bench tab is chosen."""

from __future__ import annotations

import pygame_gui
from pygame_gui.elements import UILabel, UISelectionList, UITextEntryLine

from . import intents as I

VIEWS = {"strip": ("Raw outputs", "The raw outputs and weighted sums of ten test pictures "
                   "(the tutorial's predict on ten pictures): values outside 0..1 stand out"),
         "histogram": ("Sum histogram", "The weighted sums of all 10,000 test pictures, 5s and "
                       "others, with the threshold and the ranges where a sigmoid is flat"),
         "scoreboard": ("Scoreboard", "Every test picture's outcome, counted: hits, misses, "
                        "false alarms, correct rejections (ten bulbs: which digit was read as "
                        "which); click a count to browse its pictures")}
SPREAD_N = 10


def build_bench_page(panel, state, lay) -> None:
    """The Bench page's widgets, laid out by the panel's row layout ``lay``."""
    row, head = lay.row, lay.head(panel)
    head("Ten seeds at once")
    (rs,) = row(1)
    panel._button("bench:spread", rs, f"Spread {SPREAD_N} seeds",
                  f"Train {SPREAD_N} seeds of the current switches at once: each its own "
                  "random knobs and picture order; all curves on the charts")
    lines = _note_lines(state.spread_note)
    for i in range(2):  # two lines: pygame_gui's labels do not wrap
        (rn,) = row(1, h=lay.label_h)
        note = UILabel(rn, lines[i], panel.manager,
                       object_id=pygame_gui.core.ObjectID(class_id="@panel_label"))
        panel.labels[f"bench:note{i}"] = note
        panel.elements[f"bench:note{i}"] = note
    head("Runs (selected: on the charts)")
    below = 2 * lay.pitch + lay.head_h + 3 * lay.pitch + 6
    list_h = max(3 * lay.row_h, lay.rect.bottom - round(12 * panel.scale) - lay.y - below)
    (rl,) = row(1, h=list_h)
    lay.y += 6
    items = [label for _, label in state.runs]  # labels are unique (the app makes them so)
    chosen = [label for run_id, label in state.runs if run_id in state.shown]
    runs = UISelectionList(rl, items, panel.manager, allow_multi_select=True,
                           default_selection=chosen or None)
    panel._add("bench:runs", runs, "Every run kept: click to draw it on the charts (click "
               "again to hide it); Rename, Delete and Export act on the last one clicked")
    re_, rr = row(2, 1)
    entry = UITextEntryLine(re_, panel.manager, placeholder_text="a name for the run")
    panel._add("bench:name", entry, "A new name for the run last clicked in the list")
    panel._button("bench:rename", rr, "Rename", "Give the run last clicked this name")
    rd, rc, rk = row(1, 1, 1)
    panel._button("bench:delete", rd, "Delete", "Delete the run last clicked (its files too)")
    panel._button("bench:csv", rc, "CSV", "Export the run's metrics, one row per epoch, as CSV "
                  "beside the knob file")
    panel._button("bench:knobs", rk, "Knobs", "Export the run's last knobs as a knob file "
                  "(the command line's .npz) beside the knob file")
    head("Clues on screen")
    rv = row(1, 1) + row(1)  # the clues, two by two
    for (name, (text, tip)), rect in zip(VIEWS.items(), rv, strict=True):
        on = "on" if name in state.views else "off"
        panel._button(f"bench:view:{name}", rect, f"{text}: {on}", tip)
    rt, rh = row(1, 1)
    panel._button("bench:tracking", rt, f"W&B: {'on' if state.tracking else 'off'}",
                  "Log each run to Weights & Biases in offline mode (metrics per epoch, the "
                  "switches, the knob picture), if wandb is installed")
    panel._button("help", rh, "Help", "Keys and mouse (F1 or ?)")


def focused(panel) -> str | None:
    """The run last clicked in the list."""
    return getattr(panel, "_focused_run", None)


def pressed(panel, name: str) -> list:
    if name == "bench:spread":
        return [I.SpreadSeeds(SPREAD_N)]
    if name.startswith("bench:view:"):
        return [I.ToggleView(name.rsplit(":", 1)[1])]
    if name == "bench:tracking":
        return [I.ToggleTracking()]
    run_id = focused(panel)
    if run_id is None:
        return []
    if name == "bench:rename":
        text = panel.elements["bench:name"].get_text().strip()
        return [I.RenameRun(run_id, text)] if text else []
    if name == "bench:delete":
        panel._focused_run = None
        return [I.DeleteRun(run_id)]
    if name in ("bench:csv", "bench:knobs"):
        return [I.ExportRun(run_id, name.split(":")[1])]
    return []


def selection(panel, event) -> list:
    """A run picked or dropped in the list: shown on the charts or not."""
    run_id = getattr(event, "text", None)
    runs = dict((label, rid) for rid, label in panel._state.runs)
    run_id = runs.get(run_id)
    if run_id is None:
        return []
    panel._focused_run = run_id
    shown = event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION
    return [I.ShowRun(run_id, shown)]


def sync(panel, state, old) -> None:
    """Keep the page up to date: the list of runs, the toggles' words, the spread's note."""
    if state.runs != old.runs:  # (a click in the list changes only what it shows)
        runs = panel.elements["bench:runs"]
        runs.set_item_list([label for _, label in state.runs])
        shown = {label for run_id, label in state.runs if run_id in state.shown}
        for item in runs.item_list:  # their buttons are made on the next update, selected
            item["selected"] = item["text"] in shown
    for name, (text, _) in VIEWS.items():
        if (name in state.views) != (name in old.views):
            panel.elements[f"bench:view:{name}"].set_text(
                f"{text}: {'on' if name in state.views else 'off'}")
    if state.tracking != old.tracking:
        panel.elements["bench:tracking"].set_text(f"W&B: {'on' if state.tracking else 'off'}")
    if state.spread_note != old.spread_note:
        for i, line in enumerate(_note_lines(state.spread_note)):
            panel.labels[f"bench:note{i}"].set_text(line)


def _note_lines(note: str) -> list[str]:
    lines = (note or "(no spread yet)").split("\n")
    return [*lines, "", ""][:2]
