"""Exact resume in the app: a checkpoint of a stopped run, loaded (as `rnnplay tui --load` does) and
continued with F5, ends with exactly the weights and last loss of the run that was never stopped."""

from __future__ import annotations

import threading

import torch
from tui_helpers import wait_for

from engine import presets
from engine.events import StepLogged
from engine.training import Trainer

SIZE = (100, 34)
CONFIG = presets.get("caesar").replace(steps=12, log_every=1, seed=4, length=10, batch_size=8, hidden=16,
                                       layers=2, dropout=0.3, schedule="cosine", warmup=0.25, device="cpu")


def stopped_checkpoint(tmp_path, at: int) -> str:
    trainer, stop = Trainer(CONFIG), threading.Event()
    for event in trainer.run(stop):
        if isinstance(event, StepLogged) and event.step == at:
            stop.set()
    path = str(tmp_path / "stopped.safetensors")
    trainer.save(path)
    return path


async def test_f5_after_load_finishes_the_run_as_if_it_was_never_stopped(app_factory, tmp_path):
    path = stopped_checkpoint(tmp_path, at=5)
    whole = Trainer(CONFIG)
    last = [e.loss for e in whole.run() if isinstance(e, StepLogged)][-1]
    app = app_factory(None, load=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        assert app.session.selected.model.step == 5
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.model.step == 12 and app.session.selected.model.metrics["loss"] == last
        for mine, theirs in zip(app.session.selected.model.model.parameters(), whole.model.parameters(), strict=True):
            assert torch.equal(mine, theirs)
