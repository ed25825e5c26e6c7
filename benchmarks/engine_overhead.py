"""Engine overhead: chars/s of engine.Trainer over chars/s of a bare hand-written PyTorch loop.

Same model shape, batch, sequence length, optimizer, clipping and device; the two alternate in one
process, `segment` optimizer steps at a time, and the figure is the median of the per-pair ratios
(robust when other processes share the cores: a slow stretch slows both halves of a pair).
The trainer's evaluation is kept out (eval_every larger than the run), its logging is in: one
StepLogged per segment, and the bare loop reads its loss once per segment too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from benchmarks.common import corpus_path, emit, log, machine, median, synthetic_corpus

NEVER = 100_000_000


class BareLSTM(nn.Module):
    def __init__(self, vocab: int, embedding: int, hidden: int, layers: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        self.lstm = nn.LSTM(embedding, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.head(out)


def caesar_batches(batch: int, length: int, key: int, device):
    gen = torch.Generator(device=device).manual_seed(1)
    while True:
        plain = torch.randint(0, 27, (batch, length), generator=gen, device=device)
        yield (plain + key) % 27, plain


def corpus_batches(ids: torch.Tensor, batch: int, length: int, device):
    gen = torch.Generator(device=device).manual_seed(1)
    offsets = torch.arange(length + 1, device=device)
    while True:
        idx = torch.randint(0, ids.numel() - length - 1, (batch,), generator=gen, device=device)[:, None] + offsets
        yield ids[idx[:, :-1]], ids[idx[:, 1:]]


def bare_segment(model, optimizer, batches, steps: int, clip: float) -> float:
    """Seconds for `steps` plain updates: batch, forward, loss, zero_grad, backward, clip, step."""
    start = time.perf_counter()
    for _ in range(steps):
        x, y = next(batches)
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
    loss.item()
    return time.perf_counter() - start


def engine_segment(run) -> float:
    start = time.perf_counter()
    event = next(run)
    assert event.kind == "step", event
    return time.perf_counter() - start


def compare(name: str, cfg, vocab_ids, bare_batches, repeats: int, segment: int, warmup: int = 2) -> dict:
    import engine

    cfg = cfg.replace(steps=NEVER, log_every=segment, eval_every=NEVER, eval_early=False)
    trainer = engine.Trainer(cfg)
    run = trainer.run()
    next(run)  # RunStarted
    torch.manual_seed(cfg.seed)
    model = BareLSTM(vocab_ids, cfg.embedding, cfg.hidden, cfg.layers).to(trainer.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, fused=True)  # as the engine
    chars = cfg.batch_size * cfg.length * segment
    engine_rates, bare_rates = [], []
    for i in range(warmup + repeats):
        # alternate which goes first, so neither always follows the other
        order = (0, 1) if i % 2 == 0 else (1, 0)
        times = [0.0, 0.0]
        for which in order:
            times[which] = (engine_segment(run) if which == 0
                            else bare_segment(model, optimizer, bare_batches, segment, cfg.clip))
        if i >= warmup:
            engine_rates.append(chars / times[0])
            bare_rates.append(chars / times[1])
    run.close()
    pair_ratios = [e / b for e, b in zip(engine_rates, bare_rates, strict=True)]
    ratio = median(pair_ratios)  # each pair ran back to back, so a noisy neighbour hits both alike
    log(f"  {name}: engine {median(engine_rates):,.0f} chars/s, bare {median(bare_rates):,.0f} chars/s, "
        f"ratio {ratio:.3f}")
    return {"shape": name, "engine_chars_per_s": round(median(engine_rates)),
            "bare_chars_per_s": round(median(bare_rates)), "ratio": round(ratio, 4),
            "pair_ratio_min": round(min(pair_ratios), 4), "pair_ratio_max": round(max(pair_ratios), 4),
            "repeats": repeats, "steps_per_repeat": segment}


def main(argv=None) -> dict:
    import engine

    parser = argparse.ArgumentParser(prog="python -m benchmarks engine_overhead")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=12)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    results = []

    cfg = engine.presets.get("caesar").replace(device=args.device, precision="fp32", embedding=16, hidden=64, layers=1,
                                               batch_size=64, length=32)
    results.append(compare("caesar LSTM(emb16,h64) b64x32", cfg, 27,
                           caesar_batches(64, 32, cfg.key, device), args.repeats + 5, segment=20))

    with tempfile.TemporaryDirectory() as tmp:
        path = corpus_path() or synthetic_corpus(Path(tmp) / "synthetic.txt")
        cfg = engine.presets.get("completion").replace(device=args.device, precision="fp32", corpus=str(path),
                                                       embedding=64, hidden=256, layers=2, batch_size=64, length=128)
        trainer = engine.Trainer(cfg)  # for its vocabulary and training split, exactly as the engine reads them
        ids, vocab = trainer.task.train_data, len(trainer.vocab)
        del trainer
        results.append(compare("corpus LSTM(emb64,h256,2 layers) b64x128", cfg, vocab,
                               corpus_batches(ids, 64, 128, device), args.repeats, segment=1))
        corpus = "tinyshakespeare" if corpus_path() else "synthetic"

    return emit("engine_overhead", device=str(device), corpus=corpus, target=0.95,
                min_ratio=min(r["ratio"] for r in results),
                met=all(r["ratio"] >= 0.95 for r in results), shapes=results, machine=machine(),
                load_average=os.getloadavg())


if __name__ == "__main__":
    main()
