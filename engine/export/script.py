"""A run as a script: render a TrainConfig as a standalone, readable PyTorch training script.

The script builds the same model (same modules in the same order, so the same initial weights from
the seed), draws the same batches from a generator seeded the same way (the task's section comes from
its class: engine.tasks.base.Task.export_section) and takes the same updates,
so on the CPU its printed losses equal the engine's. Every value written into it is a Python literal
made with repr(): text from a checkpoint (mapping pairs, a corpus path) cannot become code.
Nothing here imports torch, and nothing from a checkpoint is ever executed.
"""

from __future__ import annotations

from string import Template

from engine import cells
from engine.config import TrainConfig
from engine.devices import MAX_THREADS
from engine.export import parts as parts
from engine.tasks import task_class


def render(config: TrainConfig, name: str = "train.py", source: str = "", precision: str = "fp32",
           branch: str = "", threads: int | None = None) -> str:
    """The script's text. `precision` is the one the run really used (fp32 or bf16, auto resolved); `branch`
    describes the run a branch's checkpoint came from (engine.branches.describe), said in a comment; `threads`
    a thread count chosen (--threads), else the script applies the engine's rule where it runs."""
    device = "cuda" if config.device == "auto" else config.device
    header = _fill(parts.HEADER, title=_title(config), name=name, source=repr(source), seed=config.seed,
                   steps=config.steps, lr=repr(config.lr), log_every=config.log_every,
                   device=_device_literal(config.device))
    extra = []
    if config.schedule != "constant" or config.warmup > 0:
        extra.append(f"WARMUP = {config.warmup!r}  # the share of the run the learning rate ramps up over")
    if config.clip:
        extra.append(f"CLIP = {config.clip!r}  # the largest gradient norm an update may use")
    if config.seconds > 0:
        extra.append(f"SECONDS = {config.seconds!r}  # a training time budget: the run ends at STEPS or SECONDS")
        extra.append("# (whichever comes first; then the last step and the schedule follow the clock, not the seed)")
    if branch:  # visible(): no control character or line break reaches the comment
        extra.append(f"# this checkpoint is a {branch}; this script trains all STEPS with the settings after it")
    if config.until:
        extra.append(f"# rnnplay stops this run at its first evaluation with >= {config.until:.1%} accuracy; this "
                     "script trains all STEPS")
    if config.dropout:
        extra.append("# dropout here draws its masks from torch's global generator, rnnplay from its own: "
                     "losses equal the engine's only without dropout")
    if device == "cuda" and config.device == "auto":
        extra.append("# rnnplay picks a GPU when there is one; the losses equal the engine's on the CPU")
    threads_part = _fill(parts.THREADS, most=MAX_THREADS) if threads is None else _fill(parts.THREADS_GIVEN,
                                                                                         count=int(threads))
    body = [header + "\n".join(extra) + ("\n" if extra else ""), threads_part,
            task_class(config.task).export_section(config), parts.DECODE]
    body += [_model(config), _schedule(config), _training(config, precision)]
    text = "".join(body)
    modules = [m for m, used in (("math", config.schedule == "cosine"), ("os", True), ("time", config.seconds > 0))
               if used]
    text = text.replace("import torch\n", "".join(f"import {m}\n" for m in modules) + "\nimport torch\n", 1)
    return text


def _fill(template: str, **values) -> str:
    return Template(template).substitute({k: str(v) for k, v in values.items()})


def _device_literal(device: str) -> str:
    if device == "auto":
        return '"cuda" if torch.cuda.is_available() else "cpu"'
    return repr(device)


def _title(config: TrainConfig) -> str:
    layers = f"{config.layers}-layer " if config.layers > 1 else ""
    return f"Train a {layers}{config.cell.upper()} on the {config.task} task, as rnnplay does."


def _model(config: TrainConfig) -> str:
    c = config
    size = "len(VOCAB)"
    width = c.embedding or size
    lines = []
    if c.embedding:
        lines.append(f"self.embed = nn.Embedding({size}, {c.embedding})  # each symbol id -> a learned vector")
        inputs = "self.embed(x)"
    else:
        inputs = f"F.one_hot(x, {size}).float()"
        lines.append("# no embedding: each symbol is a one-hot vector of the vocabulary's size")
    cell = cells.get(c.cell)
    lines += cell.export_init(c, width)
    if c.head == "linear":
        if c.dropout:
            lines.append(f"self.drop = nn.Dropout({c.dropout!r})")
        lines.append(f"self.head = nn.Linear({c.hidden}, {size})  # hidden state -> a score for every symbol")
        scores = "self.head(self.drop(out))" if c.dropout else "self.head(out)"
    else:
        lines.append("# no head: the hidden state itself is the scores (hidden size = vocabulary size)")
        scores = "out"
    init = "".join(f"        {line}\n" for line in lines)
    forward = cell.export_forward(c, inputs, scores)
    head = "linear head" if c.head == "linear" else "hidden state as scores"
    summary = f"{'embedding' if c.embedding else 'one-hot'} -> {c.cell} -> {head}"
    return _fill(parts.MODEL_HEAD, summary=summary) + init + forward


def _schedule(config: TrainConfig) -> str:
    if config.schedule == "constant" and config.warmup == 0:
        return ""
    if config.schedule in parts.DECAYS:
        return _fill(parts.SCHEDULE, after=f"a {config.schedule} decay to zero",
                     rest=_fill(parts.DECAY, decay=parts.DECAYS[config.schedule]))
    return _fill(parts.SCHEDULE, after="constant", rest="return 1.0")


def _training(config: TrainConfig, precision: str) -> str:
    c = config
    lines = []
    if c.schedule != "constant" or c.warmup > 0:
        position = "max(step / STEPS, (time.perf_counter() - started) / SECONDS)" if c.seconds else "step / STEPS"
        lines += ["for group in optimizer.param_groups:",
                  f"    group[\"lr\"] = LR * lr_factor(min(1.0, {position}))"]
    lines.append("x, y = make_batch(data)")
    if precision == "bf16":
        lines += ["with torch.autocast(torch.device(DEVICE).type, dtype=torch.bfloat16):  # bf16 maths, "
                  "fp32 weights", "    logits, _ = model(x)"]
    else:
        lines.append("logits, _ = model(x)")
    lines.append("loss = F.cross_entropy(logits.float().reshape(-1, len(VOCAB)), y.reshape(-1))")
    if c.accumulate_grad:
        lines.append("# no optimizer.zero_grad(): gradients pile up step after step (Lesson A's omission)")
    else:
        lines.append("optimizer.zero_grad(set_to_none=True)  # forget the last step's gradients")
    lines.append("loss.backward()")
    if c.clip:
        lines.append("torch.nn.utils.clip_grad_norm_(params, CLIP, foreach=True)  # tame exploding gradients")
    lines.append("optimizer.step()")
    if c.seconds:
        lines.append("last = step + 1 == STEPS or time.perf_counter() - started >= SECONDS")
    body = "".join(f"        {line}\n" for line in lines)
    text = _fill(parts.TRAIN, optimizer="SGD" if c.optimizer == "sgd" else "Adam", body=body)
    if c.seconds:
        text = text.replace("    model.train()\n", "    model.train()\n    started = time.perf_counter()\n")
        text = text.replace("or step + 1 == STEPS:", "or last:").replace("            losses = []\n",
                            "            losses = []\n        if last:\n            break\n")
    return text
