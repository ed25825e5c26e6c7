"""Events a training run yields: frozen, stdlib-only, cheap to import and to send across threads."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar


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


@dataclass(frozen=True)
class StepLogged(Event):
    kind: ClassVar[str] = "step"
    step: int
    loss: float
    chars_per_s: float
    elapsed: float


@dataclass(frozen=True)
class Evaluated(Event):
    kind: ClassVar[str] = "eval"
    step: int
    loss: float
    accuracy: float | None = None
    bits_per_char: float | None = None  # corpora: full context, the state carried through the held-out text
    samples: tuple[Sample, ...] = field(default_factory=tuple)
    windowed_bits_per_char: float | None = None  # corpora: each window of --length starts from a zero state


@dataclass(frozen=True)
class RunFinished(Event):
    kind: ClassVar[str] = "finished"
    step: int
    reason: str  # "completed" | "stopped" | "diverged" | "failed"
    metrics: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class RaceFinished(Event):
    """The end of a race: one result per contestant, in the order the configs were given."""

    kind: ClassVar[str] = "race"
    results: tuple[dict[str, Any], ...] = ()
