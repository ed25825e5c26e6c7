"""The Task interface: everything about a task lives in its class, and every consumer asks the class.

Class facts and class methods are read without building the task and without torch (validation,
the command line, the app's Setup, Play and Samples views, the race, export-script, checkpoints);
class methods take an engine.TrainConfig. An instance feeds a Trainer: batch(), evaluate(model),
predict(model, text, ...), inputs(text), targets(text), `shape` and `chars_per_step` (set in
__init__). engine.tasks.register() refuses a class that leaves a fact unset or a method abstract,
naming it, so a new task cannot reach a consumer half-defined.

A task with an exact cipher subclasses CipherTask: `rnnplay encrypt/decrypt --cipher NAME` and Play's
second direction (ctrl+d) are offered for it.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from string import Template
from typing import Any, ClassVar, NamedTuple

SHOWN_BAD = 5  # distinct refused characters quoted in the reason line
MEASURES = ("accuracy", "loss")  # what a task's evaluations can be ranked by


class Accepted(NamedTuple):
    """Which characters a model is asked about (Play, `rnnplay predict`, `inspect`): the test, and the
    same in words for the reason line. What a model would read as a blank or an unknown symbol is
    refused, not answered: an answer to a question the user did not ask looks like a wrong model."""

    ok: Callable[[str], bool]
    words: str


@dataclass(frozen=True)
class Exact:
    """Play's answer when the task knows the exact one: rows shown above the model's answer (the last
    one is the exact answer, in bold), the text the model is asked, and what its reply is marked against."""

    rows: tuple[tuple[str, str], ...]  # (label, text)
    question: str
    answer: str
    label: str  # the model's row


def script_part(template: str, **values: Any) -> str:
    """An export-script section: `$name` in `template` replaced by values the caller made safe (repr())."""
    return Template(template).substitute({key: str(value) for key, value in values.items()})


class Task(abc.ABC):
    # the class facts a task states (register() names the first one missing)
    required_facts: ClassVar[tuple[str, ...]] = ("name", "summary", "preset", "options", "fresh", "scored_by",
                                                 "play_help")
    name: ClassVar[str]  # the config's `task` value and the registry's key
    summary: ClassVar[str]  # one line: what the model learns
    preset: ClassVar[str]  # the recommended preset: the base for `rnnplay train --task NAME`
    options: ClassVar[frozenset[str]]  # the TrainConfig task options it reads (the CLI refuses the rest)
    fresh: ClassVar[bool]  # draws fresh data without end: it never trains on the same example twice
    scored_by: ClassVar[str]  # what a race plots per evaluation: "accuracy" or "loss"
    play_help: ClassVar[tuple[str, ...]]  # Play's help line, one per direction (two: ctrl+d turns it round)

    # -- what a config means for this task (no torch, nothing built) ---------------------------------

    @classmethod
    @abc.abstractmethod
    def check(cls, config) -> None:
        """Raise engine.config.ConfigError, naming the field, for settings this task cannot train with. Runs
        inside engine.config.validate, after each task option's own range check."""

    @classmethod
    @abc.abstractmethod
    def unused_settings(cls, config) -> dict[str, str]:
        """{field: why it has no effect} beyond the task options this task never reads (engine.config adds
        those). Reads only `task`, `corpus` and `until` (the Setup form passes just these)."""

    @classmethod
    @abc.abstractmethod
    def vocabulary_for(cls, config, saved):
        """The Vocabulary a checkpoint of this task must have (`saved`: the one the file holds)."""

    @classmethod
    @abc.abstractmethod
    def vocabulary_size(cls, config) -> int | None:
        """The vocabulary's size from the settings alone, or None when data decides it (a corpus)."""

    @classmethod
    @abc.abstractmethod
    def accepted(cls, config, vocab) -> Accepted:
        """The characters a model of this task is asked about; `vocab` is the model's (None before one exists)."""

    @classmethod
    @abc.abstractmethod
    def reference(cls, config, text: str) -> str | None:
        """The exact answer to the model input `text` (Play and inspect mark the model against it), position by
        position; None when there is none for this text."""

    @classmethod
    @abc.abstractmethod
    def play(cls, config, text: str, reverse: bool = False) -> Exact | None:
        """What Play shows for typed `text` beside the model's answer; None: the model's answer alone."""

    @classmethod
    @abc.abstractmethod
    def generated_length(cls, config) -> int | None:
        """The length Play continues typed text to by default, for a task that answers by generating text
        (Play, `rnnplay predict` then take a length and a temperature); None for one symbol per input symbol."""

    @classmethod
    @abc.abstractmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        """The Samples view's names for an evaluation sample's input, expected text and model output."""

    @classmethod
    @abc.abstractmethod
    def export_section(cls, config) -> str:
        """The task's part of an exported script: VOCAB, make_batch(generator) and show(model), in plain
        torch, drawing the batches the engine draws. Every value written into it goes through repr()."""

    @classmethod
    def held_out(cls, config) -> bool:
        """Whether evaluations score data the model never trained on (a task can say so per config)."""
        return cls.fresh

    @classmethod
    def race_data(cls, config) -> tuple:
        """What two race contestants must share to see the same data (their seed aside): the task and every
        option it reads."""
        return (cls.name, *(getattr(config, option) for option in sorted(cls.options)))

    @classmethod
    def refused(cls, config, vocab, text: str) -> str:
        """The reason line for `text`'s characters the model is not asked about, or "" when all are accepted."""
        from engine.text import echo

        ok, words = cls.accepted(config, vocab)
        bad = list(dict.fromkeys(ch for ch in text if not ok(ch)))
        if not bad:
            return ""
        quoted = ", ".join(echo(ch) for ch in bad[:SHOWN_BAD]) + (" …" if len(bad) > SHOWN_BAD else "")
        return f"{quoted} not accepted: type {words}"

    # -- a built task: data on the device, evaluation, prediction --------------------------------------

    shape: tuple[int, ...]  # one training batch's (rows, positions)
    chars_per_step: int  # symbols one training step reads

    def __init__(self, config, device, generator, vocab=None):
        """`vocab` (from a checkpoint): the task only predicts, and reads no data files."""
        self.config, self.device, self.generator = config, device, generator

    @abc.abstractmethod
    def batch(self):
        """(inputs, targets): one training batch of symbol ids on the device, drawn from self.generator."""

    @abc.abstractmethod
    def evaluate(self, model) -> dict:
        """{"loss", "samples" (engine.events.Sample), and "accuracy" / "bits_per_char" where they apply}."""

    @abc.abstractmethod
    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's answer to `text` (length and temperature: for a task that generates)."""

    @abc.abstractmethod
    def inputs(self, text: str) -> str:
        """What the model reads for `text`, in its vocabulary."""

    def targets(self, text: str) -> str | None:
        """The exact answer to the model input `text` (see reference())."""
        return self.reference(self.config, text)


