"""Lesson vs recommended: training seconds to >= 99 % per-character accuracy, `caesar-lesson` over `caesar`.

Both run through engine.Trainer on the CPU, evaluating often (the lesson every 25 one-message steps,
the recommended preset every step) so the crossing is found to within a few percent. Evaluation
time is measured and left out; the wall time including it is reported too. Then "as a user sees
it": each preset unchanged, at its own evaluation cadence (the lesson's every 250 steps, the
recommended preset's early evaluations), CPU and wall seconds until the first evaluation that
shows >= 99 %, evaluations included. Median over a few seeds.
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


def as_seen(cfg, seeds, threshold: float = 0.99, max_steps: int = 20_000) -> dict:
    """What a user sees running the preset unchanged: seconds (CPU and wall, evaluations included)
    until the first evaluation that shows >= threshold, at the preset's own evaluation cadence."""
    import engine

    found = []
    for seed in seeds:
        trainer = engine.Trainer(cfg.replace(seed=seed, steps=max(cfg.steps, max_steps)))
        cpu, wall = time.process_time(), time.perf_counter()
        for event in trainer.run():
            if event.kind == "eval" and event.accuracy >= threshold:
                found.append((time.process_time() - cpu, time.perf_counter() - wall, event.step))
                break
    if not found:
        return {"reached": f"0/{len(seeds)}"}
    return {"reached": f"{len(found)}/{len(seeds)}", "cpu_s": round(median([f[0] for f in found]), 3),
            "wall_s": round(median([f[1] for f in found]), 3), "step": median([f[2] for f in found])}


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
    lesson_cfg = engine.presets.get("caesar-lesson").replace(device="cpu")
    rec_cfg = engine.presets.get("caesar").replace(device="cpu")
    lesson = measure("caesar-lesson", lesson_cfg.replace(eval_every=25), seeds, (0.99,))
    recommended = measure("caesar", rec_cfg.replace(eval_every=1, eval_early=False, eval_budget=0.0), seeds,
                          (0.99, 0.999))
    a, b = lesson["99%"]["train_s"], recommended["99%"]["train_s"]
    speedup = a / b if a and b else None
    seen = {"caesar-lesson": as_seen(lesson_cfg, seeds), "caesar": as_seen(rec_cfg, seeds)}
    log(f"  as a user sees it: {seen}")
    sa, sb = seen["caesar-lesson"].get("cpu_s"), seen["caesar"].get("cpu_s")
    seen_speedup = round(sa / sb, 2) if sa and sb else None
    return emit("lesson_vs_recommended", device="cpu", speedup=round(speedup, 2) if speedup else None,
                seen_speedup=seen_speedup, target=10,
                met=bool(speedup and speedup >= 10 and seen_speedup and seen_speedup >= 10),
                lesson=lesson, recommended=recommended, as_seen=seen,
                recommended_config={k: v for k, v in rec_cfg.to_dict().items()
                                    if k in ("cell", "embedding", "hidden", "layers", "lr", "batch_size", "clip",
                                             "precision", "eval_every", "eval_early")},
                machine=machine(), load_average=os.getloadavg())


if __name__ == "__main__":
    main()
