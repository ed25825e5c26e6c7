"""The Task interface (engine/tasks/base.py): a half-defined task is refused by name when registered, a name is
registered once, and a registered task is asked like the others. The registry's own tests: test_tasks.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import engine
from engine import tasks
from engine.config import unused_settings
from engine.tasks.base import Accepted, CipherTask, Exact, Task, script_part
from engine.vocab import Vocabulary

LETTERS = "AB"


class CopyTask(Task):
    """A test-only task: the model repeats each letter it reads."""

    name = "copy"
    summary = "repeat each letter"
    preset = "caesar"
    options = frozenset({"length", "batch_size"})
    fresh = True
    scored_by = "accuracy"
    play_help = ("Type A and B: the model repeats them.",)

    @classmethod
    def check(cls, config) -> None:
        if config.length > 64:
            raise engine.ConfigError("length", "the copy task copies at most 64 letters")

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        return {}

    @classmethod
    def vocabulary_for(cls, config, saved):
        return Vocabulary(LETTERS)

    @classmethod
    def vocabulary_size(cls, config) -> int:
        return len(LETTERS)

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        return Accepted(lambda ch: ch in LETTERS, "A or B")

    @classmethod
    def reference(cls, config, text: str) -> str:
        return text

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> Exact:
        return Exact((("exact copy", text),), text, text, "model copy")

    @classmethod
    def generated_length(cls, config) -> None:
        return None

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("input", "copy", "model output")

    @classmethod
    def export_section(cls, config) -> str:
        return script_part("VOCAB = $letters\n", letters=repr(LETTERS))

    def __init__(self, config, device, generator, vocab=None):
        super().__init__(config, device, generator)
        self.vocab = Vocabulary(LETTERS)
        self.shape = (config.batch_size, config.length)
        self.chars_per_step = config.batch_size * config.length

    def batch(self):
        import torch

        x = torch.randint(0, len(LETTERS), self.shape, generator=self.generator, device=self.device)
        return x, x

    def evaluate(self, model) -> dict:
        from engine.tasks.common import scored_with_samples

        x, y = self.batch()
        return scored_with_samples(model, self.vocab, x, y)

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        from engine.tasks.common import argmax_over

        return argmax_over(model, self.vocab, self.inputs(text))

    def inputs(self, text: str) -> str:
        return "".join(ch for ch in text if ch in LETTERS)


@pytest.fixture
def registry():
    """The registry as it was before the test (a test's own task leaves with it)."""
    saved = dict(tasks.REGISTRY)
    yield tasks.REGISTRY
    tasks.REGISTRY.clear()
    tasks.REGISTRY.update(saved)


def without(name: str, base: type = CopyTask) -> type:
    """CopyTask's definition with `name` left out (inherited from Task, where it is abstract or unset)."""
    namespace = {key: value for key, value in vars(base).items() if key not in (name, "__dict__", "__weakref__")}
    return type("IncompleteCopy", (Task,), namespace)  # a name that names no method or fact


def test_the_interface_names_what_a_task_must_define():
    assert Task.__abstractmethods__ == {
        "check", "unused_settings", "vocabulary_for", "vocabulary_size", "accepted", "reference", "play",
        "generated_length", "sample_labels", "export_section", "batch", "evaluate", "predict", "inputs"}
    assert CipherTask.__abstractmethods__ - Task.__abstractmethods__ == {"encipher", "decipher", "normalize"}


@pytest.mark.parametrize("method", sorted(Task.__abstractmethods__))
def test_a_task_missing_a_method_is_refused_by_name(registry, method):
    incomplete = without(method)
    with pytest.raises(TypeError, match=method):
        tasks.register(incomplete)
    with pytest.raises(TypeError, match=method):
        incomplete(SimpleNamespace(batch_size=2, length=3), "cpu", None)
    assert "copy" not in registry


@pytest.mark.parametrize("fact", Task.required_facts)
def test_a_task_missing_a_fact_is_refused_by_name(registry, fact):
    with pytest.raises(TypeError, match=fact):
        tasks.register(without(fact))
    assert "copy" not in registry


def test_a_cipher_without_its_cipher_is_refused_by_name(registry):
    namespace = {key: value for key, value in vars(CopyTask).items() if key not in ("__dict__", "__weakref__")}
    cipher = type("CopyCipher", (CipherTask,), namespace)
    with pytest.raises(TypeError, match="key_setting"):
        tasks.register(cipher)
    cipher.key_setting, cipher.key_required, cipher.key_words = "key", False, "a shift"
    with pytest.raises(TypeError, match="decipher, encipher, normalize"):
        tasks.register(cipher)


def test_a_name_is_registered_once(registry):
    tasks.register(CopyTask)
    with pytest.raises(ValueError, match="'copy' is already registered"):
        tasks.register(CopyTask)
    taken = type("AnotherCaesar", (CopyTask,), {"name": "caesar"})
    with pytest.raises(ValueError, match="'caesar' is already registered"):
        tasks.register(taken)
    assert registry["caesar"] is tasks.caesar.CaesarTask


def test_a_registered_task_is_validated_and_asked_like_the_others(registry):
    with pytest.raises(engine.ConfigError, match="'copy' is not one of"):
        engine.TrainConfig(task="copy")
    tasks.register(CopyTask)
    config = engine.TrainConfig(task="copy", length=8)
    assert tasks.task_class("copy") is CopyTask and "copy" in tasks.names()
    with pytest.raises(engine.ConfigError, match="length: the copy task copies at most 64") as info:
        config.replace(length=65)
    assert info.value.field == "length"
    assert {"key", "corpus", "pairs", "symbols", "delay", "keyword"} <= set(unused_settings(config))
    assert CopyTask.refused(config, None, "ABxA") == "'x' not accepted: type A or B"
    assert CopyTask not in tasks.ciphers() and tasks.caesar.CaesarTask in tasks.ciphers()
