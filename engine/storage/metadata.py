"""A checkpoint's JSON metadata: parsed within bounds and checked against one schema before any use.

Every field is checked here, once: types, ranges, finite numbers, a vocabulary of distinct non-empty
string symbols that fits the task, an optimizer section of the shape torch expects. A failure is a
MetadataError naming the field (checkpoint.py adds the file). Standard library and engine.config only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from engine.config import MAX_STEPS, ConfigError, TrainConfig
from engine.settings import finite_number
from engine.text import echo
from engine.vocab import MAX_SYMBOLS, Vocabulary

FORMAT = "rnnplay-checkpoint"
VERSION = 1
MAX_METADATA_CHARS = 4 << 20  # a vocabulary of 65,536 escaped symbols is well under 1 MiB
MAX_DEPTH = 16  # the deepest real field (param_groups[i].betas) is 4 levels down
MAX_METRICS = 64
MAX_GROUPS = 16
MAX_GROUP_KEYS = 64
REQUIRED = ("format", "version", "config", "vocab", "step")
OPTIONAL = {"metrics": dict, "param_groups": list, "trained_seconds": float, "run_id": str, "parent": dict,
            "loss_history": dict}
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"')
_BRACKETS = re.compile(r"[\[\]{}]")


class MetadataError(ValueError):
    """One field of the metadata is wrong; `field` is its dotted name."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class Metadata:
    config: TrainConfig
    vocab: Vocabulary
    step: int
    metrics: dict[str, float]
    param_groups: list[dict[str, Any]]
    trained_seconds: float = 0.0  # training time of a stopped run (its time budget and schedule go on)
    run_id: str | None = None  # the run that saved it
    parent: dict[str, Any] | None = None  # the run it branched from (engine.branches)
    loss_history: tuple[tuple[int, float], ...] = ()  # (step, loss) logged up to `step` (engine.loss_history)


def parse(text: str) -> dict:
    """JSON text -> dict, refusing oversized or deeply nested text before json.loads sees it."""
    if len(text) > MAX_METADATA_CHARS:
        raise MetadataError("metadata", f"{len(text):,} characters; at most {MAX_METADATA_CHARS:,} are accepted")
    depth = deepest(text)
    if depth > MAX_DEPTH:
        raise MetadataError("metadata", f"nested {depth:,} levels deep; at most {MAX_DEPTH} are accepted")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError cannot happen below MAX_DEPTH; belt and braces
        raise MetadataError("metadata", f"not valid JSON ({str(e)[:80]})") from None
    if not isinstance(meta, dict):
        raise MetadataError("metadata", f"expected a JSON object, got {_kind(meta)}")
    return meta


def deepest(text: str) -> int:
    """How deeply JSON `text` nests arrays and objects, ignoring brackets inside strings."""
    depth = best = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        best = max(best, depth)
    return best


def check_header(meta: dict) -> int:
    """The format version of a dict that claims to be ours; MetadataError for foreign or newer ones."""
    if meta.get("format") != FORMAT:
        raise MetadataError("format", f"{echo(meta.get('format'))} is not {FORMAT!r}: not a file written by rnnplay")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise MetadataError("version", f"expected a whole number from 1, got {echo(version)}")
    if version > VERSION:
        raise MetadataError("version", f"format version {version} is newer than this rnnplay reads ({VERSION}); "
                                       "upgrade rnnplay")
    return version


def validate(meta: dict) -> Metadata:
    """The whole metadata checked against the schema; the first wrong field raises MetadataError."""
    check_header(meta)
    for key in meta:
        if key not in REQUIRED and key not in OPTIONAL:
            raise MetadataError(echo(key, 40), "unknown field; accepted: " + ", ".join((*REQUIRED, *OPTIONAL)))
    for key in REQUIRED:
        if key not in meta:
            raise MetadataError(key, "missing")
    for key, kind in OPTIONAL.items():
        if key in meta and kind is not float and not isinstance(meta[key], kind):
            raise MetadataError(key, f"expected a JSON {'object' if kind is dict else 'array'}, "
                                     f"got {_kind(meta[key])}")
    config = _config(meta["config"])
    step = _whole("step", meta["step"], 0, MAX_STEPS)
    return Metadata(config, _vocab(meta["vocab"], config), step,
                    _metrics(meta.get("metrics", {})), _param_groups(meta.get("param_groups", [])),
                    _seconds(meta.get("trained_seconds", 0.0)), *_lineage(meta), _history(meta, step))


def _history(meta: dict, step: int) -> tuple[tuple[int, float], ...]:
    from engine import loss_history

    try:
        return loss_history.check(meta.get(loss_history.FIELD), step)
    except ValueError as e:
        field, _, problem = str(e).partition(": ")
        raise MetadataError(field, problem) from None


