"""Published weights (engine/snapshot.py): a reader's copy never changes under it, and predict() reads
the last published copy, never the module being trained."""

import torch

import engine
from engine.events import StepLogged


def tiny(name="caesar", **kw):
    """A preset on the CPU, evaluating exactly every eval_every steps (no early or deferred evaluations)."""
    return engine.presets.get(name).replace(**{"device": "cpu", "eval_early": False, "eval_budget": 0.0, **kw})


def test_predict_uses_the_published_snapshot_not_the_live_module():
    trainer = engine.Trainer(tiny(steps=60, eval_every=60))
    before = trainer.predict("FUVEMVEMNMERPDRF")
    run = trainer.run()
    for event in run:
        if isinstance(event, StepLogged) and event.step == 30:  # trained, but not yet published
            assert trainer.predict("FUVEMVEMNMERPDRF") == before
    assert trainer.predict("FUVEMVEMNMERPDRF") == "THIS-IS-A-SECRET"


def test_a_held_snapshot_is_never_refilled_while_a_reader_uses_it():
    from engine.snapshot import Snapshots

    model = torch.nn.Linear(3, 2)
    snapshots = Snapshots(model)
    with snapshots.reading() as held:
        before = held.weight.clone()
        for value in (1.0, 2.0, 3.0):  # three publications while the reader holds its copy
            with torch.no_grad():
                model.weight.fill_(value)
            snapshots.publish(model)
        assert torch.equal(held.weight, before)
    with snapshots.reading() as latest:
        assert torch.equal(latest.weight, torch.full((2, 3), 3.0)) and latest is not model
    with torch.no_grad():
        model.weight.fill_(4.0)
    snapshots.publish(model)  # spare copies are reused: publishing does not deep-copy every time
    with snapshots.reading() as again:
        assert torch.equal(again.weight, torch.full((2, 3), 4.0)) and not again.weight.requires_grad
