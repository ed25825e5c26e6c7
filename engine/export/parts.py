"""The pieces of an exported training script (engine.export.script assembles them); each task's own
section lives in its module (engine.tasks.*: export_section()).

Each piece is `string.Template` text: `$NAME` is replaced by a Python literal that engine.export.script
made with repr(), never by raw text from a checkpoint or the command line.
"""

from __future__ import annotations

HEADER = '''\
"""$title

Exported by `rnnplay export-script`. Plain PyTorch, nothing else: run it with `python $name`.
With the same seed on the CPU, the losses it prints are the ones `rnnplay train` prints for the same
run: the data, the initial weights and every update are computed in the same order.
"""

import torch
import torch.nn.functional as F
from torch import nn

EXPORTED_FROM = $source
SEED = $seed  # one number fixes the initial weights and the whole stream of training data
STEPS = $steps  # optimizer updates, one batch each
LR = $lr  # learning rate
LOG_EVERY = $log_every  # print the mean loss of the last LOG_EVERY steps
DEVICE = $device
'''

THREADS = '''

def thread_count():
    """CPU threads for torch, as rnnplay chooses them: OMP_NUM_THREADS when set, else one fewer than the cores.
    torch's own default, every core, made this script for caesar take 344 s against 47 s for `rnnplay train`
    on 2 cores with other work running."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isascii() and env.isdigit() and 0 < int(env) <= $most:
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)

'''

THREADS_GIVEN = '''

def thread_count():
    """CPU threads for torch: $count, as `rnnplay export-script --threads $count` was told."""
    return $count

'''

DECODE = '''

def decode(ids):
    return "".join(VOCAB[i] for i in ids.tolist())


@torch.no_grad()
def predicted(model, x):
    """The model's most likely symbol at each position."""
    model.eval()
    return model(x)[0].argmax(-1)
'''

MODEL_HEAD = '''

# ---- the model ------------------------------------------------------------------------------------
class Model(nn.Module):
    """$summary"""

    def __init__(self):
        super().__init__()
'''

SCHEDULE = '''

def lr_factor(position):
    """The multiplier on LR at `position` (0..1) of the run: a linear warm-up, then $after."""
    if WARMUP > 0 and position < WARMUP:
        return max(position / WARMUP, 1e-3)  # never exactly zero: the first step still learns a little
    $rest
'''

DECAY = '''rest = min(max((position - WARMUP) / (1.0 - WARMUP), 0.0), 1.0)
    return $decay'''

DECAYS = {"cosine": "0.5 * (1.0 + math.cos(math.pi * rest))", "linear": "1.0 - rest"}

TRAIN = '''

# ---- training -------------------------------------------------------------------------------------
def make_optimizer(params):
    try:  # fused: the whole update in one kernel where this torch has one for the device
        return torch.optim.$optimizer(params, lr=LR, fused=True)
    except (RuntimeError, ValueError):
        return torch.optim.$optimizer(params, lr=LR, foreach=DEVICE != "cpu")


def main():
    torch.set_num_threads(thread_count())
    torch.manual_seed(SEED)  # the initial weights come from torch's global generator...
    model = Model().to(DEVICE)
    data = torch.Generator(device=DEVICE).manual_seed(SEED)  # ...the data from a generator of its own
    params = list(model.parameters())
    optimizer = make_optimizer(params)
    model.train()
    losses = []
    for step in range(STEPS):
$body        losses.append(loss.detach())  # no .item() here: it would wait for the device every step
        if (step + 1) % LOG_EVERY == 0 or step + 1 == STEPS:
            mean = torch.stack(losses).sum().item() / len(losses)
            print(f"step {step + 1}  loss {mean}", flush=True)
            losses = []
    show(model)


if __name__ == "__main__":
    main()
'''
