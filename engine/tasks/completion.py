"""Lesson B: complete text character by character.

Without a corpus it is the lesson exactly: three sentences padded with spaces, input = sentence
without its last character, target = without its first, all in one batch. With a corpus file it
trains on random windows and validates on a held-out tail (the last 10%): the headline bits per
character with the state carried through it, and beside it the figure for windows of --length.
"""

from __future__ import annotations

import math

from engine.storage.corpus_files import UNKNOWN, CorpusError
from engine.tasks.base import Accepted, Task, script_part
from engine.text import echo
from engine.vocab import Vocabulary

SENTENCES = ("hey how are you", "good i am fine", "have a nice day")
HELD_OUT = 0.1
PLAY_LENGTH = 120  # characters Play continues a corpus model's prefix to, by default
LISTED_UP_TO = 40  # a training text with at most this many characters has them all listed in the reason line
UNTYPEABLE = {"\n": "line breaks", "\r": "carriage returns", "\t": "tabs"}  # Enter asks, Tab moves focus

SENTENCES_SCRIPT = '''
# ---- the task: complete the lesson's three sentences, character by character ---------------------
SENTENCES = ("hey how are you", "good i am fine", "have a nice day")
WIDTH = max(map(len, SENTENCES))
TEXT = [s.ljust(WIDTH) for s in SENTENCES]  # padded with spaces to one length: one batch
VOCAB = ["\\ufffd"] + sorted(set("".join(TEXT)))  # id 0 stands for any character never seen
IDS = torch.tensor([[VOCAB.index(ch) for ch in s] for s in TEXT], device=DEVICE)


def make_batch(generator):
    return IDS[:, :-1], IDS[:, 1:]  # input: each sentence but its last character; target: the next ones


def show(model):
    for sentence in SENTENCES:
        print(repr(complete(model, sentence.split(" ")[0], WIDTH)))
'''

CORPUS_SCRIPT = '''
# ---- the task: predict the next character of a text ----------------------------------------------
CORPUS = $corpus  # any UTF-8 text file
LENGTH, BATCH_SIZE = $length, $batch_size
with open(CORPUS, "rb") as f:
    raw = f.read().removeprefix(b"\\xef\\xbb\\xbf").replace(b"\\r\\n", b"\\n")  # no BOM, one kind of line end
TEXT = raw.decode("utf-8")
VOCAB = ["\\ufffd"] + sorted(set(TEXT) - {"\\ufffd"})  # id 0 stands for any character never seen
INDEX = {ch: i for i, ch in enumerate(VOCAB)}
IDS = torch.tensor([INDEX[ch] for ch in TEXT], device=DEVICE)
TRAIN = IDS[: int(len(IDS) * 0.9)]  # the last 10 % is held out: rnnplay scores the model on it
OFFSETS = torch.arange(LENGTH + 1, device=DEVICE)


def make_batch(generator):
    """BATCH_SIZE random windows of LENGTH + 1 characters: predict each next character of each."""
    starts = torch.randint(0, TRAIN.numel() - LENGTH - 1, (BATCH_SIZE,), generator=generator, device=DEVICE)
    window = TRAIN[starts[:, None] + OFFSETS]
    return window[:, :-1], window[:, 1:]


def show(model):
    held_out = TEXT[int(len(IDS) * 0.9):]
    text = complete(model, held_out[:32], 200)
    print("".join(ch if ch.isprintable() or ch == "\\n" else "?" for ch in text))
'''

COMPLETE_SCRIPT = '''

@torch.no_grad()
def complete(model, text, length):
    """`text` continued to `length` characters, greedily, one at a time carrying the hidden state."""
    model.eval()
    logits, state = model(torch.tensor([[VOCAB.index(ch) if ch in VOCAB else 0 for ch in text]], device=DEVICE))
    while len(text) < length:
        best = logits[0, -1].argmax()
        text += VOCAB[best]
        logits, state = model(best.view(1, 1), state)
    return text
'''


def sentences_vocabulary() -> Vocabulary:
    width = max(map(len, SENTENCES))
    return Vocabulary.from_text("".join(s.ljust(width) for s in SENTENCES), UNKNOWN)


def typeable_words(known: set[str]) -> str:
    """What Play accepts for a corpus: the characters one can type, and which of the rest cannot be typed."""
    typeable = sorted(ch for ch in known if ch.isprintable())
    listed = f": {echo(''.join(typeable))}" if len(typeable) <= LISTED_UP_TO else ""
    words = f"the {len(typeable)} characters of the training text that can be typed{listed}"
    others = sorted({UNTYPEABLE.get(ch, "control characters") for ch in known if not ch.isprintable()})
    if not others:
        return words
    named = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return f"{words} ({named} cannot be typed here)"


