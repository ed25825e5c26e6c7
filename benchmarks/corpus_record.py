"""Real-corpus record: held-out bits per character on tinyshakespeare within fixed training-time budgets.

One run per budget with the recommended `completion` preset plus the overrides in BEST (the best found
on this 2-core CPU; see RESULTS.md for the sweep). The budget counts training time: the curve's own
evaluations (the engine's held-out evaluation, 32,768 characters from the last 10 % of the text) are
timed and left out, and reported separately. Skips with a message when the corpus is absent.

    python -m benchmarks corpus_record                      # 60 s (part of the suite)
    python -m benchmarks corpus_record --budgets 60,300     # the full record
    python -m benchmarks corpus_record --set hidden=512 --set lr=0.002
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.common import CORPUS_ENV, corpus_path, emit, log, machine, skip

NEVER = 100_000_000
SHOWN = ("cell", "embedding", "hidden", "layers", "batch_size", "length", "lr", "clip", "optimizer")
NATS_TARGET_BITS = 2.2  # "a good char-level LSTM reaches about 1.5 nats (2.2 bits) per character"
# on top of the recommended `completion` preset (LSTM emb 32, hidden 256, batch 32 x 64 characters):
# the best found on the 2-core CPU for both budgets (RESULTS.md has the sweep); anything else via --set
BEST = {"lr": 0.005}


def evaluate(trainer) -> float:
    """Held-out bits per character of the model as it is now (the engine's own evaluation)."""
    return trainer._evaluate().bits_per_char


def train_for(cfg, budget: float, points: int = 12) -> dict:
    """Train `budget` seconds (evaluation excluded); the curve [(train_s, step, bpc)] and the final bpc."""
    import engine

    trainer = engine.Trainer(cfg.replace(steps=NEVER, log_every=5, eval_every=NEVER))
    curve, eval_seconds, next_point = [], 0.0, budget / points
    start = time.perf_counter()
    run = trainer.run()
    for event in run:
        if event.kind == "finished":
            break
        if event.kind != "step":
            continue
        trained = time.perf_counter() - start - eval_seconds
        if trained >= next_point or trained >= budget:
            before = time.perf_counter()
            bpc = evaluate(trainer)
            eval_seconds += time.perf_counter() - before
            curve.append((round(trained, 1), event.step, round(bpc, 4)))
            log(f"    {trained:6.1f} s  step {event.step:6d}  {bpc:.3f} bits/char")
            next_point += budget / points
            if trained >= budget:
                break
    run.close()
    sample = trainer.predict("ROMEO:\n", length=120, temperature=0.0)
    return {"budget_s": budget, "bits_per_char": curve[-1][2], "steps": curve[-1][1],
            "chars_seen": curve[-1][1] * cfg.batch_size * cfg.length, "eval_s": round(eval_seconds, 1),
            "wall_s": round(time.perf_counter() - start, 1), "curve": curve, "sample": sample}


def parse_value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv=None) -> dict:
    import engine

    parser = argparse.ArgumentParser(prog="python -m benchmarks corpus_record")
    parser.add_argument("--budgets", default="60", help="comma-separated training seconds (default 60)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a TrainConfig field of the chosen configuration")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    path = corpus_path()
    if path is None:
        return skip("corpus_record", f"corpus not found; set ${CORPUS_ENV} or put tinyshakespeare.txt in "
                                     "../shared/data/")
    overrides = dict(item.split("=", 1) for item in args.set)
    results = []
    for budget in (float(b) for b in args.budgets.split(",")):
        changes = {**BEST, **{k: parse_value(v) for k, v in overrides.items()}}
        cfg = engine.presets.get("completion").replace(device=args.device, corpus=str(path), **changes)
        log(f"  budget {budget:g} s: {changes}")
        result = train_for(cfg, budget)
        result["config"] = {k: v for k, v in cfg.to_dict().items() if k in SHOWN}
        result["changed_from_preset"] = changes
        results.append(result)
    return emit("corpus_record", device=args.device, corpus=path.name,
                best_bits_per_char=min(r["bits_per_char"] for r in results),
                reference_bits_per_char=NATS_TARGET_BITS, runs=results, machine=machine(),
                load_average=os.getloadavg())


if __name__ == "__main__":
    main()
