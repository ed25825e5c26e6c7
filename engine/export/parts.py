"""The pieces of an exported training script (engine.export.script assembles them).

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
    if env.isascii() and env.isdigit() and int(env) > 0:
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)

'''

CAESAR = '''
# ---- the task: decrypt a Caesar cipher ---------------------------------------------------------
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-"  # 26 capitals and '-' for every other character
VOCAB = ALPHABET
KEY, LENGTH, BATCH_SIZE = $key, $length, $batch_size


def encrypt(plain):
    return (plain + KEY) % len(ALPHABET)  # each symbol moves KEY places along the alphabet
'''

VIGENERE = '''
# ---- the task: decrypt a Vigenere cipher (the shift depends on the position) ----------------------
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-"  # 26 capitals and '-' for every other character
VOCAB = ALPHABET
KEYWORD, LENGTH, BATCH_SIZE = $keyword, $length, $batch_size
SHIFTS = torch.tensor([ord(ch) - ord("A") for ch in KEYWORD], device=DEVICE)  # A = 0, B = 1, ...
SHIFT = SHIFTS.repeat(LENGTH // len(KEYWORD) + 1)[:LENGTH]  # the shift at each position


def encrypt(plain):
    return (plain + SHIFT) % len(ALPHABET)  # to undo it the model must count positions: memory
'''

CIPHER_DATA = '''

def make_batch(generator):
    """Random plaintexts; the model reads the ciphertext and must output the plaintext."""
    plain = torch.randint(0, len(ALPHABET), (BATCH_SIZE, LENGTH), generator=generator, device=DEVICE)
    return encrypt(plain), plain


def show(model):
    """Decrypt 256 fresh messages and count the characters the model gets right."""
    plain = torch.randint(0, len(ALPHABET), (256, LENGTH), generator=torch.Generator().manual_seed(SEED + 1))
    cipher, plain = encrypt(plain.to(DEVICE)), plain.to(DEVICE)
    guess = predicted(model, cipher)
    print(f"accuracy on fresh messages: {(guess == plain).float().mean().item():.1%}")
    print("ciphertext:", decode(cipher[0]))
    print("model says:", decode(guess[0]))
'''

ECHO = '''
# ---- the task: echo a stream of symbols DELAY positions later (it needs memory) -------------------
SYMBOLS, DELAY, LENGTH, BATCH_SIZE = $symbols, $delay, $length, $batch_size
VOCAB = "-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:SYMBOLS]  # id 0 is the blank the model says before the echo


def make_batch(generator):
    """Random streams of letters (ids 1..SYMBOLS); the target is the stream shifted DELAY places right."""
    x = torch.randint(1, SYMBOLS + 1, (BATCH_SIZE, LENGTH), generator=generator, device=DEVICE)
    y = x.roll(DELAY, dims=1)
    y[:, :DELAY] = 0  # nothing to echo yet: blanks
    return x, y


def show(model):
    """Echo a batch of fresh streams and count the symbols the model gets right."""
    x, y = make_batch(torch.Generator(device=DEVICE).manual_seed(SEED + 1))
    guess = predicted(model, x)
    print(f"accuracy on fresh streams: {(guess == y).float().mean().item():.1%}")
    print("stream:", decode(x[0]))
    print("echo:  ", decode(guess[0]))
'''

MAPPING = '''
# ---- the task: map each input string to its output, position by position -------------------------
PAIRS = $pairs
VOCAB = sorted({ch for pair in PAIRS for text in pair for ch in text})
X = torch.tensor([[VOCAB.index(ch) for ch in source] for source, _ in PAIRS], device=DEVICE)
Y = torch.tensor([[VOCAB.index(ch) for ch in target] for _, target in PAIRS], device=DEVICE)


def make_batch(generator):
    return X, Y  # every pair in every batch: nothing random here


def show(model):
    for (source, target), guess in list(zip(PAIRS, predicted(model, X), strict=True))[:8]:
        print(f"{source!r} -> {decode(guess)!r} (wanted {target!r})")
'''

SENTENCES = '''
# ---- the task: complete the lesson's three sentences, character by character ---------------------
SENTENCES = ("hey how are you", "good i am fine", "have a nice day")
WIDTH = max(map(len, SENTENCES))
TEXT = [s.ljust(WIDTH) for s in SENTENCES]  # padded with spaces to one length: one batch
VOCAB = ["\\ufffd"] + sorted(set("".join(TEXT)))  # id 0 stands for any character never seen
IDS = torch.tensor([[VOCAB.index(ch) for ch in s] for s in TEXT], device=DEVICE)


def make_batch(generator):
    return IDS[:, :-1], IDS[:, 1:]  # input: each sentence but its last character; target: the next ones


def show(model):
    for sentence in SENTENCES:
        print(repr(complete(model, sentence.split(" ")[0], WIDTH)))
'''

CORPUS = '''
# ---- the task: predict the next character of a text ----------------------------------------------
CORPUS = $corpus  # any UTF-8 text file
LENGTH, BATCH_SIZE = $length, $batch_size
with open(CORPUS, "rb") as f:
    raw = f.read().removeprefix(b"\\xef\\xbb\\xbf").replace(b"\\r\\n", b"\\n")  # no BOM, one kind of line end
TEXT = raw.decode("utf-8")
VOCAB = ["\\ufffd"] + sorted(set(TEXT) - {"\\ufffd"})  # id 0 stands for any character never seen
INDEX = {ch: i for i, ch in enumerate(VOCAB)}
IDS = torch.tensor([INDEX[ch] for ch in TEXT], device=DEVICE)
TRAIN = IDS[: int(len(IDS) * 0.9)]  # the last 10 % is held out: rnnplay scores the model on it
OFFSETS = torch.arange(LENGTH + 1, device=DEVICE)


def make_batch(generator):
    """BATCH_SIZE random windows of LENGTH + 1 characters: predict each next character of each."""
    starts = torch.randint(0, TRAIN.numel() - LENGTH - 1, (BATCH_SIZE,), generator=generator, device=DEVICE)
    window = TRAIN[starts[:, None] + OFFSETS]
    return window[:, :-1], window[:, 1:]


def show(model):
    held_out = TEXT[int(len(IDS) * 0.9):]
    text = complete(model, held_out[:32], 200)
    print("".join(ch if ch.isprintable() or ch == "\\n" else "?" for ch in text))
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

COMPLETE = '''

@torch.no_grad()
def complete(model, text, length):
    """`text` continued to `length` characters, greedily, one at a time carrying the hidden state."""
    model.eval()
    logits, state = model(torch.tensor([[VOCAB.index(ch) if ch in VOCAB else 0 for ch in text]], device=DEVICE))
    while len(text) < length:
        best = logits[0, -1].argmax()
        text += VOCAB[best]
        logits, state = model(best.view(1, 1), state)
    return text
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
