"""One module per task. Importing this package stays cheap: task data code loads torch on first use."""

from __future__ import annotations

from engine.tasks import caesar

__all__ = ["caesar", "make"]


def make(config, device, generator, vocab=None):
    """The task object a Trainer feeds from: vocab, batch(), evaluate(model), predict(model, text).

    With `vocab` (from a checkpoint) the task only predicts: it reads no corpus.
    """
    if config.task == "caesar":
        return caesar.CaesarTask(config, device, generator)
    if config.task == "completion":
        from engine.tasks.completion import CompletionTask
        return CompletionTask(config, device, generator, vocab)
    from engine.tasks.mapping import MappingTask
    return MappingTask(config, device, generator)
