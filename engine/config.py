"""TrainConfig: everything a run needs, validated once so nothing invalid reaches the trainer."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from engine import cells, corpora
from engine.precision import PRECISIONS
from engine.schedule import SCHEDULES
from engine.settings import Resume, choice, number, special, switch, whole
from engine.settings import of as settings_of
from engine.settings import suggest as _suggest
from engine.text import echo

CELLS = cells.NAMES  # live: a cell registered later (a test's toy cell) is accepted from then on
HEADS = ("linear", "none")
OPTIMIZERS = ("adam", "sgd")
ALPHABET_SIZE = 27
MAX_STEPS = 100_000_000  # a run's (and a checkpoint's) steps at most; --seconds alone trains "until the budget ends"
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d{1,3})?|mps")


def _task_names() -> tuple[str, ...]:
    """The registered task names, read from the registry when asked (a test may register a task)."""
    from engine.tasks import names  # the task registry imports this module

    return tuple(names())


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the field and what is accepted."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _corpus(value: Any) -> str:
    if value is None or (isinstance(value, str) and value):
        return ""
    return f"expected a built-in corpus ({', '.join(corpora.names())}) or a UTF-8 text file, got {echo(value)}"


def _keyword(value: Any) -> str:
    from engine.tasks.vigenere import KEYWORD_RULE, valid_keyword  # the cipher's own rule

    return "" if valid_keyword(value) else f"expected {KEYWORD_RULE}, got {echo(value)}"


def _device(value: Any) -> str:
    if isinstance(value, str) and DEVICE_PATTERN.fullmatch(value):
        return ""
    return f"expected auto, cpu, cuda, cuda:N or mps, got {echo(value)}"


def _pairs(pairs: Any) -> str:
    if not isinstance(pairs, tuple) or not pairs:
        return "expected at least one input/output pair"
    width, seen = None, {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
            return f"expected (input, output) string pairs, got {echo(pair)}"
        source, target = pair
        if not source or len(source) != len(target):
            return f"{echo(source)} -> {echo(target)}: input and output must be non-empty and of equal length"
        if width is not None and len(source) != width:
            return f"{echo(source)}: every pair must have the same length ({width})"
        if seen.setdefault(source, target) != target:
            return (f"{echo(source)} is mapped to both {echo(seen[source])} and {echo(target)}; "
                    "each input needs one output")
        width = len(source)
    return ""


LEARNING, LENGTH, REPORTING, PLACE = Resume.LEARNING, Resume.LENGTH, Resume.REPORTING, Resume.PLACE
TASK, MODEL, OPTIMISATION, RUN, REPORTS = "task", "model", "optimisation", "run", "reporting"  # engine.settings.GROUPS


@dataclass(frozen=True)
class TrainConfig:
    """Every field carries its facts (engine.settings): kind, range, group, label, help, flag, resume."""

    task: str = choice("caesar", _task_names, TASK, "Task", "what the model learns")
    key: int = whole(13, 0, ALPHABET_SIZE - 1, TASK, "Caesar key", "caesar: how far the cipher shifts each letter",
                     hint="0-26")
    length: int = whole(32, 2, 65536, TASK, "Length", "characters in each training sequence", hint="chars")
    corpus: str | None = special(None, "text", _corpus, TASK, "Corpus", "completion: a built-in corpus ("
                                 + ", ".join(corpora.names()) + ") or a UTF-8 text file; none: the lesson's "
                                 "sentences; with --resume, where the same text is now",
                                 hint=f"blank: lesson; {', '.join(corpora.names())} or a file",
                                 suggest=corpora.names, resume=PLACE)
    pairs: tuple[tuple[str, str], ...] = special((("hello", "ohlol"),), "pairs", _pairs, TASK, "Pairs",
                                                 "mapping: input:output pairs of one length, e.g. "
                                                 "hello:ohlol,world:dlrow", hint="in:out,...")
    symbols: int = whole(8, 2, 26, TASK, "Symbols", "echo: streams draw from the first K capitals",
                         hint="letters, 2-26")
    delay: int = whole(5, 0, 65535, TASK, "Delay", "echo: the target is the input this many positions back",
                       hint="steps back")
    keyword: str = special("LEMON", "text", _keyword, TASK, "Keyword", "vigenere: the repeating keyword "
                           "(A shifts by 0)", hint="letters A-Z")
    cell: str = choice("lstm", lambda: CELLS, MODEL, "Cell", "the recurrent cell")
    layers: int = whole(1, 1, 16, MODEL, "Layers", "stacked recurrent layers")
    hidden: int = whole(32, 1, 8192, MODEL, "Hidden size", "units in each layer's state")
    embedding: int = whole(8, 0, 8192, MODEL, "Input", "embedding width; 0 feeds one-hot vectors",
                           hint="0 = one-hot")
    dropout: float = number(0.0, 0.0, 0.99, MODEL, "Dropout", "share of outputs dropped while training, "
                            "between layers and before the head", hint="0 = off")
    head: str = choice("linear", lambda: HEADS, MODEL, "Head", "linear maps the state to the scores; none uses "
                       "the state as the scores")
    forget_bias: float = number(0.0, -10.0, 10.0, MODEL, "Forget bias", "lstm: the forget gate's initial bias "
                                "(1 keeps memories from step 1); 0 = PyTorch's init", hint="lstm; 0 = default")
    optimizer: str = choice("adam", lambda: OPTIMIZERS, OPTIMISATION, "Optimizer", "the update rule")
    lr: float = number(0.01, 0.0, 100.0, OPTIMISATION, "Learning rate", "the optimizer's step size",
                       low_open=True, resume=LEARNING)
    batch_size: int = whole(64, 1, 65536, OPTIMISATION, "Batch size", "sequences per step")
    clip: float = number(0.0, 0.0, 1e6, OPTIMISATION, "Grad clip", "largest gradient norm; 0 = no clipping",
                         hint="0 = off", resume=LEARNING)
    schedule: str = choice("constant", lambda: SCHEDULES, OPTIMISATION, "Schedule", "the learning rate after "
                           "warm-up; cosine and linear decay to 0 by the end", resume=LEARNING)
    warmup: float = number(0.0, 0.0, 0.9, OPTIMISATION, "Warm-up", "share of the run (steps or seconds, "
                           "whichever bounds it) with a linear learning-rate ramp", hint="share of the run",
                           resume=LEARNING)
    accumulate_grad: bool = switch(False, ("zeroed every step", "never zeroed (lesson A's omission)"), OPTIMISATION,
                                   "Gradients", "never zero the gradients (Lesson A's famous omission)",
                                   flag="--no-zero-grad")
    steps: int = whole(300, 1, MAX_STEPS, RUN, "Steps", "optimizer updates in the run; with --resume, that many "
                       "more", resume=LENGTH)
    seconds: float = number(0.0, 0.0, 1e7, RUN, "Time budget", "training seconds, evaluation excluded; 0 = none, "
                            "the steps bound the run", hint="seconds, 0 = off", resume=LENGTH)
    until: float = number(0.0, 0.0, 1.0, RUN, "Until", "stop (completed) at the first evaluation with at least "
                          "this accuracy; 0 = run every step", hint="accuracy, 0 = off", resume=REPORTING)
    precision: str = choice("fp32", lambda: PRECISIONS, RUN, "Precision", "bf16 autocasts (weights and "
                            "optimizer state stay fp32); auto is bf16 where the device has it natively",
                            resume=LEARNING)
    seed: int = whole(0, 0, 2**63 - 1, RUN, "Seed", "seeds the weights, the data and dropout")
    device: str = special("auto", "device", _device, RUN, "Device", "where it trains: auto, cpu, cuda, cuda:N or "
                          "mps", resume=PLACE)
    log_every: int = whole(10, 1, 100_000_000, REPORTS, "Log every", "steps between loss lines", hint="steps",
                           resume=REPORTING)
    eval_every: int = whole(50, 1, 100_000_000, REPORTS, "Eval every", "steps between evaluations; given "
                            "alone, exactly every N steps", hint="steps", resume=REPORTING)
    eval_early: bool = switch(False, ("only every Eval every steps", "also at steps 1, 2, 3, ..."), REPORTS,
                              "Early evals", "also evaluate at steps 1, 2, 3, ... spaced about a quarter apart "
                              "below eval_every", resume=REPORTING)
    eval_budget: float = number(0.0, 0.0, 1.0, REPORTS, "Eval budget", "defer evaluations while they would "
                                "take more than this share of training time (e.g. 0.02); 0 = exactly every "
                                "eval_every steps", hint="share of time, 0 = off", resume=REPORTING)

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with `changes` applied; raises ConfigError for unknown fields or bad values."""
        for name in changes:
            if name not in SETTINGS:
                raise ConfigError(name, f"unknown setting{_suggest(name, SETTINGS)}")
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
        for name in data:
            if name not in SETTINGS:
                raise ConfigError(name, f"unknown setting{_suggest(name, SETTINGS)}")
        data = dict(data)
        if "pairs" in data and isinstance(data["pairs"], list):
            data["pairs"] = tuple(tuple(p) if isinstance(p, list) else p for p in data["pairs"])
        return cls(**data)


