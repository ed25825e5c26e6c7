"""The app's runs follow the engine's thread rule: a loaded checkpoint continued with F5 (as `rnnplay tui
--load CKPT` then F5) uses the count `rnnplay train` uses, not torch's default of every core."""

from __future__ import annotations

import threading

import torch
from tui_helpers import wait_for

from engine import devices, presets
from engine.events import StepLogged
from engine.training import Trainer


async def test_f5_after_load_trains_with_the_rule_s_thread_count(app_factory, tmp_path, monkeypatch):
    path = str(tmp_path / "hello.safetensors")
    trainer, stop = Trainer(presets.get("hello").replace(device="cpu", steps=4, log_every=1)), threading.Event()
    for event in trainer.run(stop):
        if isinstance(event, StepLogged) and event.step == 2:
            stop.set()  # stopped halfway: F5 trains the other two steps
    trainer.save(path)
    seen = []  # torch's thread count in the thread that trains, at each of its updates
    update = Trainer._update

    def counted(self):
        seen.append(torch.get_num_threads())
        return update(self)

    monkeypatch.setattr(Trainer, "_update", counted)
    before = torch.get_num_threads()
    torch.set_num_threads(devices.default_threads() + 3)  # torch's default on a machine with more cores
    try:
        app = app_factory(None, load=path)
        async with app.run_test(size=(100, 34)) as pilot:
            await wait_for(pilot, lambda: app.session.selected.model is not None)
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
    finally:
        torch.set_num_threads(before)
    assert seen and set(seen) == {devices.default_threads()} and app.session.threads == devices.default_threads()
