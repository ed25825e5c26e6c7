"""Tasks that need memory: accuracy against delay (echo) and keyword length (Vigenère) for each cell.

Every cell trains with the same recipe, data stream and step budget (engine.race, so contestants of
one row see identical batches); a row reports the final per-character accuracy on fresh data and the
first evaluated step at 99 %. `recipes` measures the recommended echo and vigenere recipes instead:
steps and CPU seconds to 99.9 % for each seed. One JSON line per measurement on stdout.

    python -m benchmarks.memory_tasks                         # both tables (several minutes per table)
    python -m benchmarks.memory_tasks echo --steps 1000 --seeds 0,1
    python -m benchmarks.memory_tasks recipes
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import emit, log, machine

CELLS = ("rnn", "lstm", "gru")
DELAYS = (1, 5, 10, 20, 40)
KEYWORDS = ("N", "KY", "KEY", "CODE", "LEMON", "SECRET", "PASSWORD")
SOLVED = 0.999  # the recipes' bar: per-character accuracy on fresh data


def echo_recipe(**changes):
    """The recommended `echo` preset (see the report of branch tuning): what the tables train."""
    from engine.config import TrainConfig

    return TrainConfig(task="echo", symbols=8, delay=10, cell="gru", embedding=16, hidden=128, lr=0.005,
                       batch_size=64, length=64, steps=1000, clip=1.0, log_every=10, eval_every=50,
                       device="cpu").replace(**changes)


def vigenere_recipe(**changes):
    """The recommended `vigenere` preset."""
    from engine.config import TrainConfig

    return TrainConfig(task="vigenere", keyword="SECRET", cell="rnn", embedding=16, hidden=128, lr=0.01,
                       batch_size=64, length=48, steps=1000, clip=1.0, log_every=10, eval_every=50,
                       device="cpu").replace(**changes)


def _race_row(table: str, setting: dict, base, seeds) -> None:
    """Race the cells on `base`; one JSON line per contestant."""
    import engine
    from engine.events import RaceFinished
    from engine.racing import contestants

    started = time.process_time()
    for event in engine.race(contestants(base, CELLS, seeds), target=0.99):
        if isinstance(event, RaceFinished):
            for r in event.results:
                emit(f"memory_tasks.{table}", **setting, cell=r["cell"], seed=r["seed"], steps=r["steps"],
                     accuracy=r["accuracy"], steps_to_99=r["steps_to_target"], ms_per_step=r["ms_per_step"])
    log(f"{table} {setting}: {time.process_time() - started:.0f} CPU s")


def echo_table(steps: int, seeds) -> None:
    for delay in DELAYS:
        _race_row("echo", {"delay": delay}, echo_recipe(delay=delay, steps=steps), seeds)


def vigenere_table(steps: int, seeds) -> None:
    for keyword in KEYWORDS:
        base = vigenere_recipe(keyword=keyword, steps=steps)
        _race_row("vigenere", {"keyword": keyword, "keyword_length": len(keyword)}, base, seeds)


def solve(config) -> dict:
    """Train `config` until SOLVED on fresh data or its steps run out: steps and CPU seconds."""
    import engine
    from engine.events import Evaluated

    started, accuracy, hit = time.process_time(), None, None
    for event in engine.Trainer(config).run():
        if isinstance(event, Evaluated):
            accuracy = event.accuracy
            if accuracy >= SOLVED:
                hit = event.step
                break
    return {"steps_to_999": hit, "accuracy": accuracy, "cpu_seconds": round(time.process_time() - started, 1)}


def recipes(seeds) -> None:
    for seed in seeds:
        for delay in (5, 10, 20):
            emit("memory_tasks.echo_recipe", delay=delay, seed=seed,
                 **solve(echo_recipe(delay=delay, seed=seed)))
        for keyword in ("N", "KEY", "LEMON", "SECRET"):
            emit("memory_tasks.vigenere_recipe", keyword=keyword, seed=seed,
                 **solve(vigenere_recipe(keyword=keyword, seed=seed)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_tasks", description=__doc__)
    parser.add_argument("what", nargs="?", choices=("all", "echo", "vigenere", "recipes"), default="all")
    parser.add_argument("--steps", type=int, default=1500, help="step budget of every table cell")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    emit("memory_tasks.machine", **machine(), steps=args.steps, seeds=seeds)
    if args.what in ("all", "echo"):
        echo_table(args.steps, seeds)
    if args.what in ("all", "vigenere"):
        vigenere_table(args.steps, seeds)
    if args.what == "recipes":
        recipes(seeds)


if __name__ == "__main__":
    main()
