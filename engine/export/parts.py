"""The pieces of an exported training script (engine.export.script assembles them); each task's own
section lives in its module (engine.tasks.*: export_section()).

Each piece is `string.Template` text: `$NAME` is replaced by a Python literal that export_script
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

CELL_LOOP_FORWARD = '''
    def forward(self, x, state=None):
        """x: (batch, seq) of symbol ids -> scores (batch, seq, vocabulary), state (layers, batch, hidden)."""
        inputs = $inputs
        if state is None:
            state = inputs.new_zeros(len(self.cells), x.size(0), $hidden)
        states, outputs = list(state.unbind(0)), []
        for t in range(x.size(1)):  # the loop nn.RNN runs for you: one position at a time
            inp = inputs[:, t]
            for i, cell in enumerate(self.cells):
                states[i] = cell(inp, states[i])  # h = tanh(W_ih x + W_hh h)
                inp = $between
            outputs.append(inp)
        out = torch.stack(outputs, 1)
        return $scores, torch.stack(states)
'''

FUSED_FORWARD = '''
    def forward(self, x, state=None):
        """x: (batch, seq) of symbol ids -> scores (batch, seq, vocabulary) and the final state."""
        out, state = self.rnn($inputs, state)  # out: (batch, seq, hidden), every position's top layer
        return $scores, state
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
