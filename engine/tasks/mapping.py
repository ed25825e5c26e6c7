"""Lesson C: map one string to another position by position ("hello" -> "ohlol")."""

from __future__ import annotations

from engine.tasks.base import Accepted, Task, script_part
from engine.vocab import Vocabulary

SCRIPT = '''
# ---- the task: map each input string to its output, position by position -------------------------
PAIRS = $pairs
VOCAB = sorted({ch for pair in PAIRS for text in pair for ch in text})
X = torch.tensor([[VOCAB.index(ch) for ch in source] for source, _ in PAIRS], device=DEVICE)
Y = torch.tensor([[VOCAB.index(ch) for ch in target] for _, target in PAIRS], device=DEVICE)


def make_batch(generator):
    return X, Y  # every pair in every batch: nothing random here


def show(model):
    for (source, target), guess in list(zip(PAIRS, predicted(model, X), strict=True))[:8]:
        print(f"{source!r} -> {decode(guess)!r} (wanted {target!r})")
'''


def symbols(pairs) -> list[str]:
    """The pairs' characters, sorted: the vocabulary (no unknown symbol: the lesson's one-hot size is
    exactly its 4 characters)."""
    return sorted({ch for pair in pairs for text in pair for ch in text})


class MappingTask(Task):
    """Every pair in one batch per step; the vocabulary is the sorted characters of all pairs."""

    name = "mapping"
    summary = "map strings (hello -> ohlol)"
    preset = "hello"
    options = frozenset({"pairs"})
    fresh = False
    scored_by = "accuracy"
    play_help = ("Type a string of the training characters: the model maps it.",)

    @classmethod
    def check(cls, config) -> None:
        """Nothing beyond the pairs' own rules (engine.config checks the field)."""

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        reason = "every pair trains in one batch, and the pairs set the length"
        return {"length": reason, "batch_size": reason}

    @classmethod
    def vocabulary_for(cls, config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the pairs' characters, sorted."""
        return Vocabulary(symbols(config.pairs))

    @classmethod
    def vocabulary_size(cls, config) -> int:
        return len(symbols(config.pairs))

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        known = symbols(config.pairs)
        return Accepted(lambda ch: ch in known, f"the pairs' characters: {' '.join(known)}")

    @classmethod
    def reference(cls, config, text: str) -> str | None:
        """The pair's output when `text` is one of the training inputs."""
        return dict(config.pairs).get(text)

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> None:
        return None  # any string of the characters may be typed: only the training inputs have an answer

    @classmethod
    def generated_length(cls, config) -> None:
        return None

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("input", "target", "model output")

    @classmethod
    def export_section(cls, config) -> str:
        return script_part(SCRIPT, pairs=repr(tuple(tuple(p) for p in config.pairs)))

    def __init__(self, config, device, generator, vocab=None):
        import torch

        super().__init__(config, device, generator)
        self.pairs = config.pairs
        self.vocab = Vocabulary(symbols(self.pairs))
        self.x = torch.tensor([self.vocab.encode(src) for src, _ in self.pairs], device=device)
        self.y = torch.tensor([self.vocab.encode(dst) for _, dst in self.pairs], device=device)
        self.shape = tuple(self.x.shape)
        self.chars_per_step = self.x.numel()

    def batch(self):
        return self.x, self.y

    def evaluate(self, model) -> dict:
        from engine.events import Sample
        from engine.tasks.common import score

        loss, accuracy, predicted = score(model, self.x, self.y)
        samples = tuple(Sample(src, dst, self.vocab.decode(predicted[i].tolist()))
                        for i, (src, dst) in enumerate(self.pairs[:8]))
        return {"loss": loss, "accuracy": accuracy, "samples": samples}

    def inputs(self, text: str) -> str:
        return text

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        from engine.tasks.common import argmax_over

        return argmax_over(model, self.vocab, text)
