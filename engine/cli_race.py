"""`rnnplay race`: one contestant per cell (and seed) on the same task and data, then a results table."""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading

from engine.cli_args import UsageError, add_run_settings
from engine.config import CELLS
from engine.text import echo, visible

MAX_SEEDS = 16
MAX_SEED = 2**63 - 1  # engine.config's bound on a seed
CELLS_ACCEPTED = f"accepted: a comma-separated list of {', '.join(CELLS)}, each once (e.g. rnn,lstm,gru)"
SEEDS_ACCEPTED = f"accepted: 1 to {MAX_SEEDS} distinct whole numbers from 0, comma-separated (e.g. 0,1,2)"


def _items(value: str, what: str, accepted: str) -> list[str]:
    """The comma-separated items, stripped; an empty one (`a,,b`, a trailing comma) is refused."""
    items = [item.strip() for item in value.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError(f"no {what} given; {accepted}")
    if not all(items):
        raise argparse.ArgumentTypeError(f"{echo(value)} has an empty item; {accepted}")
    return items


def _once(items, what: str, accepted: str) -> None:
    repeated = next((item for i, item in enumerate(items) if item in items[:i]), None)
    if repeated is not None:
        raise argparse.ArgumentTypeError(f"{what} {echo(repeated)} is given twice (it would race itself); {accepted}")


def cell_list(value: str) -> tuple[str, ...]:
    cells = _items(value, "cells", CELLS_ACCEPTED)
    for cell in cells:
        if cell not in CELLS:
            hint = f" (cells are lower case: {cell.lower()})" if cell.lower() in CELLS else ""
            raise argparse.ArgumentTypeError(f"{echo(cell)} is not a cell{hint}; {CELLS_ACCEPTED}")
    _once(cells, "cell", CELLS_ACCEPTED)
    return tuple(cells)


def seed_list(value: str) -> tuple[int, ...]:
    items = _items(value, "seeds", SEEDS_ACCEPTED)
    for item in items:  # ASCII digits only: int() also takes "1_0", "+1" and other scripts' digits
        if not re.fullmatch(r"[0-9]+", item):
            raise argparse.ArgumentTypeError(f"{echo(item)} is not a seed; {SEEDS_ACCEPTED}")
        if len(item) > len(str(MAX_SEED)) or int(item) > MAX_SEED:  # int() refuses 4,300+ digits
            raise argparse.ArgumentTypeError(f"seed {echo(item)} is too large; accepted: 0 to {MAX_SEED}")
    seeds = [int(item) for item in items]
    _once(seeds, "seed", SEEDS_ACCEPTED)
    if len(seeds) > MAX_SEEDS:
        raise argparse.ArgumentTypeError(f"{len(seeds)} seeds; {SEEDS_ACCEPTED}")
    return tuple(seeds)


def fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"{echo(value)} is not an accuracy; accepted: above 0, up to 1 (e.g. 0.99)")
    return number


def add_parser(sub, overrides: dict) -> None:
    race = sub.add_parser("race", help="race cells on the same task and data (rnn vs lstm vs gru), then a table")
    add_run_settings(race, overrides)
    race.add_argument("--cells", type=cell_list, default=("rnn", "lstm", "gru"), metavar="CELL,...",
                      help="the contestants' cells (default rnn,lstm,gru)")
    race.add_argument("--seeds", type=seed_list, metavar="SEED,...", help="one contestant per cell and seed")
    race.add_argument("--target", type=fraction, default=0.99, help="the accuracy to race to (default 0.99)")
    race.add_argument("--json", action="store_true", help="print every event as a JSON line, then the results")


def cmd_race(args) -> int:
    import engine
    from engine.cli_train import apply_threads, train_config
    from engine.racing import contestants, label
    from engine.signals import StopOnSignals

    if args.cell is not None:
        raise UsageError("--cell: a race takes --cells, e.g. --cells rnn,lstm,gru")
    if args.until is not None:  # contestants would end at different steps and their curves stop short
        raise UsageError(f"--until: every contestant of a race trains its whole budget; --target "
                         f"(now {args.target:g}) says when each got there")
    if args.seed is not None and args.seeds is not None:
        raise UsageError("--seed and --seeds: give one (--seeds 0,1,2 races every cell with each seed)")
    base = train_config(args)
    seeds = args.seeds if args.seeds is not None else (base.seed,)
    configs = contestants(base, args.cells, seeds)
    apply_threads(args)
    names: dict[str, str] = {}
    stop = threading.Event()
    signals = StopOnSignals(stop)
    try:
        for event in engine.race(configs, stop, target=args.target):
            if event.kind == "started":
                names[event.run_id] = label(engine.TrainConfig.from_dict(event.config))
            _show(event, names.get(event.run_id, ""), args.json)
    finally:
        signals.restore()
    if not args.json:
        print_table(event.results, args.target)
    return signals.status if stop.is_set() else 0


def _show(event, contestant: str, as_json: bool) -> None:
    if as_json:
        data = event.to_dict()
        if contestant:
            data["contestant"] = contestant
        print(json.dumps(data, allow_nan=False), flush=True)
    elif event.kind == "started":  # at once: the first evaluation can be a minute away with 8 contestants
        print(f"{contestant:<14} started: {event.parameters:,} parameters on {visible(event.device, 40)}", flush=True)
    elif event.kind == "eval":
        score = f"accuracy {event.accuracy:.1%}" if event.accuracy is not None else \
            f"{event.bits_per_char:.3f} bits/char"
        print(f"{contestant:<14} step {event.step:>6,}  loss {event.loss:.4f}  {score}", flush=True)
    elif event.kind == "finished" and event.message:
        print(f"{contestant:<14} {event.reason}: {visible(event.message, 200)}", flush=True)


def _to_target(result: dict) -> str:
    """The step the target was reached at; "never" for a whole run; else why it ended (stopped)."""
    if result["steps_to_target"] is not None:
        return f"{result['steps_to_target']:,}"
    return "never" if result["reason"] in ("completed", None) else visible(result["reason"], 12)


def print_table(results, target: float) -> None:
    """The results, one row per contestant: a rich table on a terminal, aligned text in a pipe."""
    header = ("contestant", f"steps to {target:.0%}", "seconds", "accuracy", "loss", "ms/step", "parameters")
    rows = [(r["contestant"], _to_target(r),
             "-" if r["seconds_to_target"] is None else f"{r['seconds_to_target']:.1f}",
             "-" if r["accuracy"] is None else f"{r['accuracy']:.1%}",
             "-" if r["loss"] is None else f"{r['loss']:.4f}",
             "-" if r["ms_per_step"] is None else f"{r['ms_per_step']:.2f}", f"{r['parameters']:,}")
            for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths,
              strict=True))).rstrip())
    sys.stdout.flush()
