"""Runs: a run holds a model (trainable or for prediction only) and counts the steps not yet saved; a race's
contestants replace the last race's, its results fold the events in; events find their run by id."""

from __future__ import annotations

from types import SimpleNamespace

from engine.events import Evaluated, RaceFinished, RunFinished
from tui.run_state import RunState
from tui.runs import Contestant, Race, Run, Runs


def trainer(step: int, run_id: str = "r1"):
    return SimpleNamespace(step=step, run_id=run_id)


def test_a_held_trainer_counts_the_steps_since_it_was_saved_or_loaded():
    run = Run("run")
    assert run.trainer is None and run.unsaved_steps() == 0
    model = trainer(40)
    run.hold(model, trainable=True, saved_step=30)
    assert run.trainer is model and run.unsaved_steps() == 10 and run.run_id == "r1"
    model.step = 25  # never negative
    assert run.unsaved_steps() == 0


def test_a_model_loaded_for_prediction_only_has_nothing_to_save():
    run = Run("run")
    run.hold(trainer(40), trainable=False)
    assert run.model is not None and run.trainer is None and run.unsaved_steps() == 0


def test_drop_forgets_the_model_and_what_the_views_showed():
    run = Run("run")
    run.hold(trainer(40), trainable=True)
    run.state.step = 40
    run.drop()
    assert run.model is None and not run.trainable and run.saved_step == 0 and run.state.step == 0
    assert run.unsaved_steps() == 0 and run.run_id == ""


def race_of(*cells: str) -> Race:
    race = Race([Contestant(Run(f"{cell} seed 0"), cell, 0) for cell in cells], target=0.9)
    for contestant in race.contestants:
        contestant.run.race = race
    return race


def test_a_new_race_replaces_the_last_races_contestants_and_keeps_the_single_run():
    runs = Runs()
    single = runs.single()
    first = race_of("rnn", "gru")
    runs.start_race(first)
    second = race_of("lstm")
    runs.start_race(second)
    assert runs.items == [single, second.contestants[0].run] and runs.race is second
    assert runs.single() is single
    runs.select(first.contestants[0].run)  # no longer held: the selection stays
    assert runs.selected is single
    runs.select(second.contestants[0].run)
    assert runs.selected is second.contestants[0].run


def test_events_find_their_run_by_id_and_unsaved_lists_what_quitting_would_lose():
    runs = Runs()
    race = race_of("rnn", "gru")
    runs.start_race(race)
    rnn, gru = (c.run for c in race.contestants)
    rnn.hold(trainer(10, "a"), trainable=True)
    gru.hold(trainer(10, "b"), trainable=True, saved_step=10)
    assert runs.for_event("b") is gru and runs.for_event("zzz") is None
    assert runs.unsaved() == [rnn]


def test_a_race_notes_the_first_step_at_its_target_and_finishes_with_its_results():
    race = race_of("rnn", "gru")
    rnn, gru = (c.run for c in race.contestants)
    version = race.version
    race.note(rnn, Evaluated("a", 10, 1.0, 0.5, None))
    race.note(rnn, Evaluated("a", 20, 0.5, 0.95, None))
    race.note(rnn, Evaluated("a", 30, 0.4, 0.99, None))  # the first step at the target counts
    assert race.contestants[0].steps_to_target == 20 and race.version > version
    assert race.contestants[1].steps_to_target is None
    rnn.state, gru.state = RunState(status="running"), RunState(status="finished")
    assert race.running
    race.note(gru, RunFinished("b", 30, "completed"))
    race.finish(RaceFinished("race", ({"steps_to_target": 20, "seconds": 1.0}, {"steps_to_target": None})))
    assert race.finished and not race.running and race.contestants[0].result["seconds"] == 1.0
    assert race.contestants[1].label == "gru seed 0"
