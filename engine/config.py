"""TrainConfig: everything a run needs, validated once so nothing invalid reaches the trainer."""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from dataclasses import dataclass, fields
from typing import Any

from engine.precision import PRECISIONS
from engine.schedule import SCHEDULES
from engine.text import echo

CELLS = ("rnncell", "rnn", "lstm", "gru")
HEADS = ("linear", "none")
OPTIMIZERS = ("adam", "sgd")
ALPHABET_SIZE = 27
MAX_STEPS = 100_000_000  # a run's (and a checkpoint's) steps at most; --seconds alone trains "until the budget ends"
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d{1,3})?|mps")
LIMIT = 1 << 20  # generous upper bound for sizes and counts; larger is surely a typo


def __getattr__(name: str) -> Any:
    """TASKS: the registered task names, read from the registry when asked (a test may register a task)."""
    if name == "TASKS":
        from engine.tasks import names  # the task registry imports this module

        return tuple(names())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the field and what is accepted."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class TrainConfig:
    task: str = "caesar"
    # task options
    key: int = 13
    length: int = 32
    corpus: str | None = None
    pairs: tuple[tuple[str, str], ...] = (("hello", "ohlol"),)
    symbols: int = 8  # echo: streams draw from the first K capitals
    delay: int = 5  # echo: the target is the input this many positions back
    keyword: str = "LEMON"  # vigenere
    # model
    cell: str = "lstm"
    layers: int = 1
    hidden: int = 32
    embedding: int = 8  # 0 = one-hot input
    dropout: float = 0.0
    head: str = "linear"
    # optimisation
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 64
    steps: int = 300
    clip: float = 0.0  # max gradient norm; 0 = no clipping
    precision: str = "fp32"  # fp32 | bf16 (autocast; weights and optimizer state stay fp32) | auto (bf16 if native)
    seconds: float = 0.0  # training time budget (evaluation excluded); 0 = none, steps alone bound the run
    schedule: str = "constant"  # learning rate after warm-up: constant | cosine | linear (both decay to 0 by the end)
    warmup: float = 0.0  # fraction of the run (steps or seconds, whichever bounds it) with a linear lr ramp
    accumulate_grad: bool = False  # never zero the gradients (Lesson A's famous omission)
    seed: int = 0
    device: str = "auto"
    # reporting
    log_every: int = 10
    eval_every: int = 50
    eval_early: bool = False  # also evaluate at steps 1, 2, 3, ... spaced ~25 % apart below eval_every
    eval_budget: float = 0.0  # defer regular evaluations while they would take more than this share of
    #                           training time (e.g. 0.02); 0 = evaluate exactly every eval_every steps
    forget_bias: float = 0.0  # lstm: initial forget-gate bias (1 keeps memories from step 1); 0 = PyTorch's init
    until: float = 0.0  # stop (completed) at the first evaluation with at least this accuracy; 0 = run every step

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with `changes` applied; raises ConfigError for unknown fields or bad values."""
        names = {f.name for f in fields(self)}
        for name in changes:
            if name not in names:
                raise ConfigError(name, f"unknown setting{_suggest(name, names)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["pairs"] = [list(p) for p in self.pairs]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild from to_dict() output (a checkpoint's metadata); unknown keys are an error."""
        if not isinstance(data, dict):
            raise ConfigError("config", "expected a JSON object")
        known = {f.name for f in fields(cls)}
        for name in data:
            if name not in known:
                raise ConfigError(name, f"unknown setting{_suggest(name, known)}")
        data = dict(data)
        if "pairs" in data and isinstance(data["pairs"], list):
            data["pairs"] = tuple(tuple(p) if isinstance(p, list) else p for p in data["pairs"])
        return cls(**data)


def unused_settings(config: TrainConfig) -> dict[str, str]:
    """{field: why it has no effect}: the task options this config's task never reads, what the task itself
    says it ignores (engine.tasks), and the forget bias of a cell without one."""
    from engine.tasks import all_options, task_class  # the task registry imports this module

    task = task_class(config.task)
    out = {name: f"the {config.task} task does not use it" for name in all_options() if name not in task.options}
    out.update(task.unused_settings(config))
    if getattr(config, "cell", "lstm") != "lstm":  # a race's base config keeps it for its LSTM contestants
        out["forget_bias"] = "only an LSTM has a forget gate (use it with --cell lstm)"
    return out


def format_pairs(pairs) -> str:
    """Mapping pairs as `in:out,in:out`, the one syntax of the CLI and the app; round-trips any text."""
    return ",".join(f"{_escape_item(a)}:{_escape_item(b)}" for a, b in pairs)


def _escape_item(text: str) -> str:
    body = "".join("\\" + ch if ch in "\\:," else ch for ch in text)
    core = body.strip()  # spaces at an item's edges are ignored when parsing: escape the real ones
    head = body[: len(body) - len(body.lstrip())]
    tail = body[len(head) + len(core):]
    return "".join("\\" + c for c in head) + core + "".join("\\" + c for c in tail)


def parse_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """`hello:ohlol,world:dlrow` -> (("hello", "ohlol"), ("world", "dlrow")); ConfigError("pairs") if malformed.

    A backslash makes the next character literal (`\\:`, `\\,`, `\\\\`, and `\\ ` for a space at the edge
    of an item); unescaped spaces around items are ignored, and so is an empty item (a trailing comma).
    """
    items: list[list[list[tuple[str, bool]]]] = [[[]]]  # item -> parts split on ':' -> (char, escaped)
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, None)
            if nxt is None:
                raise ConfigError("pairs", "ends with a lone backslash; write \\\\ for a backslash")
            items[-1][-1].append((nxt, True))
        elif ch == ",":
            items.append([[]])
        elif ch == ":":
            items[-1].append([])
        else:
            items[-1][-1].append((ch, False))
    pairs = []
    for parts in items:
        strings = [_strip_plain_spaces(part) for part in parts]
        if strings == [""]:
            continue
        if len(strings) != 2:
            shown = ":".join(strings)[:40]
            raise ConfigError("pairs", f"'{shown}' is not IN:OUT; expected e.g. hello:ohlol,world:dlrow "
                                       "(a backslash makes : , or \\ literal)")
        pairs.append((strings[0], strings[1]))
    return tuple(pairs)


