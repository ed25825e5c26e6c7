"""Vigenère: the Caesar alphabet with a repeating keyword. Decrypting needs to know the position.

Position t is shifted by the keyword letter at t modulo the keyword's length (A = 0, so keyword
`N` is the Caesar cipher with key 13). The model reads ciphertext and emits plaintext; to undo
the shift it must count positions modulo the keyword length, which takes memory.
"""

from __future__ import annotations

from engine.tasks.base import script_part
from engine.tasks.caesar import ALPHABET, CIPHER_DATA_SCRIPT, CaesarTask, normalize

MAX_KEYWORD = 64
KEYWORD_RULE = f"1 to {MAX_KEYWORD} letters A-Z"


def valid_keyword(keyword) -> bool:
    # ASCII letters only: str.upper() turns 'ß' into 'SS' and 'ſ' into 'S', which the letters A-Z test would pass
    return isinstance(keyword, str) and 1 <= len(keyword) <= MAX_KEYWORD and keyword.isascii() and keyword.isalpha()


def shifts(keyword: str) -> list[int]:
    """The shift of each keyword letter (A = 0 ... Z = 25); ValueError for anything but letters."""
    if not valid_keyword(keyword):
        raise ValueError(f"keyword must be {KEYWORD_RULE}")
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


SCRIPT = '''
# ---- the task: decrypt a Vigenere cipher (the shift depends on the position) ----------------------
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-"  # 26 capitals and '-' for every other character
VOCAB = ALPHABET
KEYWORD, LENGTH, BATCH_SIZE = $keyword, $length, $batch_size
SHIFTS = torch.tensor([ord(ch) - ord("A") for ch in KEYWORD], device=DEVICE)  # A = 0, B = 1, ...
SHIFT = SHIFTS.repeat(LENGTH // len(KEYWORD) + 1)[:LENGTH]  # the shift at each position


def encrypt(plain):
    return (plain + SHIFT) % len(ALPHABET)  # to undo it the model must count positions: memory
'''


class VigenereTask(CaesarTask):
    """The Caesar task with a shift per position: pairs (ciphertext, plaintext) of random messages."""

    name = "vigenere"
    summary = "decrypt a Vigenere cipher (needs to count positions)"
    preset = "vigenere"
    options = frozenset({"keyword", "length", "batch_size"})
    play_help = ("Type plain text: its exact Vigenère ciphertext and the model's decryption of it.",
                 "Type ciphertext: the exact decryption and the model's.")
    key_setting, key_required, key_words = "keyword", True, "the repeating keyword, letters A-Z (A shifts by 0)"

    @classmethod
    def encipher(cls, config, text: str) -> str:
        return encrypt(text, config.keyword)

    @classmethod
    def decipher(cls, config, text: str) -> str:
        return decrypt(text, config.keyword)

    @classmethod
    def export_section(cls, config) -> str:
        return script_part(SCRIPT + CIPHER_DATA_SCRIPT, keyword=repr(config.keyword.upper()), length=config.length,
                           batch_size=config.batch_size)

    def _shift(self, config, device):
        import torch

        key = torch.tensor(shifts(config.keyword), device=device)
        return key.repeat(config.length // len(key) + 1)[: config.length]  # the shift at each position
