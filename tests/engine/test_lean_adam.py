"""The lean Adam step (engine/lean_adam.py): the same update as torch.optim.Adam, bit for bit, on the same state."""

import torch

import engine
from engine.events import StepLogged


def tiny(name="caesar", **kw):
    """A preset on the CPU, evaluating exactly every eval_every steps (no early or deferred evaluations)."""
    return engine.presets.get(name).replace(**{"device": "cpu", "eval_early": False, "eval_budget": 0.0, **kw})


def losses(trainer, stop=None):
    return [e.loss for e in trainer.run(stop) if isinstance(e, StepLogged)]


def test_the_lean_adam_step_is_bit_for_bit_torch_adam():
    # warm-up and decay change the learning rate every step; clipping rescales the gradients
    cfg = tiny(steps=40, clip=0.5, schedule="cosine", warmup=0.2, log_every=5, precision="fp32")
    lean, plain = engine.Trainer(cfg), engine.Trainer(cfg)
    plain._optimizer_step.step = plain.optimizer.step  # torch.optim's own step()
    assert losses(lean) == losses(plain)
    assert lean._optimizer_step.lists, "the lean path was not taken"
    assert all(torch.equal(a, b) for a, b in zip(lean.params, plain.params, strict=True))
    for a, b in zip(lean.params, plain.params, strict=True):
        sa, sb = lean.optimizer.state[a], plain.optimizer.state[b]
        assert all(torch.equal(sa[k], sb[k]) for k in ("step", "exp_avg", "exp_avg_sq"))


def test_a_resumed_run_steps_the_loaded_optimizer_state(tmp_path):
    cfg = tiny(steps=20, log_every=5, precision="fp32")
    whole = engine.Trainer(cfg.replace(steps=40))
    first = engine.Trainer(cfg)
    list(first.run())
    first.save(str(tmp_path / "half.safetensors"))
    resumed = engine.Trainer.resume(str(tmp_path / "half.safetensors"), steps=40)
    assert losses(resumed) == losses(whole)[4:]  # the lean step uses the loaded moments, not stale ones
