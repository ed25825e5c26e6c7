"""Lesson A: a Caesar cipher over 26 capitals plus '-' (any foreign character), learned by an RNN.

The cipher itself is plain Python (fast to import for `rnnplay encrypt`); the task's tensor code
imports torch on first use.
"""

from __future__ import annotations

from engine.vocab import Vocabulary

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
VOCAB = Vocabulary(ALPHABET, unknown="-")
EVAL_MESSAGES = 256
MIN_EVAL_MESSAGES = 32


def normalize(text: str) -> str:
    """Upper-case letters A-Z; every other character becomes '-', as the lesson says."""
    return "".join(ch if ch in ALPHABET else "-" for ch in (c.upper() if "a" <= c <= "z" else c for c in text))


def shift(text: str, by: int) -> str:
    return "".join(ALPHABET[(ALPHABET.index(ch) + by) % len(ALPHABET)] for ch in normalize(text))


def encrypt(text: str, key: int = 13) -> str:
    """Exact cipher: each symbol index i becomes (i + key) % 27."""
    return shift(text, _key(key))


def decrypt(text: str, key: int = 13) -> str:
    """Exact inverse: (i - key) % 27. With 27 symbols, key 13 is not its own inverse."""
    return shift(text, -_key(key))


def _key(key: int) -> int:
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(ALPHABET):
        raise ValueError(f"key must be a whole number from 0 to {len(ALPHABET) - 1}, got {key!r}")
    return key


class CaesarTask:
    @staticmethod
    def vocabulary_for(config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the cipher alphabet."""
        return VOCAB

    """Pairs (encrypted, original) of random messages, generated on the device with tensor ops."""

    def __init__(self, config, device, generator, vocab=None):
        import torch

        self.vocab = VOCAB
        self.key, self.length, self.batch_size = config.key, config.length, config.batch_size
        self.device, self.generator = device, generator
        self.shape = (self.batch_size, self.length)
        self.chars_per_step = self.batch_size * self.length
        # a fixed set of fresh messages, never trained on, so evaluations are comparable; sized to the
        # batch (32 to 256 messages), so that evaluating costs about a third of a step, whatever the shape
        eval_gen = torch.Generator(device="cpu").manual_seed(config.seed + 1_000_003)
        messages = min(EVAL_MESSAGES, max(MIN_EVAL_MESSAGES, self.batch_size))
        plain = torch.randint(0, len(ALPHABET), (messages, self.length), generator=eval_gen)
        self.shift = self._shift(config, device)
        self.eval_x, self.eval_y = self._pair(plain.to(device))

    def _shift(self, config, device):
        """How far each position is shifted: the key, the same everywhere (a Vigenere task varies it)."""
        return config.key

    def _pair(self, plain):
        return (plain + self.shift) % len(ALPHABET), plain

    def batch(self):
        import torch

        plain = torch.randint(0, len(ALPHABET), (self.batch_size, self.length),
                              generator=self.generator, device=self.device)
        return self._pair(plain)

    def evaluate(self, model) -> dict:
        from engine.tasks.common import scored_with_samples

        return scored_with_samples(model, VOCAB, self.eval_x, self.eval_y)

    def inputs(self, text: str) -> str:
        """What the model reads for `text`: ciphertext, in the alphabet."""
        return normalize(text)

    def targets(self, text: str) -> str:
        return decrypt(text, self.key)

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's decryption of `text` (normalised to the alphabet first)."""
        from engine.tasks.common import argmax_over

        return argmax_over(model, VOCAB, normalize(text))
