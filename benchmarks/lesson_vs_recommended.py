"""Lesson vs recommended: training seconds to >= 99 % per-character accuracy, `caesar-lesson` over `caesar`.

Both run through engine.Trainer on the CPU, evaluating often (the lesson every 25 one-message steps,
the recommended preset every step) so the crossing is found to within a few percent. Evaluation
time is measured and left out (it is the same fixed set of 256 messages for both); the wall time
including it is reported too. Median over a few seeds.
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.common import emit, log, machine, median


def time_to_accuracy(cfg, thresholds=(0.99,), max_steps: int = 20_000) -> dict:
    """{threshold: (train_seconds, wall_seconds, step)} for the first evaluation reaching each threshold."""
    import engine

    trainer = engine.Trainer(cfg.replace(steps=max_steps, log_every=cfg.eval_every))
    reached: dict[float, tuple[float, float, int]] = {}
    eval_seconds, last = 0.0, None
    start = time.perf_counter()
    for event in trainer.run():
        now = time.perf_counter()
        if event.kind == "step":
            last = now
        elif event.kind == "eval":
            eval_seconds += now - last  # the evaluation ran between the step event and this one
            for t in thresholds:
                if t not in reached and event.accuracy >= t:
                    reached[t] = (now - start - eval_seconds, now - start, event.step)
            if len(reached) == len(thresholds):
                break
    return reached


def measure(name: str, cfg, seeds, thresholds) -> dict:
    runs = [time_to_accuracy(cfg.replace(seed=s), thresholds) for s in seeds]
    out = {"preset": name, "seeds": list(seeds)}
    for t in thresholds:
        done = [r[t] for r in runs if t in r]
        key = f"{t * 100:g}%"
        out[key] = {"reached": f"{len(done)}/{len(runs)}",
                    "train_s": round(median([d[0] for d in done]), 3) if done else None,
                    "wall_s": round(median([d[1] for d in done]), 3) if done else None,
                    "steps": median([d[2] for d in done]) if done else None}
    log(f"  {name}: {out}")
    return out


def main(argv=None) -> dict:
    import engine

    parser = argparse.ArgumentParser(prog="python -m benchmarks lesson_vs_recommended")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    lesson = measure("caesar-lesson", engine.presets.get("caesar-lesson").replace(device="cpu", eval_every=25),
                     seeds, (0.99,))
    rec_cfg = engine.presets.get("caesar").replace(device="cpu", eval_every=1)
    recommended = measure("caesar", rec_cfg, seeds, (0.99, 0.999))
    a, b = lesson["99%"]["train_s"], recommended["99%"]["train_s"]
    speedup = a / b if a and b else None
    return emit("lesson_vs_recommended", device="cpu", speedup=round(speedup, 2) if speedup else None,
                target=10, met=bool(speedup and speedup >= 10), lesson=lesson, recommended=recommended,
                recommended_config={k: v for k, v in rec_cfg.to_dict().items()
                                    if k in ("cell", "embedding", "hidden", "layers", "lr", "batch_size", "clip")},
                machine=machine(), load_average=os.getloadavg())


if __name__ == "__main__":
    main()
