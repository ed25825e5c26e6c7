"""`rnnplay race`: one contestant per cell (and seed) on the same task and data, then a results table."""

from __future__ import annotations

import argparse
import json
import sys
import threading

from engine import racing
from engine.cli.args import UsageError, add_run_settings, flag, given_settings
from engine.text import echo, visible


def cell_list(value: str) -> tuple[str, ...]:
    return _argument(racing.parse_cells, value)


def seed_list(value: str) -> tuple[int, ...]:
    return _argument(racing.parse_seeds, value)


def _argument(parse, value: str):
    try:
        return parse(value)
    except ValueError as error:  # argparse shows an ArgumentTypeError's own words, one line
        raise argparse.ArgumentTypeError(str(error)) from None


def fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"{echo(value)} is not an accuracy; accepted: above 0, up to 1 (e.g. 0.99)")
    return number


def add_parser(sub) -> None:
    race = sub.add_parser("race", help="race cells on the same task and data (rnn vs lstm vs gru), then a table")
    add_run_settings(race, unlisted=("cell", "until"))  # refused below: --cells, and every budget is whole
    race.add_argument("--cells", type=cell_list, default=racing.DEFAULT_CELLS, metavar="CELL,...",
                      help="the contestants' cells (default rnn,lstm,gru)")
    race.add_argument("--seeds", type=seed_list, metavar="SEED,...", help="one contestant per cell and seed")
    race.add_argument("--target", type=fraction, default=0.99, help="the accuracy to race to (default 0.99)")
    race.add_argument("--json", action="store_true", help="print every event as a JSON line, then the results")


def cmd_race(args) -> int:
    import engine
    from engine.cli.signals import StopOnSignals
    from engine.cli.train import apply_threads, train_config
    from engine.config import unused_settings
    from engine.racing import contestants, label

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
    for field in given_settings(args):  # as train refuses a setting its run ignores: here, every contestant's
        reasons = [unused_settings(config).get(field) for config in configs]
        if all(reasons):
            raise UsageError(f"{flag(field)}: no contestant reads it: {reasons[0]}")
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
