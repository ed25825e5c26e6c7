"""Tasks that need memory: accuracy against delay (echo) and keyword length (Vigenère) for each cell.

Every cell of a row trains with the same recipe, data stream and step budget (engine.race, so the
contestants of a row see identical batches): echo rows use the `echo-race` preset, Vigenère rows the
`vigenere` preset, with only the cell changed. A row reports the final per-character accuracy on fresh
data and the first evaluated step at 99 %. `recipes` measures the recommended `echo` and `vigenere`
presets instead: steps and CPU seconds to 99.9 % for each seed, and `long` the `echo` preset at delay 20
(2,200-4,050 steps on the machines tried). One JSON line per measurement.

    python -m benchmarks.memory_tasks                          # quick: delays 1, 5; keywords N, KY; 300 steps
    python -m benchmarks.memory_tasks tables --steps 1500      # the README's tables (an hour of CPU)
    python -m benchmarks.memory_tasks echo --delays 10,20 --seeds 0,1
    python -m benchmarks.memory_tasks recipes --seeds 0,1,2
    python -m benchmarks.memory_tasks long --seeds 0,1         # delay 20 (about 200 CPU seconds a seed)
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import emit, log, machine

CELLS = ("rnn", "lstm", "gru")
DELAYS = (1, 5, 10, 20, 40)
KEYWORDS = ("N", "KY", "KEY", "CODE", "LEMON", "SECRET", "PASSWORD")
QUICK = {"delays": (1, 5), "keywords": ("N", "KY"), "steps": 300}
SOLVED = 0.999  # the recommended presets' bar: per-character accuracy on fresh data


def preset(name: str, **changes):
    """A shipped preset on the CPU (the figures are CPU figures), with `changes`."""
    from engine import presets

    return presets.get(name).replace(device="cpu", **changes)


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


def echo_table(delays, steps: int, seeds) -> None:
    for delay in delays:
        _race_row("echo", {"delay": delay}, preset("echo-race", delay=delay, steps=steps), seeds)


def vigenere_table(keywords, steps: int, seeds) -> None:
    for keyword in keywords:
        base = preset("vigenere", keyword=keyword, steps=steps)
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


def long_echo(delay: int = 20, **changes):
    """The shipped `echo` preset at delay 20 (its recipe was chosen for this: README, "Delay 20, solved")."""
    return preset("echo", delay=delay, **changes)


def recipes(delays, keywords, seeds) -> None:
    for seed in seeds:
        for delay in delays:
            emit("memory_tasks.echo_recipe", delay=delay, seed=seed, **solve(preset("echo", delay=delay, seed=seed)))
        for keyword in keywords:
            emit("memory_tasks.vigenere_recipe", keyword=keyword, seed=seed,
                 **solve(preset("vigenere", keyword=keyword, seed=seed)))


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(s) for s in text.split(",") if s.strip())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_tasks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=("quick", "tables", "echo", "vigenere", "recipes", "long"),
                        default="quick")
    parser.add_argument("--steps", type=int, help="step budget of every table cell (quick: 300, else 1500)")
    parser.add_argument("--seeds", type=_numbers, default=(0,), help="comma-separated seeds, e.g. 0,1,2")
    parser.add_argument("--delays", type=_numbers, help=f"echo delays (default {DELAYS}; recipes 10,20)")
    parser.add_argument("--keywords", type=lambda s: tuple(s.split(",")),
                        help="Vigenère keywords (default N,KY,KEY,CODE,LEMON,SECRET,PASSWORD; recipes KEY,SECRET)")
    args = parser.parse_args(argv)
    quick = args.what == "quick"
    steps = args.steps or (QUICK["steps"] if quick else 1500)
    delays = args.delays or (QUICK["delays"] if quick else (10, 20) if args.what == "recipes" else DELAYS)
    keywords = args.keywords or (QUICK["keywords"] if quick else ("KEY", "SECRET") if args.what == "recipes"
                                 else KEYWORDS)
    emit("memory_tasks.machine", **machine(), steps=steps, seeds=list(args.seeds))
    if args.what == "recipes":
        recipes(delays, keywords, args.seeds)
    elif args.what == "long":
        for seed in args.seeds:
            emit("memory_tasks.long_echo", delay=20, seed=seed, **solve(long_echo(seed=seed)))
    else:
        if args.what != "vigenere":
            echo_table(delays, steps, args.seeds)
        if args.what != "echo":
            vigenere_table(keywords, steps, args.seeds)


if __name__ == "__main__":
    main()
