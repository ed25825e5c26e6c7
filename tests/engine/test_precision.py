"""bf16 autocast on the CPU: it trains, it is what `auto` picks where the CPU has bf16, and it says so."""

import subprocess
import sys

import torch

import engine
from engine import precision
from engine.events import Evaluated


def cpu_flags() -> set[str]:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        return next((set(line.split(":", 1)[1].split()) for line in f if line.startswith("flags")), set())


def test_bf16_autocast_runs_the_forward_pass_in_bf16_and_keeps_fp32_weights():
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", precision="bf16"))
    x, _ = trainer.task.batch()
    with precision.autocast(trainer.precision, trainer.device):
        logits, _ = trainer.model(x)
    assert logits.dtype == torch.bfloat16
    assert all(p.dtype == torch.float32 for p in trainer.model.parameters())


def test_caesar_learns_as_well_in_bf16_as_in_fp32():
    def first_solved(prec):
        cfg = engine.presets.get("caesar").replace(device="cpu", precision=prec, steps=40, eval_budget=0.0)
        trainer = engine.Trainer(cfg)
        step = next(e.step for e in trainer.run() if isinstance(e, Evaluated) and e.accuracy >= 0.99)
        return step, trainer.predict("FUVEMVEMNMERPDRF")

    fp32, bf16 = first_solved("fp32"), first_solved("bf16")
    assert bf16[1] == fp32[1] == "THIS-IS-A-SECRET"
    assert abs(bf16[0] - fp32[0]) <= 3


def test_auto_is_bf16_exactly_where_the_cpu_has_native_bf16():
    native = bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})
    assert (precision.cpu_bf16_native() is not None) == native
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", precision="auto", steps=1))
    assert trainer.precision == ("bf16" if native else "fp32")
    started = next(trainer.run())
    assert started.precision == trainer.precision and started.config["precision"] == "auto"
    label = precision.bf16_label("cpu")
    assert label.startswith("bf16: native (") if native else "emulated" in label


def test_auto_is_fp32_on_a_gpu_where_bf16_measured_slower(monkeypatch):
    """On an H100 bf16 ran 0.71-0.95x as fast as fp32 at every grid shape (launch-bound steps): auto keeps
    fp32 there, while an explicit --precision bf16 is honoured."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    gpu = torch.device("cuda", 0)
    assert precision.resolve("auto", gpu) == "fp32" and precision.resolve("bf16", gpu) == "bf16"


def test_precision_flag_on_the_command_line(tmp_path):
    run = [sys.executable, "-m", "engine.cli", "train", "--preset", "caesar", "--device", "cpu", "--steps", "3",
           "--json"]
    ok = subprocess.run(run + ["--precision", "bf16"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert '"precision": "bf16"' in ok.stdout
    bad = subprocess.run(run + ["--precision", "fp16"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("rnnplay: error: precision: 'fp16' is not one of fp32, bf16, auto")
    assert bad.stderr.count("\n") == 1
