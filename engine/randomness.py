"""The random stream dropout draws from, owned by one Trainer so that a resumed run is the same run.

Dropout (nn.Dropout, and nn.LSTM/GRU/RNN between layers) draws from torch's global generator, which
anything else in the process may also draw from. A Trainer keeps its own copy of that generator's
state: seeded from the run's seed (and its rank), swapped in around each training step, saved in the
checkpoint as uint8 tensors and restored on resume. With no dropout nothing is swapped (no cost).

Under torchrun every rank has its own stream (seed + rank). At the end of a run the ranks gather their
states (one all_gather of a fixed-size uint8 tensor: live tensors, never pickles) so that rank 0's
checkpoint holds them all: `dropout_rng` is rank 0's, row r-1 of `dropout_rng_peers` is rank r's. A
resume with the same process count gives each rank its own stream back; with another count, ranks
beyond the saved ones start the stream a new run's rank would (seed + rank), and `note` says so.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

SEED_OFFSET = 3_000_017  # apart from the data stream's seed and the tasks' evaluation seeds


class DropoutRandomness:
    def __init__(self, seed: int, device: torch.device, active: bool):
        self.device, self.active = device, active
        self.cuda = device.type == "cuda"
        self.peers: list[tuple[torch.Tensor, torch.Tensor | None]] | None = None  # ranks 1.. at the last gather
        self.note: str | None = None  # after restore(): what a resume with another process count does
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

    def gather(self, world) -> None:
        """Keep every rank's current state for rank 0's checkpoint. A collective: every rank of a torchrun
        launch calls it at the same point (the end of a run). With no peers, or when they are gone, the
        checkpoint holds rank 0's stream alone."""
        self.peers = None
        if not self.active or world.size == 1:
            return
        mine = self.cpu_state if self.cuda_state is None else torch.cat([self.cpu_state, self.cuda_state.cpu()])
        everyone = world.gather_bytes(mine)  # the same length on every rank: the same torch, the same device kind
        if everyone is None:
            return
        cut = len(self.cpu_state)
        self.peers = [(state[:cut].clone(), state[cut:].clone() if self.cuda_state is not None else None)
                      for state in everyone[1:]]

    def tensors(self) -> dict[str, torch.Tensor]:
        """The states to save: uint8 tensors (safetensors holds tensors, never pickles)."""
        saved = {"dropout_rng": self.cpu_state.clone()}
        if self.cuda_state is not None:
            saved["dropout_rng_cuda"] = self.cuda_state.cpu().clone()
        if self.peers:
            saved["dropout_rng_peers"] = torch.stack([cpu for cpu, _ in self.peers])
            if self.cuda_state is not None:
                saved["dropout_rng_cuda_peers"] = torch.stack([cuda for _, cuda in self.peers])
        return saved

    def restore(self, saved: dict[str, torch.Tensor], rank: int = 0, size: int = 1) -> None:
        """Continue this rank's saved streams; a state that does not fit this device's generator is left
        fresh (a CUDA run resumed on the CPU, say: the run goes on, not bit for bit). `saved` holds the
        tensors named dropout_rng*, checked by engine.storage.checkpoint_reader."""
        mine = own_states(saved, rank)
        for name, device in (("dropout_rng", torch.device("cpu")), ("dropout_rng_cuda", self.device)):
            state = mine.get(name)
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
        self.note = resume_note(saved_processes(saved), size) if self.active else None


def own_states(saved: dict[str, torch.Tensor], rank: int) -> dict[str, torch.Tensor]:
    """Rank `rank`'s saved states ({} when the checkpoint holds none for it)."""
    if rank == 0:
        return {k: v for k, v in saved.items() if k in ("dropout_rng", "dropout_rng_cuda")}
    mine = {}
    for name, table in (("dropout_rng", "dropout_rng_peers"), ("dropout_rng_cuda", "dropout_rng_cuda_peers")):
        rows = saved.get(table)
        if rows is not None and rank - 1 < rows.shape[0]:
            mine[name] = rows[rank - 1].clone()
    return mine


def saved_processes(saved: dict[str, torch.Tensor]) -> int:
    """How many ranks' dropout streams a checkpoint holds (0: one from before exact resume)."""
    if "dropout_rng" not in saved:
        return 0
    peers = saved.get("dropout_rng_peers")
    return 1 + (peers.shape[0] if peers is not None else 0)


def resume_note(saved: int, size: int) -> str | None:
    """One line for a resume whose process count differs from the one the dropout streams were saved by."""
    if saved == size or (saved == 0 and size == 1):
        return None
    if saved:
        held = f"the dropout stream{'s' if saved > 1 else ''} of {_processes(saved)}"
    else:
        held = "no dropout stream (an older checkpoint)"
    if size > saved:
        what = f"{_ranks(saved, size - 1)} start{'s' if size - saved == 1 else ''} afresh from the seed (seed + rank)"
    else:
        many = saved - size > 1
        what = f"the stream{'s' if many else ''} of {_ranks(size, saved - 1)} {'are' if many else 'is'} set aside"
    return (f"--resume: the checkpoint holds {held} and this run has {_processes(size)}: {what}; training goes on, "
            "with other dropout masks than an uninterrupted run would draw")


def _processes(count: int) -> str:
    return f"{count} process{'es' if count != 1 else ''}"


def _ranks(first: int, last: int) -> str:
    return f"rank {first}" if first == last else f"ranks {first} to {last}"
