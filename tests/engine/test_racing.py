"""engine.race: contestants on identical data, interleaved, with a results event at the end."""

import threading

import pytest

import engine
from engine.events import RaceFinished, RunFinished, StepLogged
from engine.racing import contestants


def base(**kw):
    return engine.TrainConfig(task="echo", delay=2, length=12, embedding=4, hidden=16, batch_size=8, steps=30,
                              log_every=10, eval_every=10, device="cpu").replace(**kw)


def test_contestants_with_the_same_seed_see_identical_batches():
    configs = contestants(base(), ["rnn", "lstm", "gru"])
    trainers = [engine.Trainer(c) for c in configs]
    for _ in range(3):
        batches = [t.task.batch() for t in trainers]
        for x, y in batches[1:]:
            assert x.equal(batches[0][0]) and y.equal(batches[0][1])


def test_a_race_interleaves_the_contestants_and_ends_with_results():
    events = list(engine.race(contestants(base(), ["rnn", "lstm"], seeds=[0, 1])))
    steps = [(e.run_id, e.step) for e in events if isinstance(e, StepLogged)]
    assert [s for _, s in steps[:4]] == [10, 10, 10, 10]  # each contestant takes its turn
    assert isinstance(events[-1], RaceFinished)
    results = events[-1].results
    assert [(r["cell"], r["seed"]) for r in results] == [("rnn", 0), ("lstm", 0), ("rnn", 1), ("lstm", 1)]
    for r in results:
        assert r["steps"] == 30 and r["reason"] == "completed" and r["parameters"] > 0
        assert 0 <= r["accuracy"] <= 1 and r["loss"] > 0 and r["ms_per_step"] > 0
        assert r["steps_to_target"] is None or r["steps_to_target"] in (10, 20, 30)
    assert events[-1].to_dict()["event"] == "race"


def test_steps_to_target_is_the_first_evaluation_that_reaches_it():
    events = list(engine.race(contestants(base(delay=0, steps=60), ["lstm"]), target=0.0))
    assert events[-1].results[0]["steps_to_target"] == 10


def test_a_time_budget_and_a_stop_end_every_contestant():
    stop = threading.Event()
    run = engine.race(contestants(base(steps=10**6), ["rnn", "gru"]), stop)
    for event in run:
        if isinstance(event, StepLogged) and event.step >= 20:
            stop.set()
            break
    rest = list(run)
    assert sum(isinstance(e, RunFinished) and e.reason == "stopped" for e in rest) == 2
    assert isinstance(rest[-1], RaceFinished)
    timed = list(engine.race(contestants(base(steps=10**6), ["rnn"]), seconds=0.2))
    assert timed[-1].results[0]["seconds"] < 5


def test_contestants_must_share_the_task():
    with pytest.raises(engine.ConfigError, match="same task"):
        list(engine.race([base(), base(delay=3)]))


def test_race_contestants_train_the_whole_budget():
    assert {c.until for c in contestants(engine.presets.get("echo"), ["rnn", "lstm"])} == {0.0}
