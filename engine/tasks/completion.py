"""Lesson B: complete text character by character.

Without a corpus it is the lesson exactly: three sentences padded with spaces, input = sentence
without its last character, target = without its first, all in one batch. With a corpus file it
trains on random windows and validates on a held-out tail (the last 10%): the headline bits per
character with the state carried through it, and beside it the figure for windows of --length.
"""

from __future__ import annotations

import math

import torch

from engine.events import Sample
from engine.models import generate
from engine.storage import corpus_files
from engine.storage.corpus_files import UNKNOWN, CorpusError
from engine.tasks import held_out
from engine.tasks.common import LN2, check_prediction_length, score
from engine.vocab import Vocabulary

SENTENCES = ("hey how are you", "good i am fine", "have a nice day")
HELD_OUT = 0.1


class CompletionTask:
    @staticmethod
    def vocabulary_for(config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the sentences', or a corpus's shape (the
        unknown symbol first, then single characters sorted; the corpus itself is not read here)."""
        if config.corpus is None:
            width = max(map(len, SENTENCES))
            return Vocabulary.from_text("".join(s.ljust(width) for s in SENTENCES), UNKNOWN)
        rest = [s for s in saved.symbols if s != UNKNOWN]
        if all(len(s) == 1 for s in rest):
            return Vocabulary([UNKNOWN, *sorted(rest)], unknown=UNKNOWN)
        return Vocabulary([UNKNOWN], unknown=UNKNOWN)  # a multi-character symbol never fits

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
            self._init_corpus(*corpus_files.load(config.corpus), config.corpus)

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

    def _init_corpus(self, vocab: Vocabulary, ids: torch.Tensor, path: str):
        self.sentences = False
        self.vocab = vocab
        split = int(len(ids) * (1 - HELD_OUT))
        if split < self.length + 1 or len(ids) - split < self.length + 1:  # a window each side of the split
            raise CorpusError(path, f"has {len(ids):,} characters; --length {self.length} needs at least "
                              f"{minimum_size(self.length):,} (training windows plus a 10% held-out tail)")
        data = ids.to(self.device)  # compact ids (uint8/int16); batches are converted to long
        self.train_data, self.held = data[:split], data[split:]
        self.offsets = torch.arange(self.length + 1, device=self.device)
        self.eval_x, self.eval_y = held_out.windows(self.held, self.length)
        self.default_length = 200
        self.shape = (self.batch_size, self.length)
        self.chars_per_step = self.batch_size * self.length

    def batch(self):
        if self.sentences:
            return self.x, self.y
        starts = torch.randint(0, self.train_data.numel() - self.length - 1, (self.batch_size,),
                               generator=self.generator, device=self.device)
        window = self.train_data[starts[:, None] + self.offsets].long()
        return window[:, :-1], window[:, 1:]

    def evaluate(self, model) -> dict:
        if self.sentences:
            loss, accuracy, _ = score(model, self.x, self.y)
            samples = tuple(self._sample(model, s[: s.index(" ") if " " in s else 1], s) for s in SENTENCES)
            return {"loss": loss, "accuracy": accuracy, "bits_per_char": loss / LN2, "samples": samples}
        loss = held_out.full_context_loss(model, self.held)
        windowed = held_out.windowed_loss(model, self.eval_x, self.eval_y)
        held = self.held[: 3 * 80].tolist()
        count = min(3, max(1, len(held) // 80))  # a short tail has room for fewer than three
        samples = tuple(self._sample(model, self.vocab.decode(held[i * 80: i * 80 + 32]),
                                     self.vocab.decode(held[i * 80: i * 80 + 80])) for i in range(count))
        return {"loss": loss, "bits_per_char": loss / LN2, "windowed_bits_per_char": windowed / LN2,
                "samples": samples}

    def _sample(self, model, prefix: str, target: str) -> Sample:
        return Sample(prefix, target, self.predict(model, prefix, len(target)))

    def inputs(self, text: str) -> str:
        """What the model reads for `text`: Windows line ends as one newline (as in a corpus), and any
        character outside the vocabulary as the unknown symbol."""
        return "".join(ch if ch in self.vocab else UNKNOWN for ch in text.replace("\r\n", "\n"))

    def targets(self, text: str) -> str:
        """What each position should predict: the next character (the last one has none)."""
        return text[1:]

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


def minimum_size(length: int) -> int:
    """The fewest characters a corpus may have at `length`: enough for a window of length + 1 characters
    in the held-out tail (the training part, nine times as long, then has room for one too)."""
    def fits(size: int) -> bool:  # the task's own split
        split = int(size * (1 - HELD_OUT))
        return split >= length + 1 and size - split >= length + 1

    size = math.ceil((length + 1) / HELD_OUT) + 10  # fits, float rounding of the division aside
    while fits(size - 1):  # the split rounds down, so a few characters fewer may still fit
        size -= 1
    return size
