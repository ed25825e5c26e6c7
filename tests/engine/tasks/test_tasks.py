"""The task registry (engine/tasks/__init__.py): what it refuses, and what every registered task must give."""

from types import SimpleNamespace

import pytest

import engine
from engine import tasks
from engine.config import unused_settings
from engine.vocab import Vocabulary


def test_registry_names_the_settings_each_task_reads():
    from engine.config import unused_settings

    unused = unused_settings(engine.TrainConfig(task="echo", length=32))
    assert "delay" not in unused and "symbols" not in unused and {"key", "keyword", "corpus"} <= set(unused)
    assert "keyword" not in unused_settings(engine.TrainConfig(task="vigenere"))


@pytest.mark.parametrize("ask", [
    lambda: tasks.task_class("no-such-task"),
    lambda: engine.TrainConfig(task="no-such-task"),
    lambda: engine.TrainConfig.from_dict({"task": "no-such-task"}),
    lambda: unused_settings(SimpleNamespace(task="no-such-task", corpus=None)),
    lambda: tasks.vocabulary_for(SimpleNamespace(task="no-such-task"), Vocabulary("AB")),
    lambda: tasks.make(SimpleNamespace(task="no-such-task"), "cpu", None),
], ids=["task_class", "config", "from_dict", "unused_settings", "vocabulary_for", "make"])
def test_an_unknown_task_is_a_config_error_naming_it(ask):
    with pytest.raises(engine.ConfigError) as info:
        ask()
    assert info.value.field == "task"
    assert f"'no-such-task' is not one of {', '.join(tasks.names())}" in str(info.value)


def test_a_task_that_is_not_a_task_class_is_refused():
    with pytest.raises(TypeError, match="not a subclass"):
        tasks.register(SimpleNamespace(name="no-such-task"))


def test_every_registered_task_names_a_preset_of_its_own_task():
    """`rnnplay train --task NAME` starts from the task's recommended preset: it must exist and train that task."""
    from engine import presets

    for name in tasks.names():
        assert presets.get(tasks.task_class(name).preset).task == name
