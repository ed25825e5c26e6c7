"""The pieces of an exported script (engine/export/parts.py): each template asks for exactly the values
engine.export.script fills in, each piece filled in is Python, and the script's thread rule is the engine's."""

import os
from string import Template

import pytest

from engine import devices
from engine.export import parts


def asked(template: str) -> set[str]:
    return {m["named"] or m["braced"] for m in Template.pattern.finditer(template) if m["named"] or m["braced"]}


def test_each_piece_asks_for_the_values_the_renderer_fills_in():
    assert asked(parts.THREADS) == {"most"} and asked(parts.THREADS_GIVEN) == {"count"}
    assert asked(parts.DECODE) == set() and asked(parts.MODEL_HEAD) == {"summary"}
    assert asked(parts.SCHEDULE) == {"after", "rest"} and asked(parts.DECAY) == {"decay"}
    assert asked(parts.TRAIN) == {"optimizer", "body"}
    assert {"title", "source", "seed", "steps", "lr", "log_every", "device"} <= asked(parts.HEADER)


def test_each_schedule_filled_in_is_python_that_warms_up_then_decays_to_zero():
    for name, decay in parts.DECAYS.items():
        rest = Template(parts.DECAY).substitute(decay=decay)
        namespace = {"math": __import__("math"), "WARMUP": 0.2}
        exec(Template(parts.SCHEDULE).substitute(after=name, rest=rest), namespace)
        lr_factor = namespace["lr_factor"]
        assert lr_factor(0.1) == pytest.approx(0.5) and lr_factor(0.2) == pytest.approx(1.0)
        assert lr_factor(1.0) == pytest.approx(0.0, abs=1e-12), name


@pytest.mark.parametrize("env", ["3", " 5 ", "0", "many", "1025", "²", "٣", ""])
def test_the_scripts_thread_count_is_the_engines_default(monkeypatch, env):
    monkeypatch.setenv("OMP_NUM_THREADS", env)
    namespace = {"os": os}
    exec(Template(parts.THREADS).substitute(most=devices.MAX_THREADS), namespace)
    assert namespace["thread_count"]() == devices.default_threads()


def test_a_given_thread_count_is_kept_as_given():
    namespace = {}
    exec(Template(parts.THREADS_GIVEN).substitute(count=3), namespace)
    assert namespace["thread_count"]() == 3
