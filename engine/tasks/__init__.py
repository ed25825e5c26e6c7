"""The task registry: one module per task, one line each here. Importing this stays cheap (no torch).

A task module defines its task class (vocab, batch(), evaluate(model), predict(model, text, ...),
shape, chars_per_step) and an exact reference function with test vectors where the task has one.
The registry names, for each task, the class to build, the config fields it reads (the CLI refuses
the others, the app hides them), its recommended preset and a one-line summary.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from engine.tasks import caesar, echo, vigenere

__all__ = ["caesar", "echo", "vigenere", "make", "task_class", "vocabulary_for", "REGISTRY", "TaskInfo", "names"]


@dataclass(frozen=True)
class TaskInfo:
    name: str
    target: str  # "module:Class", imported on first use (task data code loads torch)
    options: frozenset[str]  # the task options of TrainConfig that this task reads
    preset: str  # the recommended preset: the base for `rnnplay train --task NAME`
    summary: str
    fresh: bool = False  # evaluates on freshly drawn data it never trained on (a corpus's tail is judged apart)


def _task(name: str, target: str, options: str, preset: str, summary: str, fresh: bool = False) -> TaskInfo:
    return TaskInfo(name, target, frozenset(options.split()), preset, summary, fresh)


REGISTRY: dict[str, TaskInfo] = {t.name: t for t in [
    _task("caesar", "engine.tasks.caesar:CaesarTask", "key length batch_size", "caesar",
          "decrypt a Caesar cipher, position by position", fresh=True),
    _task("completion", "engine.tasks.completion:CompletionTask", "corpus length batch_size", "completion",
          "complete text character by character"),
    _task("mapping", "engine.tasks.mapping:MappingTask", "pairs", "hello", "map strings (hello -> ohlol)"),
    _task("echo", "engine.tasks.echo:EchoTask", "symbols delay length batch_size", "echo",
          "repeat a stream of symbols after a delay (needs memory)", fresh=True),
    _task("vigenere", "engine.tasks.vigenere:VigenereTask", "keyword length batch_size", "vigenere",
          "decrypt a Vigenere cipher (needs to count positions)", fresh=True),
]}


def names() -> list[str]:
    return list(REGISTRY)


def task_class(name: str):
    """The task's class, imported on first use."""
    module, _, cls = REGISTRY[name].target.partition(":")
    return getattr(importlib.import_module(module), cls)


def vocabulary_for(config, saved):
    """The vocabulary a checkpoint of `config`'s task must have (each task class says which)."""
    return task_class(config.task).vocabulary_for(config, saved)


def make(config, device, generator, vocab=None):
    """The task object a Trainer feeds from: vocab, batch(), evaluate(model), predict(model, text).

    With `vocab` (from a checkpoint) a task that reads data files only predicts: it reads no corpus.
    """
    return task_class(config.task)(config, device, generator, vocab)
