"""A test-only task and a test-only cell, each one class here plus one registration call in register_toys().

They prove issue 21's claim: a new task and a new cell reach every surface (train, save, load, predict,
inspect, race, export-script, the app's Setup, Play, Samples and Inside) through engine.tasks.register and
engine.cells.register alone, with nothing under engine/ or tui/ naming them. Both are deliberately unlike
the real ones:

- `successor`: streams of digits; the target at each position is the next digit, 9 wrapping to 0. It reads
  only `length` and `batch_size`, and its vocabulary is ten digits with no unknown symbol.
- `leaky`: a stack of leaky-integrator layers, h = (1 - a) h + a tanh(W x + U h) with a = 0.5, as its own
  nn.Module (defined on first use: importing this module loads no torch, as engine/cells/rnncell.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from engine.cells.base import HIDDEN, Cell, between_layers, fill
from engine.tasks.base import Accepted, Exact, Task, script_part
from engine.vocab import Vocabulary

DIGITS = "0123456789"
EVAL_STREAMS = 128  # held-out streams each evaluation scores
EVAL_SEED_OFFSET = 7_000_003  # the held-out streams' generator: apart from the training data's seed
LEAK = 0.5  # the share of each step's fresh drive in the new state


def successor(text: str) -> str:
    """Exact reference: each digit of `text` replaced by the next one, 9 by 0."""
    return "".join(DIGITS[(DIGITS.index(ch) + 1) % len(DIGITS)] for ch in text)


TASK_SCRIPT = '''
# ---- the task: answer each digit of a random stream with the next digit (9 wraps to 0) ------------
LENGTH, BATCH_SIZE = $length, $batch_size
VOCAB = "0123456789"


def make_batch(generator):
    """Random digit streams; the target at each position is that digit plus one, modulo 10."""
    x = torch.randint(0, len(VOCAB), (BATCH_SIZE, LENGTH), generator=generator, device=DEVICE)
    return x, (x + 1) % len(VOCAB)


def show(model):
    """Answer fresh streams and count the digits the model gets right."""
    x, y = make_batch(torch.Generator(device=DEVICE).manual_seed(SEED + 1))
    guess = predicted(model, x)
    print(f"successor accuracy on fresh streams: {(guess == y).float().mean().item():.1%}")
    print("digits:   ", decode(x[0]))
    print("successor:", decode(guess[0]))
'''


class SuccessorTask(Task):
    """Digit streams drawn on the device; every position has its exact answer."""

    name = "successor"
    summary = "answer each digit with the next one (9 wraps to 0)"
    preset = "caesar"  # the base of `train --task successor`: a small embedding LSTM, batch 64
    options = frozenset({"length", "batch_size"})
    fresh = True
    scored_by = "accuracy"
    play_help = ("Type digits: each one's successor, exactly and as the model answers.",)

    @classmethod
    def check(cls, config) -> None:
        """Any length and batch size the fields accept will do."""

    @classmethod
    def unused_settings(cls, config) -> dict[str, str]:
        return {}

    @classmethod
    def vocabulary_for(cls, config, saved) -> Vocabulary:
        return Vocabulary(DIGITS)

    @classmethod
    def vocabulary_size(cls, config) -> int:
        return len(DIGITS)

    @classmethod
    def accepted(cls, config, vocab) -> Accepted:
        return Accepted(lambda ch: ch in DIGITS, "digits 0-9")

    @classmethod
    def reference(cls, config, text: str) -> str | None:
        return successor(text) if all(ch in DIGITS for ch in text) else None

    @classmethod
    def play(cls, config, text: str, reverse: bool = False) -> Exact:
        exact = successor(text)
        return Exact((("digits", text), ("exact successor", exact)), text, exact, "model successor")

    @classmethod
    def generated_length(cls, config) -> None:
        return None

    @classmethod
    def sample_labels(cls, config) -> tuple[str, str, str]:
        return ("digits", "successors", "model answers")

    @classmethod
    def export_section(cls, config) -> str:
        return script_part(TASK_SCRIPT, length=repr(config.length), batch_size=repr(config.batch_size))

    def __init__(self, config, device, generator, vocab=None):
        import torch

        super().__init__(config, device, generator)
        self.vocab = Vocabulary(DIGITS)
        self.shape = (config.batch_size, config.length)
        self.chars_per_step = config.batch_size * config.length
        held_out = torch.Generator(device="cpu").manual_seed(config.seed + EVAL_SEED_OFFSET)
        streams = torch.randint(0, len(DIGITS), (EVAL_STREAMS, config.length), generator=held_out)
        self.eval_x = streams.to(device)
        self.eval_y = (self.eval_x + 1) % len(DIGITS)

    def batch(self):
        import torch

        x = torch.randint(0, len(DIGITS), self.shape, generator=self.generator, device=self.device)
        return x, (x + 1) % len(DIGITS)

    def evaluate(self, model) -> dict:
        from engine.tasks.common import scored_with_samples

        return scored_with_samples(model, self.vocab, self.eval_x, self.eval_y)

    def inputs(self, text: str) -> str:
        return text

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        from engine.tasks.common import argmax_over

        return argmax_over(model, self.vocab, text)


CELL_FORWARD = '''
    def forward(self, x, state=None):
        """x: (batch, seq) of symbol ids -> scores (batch, seq, vocabulary), state (layers, batch, hidden)."""
        inputs = $inputs
        if state is None:
            state = inputs.new_zeros(len(self.inputs), x.size(0), $hidden)
        states, outputs = list(state.unbind(0)), []
        for t in range(x.size(1)):
            inp = inputs[:, t]
            for i, (w, u) in enumerate(zip(self.inputs, self.recurrent)):
                # a leaky integrator: keep part of the old state, blend in the new drive
                states[i] = (1 - $leak) * states[i] + $leak * torch.tanh(w(inp) + u(states[i]))
                inp = $between
            outputs.append(inp)
        out = torch.stack(outputs, 1)
        return $scores, torch.stack(states)
'''


@cache
def leaky_class() -> type:
    """The LeakyStack module class, defined on first use so that importing this module loads no torch."""
    import torch
    from torch import nn

    class LeakyStack(nn.Module):
        """Layers of h = (1 - LEAK) h + LEAK tanh(W x + U h), stepped over the sequence."""

        def __init__(self, input_size: int, hidden_size: int, layers: int, dropout: float):
            super().__init__()
            sizes = [input_size] + [hidden_size] * (layers - 1)
            # all input maps, then all recurrent maps: the exported script creates them in this order
            self.inputs = nn.ModuleList(nn.Linear(size, hidden_size) for size in sizes)
            self.recurrent = nn.ModuleList(nn.Linear(hidden_size, hidden_size, bias=False) for _ in sizes)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
            # x: (batch, seq, input); h: (layers, batch, hidden)
            if h is None:
                h = x.new_zeros(len(self.inputs), x.size(0), self.recurrent[0].out_features)
            states, outputs = list(h.unbind(0)), []
            for t in range(x.size(1)):
                inp = x[:, t]
                for i, (w, u) in enumerate(zip(self.inputs, self.recurrent, strict=True)):
                    states[i] = (1 - LEAK) * states[i] + LEAK * torch.tanh(w(inp) + u(states[i]))
                    inp = self.dropout(states[i]) if i < len(self.inputs) - 1 else states[i]
                outputs.append(inp)
            return torch.stack(outputs, 1), torch.stack(states)

    return LeakyStack


class LeakyCell(Cell):
    name = "leaky"
    summary = f"leaky integrator: h = {1 - LEAK:g} h + {LEAK:g} tanh(W x + U h), stepped by hand"
    state_parts = (HIDDEN,)  # a blend of tanh values starting at 0: it stays within -1..1
    parallel_in_time = False

    def build(self, input_size: int, hidden: int, layers: int, dropout: float) -> Any:
        return leaky_class()(input_size, hidden, layers, dropout)

    def split_state(self, state: Any) -> tuple[Any, ...]:
        return (state,)

    def parameter_shapes(self, input_size: int, hidden: int, layers: int) -> list[tuple[str, tuple[int, ...]]]:
        sizes = [input_size] + [hidden] * (layers - 1)
        shapes = []
        for layer, size in enumerate(sizes):
            shapes += [(f"inputs.{layer}.weight", (hidden, size)), (f"inputs.{layer}.bias", (hidden,))]
        return shapes + [(f"recurrent.{layer}.weight", (hidden, hidden)) for layer in range(layers)]

    def shapes(self, batch: int, seq: int, input_size: int, hidden: int, layers: int) -> tuple[str, ...]:
        return (f"leaky step: input ({batch}, {input_size}), state ({layers}, {batch}, {hidden}), x{seq} steps",)

    def export_init(self, config: Any, width: int | str) -> list[str]:
        c = config
        more = f" + [nn.Linear({c.hidden}, {c.hidden}) for _ in range({c.layers - 1})]" if c.layers > 1 else ""
        lines = [f"self.inputs = nn.ModuleList([nn.Linear({width}, {c.hidden})]{more})  # W, one per layer",
                 f"self.recurrent = nn.ModuleList([nn.Linear({c.hidden}, {c.hidden}, bias=False) "
                 f"for _ in range({c.layers})])  # U"]
        inner = between_layers(c.dropout, c.layers)
        if inner:
            lines.append(f"self.between = nn.Dropout({inner!r})  # between layers, while training")
        return lines

    def export_forward(self, config: Any, inputs: str, scores: str) -> str:
        inner = between_layers(config.dropout, config.layers)
        between = "self.between(states[i]) if i < len(self.inputs) - 1 else states[i]" if inner else "states[i]"
        return fill(CELL_FORWARD, inputs=inputs, hidden=config.hidden, leak=repr(LEAK), between=between,
                    scores=scores)


def register_toys() -> None:
    """Register the toy task and the toy cell, once: calling it again changes nothing."""
    import engine.cells
    import engine.tasks

    if SuccessorTask.name not in engine.tasks.REGISTRY:
        engine.tasks.register(SuccessorTask)
    if LeakyCell.name not in engine.cells.names():
        engine.cells.register(LeakyCell)


@contextmanager
def registered() -> Iterator[None]:
    """The toys registered for the duration, and the registries as they were afterwards (a test's fixture)."""
    import engine.cells
    import engine.tasks

    tasks_before, cells_before = dict(engine.tasks.REGISTRY), engine.cells.names()
    register_toys()
    try:
        yield
    finally:
        engine.tasks.REGISTRY.clear()
        engine.tasks.REGISTRY.update(tasks_before)
        for name in engine.cells.names():
            if name not in cells_before:
                engine.cells.unregister(name)
