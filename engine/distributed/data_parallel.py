"""Data-parallel training with PyTorch's own machinery: torchrun starts the processes,
torch.distributed (gloo on CPU, NCCL on CUDA) connects them, DistributedDataParallel averages gradients.

Every rank draws the *global* batch (per-rank batch x world size) from the same seeded stream and
trains on its own rows of it (rank r keeps rows r*B to (r+1)*B), so N processes see exactly the data
one process sees with the global batch, the data generator's state is the same on every rank, and a
checkpoint resumes under any number of processes, one included. Drawing the whole batch costs a
random draw per row, tiny next to a step. Rank 0 alone prints, writes metrics and saves.

The training loop stays one loop: a World answers the few questions whose answer must be the same
on every rank (stop now? how long trained? the mean loss), with collectives when there are peers.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from datetime import timedelta

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
MAX_PROCESSES = 256
TIMEOUT = timedelta(minutes=10)  # a peer that vanished without closing its connections


class World:
    """One process: every answer is local."""

    rank, size, local_rank = 0, 1, 0
    leader = True

    def place(self, device):
        return device

    def shard(self, task):
        return task

    def global_config(self, config):
        return config

    def wrap(self, model):
        return model

    def agree(self, pace, stop) -> None:
        """Make pace.trained (and, with peers, the stop request) the same on every rank."""

    def stopping(self, stop) -> bool:
        return stop is not None and stop.is_set()

    def mean(self, total):
        return total

    def gather_bytes(self, data):
        """Every rank's `data`, in rank order."""
        return [data]

    def explain(self, error: RuntimeError) -> str | None:
        """What a failure means when it comes from the peers, not this process (None: ours)."""
        return None

    @contextmanager
    def saving(self):
        """Around the final save: a second Ctrl-C, SIGTERM or SIGHUP waits until the model is written (the
        first one already stopped the run; SIGKILL still ends it, and the atomic write leaves the target
        as it was). Under torchrun, which SIGTERMs every rank when one fails, the save also finishes first
        (after 30 s torchrun sends SIGKILL)."""
        previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


class Group(World):
    """A rank of a torchrun launch, joined to its peers through torch.distributed."""

    def __init__(self, rank: int, size: int, local_rank: int):
        self.rank, self.size, self.local_rank = rank, size, local_rank
        self.leader = rank == 0
        self._stop = False
        self._gathered = None

    def place(self, device):
        import torch

        if device.type != "cuda":
            return device
        if self.local_rank >= torch.cuda.device_count():  # torchrun started more processes than GPUs here
            from engine.devices import DeviceError

            raise DeviceError(f"local rank {self.local_rank} has no GPU (one process per GPU, and this machine "
                              f"has {torch.cuda.device_count()}); accepted: --nproc-per-node up to the GPU count, "
                              "or --device cpu")
        device = torch.device("cuda", self.local_rank)  # one GPU per process on each machine
        torch.cuda.set_device(device)
        return device

    def global_config(self, config):
        from engine.tasks import task_class

        if "batch_size" in task_class(config.task).options:
            return config.replace(batch_size=config.batch_size * self.size)
        return config  # a fixed batch (mapping pairs, the lesson's sentences): Shard splits its rows

    def shard(self, task):
        return Shard(task, self.rank, self.size)

    def wrap(self, model):
        from torch.nn.parallel import DistributedDataParallel

        device_ids = [model_device(model)] if model_device(model).type == "cuda" else None
        return DistributedDataParallel(model, device_ids=device_ids)

    def agree(self, pace, stop) -> None:
        import torch
        import torch.distributed as dist

        flags = torch.tensor([float(stop is not None and stop.is_set()), pace.trained], dtype=torch.float64,
                             device=self._collective_device())
        dist.all_reduce(flags, op=dist.ReduceOp.MAX)
        self._stop, pace.trained = bool(flags[0].item()), float(flags[1].item())

    def stopping(self, stop) -> bool:
        return self._stop

    def mean(self, total):
        import torch.distributed as dist

        total = total.clone()
        dist.all_reduce(total)  # the shards are the same size: the mean of their means is the batch mean
        return total / self.size

    def gather_bytes(self, data):
        """Every rank's `data` (a uint8 tensor of the same length on every rank), in rank order, on the CPU:
        all_gather of live tensors (gloo and NCCL alike), nothing pickled. None when a peer is gone."""
        import torch
        import torch.distributed as dist

        mine = data.to(self._collective_device())
        everyone = [torch.empty_like(mine) for _ in range(self.size)]
        try:
            # The work is kept: if gloo's worker thread held the last reference, it would free the tensors
            # there, which takes the GIL, and a process already exiting aborts ("terminate called without
            # an active exception"). Kept here, it is freed on this thread, with the Group.
            self._gathered = dist.all_gather(everyone, mine, async_op=True)
            self._gathered.wait()
        except RuntimeError:  # DistBackendError included: a peer stopped or was killed
            return None
        return [state.cpu().clone() for state in everyone]

    def explain(self, error: RuntimeError) -> str | None:
        import torch.distributed as dist

        text = str(error)
        if not (isinstance(error, dist.DistBackendError) or "gloo" in text or "NCCL" in text):
            return None
        detail = (text.splitlines() or [""])[0].rsplit("] ", 1)[-1][:120]
        return (f"rank {self.rank} lost contact with the other processes of this run (one of them stopped or "
                f"was killed: {detail})")

    def _collective_device(self):
        import torch
        import torch.distributed as dist

        return torch.device("cuda", self.local_rank) if dist.get_backend() == "nccl" else torch.device("cpu")


