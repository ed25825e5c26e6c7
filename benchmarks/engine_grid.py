"""Engine vs bare loop over a grid of shapes: rnn, lstm, gru x hidden 64, 256, 1024 x batch 1, 32, 256.

At each shape engine.Trainer runs the recommended caesar preset with that cell, hidden size and
batch, exactly as a user runs it (logging every 10 steps, its evaluation cadence and budget,
weight snapshots at evaluations); a bare hand-written loop does the same work (the same model and
optimizer objects, batch, length and clipping; torch's own Adam(fused=True).step()) and nothing
else. The two alternate segment by segment in one process. The ratio is the median over segment
pairs of engine steps/s over bare steps/s in CPU time (time.process_time, so other processes on a
shared machine do not count), times the share of time the engine trains rather than evaluates: one
evaluation is timed and amortised over the steps between evaluations in a long run (eval_every,
deferred by the preset's eval_budget when an evaluation would take more than that share).
Then the same shape in bf16 (engine, autocast) against fp32, and a bare loop on one vs two threads
(wall time: CPU time counts both threads). One JSON line per shape, then a summary line.
"""

from __future__ import annotations

import argparse
import gc
import os
import time

import torch
from torch import nn

import engine
from benchmarks.common import emit, log, machine, median, positive

CELLS = ("rnn", "lstm", "gru")
HIDDEN = (64, 256, 1024)
BATCH = (1, 32, 256)
TARGET = 0.97
NEVER = 100_000_000
WARM_UP_SECONDS = 1.0
SEGMENT_SECONDS = 0.2  # CPU seconds per segment; the expensive shapes take one step per segment
clock = time.process_time  # CPU time on a CPU; on a GPU (a machine of its own) wall time after a sync: see grid()