class CipherTask(Task):
    """A task whose model learns an exact cipher: it reads ciphertext and answers with the plaintext."""

    required_facts = (*Task.required_facts, "key_setting", "key_required", "key_words")
    key_setting: ClassVar[str]  # the TrainConfig field holding the key; `rnnplay encrypt` takes it as --FIELD
    key_required: ClassVar[bool]  # `rnnplay encrypt` needs the key given (else the config's default applies)
    key_words: ClassVar[str]  # the key in words, for the command line's messages

    @classmethod
    @abc.abstractmethod
    def encipher(cls, config, text: str) -> str:
        """The exact ciphertext of `text` under the config's key."""

    @classmethod
    @abc.abstractmethod
    def decipher(cls, config, text: str) -> str:
        """The exact plaintext of ciphertext `text` under the config's key."""

    @classmethod
    @abc.abstractmethod
    def normalize(cls, text: str) -> str:
        """`text` in the cipher's alphabet, as the model reads it."""

    @classmethod
    def reference(cls, config, text: str) -> str:
        return cls.decipher(config, text)

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> Exact:
        """Plain text typed: its exact ciphertext, which the model is asked to decrypt; reversed: ciphertext."""
        shown = cls.normalize(text)
        if reverse:
            exact = cls.decipher(config, text)
            return Exact((("ciphertext", shown), ("exact decryption", exact)), shown, exact, "model decryption")
        cipher = cls.encipher(config, text)
        return Exact((("plaintext", shown), ("exact ciphertext", cipher)), cipher, shown, "model decryption")

    @classmethod
    def generated_length(cls, config) -> None:
        return None
