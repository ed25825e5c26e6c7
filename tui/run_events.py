"""Messages from the training and race threads, for the App: each event goes to its own run.

Events are routed by run_id to the run that made them (the single run or a race's contestant); an
event whose run was reset or replaced meanwhile finds no run and is dropped.
"""

from __future__ import annotations

from engine.events import RaceFinished, RunFinished, RunStarted
from engine.text import visible
from tui import branch_curve
from tui.messages import TrainerCreated, TrainingEvents, TrainingFailed
from tui.runs import Run


class RunEvents:
    """Mixin for the App (uses its runs, panes and views)."""

    def on_training_events(self, message: TrainingEvents) -> None:
        for event in message.events:
            if isinstance(event, RaceFinished):
                self.race_finished(event)
                continue
            run = self.runs.for_event(event.run_id)
            if run is None:
                continue  # a stale event from a run that was reset or replaced
            if isinstance(event, RunStarted):
                branch_curve.started(run.state, event)  # a branch takes the curve so far as its parent's
            run.state.apply(event)
            if isinstance(event, RunStarted):
                run.state.plot_version = run.state.version  # a fresh version: the plot redraws
            if run.race is not None:
                run.race.note(run, event)
            elif isinstance(event, RunFinished):
                self._finished(run, event)
        for run in self.runs.items:  # a race's gate pauses all its contestants, not only the selected one
            paused = run.gate is not None and run.gate.paused
            if run.state.status in ("running", "paused") and (run.state.status == "paused") != paused:
                run.state.status = "paused" if paused else "running"
                run.state.touch()
        self.views_throttle.request()
        self.update_controls()

    def _finished(self, run: Run, event: RunFinished) -> None:
        run.gate = None
        if event.reason in ("diverged", "failed"):
            self.notify(visible(event.message or f"The run {event.reason}.", 400), title=f"Run {event.reason}",
                        severity="error", timeout=10)
        elif event.reason == "completed":
            ran = event.step - run.started_at_step
            since = f" (from step {run.started_at_step:,} to {event.step:,})" if run.started_at_step else ""
            self.notify(f"Ran {ran:,} steps{since} in {event.elapsed:.1f} s.", title="Run completed")
        self.refresh_text()
        self.refresh_plot()

    def _run_of_gate(self, gate: object) -> Run | None:
        """The run that `gate` controls; None (a trainer made without a run, as tests do) is the selected run."""
        if gate is None:
            return self.runs.selected
        return next((run for run in self.runs.items if run.gate is gate), None)

    def on_trainer_created(self, message: TrainerCreated) -> None:
        run = self._run_of_gate(message.gate)
        if run is None:
            return  # built for a run that was stopped or reset meanwhile
        run.trainer, run.saved_step = message.trainer, 0
        self.track_saves(run.trainer)
        if run is self.runs.selected:
            self.playground.set_model(run.trainer, run.trainer.config)

    def on_training_failed(self, message: TrainingFailed) -> None:
        runs = [self.runs.selected] if message.gate is None else \
            [run for run in self.runs.items if run.gate is message.gate]
        if not runs:
            return  # about a run that was already replaced
        for run in runs:
            run.state.status, run.gate = "idle", None
            run.state.touch()
        if self.runs.race is not None and runs[0].race is self.runs.race:
            self.runs.race.finished = True
            self.runs.race.version += 1
        self.show_state()
        self.notify(message.message, title="Cannot race" if runs[0].race else "Cannot train", severity="error",
                    timeout=10)
        if message.field:
            self.config_pane.mark(message.field, message.message.removeprefix(f"{message.field}: "))
            self.focus_setting(message.field)
        self.update_controls()