class BareModel(nn.Module):
    def __init__(self, cell: str, vocab: int, embedding: int, hidden: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        self.core = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](embedding, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.head(self.core(self.embed(x))[0])


class BareLoop:
    """What a person writes by hand: batch, forward, loss, zero_grad, backward, (clip), step."""

    def __init__(self, cfg, device, trainer=None):
        if trainer is None:
            torch.manual_seed(cfg.seed)
            self.model = BareModel(cfg.cell, 27, cfg.embedding, cfg.hidden).to(device)
            self.params = list(self.model.parameters())
            self.optimizer = torch.optim.Adam(self.params, lr=cfg.lr, fused=True)
        else:  # the very same module and optimizer objects as the trainer's: only the loop differs
            self.model = lambda x: trainer.model(x)[0]
            self.params, self.optimizer = trainer.params, trainer.optimizer
        self.gen = torch.Generator(device=device).manual_seed(1)
        self.cfg, self.device = cfg, device

    def steps(self, n: int) -> None:
        cfg = self.cfg
        for _ in range(n):
            plain = torch.randint(0, 27, (cfg.batch_size, cfg.length), generator=self.gen, device=self.device)
            logits = self.model((plain + cfg.key) % 27)
            loss = nn.functional.cross_entropy(logits.reshape(-1, 27), plain.reshape(-1))
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.clip:
                nn.utils.clip_grad_norm_(self.params, cfg.clip, foreach=True)
            self.optimizer.step()
        loss.item()  # the engine reads its loss at each log point; once per segment here


class EngineRun:
    """A Trainer's run() driven segment by segment; counts the CPU time its evaluations take.

    In steady state: without the early evaluations of a run's first eval_every steps (a start-up cost,
    held to a quarter of those steps' time by the engine). Timed segments that fell among them paid
    for their cold caches, which the subtraction below cannot see: rnn h256 b256 measured 0.92 with
    them and 1.00 without, its engine and bare steps taking the same 66 ms."""

    def __init__(self, cfg):
        self.trainer = engine.Trainer(cfg.replace(eval_early=False))
        self.run = self.trainer.run()
        next(self.run)  # RunStarted
        self.eval_cpu = 0.0

    def steps(self, n: int) -> None:
        target = self.trainer.step + n
        mark = clock()
        for event in self.run:
            now = clock()
            if event.kind == "eval":
                self.eval_cpu += now - mark  # the evaluation ran between the previous event and this one
            mark = now
            if self.trainer.step >= target and event.kind == "step":
                return

    def close(self) -> None:
        self.run.close()


def segment_steps(cfg, device) -> tuple[int, float]:
    """(steps per segment, CPU seconds per step): about SEGMENT_SECONDS of CPU time per segment,
    a multiple or a divisor of the log cadence."""
    bare = BareLoop(cfg, device)
    bare.steps(1)
    start = clock()
    bare.steps(1)
    per_step = max(clock() - start, 1e-6)
    n = max(1, round(SEGMENT_SECONDS / per_step))
    if n < 10:  # a divisor of the log and eval cadences, so each evaluation is timed on its own
        return max(d for d in (1, 2, 5) if d <= n), per_step
    return min(200, n - n % 10), per_step


def timed(fn, n: int) -> float:
    start = clock()
    fn(n)
    return clock() - start


def compare(cfg, device, repeats: int) -> dict:
    n, per_step = segment_steps(cfg, device)
    if per_step > 1.0:  # seconds per step: a few pairs of one step each
        repeats = max(3, repeats // 5)
    cfg = cfg.replace(log_every=min(n, cfg.log_every))
    engine_run = EngineRun(cfg)
    # Separate model instances differ by up to +-5 % in speed on this machine (memory placement), which
    # would swamp the loop's own cost: the bare loop drives the trainer's model and optimizer objects.
    bare = BareLoop(cfg, device, engine_run.trainer)
    warm = clock() + WARM_UP_SECONDS
    for i in range(NEVER):  # warm-up: 10 steps and a second at least (the allocator settles, caches fill)
        engine_run.steps(n)
        bare.steps(n)
        if (i + 1) * n >= 10 and clock() >= warm:
            break
    pairs = []
    for i in range(repeats):
        order = (engine_run, bare) if i % 2 == 0 else (bare, engine_run)  # neither always goes first
        evals_before = engine_run.eval_cpu
        times = {id(which): timed(which.steps, n) for which in order}
        # evaluations are taken out here and added back amortised, below
        pairs.append((times[id(engine_run)] - (engine_run.eval_cpu - evals_before), times[id(bare)]))
    train_s, bare_s = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    eval_s, interval = eval_cost(engine_run.trainer, cfg, train_s / (n * repeats))
    engine_run.close()
    # the median pair ratio: robust to a neighbour's burst, which hits both halves of a pair alike
    loop_ratio = median([b / e for e, b in pairs])
    eval_share = eval_s / interval / (train_s / (n * repeats) + eval_s / interval)
    return {"steps_per_segment": n, "segments": repeats,
            "engine_steps_per_s": round(n * repeats / train_s * (1 - eval_share), 2),
            "bare_steps_per_s": round(n * repeats / bare_s, 2),
            "ratio": round(loop_ratio * (1 - eval_share), 4), "loop_ratio": round(loop_ratio, 4),
            "eval_ms": round(eval_s * 1e3, 2), "eval_interval_steps": interval, "eval_share": round(eval_share, 4)}


def eval_cost(trainer, cfg, step_s: float) -> tuple[float, int]:
    """CPU seconds of one evaluation (with its weight snapshot), and the steps between evaluations in a
    long run: eval_every, or more where eval_budget defers them (the engine's Pace, in steady state).
    Timing it directly, rather than waiting for evaluations inside the timed segments, keeps the
    expensive shapes (seconds per step, evaluations 50+ steps apart) to a few steps each."""
    trainer._evaluate()
    start = clock()
    trainer._evaluate()
    eval_s = clock() - start
    interval = cfg.eval_every
    if cfg.eval_budget:
        interval = max(interval, cfg.eval_every * -(-eval_s // (cfg.eval_budget * cfg.eval_every * step_s)))
    return eval_s, int(interval)


def bf16_gain(cfg, n: int, repeats: int) -> float:
    """Engine steps/s in bf16 over fp32 (both with autocast's cost included), interleaved."""
    runs = {p: EngineRun(cfg.replace(precision=p, log_every=min(n, 10))) for p in ("fp32", "bf16")}
    for run in runs.values():
        run.steps(n)
    times = {p: 0.0 for p in runs}
    for i in range(repeats):
        for p in (("fp32", "bf16") if i % 2 == 0 else ("bf16", "fp32")):
            times[p] += timed(runs[p].steps, n)
    for run in runs.values():
        run.close()
    return round(times["fp32"] / times["bf16"], 3)


def thread_gain(cfg, device, n: int, repeats: int) -> float:
    """Bare-loop steps/s on two threads over one thread, wall time, interleaved."""
    bare, walls = BareLoop(cfg, device), {1: 0.0, 2: 0.0}
    bare.steps(n)
    for i in range(repeats):
        for threads in ((1, 2) if i % 2 == 0 else (2, 1)):
            torch.set_num_threads(threads)
            start = time.perf_counter()
            bare.steps(n)
            walls[threads] += time.perf_counter() - start
    torch.set_num_threads(1)
    return round(walls[1] / walls[2], 3)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks engine_grid")
    parser.add_argument("--device", default="all",
                        help="cpu, cuda, or all (default: the CPU, then the GPU when there is one)")
    parser.add_argument("--repeats", type=positive(int), default=20,
                        help="segment pairs per shape (fewer for slow shapes)")
    parser.add_argument("--cells", default=",".join(CELLS))
    parser.add_argument("--hidden", default=",".join(map(str, HIDDEN)))
    parser.add_argument("--batch", default=",".join(map(str, BATCH)))
    parser.add_argument("--no-extras", action="store_true", help="skip the bf16 and thread comparisons")
    args = parser.parse_args(argv)
    devices = [args.device] if args.device != "all" else ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
    shapes = [(cell, hidden, batch) for cell in args.cells.split(",") for hidden in _numbers(parser, args.hidden)
              for batch in _numbers(parser, args.batch)]
    configs = {}
    for name in devices:  # every shape and device checked before anything is timed
        try:
            engine.devices.resolve(name)
            base = engine.presets.get("caesar").replace(device=name, precision="fp32", steps=NEVER)
            configs[name] = [base.replace(cell=c, hidden=h, batch_size=b) for c, h, b in shapes]
        except ValueError as error:
            parser.error(str(error))
    return [grid(torch.device(name), shape_configs, args) for name, shape_configs in configs.items()]


def _numbers(parser, text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        parser.error(f"{text!r} is not accepted; give whole numbers separated by commas, such as 64,256")


def grid(device: torch.device, configs: list, args) -> dict:
    global clock
    clock = time.process_time
    if device.type == "cuda":  # the GPU works asynchronously: wait for it, and count wall time (the CPU spins)
        def clock():
            torch.cuda.synchronize(device)
            return time.perf_counter()
    threads_before = torch.get_num_threads()
    torch.set_num_threads(1)
    rows = [shape_row(cfg, device, args.repeats, not args.no_extras) for cfg in configs]
    torch.set_num_threads(threads_before)
    ratios = [r["ratio"] for r in rows]
    summary = dict(device=str(device), target=TARGET, min_ratio=min(ratios), median_ratio=median(ratios),
                   met=all(r >= TARGET for r in ratios), max_eval_share=max(r["eval_share"] for r in rows),
                   shapes=len(rows))
    if "two_threads_gain" in rows[0]:  # the threads figure: where a second thread pays, per shape
        summary["two_threads_gain"] = {r["shape"]: r["two_threads_gain"] for r in rows}
    return emit("engine_grid", **summary, machine=machine(), load_average=os.getloadavg())


def shape_row(cfg, device, repeats: int, extras: bool) -> dict:
    name = f"{cfg.cell} h{cfg.hidden} b{cfg.batch_size}"
    started = time.perf_counter()
    # The previous shape's trainer lives on in reference cycles until a full collection: lstm h1024 b1
    # after rnn h1024 b256 measured 0.87 (1.02 after gc.collect()), the engine paying for the collections.
    gc.collect()
    result = compare(cfg, device, repeats)
    if extras:
        n = result["steps_per_segment"]
        result["bf16_gain"] = bf16_gain(cfg, n, 2)
        if device.type == "cpu":
            result["two_threads_gain"] = thread_gain(cfg, device, max(1, n // 4), 2)
            result["two_threads_load"] = os.getloadavg()[0]
    log(f"  {name}: engine {result['engine_steps_per_s']:,} steps/s, bare {result['bare_steps_per_s']:,}, "
        f"ratio {result['ratio']:.3f}, eval {result['eval_share']:.1%}"
        + (f", bf16 x{result['bf16_gain']}" if extras else "")
        + (f", 2 threads x{result['two_threads_gain']}" if "two_threads_gain" in result else "")
        + f" ({time.perf_counter() - started:.0f} s)")
    return emit("engine_grid_shape", shape=name, cell=cfg.cell, hidden=cfg.hidden, batch=cfg.batch_size,
                length=cfg.length, clip=cfg.clip, load_average=os.getloadavg()[0], **result)


if __name__ == "__main__":
    main()
