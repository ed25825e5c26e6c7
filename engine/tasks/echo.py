"""Echo: repeat a stream of symbols after a delay. The model must remember `delay` steps back.

The input is a stream of random symbols from the first K capital letters; the target at position t
is the input at position t - delay, and the blank symbol `-` before that. nn.RNN loses the symbol
within about ten steps; LSTM and GRU keep it: the difference the lessons are about.
"""

from __future__ import annotations

from engine.config import ConfigError
from engine.tasks.base import Accepted, Exact, Task, script_part
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


SCRIPT = '''
# ---- the task: echo a stream of symbols DELAY positions later (it needs memory) -------------------
SYMBOLS, DELAY, LENGTH, BATCH_SIZE = $symbols, $delay, $length, $batch_size
VOCAB = "-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:SYMBOLS]  # id 0 is the blank the model says before the echo


def make_batch(generator):
    """Random streams of letters (ids 1..SYMBOLS); the target is the stream shifted DELAY places right."""
    x = torch.randint(1, SYMBOLS + 1, (BATCH_SIZE, LENGTH), generator=generator, device=DEVICE)
    y = x.roll(DELAY, dims=1)
    y[:, :DELAY] = 0  # nothing to echo yet: blanks
    return x, y


def show(model):
    """Echo a batch of fresh streams and count the symbols the model gets right."""
    x, y = make_batch(torch.Generator(device=DEVICE).manual_seed(SEED + 1))
    guess = predicted(model, x)
    print(f"accuracy on fresh streams: {(guess == y).float().mean().item():.1%}")
    print("stream:", decode(x[0]))
    print("echo:  ", decode(guess[0]))
'''


class EchoTask(Task):
    """Random streams generated on the device with tensor ops; targets are the streams shifted right."""

    name = "echo"
    summary = "repeat a stream of symbols after a delay (needs memory)"
    preset = "echo"
    options = frozenset({"symbols", "delay", "length", "batch_size"})
    fresh = True
    scored_by = "accuracy"
    play_help = ("Type letters: the stream delayed by the task's delay, exactly and as the model echoes it.",)

    @classmethod
    def check(cls, config) -> None:
        if config.delay >= config.length:
            raise ConfigError("delay", f"{config.delay} leaves nothing to echo in messages of length {config.length}; "
                                       "accepted: below the length (raise --length for longer delays)")

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        return {}

    @classmethod
    def vocabulary_for(cls, config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the blank and the first K letters."""
        return vocabulary(config.symbols)

    @classmethod
    def vocabulary_size(cls, config) -> int:
        return len(vocabulary(config.symbols))

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        letters = alphabet(config.symbols)
        return Accepted(lambda ch: ch.upper() in letters or ch == BLANK,
                        f"the first {config.symbols} capital letters, {letters[0]}-{letters[-1]} (lowercase reads as "
                        f"capitals), or '{BLANK}' for a blank")

    @classmethod
    def reference(cls, config, text: str) -> str:
        return echo(text, config.delay, config.symbols)

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> Exact:
        stream, exact = normalize(text, config.symbols), echo(text, config.delay, config.symbols)
        return Exact((("stream", stream), (f"exact echo ({config.delay} back)", exact)), stream, exact, "model echo")

    @classmethod
    def generated_length(cls, config) -> None:
        return None

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("input", "target", "model output")

    @classmethod
    def export_section(cls, config) -> str:
        return script_part(SCRIPT, symbols=config.symbols, delay=config.delay, length=config.length,
                           batch_size=config.batch_size)

    def __init__(self, config, device, generator, vocab=None):
        import torch

        super().__init__(config, device, generator)
        self.symbols, self.delay = config.symbols, config.delay
        self.vocab = vocabulary(self.symbols)
        self.length, self.batch_size = config.length, config.batch_size
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

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """The model's echo of `text` (normalised to the task's letters first)."""
        from engine.tasks.common import argmax_over

        return argmax_over(model, self.vocab, normalize(text, self.symbols))
