"""Cost of one corpus evaluation with the completion preset on the built-in corpus, and what it buys.

Times the full-context figure (the headline: up to 49,152 held-out characters, state carried), the
windowed figure (16,384 characters in --length windows) and the whole evaluate() (samples
included), against the training steps that one evaluation interval (eval_every) costs. Also checks
the full-context figure against reading the held-out text as one stream from its start.

    python -m benchmarks.corpus_eval [--steps 300] [--repeats 3] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import emit, log, machine, median


def timed(fn, repeats: int) -> tuple[float, float]:
    """(median seconds, last result) of calling fn."""
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return median(seconds), result


def main(argv=None) -> dict:
    import engine
    from engine.events import StepLogged
    from engine.tasks import held_out
    from engine.tasks.common import LN2

    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus_eval")
    parser.add_argument("--steps", type=int, default=300, help="train this much first (default 300)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    cfg = engine.presets.get("completion").replace(corpus="shakespeare", device=args.device, steps=args.steps,
                                                   eval_every=10**8, log_every=50)
    trainer = engine.Trainer(cfg)
    log(f"  training {args.steps} steps ...")
    steps = [e for e in trainer.run() if isinstance(e, StepLogged)]
    step_s = cfg.batch_size * cfg.length / median([e.chars_per_s for e in steps[1:]] or [steps[0].chars_per_s])
    model, task = trainer.model.eval(), trainer.task
    full_s, full = timed(lambda: held_out.full_context_loss(model, task.held), args.repeats)
    one_s, one = timed(lambda: held_out.full_context_loss(model, task.held, streams=1), 1)
    windowed_s, windowed = timed(lambda: held_out.windowed_loss(model, task.eval_x, task.eval_y), args.repeats)
    evaluate_s, _ = timed(lambda: task.evaluate(model), args.repeats)
    interval_s = step_s * engine.presets.get("completion").eval_every
    return emit("corpus_eval", device=args.device, steps_trained=args.steps,
                full_context_bits_per_char=full / LN2, one_stream_bits_per_char=one / LN2,
                windowed_bits_per_char=windowed / LN2, full_context_s=full_s, one_stream_s=one_s,
                windowed_s=windowed_s, evaluate_s=evaluate_s, train_step_s=step_s,
                evaluate_over_interval=evaluate_s / interval_s, machine=machine())


if __name__ == "__main__":
    main()
