"""Echo: repeat a stream of symbols after a delay. The model must remember `delay` steps back.

The input is a stream of random symbols from the first K capital letters; the target at position t
is the input at position t - delay, and the blank symbol `-` before that. nn.RNN loses the symbol
within about ten steps; LSTM and GRU keep it: the difference the lessons are about.
"""

from __future__ import annotations

from engine.vocab import Vocabulary

BLANK = "-"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EVAL_STREAMS = 256


def alphabet(symbols: int) -> str:
    """The first `symbols` capitals: the letters a stream is drawn from."""
    return LETTERS[:symbols]


def vocabulary(symbols: int) -> Vocabulary:
    # the blank doubles as the unknown symbol: anything typed outside the letters reads as blank
    return Vocabulary(BLANK + alphabet(symbols), unknown=BLANK)


def normalize(text: str, symbols: int) -> str:
    """Upper-case; every character outside the first `symbols` capitals becomes the blank."""
    letters = alphabet(symbols)
    return "".join(ch if ch in letters else BLANK for ch in text.upper())


def echo(text: str, delay: int, symbols: int = 26) -> str:
    """Exact reference: the stream delayed by `delay` positions, blanks first, same length."""
    if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
        raise ValueError(f"delay must be a whole number from 0, got {delay!r}")
    text = normalize(text, symbols)
    return (BLANK * min(delay, len(text)) + text)[: len(text)]


class EchoTask:
    @staticmethod
    def vocabulary_for(config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the blank and the first K letters."""
        return vocabulary(config.symbols)

    """Random streams generated on the device with tensor ops; targets are the streams shifted right."""

    def __init__(self, config, device, generator, vocab=None):
        import torch

        self.symbols, self.delay = config.symbols, config.delay
        self.vocab = vocabulary(self.symbols)
        self.length, self.batch_size = config.length, config.batch_size
        self.device, self.generator = device, generator
        self.shape = (self.batch_size, self.length)
        self.chars_per_step = self.batch_size * self.length
        eval_gen = torch.Generator(device="cpu").manual_seed(config.seed + 1_000_003)
        streams = torch.randint(1, self.symbols + 1, (EVAL_STREAMS, self.length), generator=eval_gen)
        self.eval_x, self.eval_y = self._pair(streams.to(device))

    def _pair(self, x):
        y = x.roll(self.delay, dims=1)
        y[:, : self.delay] = 0  # id 0 is the blank
        return x, y

    def batch(self):
        import torch

        x = torch.randint(1, self.symbols + 1, (self.batch_size, self.length),
                          generator=self.generator, device=self.device)
        return self._pair(x)

    def evaluate(self, model) -> dict:
        from engine.tasks.common import scored_with_samples

        return scored_with_samples(model, self.vocab, self.eval_x, self.eval_y)

    def inputs(self, text: str) -> str:
        """What the model reads for `text`: the stream, in the task's letters."""
        return normalize(text, self.symbols)

    def targets(self, text: str) -> str:
        return echo(text, self.delay, self.symbols)

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's echo of `text` (normalised to the task's letters first)."""
        from engine.tasks.common import argmax_over

        return argmax_over(model, self.vocab, normalize(text, self.symbols))
