"""Vigenère: the Caesar alphabet with a repeating keyword. Decrypting needs to know the position.

Position t is shifted by the keyword letter at t modulo the keyword's length (A = 0, so keyword
`N` is the Caesar cipher with key 13). The model reads ciphertext and emits plaintext; to undo
the shift it must count positions modulo the keyword length, which takes memory.
"""

from __future__ import annotations

from engine.events import Sample
from engine.tasks.caesar import ALPHABET, VOCAB, normalize

EVAL_MESSAGES = 256
MAX_KEYWORD = 64


def shifts(keyword: str) -> list[int]:
    """The shift of each keyword letter (A = 0 ... Z = 25); ValueError for anything but letters."""
    if not isinstance(keyword, str) or not keyword or len(keyword) > MAX_KEYWORD \
            or not all("A" <= ch <= "Z" for ch in keyword.upper()):
        raise ValueError(f"keyword must be 1 to {MAX_KEYWORD} letters A-Z")
    return [ord(ch) - ord("A") for ch in keyword.upper()]


def _apply(text: str, keyword: str, sign: int) -> str:
    key = shifts(keyword)
    return "".join(ALPHABET[(ALPHABET.index(ch) + sign * key[t % len(key)]) % len(ALPHABET)]
                   for t, ch in enumerate(normalize(text)))


def encrypt(text: str, keyword: str) -> str:
    """Exact cipher over the 27 symbols: position t shifted by keyword[t % len(keyword)]."""
    return _apply(text, keyword, +1)


def decrypt(text: str, keyword: str) -> str:
    """Exact inverse of encrypt()."""
    return _apply(text, keyword, -1)


class VigenereTask:
    """Pairs (ciphertext, plaintext) of random messages, generated on the device with tensor ops."""

    def __init__(self, config, device, generator, vocab=None):
        import torch

        self.vocab, self.keyword = VOCAB, config.keyword
        self.length, self.batch_size = config.length, config.batch_size
        self.device, self.generator = device, generator
        self.shape = (self.batch_size, self.length)
        self.chars_per_step = self.batch_size * self.length
        key = torch.tensor(shifts(config.keyword), device=device)
        self.key = key.repeat(self.length // len(key) + 1)[: self.length]  # the shift at each position
        eval_gen = torch.Generator(device="cpu").manual_seed(config.seed + 1_000_003)
        plain = torch.randint(0, len(ALPHABET), (EVAL_MESSAGES, self.length), generator=eval_gen)
        self.eval_x, self.eval_y = self._pair(plain.to(device))

    def _pair(self, plain):
        return (plain + self.key) % len(ALPHABET), plain

    def batch(self):
        import torch

        plain = torch.randint(0, len(ALPHABET), (self.batch_size, self.length),
                              generator=self.generator, device=self.device)
        return self._pair(plain)

    def evaluate(self, model) -> dict:
        from engine.tasks.common import score

        loss, accuracy, predicted = score(model, self.eval_x, self.eval_y)
        samples = tuple(Sample(VOCAB.decode(self.eval_x[i].tolist()), VOCAB.decode(self.eval_y[i].tolist()),
                               VOCAB.decode(predicted[i].tolist())) for i in range(3))
        return {"loss": loss, "accuracy": accuracy, "samples": samples}

    def inputs(self, text: str) -> str:
        """What the model reads for `text`: ciphertext, in the alphabet."""
        return normalize(text)

    def targets(self, text: str) -> str:
        return decrypt(text, self.keyword)

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's decryption of ciphertext `text` (normalised to the alphabet first)."""
        from engine.tasks.common import argmax_over

        return argmax_over(model, VOCAB, normalize(text))
