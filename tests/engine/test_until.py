"""--until ACC: a run stops, completed, at its first evaluation with at least that accuracy (the echo
preset uses it, so delay 10 ends in ~600 steps and delay 20 in ~3,000 with one recipe)."""

import engine
from engine.events import Evaluated, RunFinished
from engine.racing import contestants
from tests.engine.cli_helpers import one_error_line, rnnplay

CAESAR = engine.presets.get("caesar").replace(device="cpu", precision="fp32", steps=400)


def run(config):
    events = list(engine.Trainer(config).run())
    return [e for e in events if isinstance(e, Evaluated)], events[-1]


def test_a_run_stops_completed_at_the_first_evaluation_that_reaches_the_bar():
    evaluations, finished = run(CAESAR.replace(until=0.99))
    assert isinstance(finished, RunFinished) and finished.reason == "completed"
    assert evaluations[-1].accuracy >= 0.99 and all(e.accuracy < 0.99 for e in evaluations[:-1])
    assert finished.step == evaluations[-1].step < 400
    assert finished.message.startswith("solved: ") and f"at step {finished.step}" in finished.message


def test_without_until_every_step_runs_and_a_bar_never_reached_changes_nothing():
    for config in (CAESAR.replace(steps=30), CAESAR.replace(steps=30, until=1.0, lr=1e-5)):
        _, finished = run(config)
        assert finished.step == 30 and finished.message == ""


def test_race_contestants_train_the_whole_budget():
    assert {c.until for c in contestants(engine.presets.get("echo"), ["rnn", "lstm"])} == {0.0}


def test_until_on_the_command_line(tmp_path):
    done = rnnplay("train", "--preset", "caesar", "--until", "0.99", "--device", "cpu", "--steps", "400")
    assert done.returncode == 0 and "solved: " in done.stdout
    for bad, says in ((["--until", "1.5"], "accepted: from 0.0 to 1.0"),
                      (["--preset", "completion", "--corpus", "shakespeare", "--until", "0.5"], "not accuracy")):
        refused = rnnplay("train", *bad)
        assert refused.returncode == 2 and says in one_error_line(refused.stderr)
