"""The task registry: one module per task (its class subclasses engine.tasks.base.Task), one line each here.

Importing this stays cheap: the task modules import torch only inside the methods that build data.
Consumers ask the registered class (task_class(name)) for everything about a task; an unknown name is
a ConfigError naming it, never another task's behaviour. A test can register() a task of its own.
"""

from __future__ import annotations

from engine.tasks.base import MEASURES, CipherTask, Task
from engine.tasks.caesar import CaesarTask
from engine.tasks.completion import CompletionTask
from engine.tasks.echo import EchoTask
from engine.tasks.mapping import MappingTask
from engine.tasks.vigenere import VigenereTask

__all__ = ["REGISTRY", "Task", "CipherTask", "register", "names", "task_class", "ciphers", "all_options",
           "vocabulary_for", "make"]

REGISTRY: dict[str, type[Task]] = {}


def register(cls: type[Task]) -> type[Task]:
    """Add a task class under its name. Refuses, naming what is wrong: a class that is not a Task, a fact
    left unset, a method left abstract, a name already taken."""
    if not (isinstance(cls, type) and issubclass(cls, Task)):
        raise TypeError(f"{cls!r} is not a subclass of engine.tasks.base.Task")
    missing = [fact for fact in cls.required_facts if not hasattr(cls, fact)]
    if missing:
        raise TypeError(f"task class {cls.__name__} does not set {', '.join(missing)}")
    if cls.__abstractmethods__:
        raise TypeError(f"task class {cls.__name__} does not define {', '.join(sorted(cls.__abstractmethods__))}")
    if not isinstance(cls.name, str) or not cls.name.isprintable() or not cls.name or " " in cls.name:
        raise ValueError(f"task class {cls.__name__}: name {cls.name!r} is not one printable word")
    if cls.scored_by not in MEASURES:
        raise ValueError(f"task class {cls.__name__}: scored_by {cls.scored_by!r} is not one of {', '.join(MEASURES)}")
    if cls.name in REGISTRY:
        raise ValueError(f"a task named {cls.name!r} is already registered ({REGISTRY[cls.name].__qualname__})")
    REGISTRY[cls.name] = cls
    return cls


register(CaesarTask)
register(CompletionTask)
register(MappingTask)
register(EchoTask)
register(VigenereTask)


def names() -> list[str]:
    return list(REGISTRY)


def task_class(name: str) -> type[Task]:
    """The task registered as `name`; ConfigError("task") naming it, the tasks there are and the closest."""
    if isinstance(name, str) and name in REGISTRY:
        return REGISTRY[name]
    from engine.config import ConfigError, _suggest  # engine.config asks this package: imported on use
    from engine.text import echo

    raise ConfigError("task", f"{echo(name)} is not one of {', '.join(REGISTRY)}{_suggest(name, REGISTRY)}")


def ciphers() -> list[type[CipherTask]]:
    """The tasks with an exact cipher (`rnnplay encrypt/decrypt --cipher NAME`), in registration order."""
    return [cls for cls in REGISTRY.values() if issubclass(cls, CipherTask)]


def all_options() -> list[str]:
    """Every TrainConfig task option some registered task reads, sorted."""
    return sorted(set().union(*(cls.options for cls in REGISTRY.values())))


def vocabulary_for(config, saved):
    """The vocabulary a checkpoint of `config`'s task must have (each task class says which)."""
    return task_class(config.task).vocabulary_for(config, saved)


def make(config, device, generator, vocab=None) -> Task:
    """The task object a Trainer feeds from: vocab, batch(), evaluate(model), predict(model, text).

    With `vocab` (from a checkpoint) a task that reads data files only predicts: it reads no corpus.
    """
    return task_class(config.task)(config, device, generator, vocab)
