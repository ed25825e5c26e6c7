import threading

import pytest
import torch

import engine
from engine.events import Evaluated, RunFinished, RunStarted, StepLogged


def tiny(name="caesar", **kw):
    """A preset on the CPU, evaluating exactly every eval_every steps (no early or deferred evaluations)."""
    return engine.presets.get(name).replace(**{"device": "cpu", "eval_early": False, "eval_budget": 0.0, **kw})


def losses(trainer, stop=None):
    return [e.loss for e in trainer.run(stop) if isinstance(e, StepLogged)]


def test_a_run_streams_started_steps_evals_and_finished():
    events = list(engine.Trainer(tiny(steps=20, log_every=5, eval_every=10)).run())
    assert isinstance(events[0], RunStarted) and events[0].device == "cpu" and events[0].parameters > 0
    assert [e.step for e in events if isinstance(e, StepLogged)] == [5, 10, 15, 20]
    assert [e.step for e in events if isinstance(e, Evaluated)] == [10, 20]
    assert isinstance(events[-1], RunFinished) and events[-1].reason == "completed" and events[-1].step == 20
    assert len({e.run_id for e in events}) == 1
    assert all(len(s.output) == len(s.target) for s in events[-2].samples)


def test_same_seed_gives_the_same_losses():
    assert losses(engine.Trainer(tiny(steps=30, seed=3))) == losses(engine.Trainer(tiny(steps=30, seed=3)))
    assert losses(engine.Trainer(tiny(steps=30, seed=3))) != losses(engine.Trainer(tiny(steps=30, seed=4)))


def test_stop_is_honoured_within_one_step():
    stop = threading.Event()
    trainer = engine.Trainer(tiny(steps=1000, log_every=1, eval_every=10**6))
    run = trainer.run(stop)
    for event in run:
        if isinstance(event, StepLogged) and event.step == 3:
            stop.set()
            break
    finished = list(run)
    assert finished[-1].reason == "stopped" and finished[-1].step == 3 and trainer.step == 3


def test_non_finite_loss_ends_the_run_as_diverged():
    trainer = engine.Trainer(tiny(steps=100, log_every=5))
    with torch.no_grad():
        trainer.model.head.weight.fill_(float("nan"))
    finished = list(trainer.run())[-1]
    assert finished.reason == "diverged" and finished.step == 5
    assert "lower learning rate" in finished.message


def test_predict_uses_the_published_snapshot_not_the_live_module():
    trainer = engine.Trainer(tiny(steps=60, eval_every=60))
    before = trainer.predict("FUVEMVEMNMERPDRF")
    run = trainer.run()
    for event in run:
        if isinstance(event, StepLogged) and event.step == 30:  # trained, but not yet published
            assert trainer.predict("FUVEMVEMNMERPDRF") == before
    assert trainer.predict("FUVEMVEMNMERPDRF") == "THIS-IS-A-SECRET"


def test_head_none_with_the_wrong_hidden_size_is_a_config_error():
    with pytest.raises(engine.ConfigError, match="hidden must equal the vocabulary size"):
        engine.Trainer(tiny("hello-rnn-lesson", hidden=5))


def test_a_missing_device_is_a_clear_error():
    if torch.cuda.device_count() > 7:
        pytest.skip("this machine really has cuda:7")
    with pytest.raises(engine.DeviceError, match="'cuda:7' is not available on this machine; available: cpu"):
        engine.Trainer(tiny(device="cuda:7"))


def test_corpus_training_reports_held_out_bits_per_char(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog. " * 200, encoding="utf-8")
    cfg = tiny("completion", corpus=str(corpus), hidden=64, embedding=16, length=32, batch_size=16,
               steps=120, eval_every=60, lr=0.003, schedule="constant", warmup=0.0)  # not yet learnt at 60
    trainer = engine.Trainer(cfg)
    evals = [e for e in trainer.run() if isinstance(e, Evaluated)]
    assert evals[-1].bits_per_char < 1.0 < evals[0].bits_per_char * 4
    assert trainer.predict("the quick", length=30).startswith("the quick brown fox")
    assert trainer.predict("the qu\u00e9", length=12).startswith("the qu\u00e9")  # unseen char: no crash


@pytest.mark.parametrize("content, words", [
    (None, "no such file"), (b"", "is empty"), (b"\xff\xfe\x00bin", "binary"), (b"caf\xe9 au lait", "not UTF-8"),
    (b"short", "needs at least"),
])
def test_bad_corpus_files_are_one_line_errors(tmp_path, content, words):
    path = tmp_path / "c.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(engine.ConfigError, match=words) as info:
        engine.Trainer(tiny("completion", corpus=str(path)))
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_corpus_that_is_a_folder(tmp_path):
    with pytest.raises(engine.ConfigError, match="is a folder"):
        engine.Trainer(tiny("completion", corpus=str(tmp_path)))


def test_a_second_run_while_one_is_going_is_refused_from_any_thread():
    trainer = engine.Trainer(tiny(steps=30, log_every=5))
    first = trainer.run()
    next(first)  # the first run is under way (suspended between events)
    caught = []

    def other_thread():
        try:
            next(trainer.run())
        except engine.training.TrainerBusy as e:
            caught.append(e)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert len(caught) == 1 and isinstance(caught[0], ValueError)
    assert "already running" in str(caught[0]) and "\n" not in str(caught[0])
    with pytest.raises(engine.training.TrainerBusy):  # the same thread cannot interleave two runs either
        next(trainer.run())
    assert list(first)[-1].reason == "completed" and trainer.step == 30  # the first run was undisturbed
    assert list(trainer.run())[-1].step == 30  # once it ended, runs are accepted again


def test_a_closed_run_frees_the_trainer():
    trainer = engine.Trainer(tiny(steps=30, log_every=5))
    run = trainer.run()
    next(run)
    run.close()
    assert list(trainer.run())[-1].reason == "completed"


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


def test_a_checkpoint_can_be_scored_with_a_hand_written_evaluator(tmp_path):
    """engine.load(ckpt).model is the torch module, model(ids, hidden) -> (logits, hidden); .vocab encodes."""
    trainer = engine.Trainer(tiny(steps=80, eval_every=80))
    list(trainer.run())
    path = tmp_path / "caesar.safetensors"
    trainer.save(str(path))
    loaded = engine.load(str(path))
    secret = engine.tasks.caesar.encrypt("THIS IS A SECRET MESSAGE")
    ids = torch.tensor([loaded.vocab.encode(secret)])
    target = torch.tensor([loaded.vocab.encode(engine.tasks.caesar.normalize("THIS IS A SECRET MESSAGE"))])
    with torch.no_grad():
        logits, hidden = loaded.model(ids, None)
        loss = torch.nn.functional.cross_entropy(logits[0], target[0]).item()
        # the state carries: the second half, fed after the first half's hidden state, scores the same
        half = ids.size(1) // 2
        first, state = loaded.model(ids[:, :half], None)
        second, _ = loaded.model(ids[:, half:], state)
    assert loaded.vocab.decode(logits[0].argmax(-1).tolist()) == "THIS-IS-A-SECRET-MESSAGE"
    assert loss < 0.1
    assert torch.allclose(torch.cat([first, second], 1), logits, atol=1e-5)
    assert isinstance(hidden, tuple) and hidden[0].shape == (1, 1, trainer.config.hidden)  # LSTM: (h, c)


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
