"""The corpus record's opponents: the best bare PyTorch reference loop, and the corpora it is run on.

The reference is the recipe from issue 12, written out as a plain loop (no engine code in the
training): LSTM emb 64, hidden 320, batch 32 x 64 random windows, AdamW lr 6e-3 with betas (0.9, 0.99),
linear warm-up then cosine decay over the budget, gradient clipping at 1, bf16 autocast where the CPU
has it natively. It trains on the same first 90 % of the same encoded text as the engine and is
scored by the same held-out functions on the same tail.

The other corpora are built from the running Python's standard library, so they are reproducible
and nothing is committed: English prose (pydoc_data's topic help) and source code (Lib/json and
Lib/asyncio).
"""

from __future__ import annotations

import math
import sysconfig
import time
from pathlib import Path

RECIPE = dict(embedding=64, hidden=320, batch_size=32, length=64, lr=6e-3, betas=(0.9, 0.99), warmup=0.05,
              clip=1.0)
HELD_OUT = 0.1  # the engine's completion task holds out the last 10 %


def build_corpora(folder: Path) -> dict[str, Path]:
    """{name: text file} for the prose and code corpora, written into `folder`."""
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    prose = "\n\n".join(topics[name] for name in sorted(topics))
    lib = Path(sysconfig.get_paths()["stdlib"])
    code = "\n\n".join(path.read_text(encoding="utf-8") for package in ("json", "asyncio")
                       for path in sorted((lib / package).glob("*.py")))
    out = {}
    for name, text in (("python-docs-prose", prose), ("python-stdlib-code", code)):
        out[name] = folder / f"{name}.txt"
        out[name].write_text(text, encoding="utf-8")
    return out


def make_model(vocab_size: int, seed: int = 0):
    import torch
    from torch import nn

    class Reference(nn.Module):
        """Embedding -> LSTM -> Linear, `model(ids, hidden) -> (logits, hidden)` like the engine's."""

        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, RECIPE["embedding"])
            self.lstm = nn.LSTM(RECIPE["embedding"], RECIPE["hidden"], batch_first=True)
            self.head = nn.Linear(RECIPE["hidden"], vocab_size)

        def forward(self, ids, hidden=None):
            out, hidden = self.lstm(self.embed(ids), hidden)
            return self.head(out), hidden

    torch.manual_seed(seed)
    return Reference()


def lr_at(position: float) -> float:
    warmup = RECIPE["warmup"]
    if position < warmup:
        return RECIPE["lr"] * max(position / warmup, 1e-3)
    return RECIPE["lr"] * 0.5 * (1 + math.cos(math.pi * min(1.0, (position - warmup) / (1 - warmup))))


def train(ids, vocab_size: int, cpu_budget: float, bf16: bool, seed: int = 0) -> tuple:
    """Train the reference for `cpu_budget` seconds of this thread's CPU time; (model, steps, cpu_s, wall_s)."""
    import torch
    import torch.nn.functional as F

    train_ids = ids[: int(len(ids) * (1 - HELD_OUT))]
    model = make_model(vocab_size, seed)
    params = list(model.parameters())
    optimizer = torch.optim.AdamW(params, lr=RECIPE["lr"], betas=RECIPE["betas"], fused=True)
    generator = torch.Generator().manual_seed(seed)
    batch, length = RECIPE["batch_size"], RECIPE["length"]
    offsets = torch.arange(length + 1)
    cpu_start, wall_start, steps = time.thread_time(), time.perf_counter(), 0
    while (spent := time.thread_time() - cpu_start) < cpu_budget:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(spent / cpu_budget)
        starts = torch.randint(0, len(train_ids) - length - 1, (batch,), generator=generator)
        window = train_ids[starts[:, None] + offsets].long()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits, _ = model(window[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, vocab_size), window[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, RECIPE["clip"], foreach=True)
        optimizer.step()
        steps += 1
    return model.eval(), steps, time.thread_time() - cpu_start, time.perf_counter() - wall_start
