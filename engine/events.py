"""Events a training run yields: frozen, stdlib-only, cheap to import and to send across threads.

Each event serialises with to_dict() (a `--metrics` line, `train --json` output) and parses back with
event_from_dict(), beside it: every field is checked, so a crafted or damaged line is an error naming
the problem (ValueError or TypeError), never an event with a wrong type inside.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.text import echo

MAX_WHOLE = 10**12  # steps and counts past any run (TrainConfig caps steps at 1e8): a hostile line


@dataclass(frozen=True)
class Sample:
    """One prediction shown to people: what went in, what should come out, what did."""

    input: str
    target: str
    output: str


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"
    run_id: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the event name first, as `rnnplay train --json` prints it.

        Strict JSON has no NaN or Infinity: non-finite numbers (a diverged loss) become None (null)."""
        return json_safe({"event": self.kind, **dataclasses.asdict(self)})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """The event that to_dict() gave `data` (its "event" already matched); each subclass reads its fields."""
        raise NotImplementedError(f"{cls.__name__} does not parse")


def json_safe(value: Any) -> Any:
    """`value` with every non-finite float inside dicts, lists and tuples replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(json_safe(v) for v in value)
    return value


@dataclass(frozen=True)
class RunStarted(Event):
    kind: ClassVar[str] = "started"
    device: str
    parameters: int
    config: dict[str, Any]
    step: int = 0
    shapes: tuple[str, ...] = ()
    precision: str = "fp32"  # what the run trains in: fp32 or bf16 (config precision "auto" resolved)
    parent: dict[str, Any] | None = None  # a branch: the run it started from (engine.branches)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunStarted:
        from engine import branches
        from engine.config import TrainConfig

        config = data.get("config")
        if not isinstance(config, dict):
            raise TypeError("expected a config object")
        config = TrainConfig.from_dict(config).to_dict()  # the views read it: every field checked (ConfigError)
        shapes = tuple(_text(s) for s in data.get("shapes") or ())
        return cls(_text(data["run_id"]), _text(data.get("device", "")), _whole(data.get("parameters", 0)), config,
                   _whole(data.get("step", 0)), shapes, _text(data.get("precision", "fp32")),
                   branches.check(data.get("parent")))


@dataclass(frozen=True)
class StepLogged(Event):
    kind: ClassVar[str] = "step"
    step: int
    loss: float
    chars_per_s: float
    elapsed: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepLogged:
        return cls(_text(data["run_id"]), _whole(data["step"]), _loss(data["loss"]),
                   _number(data.get("chars_per_s", 0.0)), _number(data.get("elapsed", 0.0)))


@dataclass(frozen=True)
class Evaluated(Event):
    kind: ClassVar[str] = "eval"
    step: int
    loss: float
    accuracy: float | None = None
    bits_per_char: float | None = None  # corpora: full context, the state carried through the held-out text
    samples: tuple[Sample, ...] = field(default_factory=tuple)
    windowed_bits_per_char: float | None = None  # corpora: each window of --length starts from a zero state

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluated:
        samples = tuple(Sample(_text(s["input"]), _text(s["target"]), _text(s["output"]))
                        for s in data.get("samples") or ())
        return cls(_text(data["run_id"]), _whole(data["step"]), _loss(data["loss"]),
                   _number(data.get("accuracy"), True), _number(data.get("bits_per_char"), True), samples,
                   _number(data.get("windowed_bits_per_char"), True))


@dataclass(frozen=True)
class RunFinished(Event):
    kind: ClassVar[str] = "finished"
    step: int
    reason: str  # "completed" | "stopped" | "diverged" | "failed"
    metrics: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    message: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunFinished:
        metrics = data.get("metrics") or {}
        if not isinstance(metrics, dict):
            raise TypeError("expected metrics")
        metrics = {_text(k): v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        return cls(_text(data["run_id"]), _whole(data["step"]), _text(data["reason"]), metrics,
                   _number(data.get("elapsed", 0.0)), _text(data.get("message", "")))


@dataclass(frozen=True)
class RaceFinished(Event):
    """The end of a race: one result per contestant, in the order the configs were given."""

    kind: ClassVar[str] = "race"
    results: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RaceFinished:
        results = data.get("results") or ()
        if not isinstance(results, list) or not all(isinstance(r, dict) and all(isinstance(k, str) for k in r)
                                                    for r in results):
            raise TypeError("expected results as a list of objects")
        return cls(_text(data["run_id"]), tuple(results))


KINDS: dict[str, type[Event]] = {cls.kind: cls for cls in (RunStarted, StepLogged, Evaluated, RunFinished,
                                                            RaceFinished)}


def event_from_dict(data: Any) -> Event:
    """The event a to_dict() gave (a metrics line read back): ValueError or TypeError for anything else,
    an unknown kind named. Bounds: text is text, numbers are finite or null where a loss diverged (NaN
    again), steps and counts are whole numbers up to MAX_WHOLE, the config and a parent fully checked."""
    if not isinstance(data, dict):
        raise TypeError("expected an object")
    if "event" not in data:
        raise ValueError(f"no \"event\" field naming the kind; known: {', '.join(KINDS)}")
    kind = data["event"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"unknown event {echo(kind)}; known: {', '.join(KINDS)}")
    return KINDS[kind].from_dict(data)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _number(value: Any, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("expected a number")
    try:
        return float(value)
    except OverflowError:  # a whole number of 400 digits: a hostile line
        raise TypeError("expected a number a float holds") from None


def _loss(value: Any) -> float:
    """A diverged loss is written as null (JSON has no NaN)."""
    return float("nan") if value is None else _number(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WHOLE:
        raise TypeError("expected a whole number")
    return value
