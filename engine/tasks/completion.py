"""Lesson B: complete text character by character.

Without a corpus it is the lesson exactly: three sentences padded with spaces, input = sentence
without its last character, target = without its first, all in one batch. With a corpus file it
trains on random windows and validates on a held-out tail.
"""

from __future__ import annotations

import math
import os

import torch

from engine.config import ConfigError
from engine.events import Sample
from engine.models import generate
from engine.tasks.common import LN2, check_prediction_length, loss_of, score
from engine.vocab import Vocabulary

SENTENCES = ("hey how are you", "good i am fine", "have a nice day")
UNKNOWN = "\ufffd"
MAX_CORPUS_BYTES = 512 * 1024 * 1024
HELD_OUT = 0.1
EVAL_CHARS = 32_768


class CorpusError(ConfigError):
    def __init__(self, path: str, message: str):
        super().__init__("corpus", f"{path}: {message}")


def read_corpus(path: str) -> str:
    """The text of a UTF-8 corpus file, or CorpusError saying what is wrong with it."""
    if not os.path.exists(path):
        raise CorpusError(path, "no such file")
    if os.path.isdir(path):
        raise CorpusError(path, "is a folder; expected a UTF-8 text file")
    size = os.path.getsize(path)
    if size > MAX_CORPUS_BYTES:
        raise CorpusError(path, f"is {size / 2**20:,.0f} MiB; at most {MAX_CORPUS_BYTES // 2**20} MiB is accepted")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CorpusError(path, f"cannot be read ({e.strerror})") from None
    if b"\x00" in data:
        raise CorpusError(path, "looks binary (contains NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(path, f"is not UTF-8 (bad byte at offset {e.start}); expected UTF-8 text") from None
    if not text.strip():
        raise CorpusError(path, "is empty")
    return text


class CompletionTask:
    def __init__(self, config, device, generator, vocab: Vocabulary | None = None):
        self.device, self.generator = device, generator
        self.batch_size, self.length = config.batch_size, config.length
        self.sample_gen = torch.Generator(device="cpu").manual_seed(config.seed + 7)
        if vocab is not None:  # predicting from a checkpoint: no data needed
            self.vocab, self.sentences = vocab, config.corpus is None
            self.default_length = max(map(len, SENTENCES)) if self.sentences else 200
        elif config.corpus is None:
            self._init_sentences()
        else:
            self._init_corpus(read_corpus(config.corpus), config.corpus)

    def _init_sentences(self):
        self.sentences = True
        width = max(map(len, SENTENCES))
        padded = [s.ljust(width) for s in SENTENCES]
        self.vocab = Vocabulary.from_text("".join(padded), UNKNOWN)
        ids = torch.tensor([self.vocab.encode(s) for s in padded], device=self.device)
        self.x, self.y = ids[:, :-1], ids[:, 1:]
        self.default_length = width
        self.shape = tuple(self.x.shape)
        self.chars_per_step = self.x.numel()

    def _init_corpus(self, text: str, path: str):
        self.sentences = False
        self.vocab = Vocabulary.from_text(text, UNKNOWN)
        split = int(len(text) * (1 - HELD_OUT))
        need = 2 * (self.length + 1)
        if split < self.length + 1 or len(text) - split < self.length + 1:
            raise CorpusError(path, f"has {len(text):,} characters; --length {self.length} needs at least "
                              f"{math.ceil(need / HELD_OUT):,} (training windows plus a 10% held-out tail)")
        data = torch.tensor(self.vocab.encode(text), dtype=torch.long, device=self.device)
        self.train_data, held = data[:split], data[split:]
        self.offsets = torch.arange(self.length + 1, device=self.device)
        windows = min((held.numel() - 1) // self.length, max(1, EVAL_CHARS // self.length))
        starts = torch.linspace(0, held.numel() - self.length - 1, windows, device=self.device).long()
        idx = starts[:, None] + self.offsets
        self.eval_x, self.eval_y = held[idx[:, :-1]], held[idx[:, 1:]]
        self.held = held
        self.default_length = 200
        self.shape = (self.batch_size, self.length)
        self.chars_per_step = self.batch_size * self.length

    def batch(self):
        if self.sentences:
            return self.x, self.y
        starts = torch.randint(0, self.train_data.numel() - self.length - 1, (self.batch_size,),
                               generator=self.generator, device=self.device)
        idx = starts[:, None] + self.offsets
        return self.train_data[idx[:, :-1]], self.train_data[idx[:, 1:]]

    def evaluate(self, model) -> dict:
        if self.sentences:
            loss, accuracy, _ = score(model, self.x, self.y)
            samples = tuple(self._sample(model, s[: s.index(" ") if " " in s else 1], s) for s in SENTENCES)
            return {"loss": loss, "accuracy": accuracy, "bits_per_char": loss / LN2, "samples": samples}
        with torch.no_grad():
            losses = [loss_of(model(x)[0].float(), y).item() * len(x)
                      for x, y in zip(self.eval_x.split(256), self.eval_y.split(256), strict=True)]
        loss = sum(losses) / len(self.eval_x)
        held = self.held[: 3 * 80].tolist()
        samples = tuple(self._sample(model, self.vocab.decode(held[i * 80: i * 80 + 32]),
                                     self.vocab.decode(held[i * 80: i * 80 + 80])) for i in range(3))
        return {"loss": loss, "bits_per_char": loss / LN2, "samples": samples}

    def _sample(self, model, prefix: str, target: str) -> Sample:
        return Sample(prefix, target, self.predict(model, prefix, len(target)))

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """`text` followed by the model's continuation, `length` characters in all (the lesson's sample())."""
        check_prediction_length(text)
        length = self.default_length if length is None else length
        if length < 0 or length > 1 << 16:
            raise ValueError(f"length must be from 0 to {1 << 16}, got {length}")
        if temperature < 0 or not math.isfinite(temperature):
            raise ValueError(f"temperature must be 0 (greedy) or a positive number, got {temperature}")
        prefix = self.vocab.encode(text) or self.vocab.encode(UNKNOWN)
        count = max(0, length - len(text))
        return text + self.vocab.decode(generate(model, prefix, count, temperature, self.sample_gen))