def _strip_plain_spaces(part: list[tuple[str, bool]]) -> str:
    start, end = 0, len(part)
    while start < end and part[start][0].isspace() and not part[start][1]:
        start += 1
    while end > start and part[end - 1][0].isspace() and not part[end - 1][1]:
        end -= 1
    return "".join(ch for ch, _ in part[start:end])


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, f"{echo(value)} is not one of {', '.join(choices)}{_suggest(value, choices)}")


def _int(name: str, value: Any, low: int, high: int = LIMIT) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(name, f"expected a whole number from {low} to {high}, got {echo(value)}")
    if not low <= value <= high:
        raise ConfigError(name, f"{value} is out of range; accepted: {low} to {high}")


def finite_number(value: Any) -> bool:
    """A real number a float holds: not a bool, not NaN or infinite, not a whole number past float's range
    (JSON allows 10**400; math.isfinite raises OverflowError on it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _float(name: str, value: Any, low: float, high: float, *, low_open: bool = False) -> None:
    if not finite_number(value):
        raise ConfigError(name, f"expected a finite number, got {echo(value)}")
    if value > high or value < low or (low_open and value == low):
        bound = f"above {low}" if low_open else f"from {low}"
        raise ConfigError(name, f"{value} is out of range; accepted: {bound} to {high}")


def _pairs(pairs: Any) -> None:
    if not isinstance(pairs, tuple) or not pairs:
        raise ConfigError("pairs", "expected at least one input/output pair")
    width, seen = None, {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
            raise ConfigError("pairs", f"expected (input, output) string pairs, got {echo(pair)}")
        source, target = pair
        if not source or len(source) != len(target):
            raise ConfigError("pairs", f"{echo(source)} -> {echo(target)}: input and output must be non-empty "
                                       "and of equal length")
        if width is not None and len(source) != width:
            raise ConfigError("pairs", f"{echo(source)}: every pair must have the same length ({width})")
        if seen.setdefault(source, target) != target:
            raise ConfigError("pairs", f"{echo(source)} is mapped to both {echo(seen[source])} and {echo(target)}; "
                                       "each input needs one output")
        width = len(source)


def _corpora() -> list[str]:
    from engine import corpora

    return corpora.names()


def validate(c: TrainConfig) -> None:
    """Raise ConfigError naming the first invalid field."""
    from engine.tasks import names, task_class  # the task registry imports this module

    task = task_class(c.task)  # ConfigError naming an unknown task
    _int("key", c.key, 0, ALPHABET_SIZE - 1)
    _int("length", c.length, 2, 65536)
    if c.corpus is not None and (not isinstance(c.corpus, str) or not c.corpus):
        raise ConfigError("corpus", f"expected a built-in corpus ({', '.join(_corpora())}) or a UTF-8 text file, "
                                    f"got {echo(c.corpus)}")
    if c.corpus is not None and "corpus" not in task.options:
        readers = " and ".join(name for name in names() if "corpus" in task_class(name).options)
        raise ConfigError("corpus", f"only the {readers} task reads a corpus")
    _pairs(c.pairs)
    _int("symbols", c.symbols, 2, 26)
    _int("delay", c.delay, 0, 65535)
    task.check(c)  # what the task itself requires (echo: a delay below the length; vigenere: a keyword of letters)
    _choice("cell", c.cell, CELLS)
    _int("layers", c.layers, 1, 16)
    _int("hidden", c.hidden, 1, 8192)
    _int("embedding", c.embedding, 0, 8192)
    _float("dropout", c.dropout, 0.0, 0.99)
    _choice("head", c.head, HEADS)
    _choice("optimizer", c.optimizer, OPTIMIZERS)
    _float("lr", c.lr, 0.0, 100.0, low_open=True)
    _int("batch_size", c.batch_size, 1, 65536)
    _int("steps", c.steps, 1, MAX_STEPS)
    _float("clip", c.clip, 0.0, 1e6)
    _choice("precision", c.precision, PRECISIONS)
    _float("seconds", c.seconds, 0.0, 1e7)
    _choice("schedule", c.schedule, SCHEDULES)
    _float("warmup", c.warmup, 0.0, 0.9)
    if not isinstance(c.accumulate_grad, bool):
        raise ConfigError("accumulate_grad", f"expected true or false, got {echo(c.accumulate_grad)}")
    _int("seed", c.seed, 0, 2**63 - 1)
    if not isinstance(c.device, str) or not DEVICE_PATTERN.fullmatch(c.device):
        raise ConfigError("device", f"expected auto, cpu, cuda, cuda:N or mps, got {echo(c.device)}")
    _int("log_every", c.log_every, 1, 100_000_000)
    _int("eval_every", c.eval_every, 1, 100_000_000)
    _float("eval_budget", c.eval_budget, 0.0, 1.0)
    if not isinstance(c.eval_early, bool):
        raise ConfigError("eval_early", f"expected true or false, got {echo(c.eval_early)}")
    _float("forget_bias", c.forget_bias, -10.0, 10.0)
    _float("until", c.until, 0.0, 1.0)
