"""Best weights by held-out loss: a corpus run that starts to overfit ends with its best weights.

A run on a corpus evaluates on a held-out tail the model never trains on. Each evaluation offers the
weights; the ones with the lowest held-out loss are copied aside (a few MB, copied in place, only
when the loss improves). When the run completes or is stopped, the model gets the best weights
back, so what is saved and predicted from is the best model seen, and the run's metrics say which
step it came from (`best_step`) and its held-out figures. The step counter, the optimizer state and
the data stream stay where training stopped: resuming continues from the best weights.
"""

from __future__ import annotations

import math

import torch

from engine.tasks import task_class

# what an evaluation reports that describes the weights it scored (restored with them)
SCORES = ("bits_per_char", "windowed_bits_per_char", "accuracy")


def applies(config) -> bool:
    """Only for finite training data judged on a held-out part of it (a corpus's tail): fresh data never
    overfits, and a loss on the training data itself is not a fair judge to keep by."""
    task = task_class(config.task)
    return task.held_out(config) and not task.fresh


class BestWeights:
    def __init__(self):
        self.step: int | None = None
        self.loss = math.inf
        self.scores: dict[str, float] = {}
        self._copy: list[torch.Tensor] | None = None

    def offer(self, model: torch.nn.Module, step: int, loss: float, scores: dict) -> bool:
        """Keep `model`'s weights when `loss` is the lowest so far; whether they were kept."""
        if not math.isfinite(loss) or loss >= self.loss:
            return False
        tensors = [t.detach() for t in model.state_dict().values()]
        if self._copy is None:
            self._copy = [t.clone() for t in tensors]
        else:
            for kept, now in zip(self._copy, tensors, strict=True):
                kept.copy_(now)
        self.step, self.loss = step, loss
        self.scores = {k: scores[k] for k in SCORES if scores.get(k) is not None}
        return True

    def restore(self, model: torch.nn.Module, step: int) -> bool:
        """Put the best weights back into `model` unless the weights at `step` are the best; whether it did."""
        if self._copy is None or self.step == step:
            return False
        with torch.no_grad():  # state_dict tensors share the parameters' storage: copy_ writes the weights
            for now, kept in zip(model.state_dict().values(), self._copy, strict=True):
                now.copy_(kept)
        return True

    def report(self) -> dict[str, float]:
        """The metrics of the kept weights: best_step, eval_loss and their held-out scores."""
        if self.step is None:
            return {}
        return {"best_step": self.step, "eval_loss": self.loss, **self.scores}
