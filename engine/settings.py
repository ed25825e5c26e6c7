"""The facts each run setting carries, declared on its TrainConfig field (engine.config) through the helpers
here: its kind and range, its group, label and help, its command-line flag, and what a resumed run may do
with it. Validation, the CLI's run-setting flags, the app's Setup form and the resume and branch rules all
read these facts, so each rule is written once. Stdlib only: cheap to import.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import math
from collections.abc import Callable
from typing import Any

from engine.text import echo

# group -> its heading in Setup; the fields of TrainConfig are declared in this order
GROUPS = {"task": "Task and data", "model": "Model", "optimisation": "Optimisation", "run": "Run",
          "reporting": "Reporting"}
KINDS = ("int", "float", "bool", "choice", "text", "pairs", "device")


class Resume(enum.Enum):
    """What a run resumed from its checkpoint may do with a setting, as four facts:

    resumable: `train --resume` may change it; makes_branch: a changed value makes the resumed run a
    branch (a new run that records its parent; engine.branches); in_place: a trainer already built (a
    checkpoint just loaded in the app) can take a new value between steps; while_paused: a paused or
    stopped run in the app may change it and go on with the same weights.
    """

    #            resumable, makes_branch, in_place, while_paused
    KEPT = (False, True, False, False)  # the checkpoint's own: its task, model and data
    LEARNING = (True, True, True, False)  # how it learns from here on
    LENGTH = (True, True, True, True)  # how long it runs
    REPORTING = (True, False, True, True)  # how it reports, and when it stops early
    PLACE = (True, False, False, False)  # where it runs, where its corpus is now: read as a checkpoint is loaded

    def __init__(self, resumable: bool, makes_branch: bool, in_place: bool, while_paused: bool):
        self.resumable, self.makes_branch = resumable, makes_branch
        self.in_place, self.while_paused = in_place, while_paused


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting's facts. `help` is the CLI's --help text and the Setup field's tooltip; `hint` the short
    note beside the Setup field. `flag` is the CLI flag ("" = --field-name; a bool's flag sets it true)."""

    kind: str
    group: str
    label: str
    help: str
    hint: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the low bound itself is refused (a learning rate of 0)
    choices: Callable[[], tuple[str, ...]] | None = None  # a callable: registries can grow after import
    states: tuple[str, str] = ("off", "on")  # a bool's two values as Setup shows them
    check: Callable[[Any], str] | None = None  # a named check: why a value is refused ("" if accepted)
    suggest: Callable[[], list[str]] | None = None  # free text: what Setup offers as you type
    flag: str = ""
    resume: Resume = Resume.KEPT

    def refusal(self, value: Any) -> str:
        """Why `value` is refused, "" if it is accepted: the kind and range (or choices), then the named check."""
        return KIND_CHECKS[self.kind](self, value) or (self.check(value) if self.check else "")

    def accepted(self) -> str:
        """The values accepted, for help texts: '1 to 16', 'from 0.0 to 0.99', 'lstm, gru', ''."""
        if self.kind == "choice":
            return ", ".join(self.choices())
        if self.kind in ("int", "float"):
            return f"{'above ' if self.low_open else ''}{_shown(self.low)} to {_shown(self.high)}"
        return ""


def _shown(bound: float) -> str:
    """A bound for people: 8,192; 1,000,000; 0.99; 0 (not 0.0 or 1e+06)."""
    if isinstance(bound, int) or bound.is_integer():
        return f"{int(bound):,}"
    return f"{bound:g}"


def _int(facts: Setting, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected a whole number from {facts.low} to {facts.high}, got {echo(value)}"
    if not facts.low <= value <= facts.high:
        return f"{value} is out of range; accepted: {facts.low} to {facts.high}"
    return ""


def finite_number(value: Any) -> bool:
    """A real number a float holds: not a bool, not NaN or infinite, not a whole number past float's range
    (JSON allows 10**400; math.isfinite raises OverflowError on it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _float(facts: Setting, value: Any) -> str:
    low, high = facts.low, facts.high
    if not finite_number(value):
        return f"expected a finite number, got {echo(value)}"
    if value > high or value < low or (facts.low_open and value == low):
        bound = f"above {low}" if facts.low_open else f"from {low}"
        return f"{value} is out of range; accepted: {bound} to {high}"
    return ""


def _bool(facts: Setting, value: Any) -> str:
    return "" if isinstance(value, bool) else f"expected true or false, got {echo(value)}"


def _choice(facts: Setting, value: Any) -> str:
    choices = facts.choices()
    if value in choices:
        return ""
    return f"{echo(value)} is not one of {', '.join(choices)}{suggest(value, choices)}"


def _by_its_check(facts: Setting, value: Any) -> str:
    """Text, pairs and devices have no generic range: their named check says it all."""
    return ""


KIND_CHECKS: dict[str, Callable[[Setting, Any], str]] = {
    "int": _int, "float": _float, "bool": _bool, "choice": _choice, "text": _by_its_check, "pairs": _by_its_check,
    "device": _by_its_check}


def suggest(word: Any, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _declare(default: Any, facts: Setting) -> Any:
    if facts.kind not in KINDS or facts.group not in GROUPS:
        raise ValueError(f"a setting needs a kind in {KINDS} and a group in {tuple(GROUPS)}")
    needs = {"int": ("low", "high"), "float": ("low", "high"), "choice": ("choices",), "text": ("check",),
             "pairs": ("check",), "device": ("check",)}.get(facts.kind, ())
    if any(getattr(facts, name) is None for name in needs):
        raise ValueError(f"a {facts.kind} setting needs {' and '.join(needs)}")
    return dataclasses.field(default=default, metadata={"setting": facts})


def whole(default: int, low: int, high: int, group: str, label: str, help: str, **facts: Any) -> Any:
    return _declare(default, Setting("int", group, label, help, low=low, high=high, **facts))


def number(default: float, low: float, high: float, group: str, label: str, help: str, **facts: Any) -> Any:
    return _declare(default, Setting("float", group, label, help, low=low, high=high, **facts))


def choice(default: str, choices: Callable[[], tuple[str, ...]], group: str, label: str, help: str,
           **facts: Any) -> Any:
    return _declare(default, Setting("choice", group, label, help, choices=choices, **facts))


def switch(default: bool, states: tuple[str, str], group: str, label: str, help: str, **facts: Any) -> Any:
    return _declare(default, Setting("bool", group, label, help, states=states, **facts))


def special(default: Any, kind: str, check: Callable[[Any], str], group: str, label: str, help: str,
            **facts: Any) -> Any:
    """Text, pairs or a device: a value whose rule is its own named check."""
    return _declare(default, Setting(kind, group, label, help, check=check, **facts))


def of(config_class) -> dict[str, Setting]:
    """{field: its facts} for every field of `config_class`, in declaration order; KeyError naming a field
    declared without them."""
    table = {}
    for field in dataclasses.fields(config_class):
        if "setting" not in field.metadata:
            raise KeyError(f"{field.name}: declared without its facts (use engine.settings.whole, choice...)")
        table[field.name] = field.metadata["setting"]
    return table
