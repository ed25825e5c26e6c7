"""Events parse where they serialise: every kind's to_dict(), as JSON, reads back as the same event; what
no event wrote is refused by name."""

from __future__ import annotations

import json
import math

import pytest

from engine import events, presets
from engine.events import (
    KINDS,
    Evaluated,
    RaceFinished,
    RunFinished,
    RunStarted,
    Sample,
    StepLogged,
    event_from_dict,
)

PARENT = {"checkpoint": "a.safetensors", "run_id": "p1", "step": 4, "changed": {"lr": [0.1, 0.01]}}
EXAMPLES = [
    RunStarted("r1", "cpu", 1234, presets.get("caesar").to_dict(), 10, ("input ids (64, 32)",), "bf16", PARENT),
    StepLogged("r1", 11, 0.5, 41000.0, 1.25),
    Evaluated("r1", 50, 0.25, 0.75, None, (Sample("AB\x1b", "CD", "C\nE"),), None),
    Evaluated("r2", 50, 1.5, None, 2.1, (), 2.3),
    RunFinished("r1", 400, "completed", {"loss": 0.02, "accuracy": 1.0}, 10.0, ""),
    RaceFinished("race1", ({"contestant": "lstm", "steps_to_target": None, "loss": 0.1},)),
]


def test_every_kind_has_an_example_here():
    assert {type(event) for event in EXAMPLES} == set(KINDS.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.kind)
def test_every_event_reads_back_as_itself(event):
    line = json.dumps(event.to_dict(), allow_nan=False)
    assert event_from_dict(json.loads(line)) == event


def test_a_diverged_loss_reads_back_as_nan():
    line = json.dumps(StepLogged("r1", 3, math.inf, 1.0, 0.1).to_dict(), allow_nan=False)
    assert math.isnan(event_from_dict(json.loads(line)).loss)


@pytest.mark.parametrize("data, error", [
    ({"event": "nope", "run_id": "r1"}, "unknown event 'nope'; known: started, step, eval, finished, race"),
    ({"run_id": "r1"}, 'no "event" field naming the kind'),
    ([1, 2], "expected an object"),
    ({"event": "step", "run_id": "r1", "step": -1, "loss": 1.0}, "expected a whole number"),
    ({"event": "step", "run_id": "r1", "step": events.MAX_WHOLE + 1, "loss": 1.0}, "expected a whole number"),
    ({"event": "step", "run_id": "r1", "step": 1, "loss": 10**400}, "a float holds"),
    ({"event": "eval", "run_id": "r1", "step": 1, "loss": 1.0, "samples": [{"input": 1}]}, "expected text"),
    ({"event": "started", "run_id": "r1", "config": {"steps": "many"}}, "steps"),
    ({"event": "race", "run_id": "r1", "results": ["x"]}, "list of objects"),
])
def test_what_no_event_wrote_is_refused_naming_the_problem(data, error):
    with pytest.raises((ValueError, TypeError, KeyError), match=error):
        event_from_dict(data)
