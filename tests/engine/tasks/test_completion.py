"""Completion on real corpora end to end: the built-in one, a large one, and what newcomers feed it."""

import json
import random

import pytest

import engine
from engine.cli import main as cli
from engine.events import Evaluated, RunStarted

TINY = dict(device="cpu", hidden=16, embedding=8, batch_size=4, length=16, log_every=1)


def config(**kw):
    return engine.presets.get("completion").replace(**{**TINY, **kw})


def run(trainer):
    return list(trainer.run())


def test_the_built_in_corpus_trains_saves_and_resumes_anywhere(tmp_path, monkeypatch):
    trainer = engine.Trainer(config(corpus="shakespeare", steps=2, eval_every=2))
    events = run(trainer)
    assert events[0].config["corpus"] == "shakespeare" and len(trainer.vocab) == 66
    saved = tmp_path / "plays.safetensors"
    trainer.save(str(saved))
    elsewhere = tmp_path / "another" / "machine"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)  # the name, not a path, is recorded: it resolves from any folder
    resumed = engine.Trainer.resume(str(saved), steps=3)
    assert resumed.config.corpus == "shakespeare" and resumed.step == 2
    assert [e.step for e in run(resumed) if isinstance(e, Evaluated)] == [3]
    assert engine.load(str(saved)).predict("ROMEO:", length=10).startswith("ROMEO:")


def test_the_cli_takes_a_built_in_corpus_name(capsys):
    status = cli.main(["train", "--task", "completion", "--corpus", "shakespeare", "--steps", "1", "--hidden", "8",
                       "--embedding", "4", "--batch-size", "2", "--length", "8", "--device", "cpu", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0 and lines[0]["config"]["corpus"] == "shakespeare"
    evaluated = next(line for line in lines if line["event"] == "eval")
    assert evaluated["bits_per_char"] > 0 and evaluated["windowed_bits_per_char"] > 0


def test_full_context_is_the_headline_and_windowed_sits_beside_it(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 300)
    trainer = engine.Trainer(config(corpus=str(path), hidden=48, batch_size=16, steps=100, eval_every=100,
                                    log_every=50))
    last = [e for e in run(trainer) if isinstance(e, Evaluated)][-1]
    assert last.bits_per_char == pytest.approx(last.loss / 0.6931471805599453)
    # with the state carried, the first characters of each window are no longer guesses
    assert last.bits_per_char < last.windowed_bits_per_char
    assert trainer.metrics["bits_per_char"] == last.bits_per_char


def test_a_20_megabyte_corpus_end_to_end(tmp_path):
    rng = random.Random(0)
    words = [bytes(rng.choice(b"etaoinshrdlucmfwyp") for _ in range(rng.randint(1, 9))) for _ in range(500)]
    line = b" ".join(rng.choice(words) for _ in range(40000)) + b".\n"
    path = tmp_path / "big.txt"
    path.write_bytes(line * (20_000_000 // len(line) + 1))
    trainer = engine.Trainer(config(corpus=str(path), steps=1, eval_every=1))
    events = run(trainer)
    assert trainer.task.train_data.numel() + trainer.task.held.numel() > 20_000_000
    assert trainer.task.train_data.element_size() == 1  # compact ids, not 8-byte longs
    assert isinstance(events[0], RunStarted) and events[-1].reason == "completed"


def test_a_corpus_of_one_very_long_line(tmp_path):
    rng = random.Random(1)
    path = tmp_path / "one-line.txt"
    path.write_text("".join(rng.choice("abc de") for _ in range(300_000)))  # no newline at all
    trainer = engine.Trainer(config(corpus=str(path), steps=1, eval_every=1))
    last = [e for e in run(trainer) if isinstance(e, Evaluated)][-1]
    assert len(last.samples) == 3 and all(len(s.target) == 80 for s in last.samples)


def test_characters_the_corpus_never_had_complete_as_the_unknown_symbol(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("abc abc abc\n" * 500)
    trainer = engine.Trainer(config(corpus=str(path), steps=1, eval_every=1))
    run(trainer)
    typed = "Zoë says 😀\x1b"
    out = trainer.predict(typed, length=30)
    assert out.startswith(typed) and len(out) == 30 and set(out[len(typed):]) <= set("abc \n\ufffd")
    assert trainer.task.vocab.encode("Zë") == [0, 0]


def test_a_windows_corpus_has_no_carriage_returns(tmp_path):
    path = tmp_path / "dos.txt"
    path.write_bytes(b"\xef\xbb\xbf" + b"to be or not to be\r\n" * 300)
    trainer = engine.Trainer(config(corpus=str(path), steps=1, eval_every=1))
    assert "\r" not in trainer.vocab.symbols and "\ufeff" not in trainer.vocab.symbols


def test_what_the_model_reads_and_should_predict_for_typed_text(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("abc abc abc\n" * 500)
    task = engine.Trainer(config(corpus=str(path), steps=1)).task
    assert task.inputs("ab\r\nZ\x1bc") == "ab\n\ufffd\ufffdc"
    assert task.targets("abc ") == "bc "


def test_the_shortest_corpus_named_as_accepted_trains_and_one_character_less_is_refused(tmp_path):
    from engine.tasks.completion import minimum_size

    size = minimum_size(64)
    path = tmp_path / "short.txt"
    path.write_text(("to be or not " * 100)[: size - 1])
    with pytest.raises(engine.ConfigError, match=f"needs at least {size:,} "):
        engine.Trainer(config(corpus=str(path), length=64))
    path.write_text(("to be or not " * 100)[:size])
    trainer = engine.Trainer(config(corpus=str(path), length=64, steps=2, eval_every=2))
    evaluated = [e for e in trainer.run() if e.kind == "eval"][-1]
    assert evaluated.samples and all(s.target for s in evaluated.samples)  # no empty sample shown as right