def model_device(model):
    return next(model.parameters()).device


class Shard:
    """A task whose batch() is this rank's rows of the global batch; everything else is the task's."""

    def __init__(self, task, rank: int, size: int):
        self.task, self.rank, self.size = task, rank, size
        rows = task.shape[0]
        if rows % size:
            raise ValueError(f"--nproc {size}: this task trains on one fixed batch of {rows} rows, which {size} "
                             f"processes cannot share evenly; accepted: a process count that divides {rows}")
        self.rows = rows // size

    def batch(self):
        x, y = self.task.batch()
        begin = self.rank * self.rows
        return x[begin: begin + self.rows], y[begin: begin + self.rows]

    def __getattr__(self, name):
        return getattr(self.task, name)


_WORLD: World = World()


def current() -> World:
    """The World a Trainer made now belongs to: the joined group, else this process alone."""
    return _WORLD


def under_torchrun() -> bool:
    return "TORCHELASTIC_RUN_ID" in os.environ or ("WORLD_SIZE" in os.environ and "RANK" in os.environ)


def join() -> World:
    """Under torchrun, join the process group (once); rank > 0 prints nothing on stdout. Else World()."""
    global _WORLD
    if isinstance(_WORLD, Group) or not under_torchrun():
        return _WORLD
    import torch
    import torch.distributed as dist

    backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() and dist.is_nccl_available() else "gloo"
    dist.init_process_group(backend=backend, timeout=TIMEOUT)
    _WORLD = Group(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    if not _WORLD.leader:
        _to_devnull(sys.stdout)
    return _WORLD


def together(world: World, action):
    """Run `action` on every rank; if it failed anywhere, every rank leaves: the failing ranks (rank 0
    first) with their error, the others with SystemExit(0) and no word, so no rank waits on a peer."""
    if not isinstance(world, Group):
        return action()
    import torch
    import torch.distributed as dist

    error, result = None, None
    try:
        result = action()
    except Exception as e:  # re-raised below, on the rank that met it
        error = e
    failed = torch.zeros(world.size, dtype=torch.float64, device=world._collective_device())
    failed[world.rank] = error is not None
    dist.all_reduce(failed)
    if not failed.any():
        return result
    first = int(failed.nonzero()[0].item())
    if error is not None and first == world.rank:
        raise error
    # The others leave quietly with status 0: a failing status would make torchrun SIGTERM the rank
    # still printing the error, and the launch would end 143 instead of that rank's 2.
    raise SystemExit(0)


def leave() -> None:
    """The end of a rank's run: leave the process group cleanly."""
    if isinstance(_WORLD, Group):
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()


def _to_devnull(stream) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def as_rank(args, train) -> int:
    """`train(args, world)` in this process: alone, or as a rank of a torchrun launch (joined first)."""
    if not under_torchrun():
        return train(args, _WORLD)
    world = join()
    try:
        return train(args, world)
    finally:
        leave()
