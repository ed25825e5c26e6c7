"""Named configurations: each lesson exactly as taught, and recommended ones that solve it fast."""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import ConfigError, TrainConfig
from engine.settings import suggest


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    config: TrainConfig
    lesson: bool


# The hidden-state-as-scores lessons succeed on only ~60 % of seeds; seed 2 is one that does, so the
# lesson's ending is what people see first (F9 / --seed shows the fragility).
_HELLO = dict(task="mapping", embedding=0, optimizer="adam", batch_size=1, steps=15, log_every=1, eval_every=1)

PRESETS = {p.name: p for p in [
    # No clipping: its largest gradient norm is 0.41 over 3 seeds x 600 steps, so a clip never fires.
    # Early evaluations show it solved (~step 5) when it happens; bf16 where the device has it natively.
    Preset("caesar", "Caesar cipher, key 13: embedding LSTM, batch 64 (solves it in seconds)",
           TrainConfig(task="caesar", cell="lstm", embedding=16, hidden=64, lr=0.03, batch_size=64,
                       steps=400, precision="auto", log_every=10, eval_every=50, eval_early=True,
                       eval_budget=0.015), lesson=False),
    Preset("caesar-lesson", "Lesson A exactly: Embedding(27,5) LSTM(5,10), Adam 1e-3, batch 1, no zero_grad",
           TrainConfig(task="caesar", cell="lstm", embedding=5, hidden=10, lr=0.001, batch_size=1,
                       steps=3000, accumulate_grad=True, log_every=100, eval_every=250), lesson=True),
    # Clip kept: on tinyshakespeare its gradient norm reaches 0.94 in the first steps (a longer run, a
    # higher peak lr or another corpus can pass 1), and a foreach clip costs < 0.5 % of a step here.
    # Linear decay to zero: 1.457 vs 1.460 nats with cosine on tinyshakespeare, 1.009 vs 1.023 on code, a tie
    # on prose (corpus_record, seed 0, benchmarks/RESULTS.md section 3).
    Preset("completion", "Complete text: LSTM over characters (the lesson's sentences, or any --corpus file)",
           TrainConfig(task="completion", cell="lstm", embedding=64, hidden=320, layers=1, lr=0.009,
                       batch_size=32, length=64, steps=150, clip=1.0, precision="auto", schedule="linear",
                       warmup=0.05, log_every=10, eval_every=50, eval_budget=0.015),
           lesson=False),
    Preset("sentences-lesson", "Lesson B exactly: one-hot RNN(vocab,12) + Linear, 3 sentences, Adam 0.01, 100 epochs",
           TrainConfig(task="completion", cell="rnn", embedding=0, hidden=12, lr=0.01, steps=100,
                       log_every=10, eval_every=10), lesson=True),
    Preset("hello", "hello -> ohlol: embedding GRU with a linear head (right on every seed)",
           TrainConfig(task="mapping", cell="gru", embedding=8, hidden=16, lr=0.05, batch_size=1,
                       steps=40, log_every=1, eval_every=1), lesson=False),
    Preset("hello-rnncell-lesson", "Lesson C 12-1: RNNCell(4,4) stepped by hand, hidden state as scores, Adam 0.1",
           TrainConfig(cell="rnncell", hidden=4, head="none", lr=0.1, seed=2, **_HELLO), lesson=True),
    Preset("hello-rnn-lesson", "Lesson C 12-2: nn.RNN(4,4) over the sequence, hidden state as scores, Adam 0.05",
           TrainConfig(cell="rnn", hidden=4, head="none", lr=0.05, seed=2, **_HELLO), lesson=True),
    Preset("hello-embedding-lesson", "Lesson C 12-3: Embedding(4,10) RNN(10,8,2 layers) Linear(8,4), Adam 0.05",
           TrainConfig(cell="rnn", hidden=8, layers=2, lr=0.05, **{**_HELLO, "embedding": 10}), lesson=True),
    Preset("hello-lstm-lesson", "Lesson C exercise: 12-3 with an LSTM (seed 2: most seeds need more than 15 epochs)",
           TrainConfig(cell="lstm", hidden=8, layers=2, lr=0.05, seed=2, **{**_HELLO, "embedding": 10}), lesson=True),
    Preset("hello-gru-lesson", "Lesson C exercise: 12-3 with a GRU",
           TrainConfig(cell="gru", hidden=8, layers=2, lr=0.05, **{**_HELLO, "embedding": 10}), lesson=True),
    # Measured (benchmarks/RESULTS.md): delay 10 solved in ~600 steps; delay 20 in 2,200-3,900 steps on each of
    # 8 seeds (bf16 on a CPU, one thread, 140-230 s) and 2,900-4,200 in fp32 on a GPU (5 seeds). The old GRU
    # recipe (length 64) solved delay 10 but not 20; length 128 gives more echoed targets per step.
    Preset("echo", "Echo 10 symbols back (8 letters): LSTM, forget bias 1; stops at 99.9 % (--delay 20 works)",
           TrainConfig(task="echo", symbols=8, delay=10, cell="lstm", forget_bias=1.0, embedding=16, hidden=128,
                       lr=0.01, batch_size=64, length=128, steps=5000, clip=1.0, precision="auto",
                       schedule="cosine", warmup=0.05, until=0.999, log_every=10, eval_every=50), lesson=False),
    # The RNN recipe with a constant lr sat at 49 % on seed 0 for 1,000 steps, and with cosine still failed
    # CODE seed 0 (29 % at 2,000). This LSTM solved every keyword and seed tried (N, KY, KEY, CODE x2,
    # LEMON, SECRET x4) at steps 50-1,700 (1-38 CPU s); --until ends the run there.
    Preset("vigenere", "Vigenere, keyword SECRET: embedding LSTM, forget bias 1, cosine; stops at 99.9 %",
           TrainConfig(task="vigenere", keyword="SECRET", cell="lstm", forget_bias=1.0, embedding=16, hidden=128,
                       lr=0.01, batch_size=64, length=48, steps=2000, clip=1.0, schedule="cosine", warmup=0.05,
                       until=0.999, log_every=10, eval_every=50), lesson=False),
    # Delay 15, not 10: at 10 nn.RNN creeps up to 94-97 % in 1,500 steps; at 15 it stays at chance (23-33 %)
    # while LSTM and GRU pass 99 % in 1,400-2,200 steps on most seeds. LSTM is seed-sensitive: seed 3 needs
    # 3,400 steps, seed 4 was at 60 % after 2,500 (not measured further); GRU seeds 2 and 4 not measured.
    Preset("echo-race", "Race rnn, lstm, gru on echo, delay 15: nn.RNN stays at chance, LSTM and GRU remember",
           TrainConfig(task="echo", symbols=8, delay=15, cell="lstm", embedding=16, hidden=128, lr=0.01,
                       batch_size=64, length=64, steps=4000, clip=1.0, log_every=10, eval_every=50), lesson=False),
]}

RACE_CELLS = ("rnn", "lstm", "gru")  # the classic three: what a race shows first (engine.racing.DEFAULT_CELLS)


DEFAULT = "caesar"  # the preset a run starts from when nothing names one (no --preset, no --task)


def names() -> list[str]:
    return list(PRESETS)


def get(name: str) -> TrainConfig:
    """The preset's TrainConfig; ConfigError (with the closest name) when there is none."""
    return describe(name).config


def describe(name: str) -> Preset:
    if name not in PRESETS:
        raise ConfigError("preset", f"no preset {name!r}{suggest(name, PRESETS)}; see `rnnplay presets`")
    return PRESETS[name]
