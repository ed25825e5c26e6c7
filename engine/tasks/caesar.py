"""Lesson A: a Caesar cipher over 26 capitals plus '-' (any foreign character), learned by an RNN.

The cipher itself is plain Python (fast to import for `rnnplay encrypt`); the task's tensor code
imports torch on first use. The Vigenere task (vigenere.py) is this task with a shift per position.
"""

from __future__ import annotations

from engine.tasks.base import Accepted, CipherTask, script_part
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


# The task's part of an exported script (engine.export.script): the cipher, then the data both ciphers share.
SCRIPT = '''
# ---- the task: decrypt a Caesar cipher ---------------------------------------------------------
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-"  # 26 capitals and '-' for every other character
VOCAB = ALPHABET
KEY, LENGTH, BATCH_SIZE = $key, $length, $batch_size


def encrypt(plain):
    return (plain + KEY) % len(ALPHABET)  # each symbol moves KEY places along the alphabet
'''

CIPHER_DATA_SCRIPT = '''

def make_batch(generator):
    """Random plaintexts; the model reads the ciphertext and must output the plaintext."""
    plain = torch.randint(0, len(ALPHABET), (BATCH_SIZE, LENGTH), generator=generator, device=DEVICE)
    return encrypt(plain), plain


def show(model):
    """Decrypt 256 fresh messages and count the characters the model gets right."""
    plain = torch.randint(0, len(ALPHABET), (256, LENGTH), generator=torch.Generator().manual_seed(SEED + 1))
    cipher, plain = encrypt(plain.to(DEVICE)), plain.to(DEVICE)
    guess = predicted(model, cipher)
    print(f"accuracy on fresh messages: {(guess == plain).float().mean().item():.1%}")
    print("ciphertext:", decode(cipher[0]))
    print("model says:", decode(guess[0]))
'''


class CaesarTask(CipherTask):
    """Pairs (encrypted, original) of random messages, generated on the device with tensor ops."""

    name = "caesar"
    summary = "decrypt a Caesar cipher, position by position"
    preset = "caesar"
    options = frozenset({"key", "length", "batch_size"})
    fresh = True
    scored_by = "accuracy"
    play_help = ("Type plain text: its exact Caesar ciphertext and the model's decryption of it.",
                 "Type ciphertext: the exact decryption and the model's.")
    key_setting, key_required, key_words = "key", False, "a shift, 0-26 (default 13)"

    @classmethod
    def check(cls, config) -> None:
        """Nothing beyond the key's own range (engine.config checks every field's)."""

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        return {}

    @classmethod
    def vocabulary_for(cls, config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the cipher alphabet."""
        return VOCAB

    @classmethod
    def vocabulary_size(cls, config) -> int:
        return len(VOCAB)

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        return Accepted(lambda ch: ch.upper() in ALPHABET or ch == " ",
                        "letters A-Z (lowercase reads as capitals), '-' or a space between words")

    @classmethod
    def normalize(cls, text: str) -> str:
        return normalize(text)

    @classmethod
    def encipher(cls, config, text: str) -> str:
        return encrypt(text, config.key)

    @classmethod
    def decipher(cls, config, text: str) -> str:
        return decrypt(text, config.key)

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("encrypted", "original", "model output")

    @classmethod
    def export_section(cls, config) -> str:
        return script_part(SCRIPT + CIPHER_DATA_SCRIPT, key=config.key, length=config.length,
                           batch_size=config.batch_size)

    def __init__(self, config, device, generator, vocab=None):
        import torch

        super().__init__(config, device, generator)
        self.vocab = VOCAB
        self.length, self.batch_size = config.length, config.batch_size
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

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's decryption of `text` (normalised to the alphabet first)."""
        from engine.tasks.common import argmax_over

        return argmax_over(model, VOCAB, normalize(text))
