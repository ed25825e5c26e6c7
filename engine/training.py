"""Trainer: a run is a generator of events, driven by whichever thread iterates it."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator

import torch

from engine import best_weights, branches, devices, loss_history, models, precision, schedule, tasks
from engine.config import ConfigError, TrainConfig
from engine.distributed import data_parallel
from engine.events import Evaluated, Event, RunFinished, RunStarted, StepLogged
from engine.lean_adam import LeanAdamStep
from engine.randomness import DropoutRandomness
from engine.snapshot import Snapshots
from engine.tasks.common import loss_of
from engine.vocab import MAX_SYMBOLS


class TrainerBusy(ValueError):
    """run() was called while another run() of the same Trainer is still going (in any thread)."""


class Trainer:
    def __init__(self, config: TrainConfig):
        self.config = config
        devices.apply_threads()  # the engine's one thread rule, whoever builds the trainer
        self.world = data_parallel.current()  # this process alone, or a rank of a torchrun launch
        self.device = self.world.place(devices.resolve(config.device))
        self.precision = precision.resolve(config.precision, self.device)  # auto -> fp32 or bf16
        self.run_id = uuid.uuid4().hex[:8]
        self.generator = torch.Generator(device=self.device).manual_seed(config.seed)
        self.task = self.world.shard(tasks.make(self.world.global_config(config), self.device, self.generator))
        vocab = len(self.task.vocab)
        if vocab > MAX_SYMBOLS:  # the checkpoint schema's limit, checked before training, not at the save
            raise ConfigError("vocabulary", f"{vocab:,} symbols (the text's distinct characters and the unknown "
                                            f"one); a checkpoint holds at most {MAX_SYMBOLS:,}: train on a text "
                                            "with fewer distinct characters")
        models.check_size(config, vocab)  # the head's fit and the size cap, as every path that builds a model
        with torch.random.fork_rng(devices=[]):  # seeded weights without disturbing the global RNG
            torch.manual_seed(config.seed)
            self.model = models.build(config, vocab).to(self.device)
        self.forward = self.world.wrap(self.model)  # DistributedDataParallel under torchrun
        self.params = list(self.model.parameters())  # walked every step: build the list once
        self.optimizer = _optimizer(config, self.params, self.device)
        self._optimizer_step = LeanAdamStep(self.optimizer)
        self.dropout_rng = DropoutRandomness(config.seed + self.world.rank, self.device, config.dropout > 0)
        self.trained_seconds = 0.0  # of a stopped run: its time budget and schedule go on from there
        self.step = 0
        self.origin = self.parent = None  # a resumed run: the checkpoint's run; a branch: its parent
        self.metrics: dict[str, float] = {}
        self.history = loss_history.LossHistory()  # the logged losses a checkpoint carries (a branch's parent curve)
        self._norm: torch.Tensor | None = None  # the last clipped gradient norm, checked at log points
        self._running = threading.Lock()
        self._snapshots = Snapshots(self.model)
        self._best = best_weights.BestWeights() if best_weights.applies(config) else None

    @property
    def vocab(self):
        return self.task.vocab

    def run(self, stop: threading.Event | None = None) -> Iterator[Event]:
        """Train until config.steps, the config.seconds budget, a set `stop` (checked every step) or
        divergence. One run at a time: a second run() while one is going raises TrainerBusy."""
        if not self._running.acquire(blocking=False):
            raise TrainerBusy("this trainer is already running; wait for its run to finish or stop it first")
        try:
            yield from self._run(stop)
        finally:
            self._running.release()

    def _run(self, stop: threading.Event | None) -> Iterator[Event]:
        cfg = self.config
        devices.apply_threads()  # torch's thread count is per thread: this is the one that trains
        self.parent = branches.parent_of(self.origin, cfg)
        if self.origin and self.origin["run_id"] and not branches.changes(self.origin, cfg):
            self.run_id = self.origin["run_id"]  # continued, not branched: the same run goes on
        yield RunStarted(self.run_id, str(self.device), sum(p.numel() for p in self.params),
                         cfg.to_dict(), self.step, self.model.shapes(*self.task.shape), self.precision, self.parent)
        pace = Pace(cfg, self.trained_seconds)
        self._optimizer_step.reset()  # the optimizer state may have been loaded since the last run
        last_time, last_step, reason, message = pace.started, self.step, "completed", ""
        losses: list[torch.Tensor] = []
        self.model.train()
        try:
            while self.step < cfg.steps and not pace.out_of_time():  # a resumed run may have no time left
                if self.world.stopping(stop):
                    reason = "stopped"
                    break
                if pace.scheduled:
                    self._set_lr(pace.trained)
                losses.append(self._update())
                now = pace.tick()
                self.world.agree(pace, stop)  # with peers: the same stop request and clock on every rank
                last = self.step == cfg.steps or pace.out_of_time()
                if last or self.step % cfg.log_every == 0:
                    mean = self.world.mean(torch.stack(losses).sum()).item() / len(losses)  # .item() syncs
                    if not self._finite(mean):
                        reason, message = "diverged", _divergence_hint(cfg, self.step)
                        break
                    rate = self.task.chars_per_step * (self.step - last_step) / max(now - last_time, 1e-9)
                    self.metrics.update(loss=mean, chars_per_s=rate)
                    self.history.add(self.step, mean)
                    yield StepLogged(self.run_id, self.step, mean, rate, now - pace.started)
                    last_time, last_step, losses = now, self.step, []
                if last or pace.wants_eval(self.step):
                    evaluated = pace.timed_eval(self._evaluate)
                    yield evaluated
                    if solved(cfg, evaluated):
                        message = f"solved: {evaluated.accuracy:.2%} >= {cfg.until:.2%} at step {self.step:,}"
                        break
                if last:
                    break
                pace.resume()
        except models.GenerationError:  # an evaluation's sample met non-finite scores: the weights diverged
            reason, message = "diverged", _divergence_hint(cfg, self.step)
        except RuntimeError as e:  # out of memory (torch.OutOfMemoryError included) or a device fault
            reason, message = "failed", self.world.explain(e) or _failure(e, self.device, cfg)
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        self.metrics["steps"] = self.step
        if reason != "failed":  # every rank ends here at the same step; a failed rank may have lost its peers
            self.dropout_rng.gather(self.world)  # each rank's dropout stream, for rank 0's checkpoint
        # a stopped run, or one that used its time budget, keeps its clock: resuming it goes on from there
        self.trained_seconds = pace.trained if reason == "stopped" or (reason == "completed" and cfg.seconds) else 0.0
        if reason == "completed":  # a stopped run keeps its latest weights: resuming it repeats the whole run
            self._keep_best()
        yield RunFinished(self.run_id, self.step, reason, dict(self.metrics), time.perf_counter() - pace.started,
                          message)

    def _update(self) -> torch.Tensor:
        x, y = self.task.batch()
        with self.dropout_rng.drawing(), precision.autocast(self.precision, self.device):
            logits, _ = self.forward(x)
        loss = loss_of(logits.float(), y)
        if not self.config.accumulate_grad:
            self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.clip:
            self._norm = torch.nn.utils.clip_grad_norm_(self.params, self.config.clip, foreach=True)
        self._optimizer_step.step()
        self.step += 1
        return loss.detach()

    def _finite(self, mean_loss: float) -> bool:
        """Non-finite gradients make the weights, so the next losses, non-finite: checking the mean
        loss and the last clipped norm at log points catches divergence without a per-step check."""
        if not math.isfinite(mean_loss):
            return False
        return self._norm is None or bool(torch.isfinite(self._norm))

    def _set_lr(self, trained: float) -> None:
        cfg = self.config
        position = schedule.progress(self.step, cfg.steps, trained, cfg.seconds)
        lr = cfg.lr * schedule.lr_factor(cfg.schedule, cfg.warmup, position)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _evaluate(self) -> Evaluated:
        self.model.eval()
        with precision.autocast(self.precision, self.device):
            result = self.task.evaluate(self.model)
        self.model.train()
        self.metrics["eval_loss"] = result["loss"]
        for name in ("accuracy", "bits_per_char", "windowed_bits_per_char"):
            if result.get(name) is not None:
                self.metrics[name] = result[name]
        if self._best is not None:
            self._best.offer(self.model, self.step, result["loss"], result)
        self._publish()
        return Evaluated(self.run_id, self.step, **result)

    def _keep_best(self) -> None:
        """End a corpus run with the weights of its best held-out evaluation (engine.best_weights); the
        metrics then describe those weights and name their step (best_step)."""
        if self._best is None or self._best.step is None:
            return
        if self._best.restore(self.model, self.step):
            self._publish()
        self.metrics.update(self._best.report())

    def _publish(self) -> None:
        """Give predict() the current weights; it never touches the module being trained."""
        self._snapshots.publish(self.model)

    def snapshot(self):
        """A context manager giving the latest published copy of the weights (never the live module);
        it is not refilled while you hold it. Every prediction goes through here, in whichever thread asks."""
        devices.apply_threads()
        return self._snapshots.reading()

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """Decrypt (caesar), complete (completion) or map (mapping) `text` with the latest snapshot."""
        with self.snapshot() as model:
            return self.task.predict(model, text, length, temperature)

    def inspect(self, text: str, gradient: bool = False):
        """Hidden states, top candidates and connectivity (and, asked for, the gradient's) for `text`, on
        the latest snapshot (engine.inside)."""
        from engine.inside import inspect

        with self.snapshot() as model:
            return inspect(model, self.task, text, gradient)

    def save(self, path: str) -> None:
        from engine.storage.checkpoint import save

        self._publish()
        save(self, path)

    @classmethod
    def resume(cls, path: str, **overrides) -> Trainer:
        """Continue a saved run from its step (same weights, optimizer state and data stream)."""
        from engine.storage.checkpoint import resume

        return resume(cls, path, **overrides)


class Pace:
    """A run's clocks: training seconds (for --seconds and the schedule; evaluation and the consumer's
    time between events left out) and evaluation seconds (for eval_budget)."""

    EARLY_SHARE = 0.25  # early evaluations may take up to this share of the first eval_every steps

    def __init__(self, cfg: TrainConfig, trained: float = 0.0):
        self.cfg = cfg
        self.started = self.mark = time.perf_counter()
        self.trained, self.eval_cost = trained, 0.0
        self.spent = {True: 0.0, False: 0.0}  # evaluation seconds: early ones, regular ones
        self.early = False  # whether the evaluation under way is an early one
        self.scheduled = cfg.schedule != "constant" or cfg.warmup > 0

    def tick(self) -> float:
        """Count the step just taken; returns now."""
        now = time.perf_counter()
        self.trained, self.mark = self.trained + now - self.mark, now
        return now

    def resume(self) -> None:
        """Training goes on: time since the last tick (events, evaluation) was not training."""
        self.mark = time.perf_counter()

    def out_of_time(self) -> bool:
        return schedule.out_of_time(self.cfg.seconds, self.trained)

    def wants_eval(self, step: int) -> bool:
        """At eval_every multiples (and the early steps with eval_early), unless eval_budget defers it:
        evaluating is then skipped while one more would take evaluation past its share of training."""
        cfg = self.cfg
        self.early = cfg.eval_early and schedule.is_early(step, cfg.eval_every)
        if not self.early and step % cfg.eval_every:
            return False
        share = self.EARLY_SHARE if self.early else cfg.eval_budget
        return not cfg.eval_budget or self.spent[self.early] + self.eval_cost <= share * self.trained

    def timed_eval(self, evaluate):
        before = time.perf_counter()
        result = evaluate()
        self.eval_cost = time.perf_counter() - before
        self.spent[self.early] += self.eval_cost
        return result


def _optimizer(cfg: TrainConfig, params: list, device: torch.device) -> torch.optim.Optimizer:
    """Adam or SGD, fused into one kernel where this torch supports it for the device (else foreach)."""
    kind = torch.optim.SGD if cfg.optimizer == "sgd" else torch.optim.Adam
    try:
        return kind(params, lr=cfg.lr, fused=True)
    except (RuntimeError, ValueError):  # no fused kernel for this device or dtype
        return kind(params, lr=cfg.lr, foreach=device.type != "cpu")


def _failure(error: RuntimeError, device: torch.device, cfg: TrainConfig) -> str:
    text = str(error)
    if isinstance(error, torch.OutOfMemoryError) or "out of memory" in text or "can't allocate memory" in text:
        return (f"out of memory on {device} at batch size {cfg.batch_size}; "
                "try a smaller --batch-size, --hidden or --length")
    return f"training failed on {device}: {(text.splitlines() or [type(error).__name__])[0][:200]}"


def _divergence_hint(cfg: TrainConfig, step: int) -> str:
    fix = f"a lower learning rate (now {cfg.lr:g})" + ("" if cfg.clip else " or gradient clipping (--clip 1)")
    return f"loss or gradient became non-finite by step {step}; try {fix}"


def solved(cfg: TrainConfig, evaluated) -> bool:
    """--until: this evaluation's accuracy reached the bar (every rank evaluates the same model on the same
    data, so under torchrun every rank decides alike)."""
    return bool(cfg.until) and evaluated.accuracy is not None and evaluated.accuracy >= cfg.until
