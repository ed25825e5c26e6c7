"""The corpus record: the `completion` preset against the best bare PyTorch reference, side by side.

For each corpus, the reference loop (benchmarks/record_reference.py: the recipe of issue 12) and the
engine (`rnnplay train --preset completion --corpus C --seconds S --threads 1` as a Trainer) train in
turn, alternating which goes first, with the same budget of CPU time on one thread: on a shared
machine wall-clock budgets measure the neighbours. The engine's budget clock is swapped for this
thread's CPU time (CpuPace); its periodic evaluations are left out of the budget, as `--seconds` does,
and the reference evaluates only at the end. Both finished models are then scored by the same
functions on the same held-out tail (the last 10 % of the text): full context (the headline: state
carried through up to 49,152 characters) and 64-character windows, in fp32, in nats and bits per
character. Each run records its CPU and wall seconds and the load average before and after.

    python -m benchmarks corpus_record                  # 3 corpora, 60 s of CPU each side (part of the suite)
    python -m benchmarks corpus_record --corpus shakespeare
    python -m benchmarks corpus_record --budget 300 --set dropout=0.1
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

from benchmarks import record_reference as reference
from benchmarks.common import emit, log, machine, positive

NEVER = 100_000_000
TARGET_NATS = 1.45  # issue 12, target 4
OTHER_CORPORA = ("python-docs-prose", "python-stdlib-code")


def cpu_pace():
    """engine.training.Pace with this thread's CPU time as the training clock (wall time for the rest)."""
    from engine import training

    class CpuPace(training.Pace):
        def __init__(self, cfg, trained: float = 0.0):
            super().__init__(cfg, trained)
            self.cpu_mark = time.thread_time()

        def tick(self) -> float:
            cpu = time.thread_time()
            self.trained, self.cpu_mark = self.trained + cpu - self.cpu_mark, cpu
            self.mark = time.perf_counter()
            return self.mark

        def resume(self) -> None:
            self.cpu_mark, self.mark = time.thread_time(), time.perf_counter()

    return CpuPace


def score(model, held) -> dict:
    """Full-context and windowed held-out loss of `model`, fp32, by the engine's own scoring functions."""
    from engine.tasks import held_out

    model.eval()
    full = held_out.full_context_loss(model, held)
    windowed = held_out.windowed_loss(model, *held_out.windows(held, reference.RECIPE["length"]))
    return {"full_nats": full, "full_bits": full / math.log(2), "windowed_nats": windowed,
            "windowed_bits": windowed / math.log(2)}


def run_engine(path: Path, budget: float, overrides: dict, seed: int) -> dict:
    import engine
    from engine import training

    cfg = engine.presets.get("completion").replace(corpus=str(path), device="cpu", seconds=budget, steps=NEVER,
                                                   seed=seed, **overrides)
    trainer, load = engine.Trainer(cfg), os.getloadavg()[0]
    original, training.Pace = training.Pace, cpu_pace()
    cpu, wall = time.thread_time(), time.perf_counter()
    try:
        finished = list(trainer.run())[-1]
    finally:
        training.Pace = original
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    return {**score(trainer.model, trainer.task.held), "steps": finished.step, "reason": finished.reason,
            "best_step": finished.metrics.get("best_step"), "precision": trainer.precision,
            "reported_bits": finished.metrics.get("bits_per_char"), "cpu_s": cpu, "wall_s": wall,
            "load_before": load, "load_after": os.getloadavg()[0]}


def run_reference(path: Path, budget: float, seed: int) -> dict:
    from engine import precision
    from engine.storage import corpus_files

    vocab, ids = corpus_files.load(str(path))
    held = ids[int(len(ids) * (1 - reference.HELD_OUT)):]
    load, bf16 = os.getloadavg()[0], precision.cpu_bf16_native() is not None
    model, steps, cpu, wall = reference.train(ids, len(vocab), budget, bf16, seed)
    return {**score(model, held), "steps": steps, "precision": "bf16" if bf16 else "fp32", "cpu_s": cpu,
            "wall_s": wall, "load_before": load, "load_after": os.getloadavg()[0]}


