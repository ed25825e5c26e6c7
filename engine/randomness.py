"""The random stream dropout draws from, owned by one Trainer so that a resumed run is the same run.

Dropout (nn.Dropout, and nn.LSTM/GRU/RNN between layers) draws from torch's global generator, which
anything else in the process may also draw from. A Trainer keeps its own copy of that generator's
state: seeded from the run's seed (and its rank), swapped in around each training step, saved in the
checkpoint as uint8 tensors and restored on resume. With no dropout nothing is swapped (no cost).
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

SEED_OFFSET = 3_000_017  # apart from the data stream's seed and the tasks' evaluation seeds


class DropoutRandomness:
    def __init__(self, seed: int, device: torch.device, active: bool):
        self.device, self.active = device, active
        self.cuda = device.type == "cuda"
        with torch.random.fork_rng(devices=[device] if self.cuda else []):
            torch.manual_seed(seed + SEED_OFFSET)
            self.cpu_state = torch.get_rng_state()
            self.cuda_state = torch.cuda.get_rng_state(device) if self.cuda else None

    @contextmanager
    def drawing(self):
        """Training code in this block draws dropout masks from this run's stream, and advances it."""
        if not self.active:
            yield
            return
        with torch.random.fork_rng(devices=[self.device] if self.cuda else []):
            torch.set_rng_state(self.cpu_state)
            if self.cuda:
                torch.cuda.set_rng_state(self.cuda_state, self.device)
            yield
            self.cpu_state = torch.get_rng_state()
            if self.cuda:
                self.cuda_state = torch.cuda.get_rng_state(self.device)

    def tensors(self) -> dict[str, torch.Tensor]:
        """The states to save: uint8 tensors (safetensors holds tensors, never pickles)."""
        saved = {"dropout_rng": self.cpu_state.clone()}
        if self.cuda_state is not None:
            saved["dropout_rng_cuda"] = self.cuda_state.cpu().clone()
        return saved

    def restore(self, saved: dict[str, torch.Tensor]) -> None:
        """Continue the saved streams; a state that does not fit this device's generator is left fresh
        (a CUDA run resumed on the CPU, say: the run goes on, not bit for bit)."""
        for name, device in (("dropout_rng", torch.device("cpu")), ("dropout_rng_cuda", self.device)):
            state = saved.get(name)
            if state is None or (name.endswith("cuda") and not self.cuda):
                continue
            try:
                with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
                    if device.type == "cuda":
                        torch.cuda.set_rng_state(state, device)  # refuses a state that does not fit
                    else:
                        torch.set_rng_state(state)
            except (RuntimeError, ValueError):
                continue
            if device.type == "cuda":
                self.cuda_state = state.clone()
            else:
                self.cpu_state = state.clone()
