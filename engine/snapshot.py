"""Published weights for predict(): a few preallocated copies of the model, refilled with one foreach copy.

The training thread writes into a copy that no reader holds and then publishes it; readers hold the
copy they took until they finish, so no reader ever sees weights change under it, and no deep copy
happens after the first few publications.
"""

from __future__ import annotations

import contextlib
import copy
import threading

import torch


class Snapshots:
    def __init__(self, model: torch.nn.Module):
        self._lock = threading.Lock()
        self._readers: dict[int, int] = {}  # id(copy) -> how many predict() calls hold it
        self._spare: list[torch.nn.Module] = []
        self._current = self._fresh(model)
        self._fill(self._current, model)

    def publish(self, model: torch.nn.Module) -> None:
        """Copy `model`'s weights into a copy nobody reads and make it the current one."""
        with self._lock:
            target = self._spare.pop() if self._spare else None
        if target is None:
            target = self._fresh(model)
        self._fill(target, model)
        with self._lock:
            old, self._current = self._current, target
            if not self._readers.get(id(old)):
                self._spare.append(old)

    @contextlib.contextmanager
    def reading(self):
        """The current copy, held (never refilled) until the block ends."""
        with self._lock:
            model = self._current
            self._readers[id(model)] = self._readers.get(id(model), 0) + 1
        try:
            yield model
        finally:
            with self._lock:
                self._readers[id(model)] -= 1
                if not self._readers[id(model)]:
                    del self._readers[id(model)]
                    if model is not self._current:
                        self._spare.append(model)

    @staticmethod
    def _fresh(model: torch.nn.Module) -> torch.nn.Module:
        twin = copy.deepcopy(model).eval()
        for p in twin.parameters():
            p.grad = None
            p.requires_grad_(False)
        return twin

    @staticmethod
    @torch.no_grad()
    def _fill(target: torch.nn.Module, source: torch.nn.Module) -> None:
        dst = [t for t in (*target.parameters(), *target.buffers())]
        src = [t.detach() for t in (*source.parameters(), *source.buffers())]
        torch._foreach_copy_(dst, src)
