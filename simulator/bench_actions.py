"""The window applies the bench's intents here (App.apply looks them up after its own):
runs shown, renamed, deleted, exported and rewound, seeds spread, views and tracking
switched. The one place these intents change the model."""

from __future__ import annotations

from pathlib import Path

from .storage import KnobFileError


class BenchActions:
    def __init__(self, app) -> None:
        self.app = app

    @property
    def bench(self):
        return self.app.machine.bench

    def _export_dir(self) -> Path:
        """Exports go beside the knob file of the panel (the working folder by default)."""
        name = self.app.panel.path or self.app.session.knob_file
        return Path(name).expanduser().resolve().parent

    def _on_SetPage(self, it):
        app, page = self.app, it.page
        if page == "toggle":  # F3: to the Bench, and from it back to the controls
            page = "controls" if app.page == "bench" else "bench"
        elif page == "lesson-toggle":
            page = "controls" if app.page == "lesson" else "lesson"
        app.face.cancel()
        lesson = app.lesson_actions
        if page == "lesson" and not lesson.opened:  # first visit: set the chapter up
            lesson.open(lesson.lesson.index)
        app.page = page

    def _on_ShowRun(self, it):
        try:
            self.bench.show(it.run_id, it.shown)
        except KeyError as exc:
            self.app.say(str(exc))

    def _on_RenameRun(self, it):
        try:
            self.bench.rename(it.run_id, it.name)
        except (KeyError, OSError) as exc:
            self.app.say(f"Not renamed: {exc}")
            return
        self.app.say(f"Run renamed: {it.name}")

    def _on_DeleteRun(self, it):
        try:
            label = self.bench.find(it.run_id).label()
            self.bench.delete(it.run_id)
        except (KeyError, OSError) as exc:
            self.app.say(f"Not deleted: {exc}")
            return
        self.app.say(f"Run deleted: {label}")

    def _on_ExportRun(self, it):
        store = self.bench.store
        try:
            run = self.bench.find(it.run_id)
            if store is None:
                raise OSError("runs are not kept on disk in this session")
            path = self._export_dir() / f"run-{run.id}.{'csv' if it.what == 'csv' else 'npz'}"
            if it.what == "csv":
                written = store.export_csv(run, path)
            else:
                written = store.export_knobs(run, len(run.knobs), path)
        except (KeyError, ValueError, OSError, KnobFileError) as exc:
            self.app.say(f"Not exported: {exc}")
            return
        self.app.say(f"Exported {run.label()} to {written}")

    def _on_Rewind(self, it):
        try:
            self.bench.rewind(self.app.machine, it.run_id, it.epoch, it.step)
        except (KeyError, ValueError) as exc:
            self.app.say(f"Cannot rewind: {exc}")

    def _on_SpreadSeeds(self, it):
        self.app.face.cancel()
        self.app.machine.spread(it.n)

    def _on_ToggleView(self, it):
        self.app.views ^= {it.name}
        self.app.layout_changed()

    def _on_ToggleTracking(self, it):
        on = self.bench.toggle_tracking()
        self.app.say("W&B: each new run is logged offline (metrics, switches, knob picture) in "
                     "the state folder's wandb/; 'wandb sync' uploads it if you wish" if on else
                     "W&B logging off")
