"""RunState: engine events folded into what the views show; every change moves its version."""

from __future__ import annotations

from engine.events import Evaluated, RunFinished, RunStarted, StepLogged
from tui.run_state import HISTORY_LIMIT, RunState


def test_events_fold_into_the_state_and_each_change_moves_the_version():
    state = RunState()
    assert not state.training and state.latest is None
    version = state.version
    state.apply(RunStarted("r", "cpu", 100, {"steps": 20}, 0, ("a",)))
    assert (state.status, state.total_steps, state.parameters) == ("running", 20, 100) and state.training
    assert state.version != version
    plot = state.plot_version
    state.apply(StepLogged("r", 5, 2.0, 10.0, 1.5))
    assert state.losses == [(5, 2.0)] and state.elapsed == 1.5 and state.plot_version != plot
    state.apply(Evaluated("r", 6, 1.0, 0.5, None))
    assert state.step == 6 and state.eval_count == 1 and state.latest.accuracy == 0.5
    state.apply(RunFinished("r", 10, "completed", {}, 3.0))
    assert state.status == "finished" and not state.training and state.step == 10 and state.elapsed == 3.0
    state.apply(RunStarted("r", "cpu", 100, {"steps": 40}, 10, ("a",)))  # the same trainer goes on
    state.apply(StepLogged("r", 12, 1.0, 10.0, 0.5))
    assert state.elapsed == 3.5 and state.total_steps == 40  # time of the earlier run() counted


def test_a_new_state_never_repeats_a_version_another_drew():
    assert RunState().version != RunState().version


def test_only_the_last_evaluations_are_kept_but_all_are_counted():
    state = RunState()
    for step in range(HISTORY_LIMIT + 5):
        state.apply(Evaluated("r", step, 1.0, None, None))
    assert len(state.evals) == HISTORY_LIMIT and state.eval_count == HISTORY_LIMIT + 5
    assert state.evals[0].step == 5