SETTINGS = settings_of(TrainConfig)  # {field: its facts}, in declaration order


def unused_settings(config: TrainConfig) -> dict[str, str]:
    """{field: why it has no effect}: the task options this config's task never reads, what the task itself
    says it ignores (engine.tasks), and what the config's cell does not read (engine.cells)."""
    from engine.tasks import all_options, task_class  # the task registry imports this module

    task = task_class(config.task)
    out = {name: f"the {config.task} task does not use it" for name in all_options() if name not in task.options}
    out.update(task.unused_settings(config))
    if hasattr(config, "cell"):  # a race's base config keeps them for the contestants whose cells read them
        out.update(cells.ignored_settings(config.cell))
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


def validate(c: TrainConfig) -> None:
    """Raise ConfigError naming the first invalid field: each field by its facts, then what one field's
    value means for another's, and what the task itself requires (engine.tasks: echo's delay below the length)."""
    from engine.tasks import names, task_class  # the task registry imports this module

    for name, facts in SETTINGS.items():
        problem = facts.refusal(getattr(c, name))
        if problem:
            raise ConfigError(name, problem)
    task = task_class(c.task)
    if c.corpus is not None and "corpus" not in task.options:
        readers = " and ".join(name for name in names() if "corpus" in task_class(name).options)
        raise ConfigError("corpus", f"only the {readers} task reads a corpus")
    task.check(c)
