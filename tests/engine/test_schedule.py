"""Time budgets, warm-up and cosine decay, and when a run evaluates."""

import math

import pytest

import engine
from engine import schedule
from engine.events import Evaluated, RunFinished, StepLogged


def cfg(**kw):
    base = dict(device="cpu", eval_early=False, eval_budget=0.0)
    return engine.presets.get("caesar").replace(**{**base, **kw})


def test_warmup_ramps_then_cosine_or_linear_decays_to_zero():
    assert schedule.lr_factor("cosine", 0.2, 0.1) == pytest.approx(0.5)
    assert schedule.lr_factor("cosine", 0.2, 0.2) == pytest.approx(1.0)
    assert schedule.lr_factor("cosine", 0.2, 0.6) == pytest.approx(0.5)
    assert schedule.lr_factor("cosine", 0.2, 1.0) == pytest.approx(0.0)
    assert schedule.lr_factor("cosine", 0.0, 0.0) == pytest.approx(1.0)
    assert 0 < schedule.lr_factor("cosine", 0.2, 0.0) < 0.01  # the very first step still moves
    assert schedule.lr_factor("constant", 0.2, 0.1) == pytest.approx(0.5)
    assert schedule.lr_factor("constant", 0.2, 0.9) == 1.0
    assert schedule.lr_factor("linear", 0.2, 0.1) == pytest.approx(0.5)
    assert [schedule.lr_factor("linear", 0.2, p) for p in (0.2, 0.4, 0.8, 1.0)] == pytest.approx([1, 0.75, 0.25, 0])


def test_progress_follows_whichever_of_steps_and_seconds_bounds_the_run():
    assert schedule.progress(50, 100, 1.0, 0.0) == 0.5  # no budget: steps
    assert schedule.progress(50, 100, 9.0, 10.0) == 0.9  # the budget runs out first
    assert schedule.progress(90, 100, 1.0, 10.0) == 0.9  # the steps run out first
    assert schedule.progress(10, 100, 99.0, 10.0) == 1.0


def lrs_by_step(trainer):
    """The learning rate each step trained with, read at every StepLogged."""
    out = []
    for event in trainer.run():
        if isinstance(event, StepLogged):
            out.append(trainer.optimizer.param_groups[0]["lr"])
    return out


def test_a_run_warms_up_then_decays_over_its_steps():
    trainer = engine.Trainer(cfg(steps=40, lr=0.02, schedule="cosine", warmup=0.25, log_every=1))
    lrs = lrs_by_step(trainer)
    peak = lrs.index(max(lrs))
    assert 8 <= peak <= 11 and max(lrs) == pytest.approx(0.02, rel=0.01)
    assert all(a < b for a, b in zip(lrs[:peak], lrs[1:peak + 1], strict=True))  # warm-up rises
    assert all(a > b for a, b in zip(lrs[peak:-1], lrs[peak + 1:], strict=True))  # cosine falls
    assert lrs[-1] < 0.02 * 0.01


def test_constant_schedule_leaves_the_learning_rate_alone():
    trainer = engine.Trainer(cfg(steps=15, lr=0.02, log_every=1))
    assert set(lrs_by_step(trainer)) == {0.02}


def test_a_time_budget_ends_the_run_and_the_schedule_spans_it():
    trainer = engine.Trainer(cfg(steps=10**7, seconds=1.0, schedule="cosine", lr=0.02, log_every=10**6,
                                 eval_every=10**6))
    events = list(trainer.run())
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "completed"
    assert 1 < finished.step < 10**7 and finished.elapsed >= 1.0
    # the last step is logged and evaluated, as at the end of a run bounded by steps
    assert isinstance(events[-2], Evaluated) and events[-2].step == finished.step
    assert isinstance(events[-3], StepLogged) and events[-3].step == finished.step
    assert trainer.optimizer.param_groups[0]["lr"] < 0.02 * 0.05  # decayed by the end of the budget


def test_a_run_that_used_its_time_budget_resumes_with_no_time_left(tmp_path):
    # It used to save a clock of zero when it completed, so resuming it trained a whole budget again.
    trainer = engine.Trainer(cfg(steps=10**7, seconds=0.3, schedule="linear", log_every=10**6, eval_every=10**6))
    done = list(trainer.run())[-1]
    trainer.save(str(tmp_path / "m.safetensors"))
    again = engine.Trainer.resume(str(tmp_path / "m.safetensors"))
    assert again.trained_seconds >= 0.3
    finished = list(again.run())[-1]
    assert finished.reason == "completed" and finished.step == done.step


def test_steps_still_bound_a_run_with_a_generous_budget():
    events = list(engine.Trainer(cfg(steps=12, seconds=3600.0)).run())
    assert events[-1].step == 12 and events[-1].reason == "completed"


def test_early_evaluations_show_progress_at_the_start():
    trainer = engine.Trainer(cfg(steps=60, eval_every=50, eval_early=True))
    steps = [e.step for e in trainer.run() if isinstance(e, Evaluated)]
    assert steps == [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 22, 27, 33, 41, 50, 60]


def test_an_evaluation_budget_defers_regular_evaluations_but_never_the_last():
    # a budget no evaluation fits: the first regular one runs (its cost is unknown), then only the last
    trainer = engine.Trainer(cfg(steps=100, eval_every=10, eval_budget=1e-9))
    assert [e.step for e in trainer.run() if isinstance(e, Evaluated)] == [10, 100]
    # a budget every evaluation fits: all of them
    trainer = engine.Trainer(cfg(steps=40, eval_every=10, eval_budget=1.0))
    assert [e.step for e in trainer.run() if isinstance(e, Evaluated)] == [10, 20, 30, 40]


def test_the_recommended_caesar_preset_shows_success_within_a_few_steps():
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=60))
    first = next(e.step for e in trainer.run() if isinstance(e, Evaluated) and e.accuracy >= 0.99)
    assert first <= 12  # it gets there at about step 5-7, and is evaluated again soon after


@pytest.mark.parametrize("field, value, words", [
    ("seconds", -1.0, "out of range"), ("seconds", math.inf, "finite"), ("schedule", "step", "cosine, linear"),
    ("warmup", 1.0, "out of range"), ("eval_budget", 2.0, "out of range"), ("eval_early", "yes", "true or false"),
    ("precision", "fp16", "fp32, bf16, auto"),
])
def test_bad_schedule_and_precision_settings_are_config_errors(field, value, words):
    with pytest.raises(engine.ConfigError, match=words) as info:
        cfg(**{field: value})
    assert info.value.field == field
