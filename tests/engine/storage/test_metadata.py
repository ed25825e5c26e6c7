"""One schema on write and on read: for every task, a config drawn near the settings' limits either is
refused before the first step (one ConfigError naming a field) or trains into a checkpoint that loads and
predicts what the trainer predicted. Nothing in between: never "saved" for a file that cannot load."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import engine
from engine import tasks
from engine.config import SETTINGS, ConfigError
from engine.events import StepLogged
from engine.tasks.completion import minimum_size
from tests.engine.cli_helpers import one_error_line, rnnplay


def edges(name: str, small: int | None = None) -> st.SearchStrategy:
    """A whole-number setting at its bounds or just inside them (capped at `small` where training cost grows)."""
    facts = SETTINGS[name]
    low, high = int(facts.low), int(facts.high if small is None else min(facts.high, small))
    return st.sampled_from(sorted({low, low + 1, high - 1, high}))


WEIRD = st.characters(blacklist_categories=("Cs",), min_codepoint=0)  # control, combining and astral too


@st.composite
def task_settings(draw, task: str, corpus_folder) -> dict:
    """The task options `task` reads, drawn near their limits (sizes kept small enough to train a step fast)."""
    chosen: dict = {}
    options = tasks.task_class(task).options
    if "length" in options:
        chosen["length"] = draw(edges("length", small=40))
    if "batch_size" in options:
        chosen["batch_size"] = draw(edges("batch_size", small=3))
    if "key" in options:
        chosen["key"] = draw(edges("key"))
    if "symbols" in options:
        chosen["symbols"] = draw(edges("symbols"))
    if "delay" in options:
        chosen["delay"] = draw(st.integers(0, chosen.get("length", 32) - 1))
    if "keyword" in options:
        chosen["keyword"] = draw(st.text(string.ascii_letters, min_size=1, max_size=64))
    if "pairs" in options:
        width = draw(st.integers(1, 6))
        words = draw(st.lists(st.text(WEIRD, min_size=width, max_size=width), min_size=1, max_size=5, unique=True))
        chosen["pairs"] = tuple((word, word[::-1]) for word in words)
    if "corpus" in options and draw(st.booleans()):
        alphabet = draw(st.text(WEIRD, min_size=1, max_size=300))
        size = minimum_size(chosen.get("length", 32))
        text = (alphabet * (size // len(alphabet) + 1))[:size + draw(st.integers(0, 50))]
        path = corpus_folder / f"corpus-{abs(hash(text))}.txt"
        path.write_bytes(text.replace("\r", "").encode("utf-8", "surrogatepass"))
        chosen["corpus"] = str(path)
    return chosen


MODEL = st.fixed_dictionaries({
    "cell": st.sampled_from(engine.config.CELLS), "layers": st.integers(1, 2), "hidden": st.integers(1, 6),
    "embedding": st.sampled_from([0, 1, 5]), "head": st.sampled_from(["linear", "none"]),
    "dropout": st.sampled_from([0.0, 0.99]), "seed": st.sampled_from([0, 2**63 - 1])})


def accepted_text(trainer) -> str:
    """A few characters the run's task accepts from its model's vocabulary (what Play would ask)."""
    task = tasks.task_class(trainer.config.task)
    ok = task.accepted(trainer.config, trainer.vocab).ok
    return "".join(s for s in trainer.vocab.symbols if len(s) == 1 and ok(s))[:6]


@pytest.mark.parametrize("task", tasks.names())
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_run_near_the_limits_is_refused_first_or_saves_what_loads(task, data, tmp_path):
    try:
        config = engine.presets.get(tasks.task_class(task).preset).replace(
            task=task, steps=1, device="cpu", precision="fp32", eval_every=1, log_every=1, until=0.0,
            **data.draw(task_settings(task, tmp_path)), **data.draw(MODEL))
        trainer = engine.Trainer(config)
    except ConfigError as error:  # refused before the first step, by name
        assert error.field in SETTINGS or error.field == "vocabulary"
        return
    list(trainer.run())
    path = tmp_path / "run.safetensors"
    trainer.save(str(path))
    loaded = engine.load(str(path), device="cpu")
    assert loaded.config.task == task and loaded.step == 1 and loaded.vocab == trainer.vocab
    text = accepted_text(trainer)
    if text:
        assert loaded.predict(text) == trainer.predict(text)


def trained(tmp_path, steps: int = 12, name: str = "a.safetensors") -> tuple[str, list[tuple[int, float]]]:
    trainer = engine.Trainer(engine.presets.get("hello").replace(steps=steps, log_every=2, device="cpu"))
    logged = [(e.step, e.loss) for e in trainer.run() if isinstance(e, StepLogged)]
    path = str(tmp_path / name)
    trainer.save(path)
    return path, logged


@pytest.mark.parametrize("field", ["lr", "until", "seconds"])
def test_a_config_number_past_floats_range_is_one_line_not_an_overflow(tmp_path, field):
    """JSON holds 10**400; math.isfinite raises OverflowError on it, which no caller expected."""
    path, _ = trained(tmp_path, steps=2)
    with safe_open(path, framework="pt") as f:
        meta = json.loads(f.metadata()["rnnplay"])
    meta["config"][field] = 10**400
    save_file(load_file(path), path, metadata={"rnnplay": json.dumps(meta)})
    done = rnnplay("predict", path, "hello")
    assert done.returncode == 2 and field in one_error_line(done.stderr) and "finite number" in done.stderr
