"""A race: several trainers on the same task and data stream, interleaved in one thread.

Contestants differ in cell (and seed). Contestants with the same seed draw identical batches,
because a trainer's data stream comes from its seed alone. They take turns, one logging interval
each, so their curves grow together; each is timed only while it runs, so a slow cell never makes a
fast one look slow. The race ends with a RaceFinished event: per contestant, the steps and seconds
to the target accuracy (None when never reached), the final accuracy and loss, milliseconds per step
and parameters.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from engine.cells import names as registered_cells
from engine.config import ConfigError, TrainConfig
from engine.events import Evaluated, Event, RaceFinished, RunFinished, RunStarted
from engine.presets import RACE_CELLS
from engine.tasks import task_class
from engine.text import echo

TARGET = 0.99
DEFAULT_CELLS = RACE_CELLS  # the classic three: what a race shows first
MAX_SEEDS = 16
MAX_SEED = 2**63 - 1  # engine.config's bound on a seed
SEEDS_ACCEPTED = f"accepted: 1 to {MAX_SEEDS} distinct whole numbers from 0, comma-separated (e.g. 0,1,2)"


def _items(value: str, what: str, accepted: str) -> list[str]:
    """The comma-separated items, stripped; an empty one (`a,,b`, a trailing comma) is refused."""
    items = [item.strip() for item in value.split(",")]
    if not any(items):
        raise ValueError(f"no {what} given; {accepted}")
    if not all(items):
        raise ValueError(f"{echo(value)} has an empty item; {accepted}")
    return items


def _once(items, what: str, accepted: str) -> None:
    repeated = next((item for i, item in enumerate(items) if item in items[:i]), None)
    if repeated is not None:
        raise ValueError(f"{what} {echo(repeated)} is given twice (it would race itself); {accepted}")


def cells_accepted() -> str:
    """What --cells accepts: the registered cells (a cell registered later too)."""
    return f"accepted: a comma-separated list of {', '.join(registered_cells())}, each once (e.g. rnn,lstm,gru)"


def parse_cells(value: str) -> tuple[str, ...]:
    accepted, known = cells_accepted(), registered_cells()
    chosen = _items(value, "cells", accepted)
    for cell in chosen:
        if cell not in known:
            hint = f" (cells are lower case: {cell.lower()})" if cell.lower() in known else ""
            raise ValueError(f"{echo(cell)} is not a cell{hint}; {accepted}")
    _once(chosen, "cell", accepted)
    return tuple(chosen)


def parse_seeds(value: str) -> tuple[int, ...]:
    items = _items(value, "seeds", SEEDS_ACCEPTED)
    for item in items:  # ASCII digits only: int() also takes "1_0", "+1" and other scripts' digits
        if not re.fullmatch(r"[0-9]+", item):
            raise ValueError(f"{echo(item)} is not a seed; {SEEDS_ACCEPTED}")
        if len(item) > len(str(MAX_SEED)) or int(item) > MAX_SEED:  # int() refuses 4,300+ digits
            raise ValueError(f"seed {echo(item)} is too large; accepted: 0 to {MAX_SEED}")
    seeds = [int(item) for item in items]
    _once(seeds, "seed", SEEDS_ACCEPTED)
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"{len(seeds)} seeds; {SEEDS_ACCEPTED}")
    return tuple(seeds)


def contestants(base: TrainConfig, cells: Sequence[str], seeds: Sequence[int] = (0,)) -> list[TrainConfig]:
    """One config per cell and seed, everything else from `base`; every contestant trains the whole budget
    (a preset's --until would end the winners early and leave their curves short)."""
    if not cells:
        raise ConfigError("cells", "expected at least one cell, e.g. rnn,lstm,gru")
    return [base.replace(cell=cell, seed=seed, until=0.0) for seed in seeds for cell in cells]


def label(config: TrainConfig) -> str:
    return f"{config.cell} seed {config.seed}"


@dataclass
class _Entry:
    config: TrainConfig
    trainer: object
    run: Iterator[Event]
    stop: threading.Event = field(default_factory=threading.Event)
    seconds: float = 0.0  # time spent running this contestant alone
    parameters: int = 0
    steps_to_target: int | None = None
    seconds_to_target: float | None = None
    last_eval: Evaluated | None = None
    finished: RunFinished | None = None


def race(configs: Sequence[TrainConfig], stop: threading.Event | None = None, *, target: float = TARGET,
         seconds: float | None = None, created: Callable[[int, object], object] | None = None) -> Iterator[Event]:
    """Train every config in turn, yielding their events, then a RaceFinished with the results.

    `seconds` gives each contestant the same time budget (its own running time); otherwise each runs
    its config's steps. `stop` ends the race after the current turn. `created(index, trainer)` is
    called once each contestant's Trainer is built (the app plays with them while they race).
    """
    from engine.training import Trainer

    _check_same_task(configs)
    entries = []
    for config in configs:
        trainer = Trainer(config)
        entries.append(_Entry(config, trainer, iter(())))
        entries[-1].run = trainer.run(entries[-1].stop)
        if created is not None:
            created(len(entries) - 1, trainer)
    while any(e.finished is None for e in entries):
        for entry in entries:
            if entry.finished is not None:
                continue
            if stop is not None and stop.is_set() or seconds is not None and entry.seconds >= seconds:
                entry.stop.set()
            started = time.perf_counter()
            event = next(entry.run)
            entry.seconds += time.perf_counter() - started
            _note(entry, event, target)
            yield event
    yield RaceFinished(uuid.uuid4().hex[:8], tuple(_result(e) for e in entries))


def _check_same_task(configs: Sequence[TrainConfig]) -> None:
    if not configs:
        raise ConfigError("cells", "a race needs at least one contestant")
    data = {task_class(c.task).race_data(c) for c in configs}  # the task and every setting its data depends on
    if len(data) > 1:
        raise ConfigError("task", "every contestant of a race must train on the same task and data")


def _note(entry: _Entry, event: Event, target: float) -> None:
    if isinstance(event, RunStarted):
        entry.parameters = event.parameters
    elif isinstance(event, Evaluated):
        entry.last_eval = event
        if entry.steps_to_target is None and event.accuracy is not None and event.accuracy >= target:
            entry.steps_to_target, entry.seconds_to_target = event.step, entry.seconds
    elif isinstance(event, RunFinished):
        entry.finished = event


def _result(entry: _Entry) -> dict:
    finished, last = entry.finished, entry.last_eval
    steps = finished.step if finished else 0
    return {"contestant": label(entry.config), "cell": entry.config.cell, "seed": entry.config.seed,
            "run_id": entry.trainer.run_id, "steps": steps, "seconds": round(entry.seconds, 3),
            "accuracy": last.accuracy if last else None, "loss": last.loss if last else None,
            "bits_per_char": last.bits_per_char if last else None,
            "steps_to_target": entry.steps_to_target,
            "seconds_to_target": None if entry.seconds_to_target is None else round(entry.seconds_to_target, 3),
            "ms_per_step": round(1000 * entry.seconds / steps, 3) if steps else None,
            "parameters": entry.parameters, "reason": finished.reason if finished else None}