def _lineage(meta: dict) -> tuple[str | None, dict[str, Any] | None]:
    from engine import branches

    run_id = meta.get("run_id")
    if run_id is not None and not 0 < len(run_id) <= branches.MAX_RUN_ID:
        raise MetadataError("run_id", f"expected 1 to {branches.MAX_RUN_ID} characters")
    try:
        return run_id, branches.check(meta.get("parent"))
    except ValueError as e:
        field, _, problem = str(e).partition(": ")
        raise MetadataError(field, problem) from None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _whole(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MetadataError(field, f"expected a whole number from {low} to {high:,}, got {echo(value)}")
    return value


def _finite(field: str, value: Any) -> float:
    if not finite_number(value):
        raise MetadataError(field, f"expected a finite number, got {echo(value)}")
    return value


def _seconds(value: Any) -> float:
    if _finite("trained_seconds", value) < 0:
        raise MetadataError("trained_seconds", f"expected a number of seconds from 0, got {echo(value)}")
    return float(value)


NAMED = ("task", "cell")  # the registries' keys: missing, the defaults would read another run's model as caesar


def _config(data: Any) -> TrainConfig:
    if not isinstance(data, dict):
        raise MetadataError("config", f"expected a JSON object, got {_kind(data)}")
    for name in NAMED:
        if name not in data:
            raise MetadataError(f"config.{name}", "missing; a checkpoint names what it trained")
    try:
        return TrainConfig.from_dict(data)
    except ConfigError as e:
        raise MetadataError(f"config.{e.field}", str(e)[len(e.field) + 2:]) from None
    except (TypeError, ValueError) as e:
        raise MetadataError("config", f"not a valid configuration ({type(e).__name__})") from None


def _vocab(data: Any, config: TrainConfig) -> Vocabulary:
    if not isinstance(data, dict) or set(data) - {"symbols", "unknown"} or "symbols" not in data:
        raise MetadataError("vocab", "expected an object with 'symbols' (an array) and 'unknown'")
    symbols, unknown = data["symbols"], data.get("unknown")
    if not isinstance(symbols, list) or not 1 <= len(symbols) <= MAX_SYMBOLS:
        raise MetadataError("vocab.symbols", f"expected an array of 1 to {MAX_SYMBOLS:,} symbols")
    for index, symbol in enumerate(symbols):
        if not isinstance(symbol, str) or not symbol:
            raise MetadataError(f"vocab.symbols[{index}]", f"expected a non-empty string, got {echo(symbol)}")
    if len(set(symbols)) != len(symbols):
        raise MetadataError("vocab.symbols", "symbols must be distinct")
    if unknown is not None and unknown not in symbols:
        raise MetadataError("vocab.unknown", f"{echo(unknown)} is not one of the symbols")
    vocab = Vocabulary(symbols, unknown=unknown)
    from engine.tasks import vocabulary_for

    expected = vocabulary_for(config, vocab)
    if expected != vocab:
        why = _difference(vocab, expected)
        raise MetadataError("vocab", f"does not fit the {config.task} task of this config ({why})")
    return vocab


def _difference(saved: Vocabulary, expected: Vocabulary) -> str:
    """The first way the saved vocabulary differs from the one its task has."""
    if len(saved) != len(expected):
        return f"{len(saved)} symbols where the task has {len(expected)}"
    for index, (mine, theirs) in enumerate(zip(saved.symbols, expected.symbols, strict=True)):
        if mine != theirs:
            return f"symbol {index} is {echo(mine)} where the task has {echo(theirs)}"
    return f"unknown symbol {echo(saved.unknown)} where the task has {echo(expected.unknown)}"


def _metrics(data: dict) -> dict[str, float]:
    """Numbers by name. A NaN or infinite one (a run that diverged mid-evaluation) is dropped, not refused:
    metrics only describe the run, and refusing the file would lose the model."""
    if len(data) > MAX_METRICS:
        raise MetadataError("metrics", f"{len(data)} entries; at most {MAX_METRICS} are accepted")
    for name, value in data.items():
        if not 0 < len(name) <= 64:
            raise MetadataError("metrics", f"a name of {len(name)} characters; 1 to 64 are accepted")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MetadataError(f"metrics.{name}", f"expected a number, got {echo(value)}")
    return {name: value for name, value in data.items() if finite_number(value)}


def _param_groups(groups: list) -> list[dict[str, Any]]:
    if len(groups) > MAX_GROUPS:
        raise MetadataError("param_groups", f"{len(groups)} groups; at most {MAX_GROUPS} are accepted")
    for i, group in enumerate(groups):
        field = f"param_groups[{i}]"
        if not isinstance(group, dict) or not isinstance(group.get("params"), list):
            raise MetadataError(field, "expected an object with 'params' (an array of parameter numbers)")
        if len(group) > MAX_GROUP_KEYS:
            raise MetadataError(field, f"{len(group)} settings; at most {MAX_GROUP_KEYS} are accepted")
        for name, value in group.items():
            _group_value(f"{field}.{name}", value, name == "params")
    return [dict(g) for g in groups]


def _group_value(field: str, value: Any, params: bool) -> None:
    if params:
        for index in value:
            _whole(field, index, 0, MAX_GROUPS * 1024)
        if len(set(value)) != len(value):
            raise MetadataError(field, "parameter numbers must be distinct")
    elif isinstance(value, list):
        if len(value) > 8:
            raise MetadataError(field, f"an array of {len(value)}; at most 8 numbers are accepted")
        for item in value:
            _finite(field, item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _finite(field, value)
    elif isinstance(value, str):
        if len(value) > 64:
            raise MetadataError(field, "a string longer than 64 characters")
    elif value is not None and not isinstance(value, bool):
        raise MetadataError(field, f"expected a number, true/false, null, a short string or an array, "
                                   f"got {_kind(value)}")