class CompletionTask(Task):
    name = "completion"
    summary = "complete text character by character"
    preset = "completion"
    options = frozenset({"corpus", "length", "batch_size"})
    fresh = False
    scored_by = "loss"
    play_help = ("Type the start of a sentence: the model completes it.",)

    @classmethod
    def check(cls, config) -> None:
        """Nothing beyond the corpus setting's own form: the file is read (and refused) when the run starts."""

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        out = {}
        if config.corpus is None:
            out["length"] = out["batch_size"] = ("the lesson's three sentences always train as one fixed batch "
                                                 "(give a corpus to change it)")
        elif getattr(config, "until", 0.0):
            out["until"] = "a corpus run reports held-out loss, not accuracy (bound it with --steps or --seconds)"
        return out

    @classmethod
    def vocabulary_for(cls, config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the sentences', or a corpus's shape (the
        unknown symbol first, then single characters sorted; the corpus itself is not read here)."""
        if config.corpus is None:
            return sentences_vocabulary()
        rest = [s for s in saved.symbols if s != UNKNOWN]
        if all(len(s) == 1 for s in rest):
            return Vocabulary([UNKNOWN, *sorted(rest)], unknown=UNKNOWN)
        return Vocabulary([UNKNOWN], unknown=UNKNOWN)  # a multi-character symbol never fits

    @classmethod
    def vocabulary_size(cls, config) -> int | None:
        return len(sentences_vocabulary()) if config.corpus is None else None

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        """The characters of the model's vocabulary; anything before there is a model to ask."""
        if vocab is None:
            return Accepted(lambda ch: True, "any text")
        known = set(vocab.symbols) - {vocab.unknown}
        return Accepted(lambda ch: ch in known, typeable_words(known))

    @classmethod
    def reference(cls, config, text: str) -> str:
        """What each position should predict: the next character (the last one has none)."""
        return text[1:]

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> None:
        return None  # the model's continuation is its own: there is no exact one

    @classmethod
    def generated_length(cls, config) -> int:
        return max(map(len, SENTENCES)) if config.corpus is None else PLAY_LENGTH

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("prefix", "sentence" if config.corpus is None else "held-out text", "model output")

    @classmethod
    def held_out(cls, config) -> bool:
        return config.corpus is not None  # the corpus's tail; the sentences are scored on themselves

    @classmethod
    def export_section(cls, config) -> str:
        if config.corpus is None:
            return SENTENCES_SCRIPT + COMPLETE_SCRIPT
        import os

        from engine import corpora

        path = os.path.abspath(corpora.resolve(config.corpus))
        return script_part(CORPUS_SCRIPT + COMPLETE_SCRIPT, corpus=repr(path), length=config.length,
                           batch_size=config.batch_size)

    def __init__(self, config, device, generator, vocab: Vocabulary | None = None):
        import torch

        super().__init__(config, device, generator)
        self.batch_size, self.length = config.batch_size, config.length
        self.sample_gen = torch.Generator(device="cpu").manual_seed(config.seed + 7)
        if vocab is not None:  # predicting from a checkpoint: no data needed
            self.vocab, self.sentences = vocab, config.corpus is None
            self.default_length = max(map(len, SENTENCES)) if self.sentences else 200
        elif config.corpus is None:
            self._init_sentences()
        else:
            from engine.storage import corpus_files

            self._init_corpus(*corpus_files.load(config.corpus), config.corpus)

    def _init_sentences(self):
        import torch

        self.sentences = True
        width = max(map(len, SENTENCES))
        padded = [s.ljust(width) for s in SENTENCES]
        self.vocab = sentences_vocabulary()
        ids = torch.tensor([self.vocab.encode(s) for s in padded], device=self.device)
        self.x, self.y = ids[:, :-1], ids[:, 1:]
        self.default_length = width
        self.shape = tuple(self.x.shape)
        self.chars_per_step = self.x.numel()

    def _init_corpus(self, vocab: Vocabulary, ids, path: str):
        import torch

        from engine.tasks import held_out

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
        import torch

        if self.sentences:
            return self.x, self.y
        starts = torch.randint(0, self.train_data.numel() - self.length - 1, (self.batch_size,),
                               generator=self.generator, device=self.device)
        window = self.train_data[starts[:, None] + self.offsets].long()
        return window[:, :-1], window[:, 1:]

    def evaluate(self, model) -> dict:
        from engine.tasks import held_out
        from engine.tasks.common import LN2, score

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

    def _sample(self, model, prefix: str, target: str):
        from engine.events import Sample

        return Sample(prefix, target, self.predict(model, prefix, len(target)))

    def inputs(self, text: str) -> str:
        """What the model reads for `text`: Windows line ends as one newline (as in a corpus), and any
        character outside the vocabulary as the unknown symbol."""
        return "".join(ch if ch in self.vocab else UNKNOWN for ch in text.replace("\r\n", "\n"))

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """`text` followed by the model's continuation, `length` characters in all (the lesson's sample())."""
        from engine.models import generate
        from engine.tasks.common import check_prediction_length

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
