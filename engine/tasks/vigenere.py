"""Vigenère: the Caesar alphabet with a repeating keyword. Decrypting needs to know the position.

Position t is shifted by the keyword letter at t modulo the keyword's length (A = 0, so keyword
`N` is the Caesar cipher with key 13). The model reads ciphertext and emits plaintext; to undo
the shift it must count positions modulo the keyword length, which takes memory.
"""

from __future__ import annotations

from engine.tasks.caesar import ALPHABET, CaesarTask, normalize

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


class VigenereTask(CaesarTask):
    """The Caesar task with a shift per position: pairs (ciphertext, plaintext) of random messages."""

    def _shift(self, config, device):
        import torch

        self.keyword = config.keyword
        key = torch.tensor(shifts(config.keyword), device=device)
        return key.repeat(config.length // len(key) + 1)[: config.length]  # the shift at each position

    def targets(self, text: str) -> str:
        return decrypt(text, self.keyword)