def compare(name: str, path: Path, budget: float, overrides: dict, engine_first: bool, seed: int, only=None) -> dict:
    runs = {}
    for who in (("engine", "reference") if engine_first else ("reference", "engine")):
        if only and who != only:
            continue
        log(f"  {name}: {who}, {budget:g} s of CPU ...")
        runs[who] = run_engine(path, budget, overrides, seed) if who == "engine" else run_reference(path, budget, seed)
        r = runs[who]
        log(f"    {r['full_bits']:.3f} bits/char full context ({r['full_nats']:.3f} nats), "
            f"{r['windowed_bits']:.3f} windowed; {r['steps']} steps, cpu {r['cpu_s']:.0f} s, "
            f"wall {r['wall_s']:.0f} s, load {r['load_before']:.1f}")
    if only:
        return {"corpus": name, "characters": path.stat().st_size, **runs}
    gain = runs["reference"]["full_nats"] - runs["engine"]["full_nats"]
    return {"corpus": name, "characters": path.stat().st_size, "engine_first": engine_first,
            "engine_minus_reference_nats": -gain, "engine_at_or_below_reference": gain >= 0, **runs}


def parse_value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def engine_overrides(parser, args) -> dict:
    """The --set FIELD=VALUE changes to the engine's preset, checked before anything trains."""
    import engine

    overrides = {}
    for item in args.set:
        field, equals, value = item.partition("=")
        if not equals or field in ("seed", "device", "seconds", "steps", "corpus"):
            parser.error(f"--set {item!r}: give FIELD=VALUE for a setting of the preset other than seed (use "
                         "--seed), device, seconds, steps and corpus (the benchmark sets those)")
        overrides[field] = parse_value(value)
    try:
        engine.presets.get("completion").replace(corpus="shakespeare", seed=args.seed, seconds=args.budget,
                                                 **overrides)
    except ValueError as error:
        parser.error(str(error))
    return overrides


def main(argv=None) -> dict:
    import torch

    from engine import corpora

    parser = argparse.ArgumentParser(prog="python -m benchmarks corpus_record")
    parser.add_argument("--budget", type=positive(float), default=60.0,
                        help="CPU seconds of training for each (default 60)")
    parser.add_argument("--corpus", action="append", default=None,
                        help=f"only these corpora (default: shakespeare, {', '.join(OTHER_CORPORA)}); repeatable")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a TrainConfig field of the engine's preset")
    parser.add_argument("--seed", type=int, default=0, help="both sides' seed (weights and batches; default 0)")
    parser.add_argument("--only", choices=("engine", "reference"), help="run one side (to try engine settings)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # the record is for --threads 1; the CPU-time budget assumes one thread
    overrides = engine_overrides(parser, args)
    chosen = args.corpus or ["shakespeare", *OTHER_CORPORA]
    with tempfile.TemporaryDirectory(prefix="rnnplay-record-") as folder:
        paths = {"shakespeare": Path(corpora.resolve("shakespeare")), **reference.build_corpora(Path(folder))}
        unknown = [name for name in chosen if name not in paths]
        if unknown:
            parser.error(f"unknown corpus {unknown[0]!r}; accepted: {', '.join(paths)}")
        results = [compare(name, paths[name], args.budget, overrides, engine_first=i % 2 == 1,
                           seed=args.seed, only=args.only)
                   for i, name in enumerate(chosen)]
    summary = {}
    if not args.only:
        summary["at_or_below_reference"] = all(r["engine_at_or_below_reference"] for r in results)
        summary.update({f"{r['corpus']}_minus_reference": r["engine_minus_reference_nats"] for r in results})
    if "shakespeare" in chosen and args.only != "reference":
        engine_nats = next(r["engine"]["full_nats"] for r in results if r["corpus"] == "shakespeare")
        summary["target_met"] = engine_nats <= TARGET_NATS
    return emit("corpus_record", budget_cpu_s=args.budget, threads=1, seed=args.seed, engine_overrides=overrides,
                **summary, recipe=reference.RECIPE, target_nats=TARGET_NATS, results=results, machine=machine(),
                load_average=os.getloadavg())


if __name__ == "__main__":
    main()
