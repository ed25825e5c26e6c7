"""Trainer: a run is a generator of events, driven by whichever thread iterates it."""

from __future__ import annotations

import copy
import math
import threading
import time
import uuid
from collections.abc import Iterator

import torch

from engine import devices, models, tasks
from engine.config import ConfigError, TrainConfig
from engine.events import Evaluated, Event, RunFinished, RunStarted, StepLogged
from engine.tasks.common import loss_of


class Trainer:
    def __init__(self, config: TrainConfig):
        self.config = config
        self.device = devices.resolve(config.device)
        self.run_id = uuid.uuid4().hex[:8]
        self.generator = torch.Generator(device=self.device).manual_seed(config.seed)
        self.task = tasks.make(config, self.device, self.generator)
        vocab = len(self.task.vocab)
        if config.head == "none" and config.hidden != vocab:
            raise ConfigError("hidden", f"head none uses the hidden state as scores, so hidden must equal "
                                        f"the vocabulary size ({vocab}), not {config.hidden}")
        models.check_size(config, vocab)
        with torch.random.fork_rng(devices=[]):  # seeded weights without disturbing the global RNG
            torch.manual_seed(config.seed)
            self.model = models.build(config, vocab).to(self.device)
        self.optimizer = _optimizer(config, self.model)
        self.step = 0
        self.metrics: dict[str, float] = {}
        self._lock = threading.Lock()
        self._publish()

    @property
    def vocab(self):
        return self.task.vocab

    def run(self, stop: threading.Event | None = None) -> Iterator[Event]:
        """Train until config.steps, a set `stop` (checked every step) or divergence."""
        cfg = self.config
        yield RunStarted(self.run_id, str(self.device), sum(p.numel() for p in self.model.parameters()),
                         cfg.to_dict(), self.step, self.model.shapes(*self.task.shape))
        started = last_time = time.perf_counter()
        last_step, reason, message = self.step, "completed", ""
        loss_sum = torch.zeros((), device=self.device)
        grads_finite = torch.ones((), dtype=torch.bool, device=self.device)
        self.model.train()
        try:
            while self.step < cfg.steps:
                if stop is not None and stop.is_set():
                    reason = "stopped"
                    break
                loss = self._update(grads_finite)
                loss_sum += loss
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    now = time.perf_counter()
                    mean = loss_sum.item() / (self.step - last_step)  # .item() only here: it syncs
                    if not (math.isfinite(mean) and grads_finite.item()):
                        reason, message = "diverged", _divergence_hint(cfg, self.step)
                        break
                    rate = self.task.chars_per_step * (self.step - last_step) / max(now - last_time, 1e-9)
                    self.metrics.update(loss=mean, chars_per_s=rate)
                    yield StepLogged(self.run_id, self.step, mean, rate, now - started)
                    last_time, last_step = now, self.step
                    loss_sum.zero_()
                if self.step % cfg.eval_every == 0 or self.step == cfg.steps:
                    yield self._evaluate()
        except RuntimeError as e:  # out of memory (torch.OutOfMemoryError included) or a device fault
            reason, message = "failed", _failure(e, self.device, cfg)
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        self.metrics["steps"] = self.step
        yield RunFinished(self.run_id, self.step, reason, dict(self.metrics), time.perf_counter() - started, message)

    def _update(self, grads_finite: torch.Tensor) -> torch.Tensor:
        x, y = self.task.batch()
        logits, _ = self.model(x)
        loss = loss_of(logits, y)
        if not self.config.accumulate_grad:
            self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.clip:
            norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip)
            grads_finite &= torch.isfinite(norm)
        self.optimizer.step()
        self.step += 1
        return loss.detach()

    def _evaluate(self) -> Evaluated:
        self.model.eval()
        result = self.task.evaluate(self.model)
        self.model.train()
        self.metrics["eval_loss"] = result["loss"]
        for name in ("accuracy", "bits_per_char"):
            if result.get(name) is not None:
                self.metrics[name] = result[name]
        self._publish()
        return Evaluated(self.run_id, self.step, **result)

    def _publish(self) -> None:
        """Give predict() a frozen copy of the weights; it never touches the module being trained."""
        snapshot = copy.deepcopy(self.model).eval()
        with self._lock:
            self._snapshot = snapshot

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        """Decrypt (caesar), complete (completion) or map (mapping) `text` with the latest snapshot."""
        with self._lock:
            model = self._snapshot
        return self.task.predict(model, text, length, temperature)

    def save(self, path: str) -> None:
        from engine.checkpoint import save

        self._publish()
        save(self, path)

    @classmethod
    def resume(cls, path: str, **overrides) -> Trainer:
        """Continue a saved run from its step (same weights, optimizer state and data stream)."""
        from engine.checkpoint import resume

        return resume(cls, path, **overrides)


def _optimizer(cfg: TrainConfig, model: torch.nn.Module) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr)
    return torch.optim.Adam(model.parameters(), lr=cfg.lr)


def _failure(error: RuntimeError, device: torch.device, cfg: TrainConfig) -> str:
    text = str(error)
    if isinstance(error, torch.OutOfMemoryError) or "out of memory" in text or "can't allocate memory" in text:
        return (f"out of memory on {device} at batch size {cfg.batch_size}; "
                "try a smaller --batch-size, --hidden or --length")
    return f"training failed on {device}: {(text.splitlines() or [type(error).__name__])[0][:200]}"


def _divergence_hint(cfg: TrainConfig, step: int) -> str:
    fix = f"a lower learning rate (now {cfg.lr:g})" + ("" if cfg.clip else " or gradient clipping (--clip 1)")
    return f"loss or gradient became non-finite by step {step}; try {fix}"
