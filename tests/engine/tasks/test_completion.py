"""Completion on real corpora end to end: the built-in one, a large one, and what newcomers feed it."""

import json
import random
import shutil

import pytest
from safetensors import safe_open

import engine
from engine.cli import main as cli
from engine.cli.main import main
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


# A checkpoint names its corpus by absolute path (a built-in by name), so it resumes from any folder; a
# corpus that moved is one line saying how to point at it, and `--corpus` on resume takes only the same text.
TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n" * 40


def saved_corpus(ckpt) -> str:
    with safe_open(str(ckpt), framework="pt") as f:
        return json.loads(f.metadata()["rnnplay"])["config"]["corpus"]


@pytest.fixture
def trained(tmp_path, monkeypatch, capsys):
    """A run started in folder a/ with the relative `--corpus text.txt`, then the current folder is b/."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "text.txt").write_text(TEXT)
    monkeypatch.chdir(tmp_path / "a")
    assert main(["train", "--task", "completion", "--corpus", "text.txt", "--steps", "2", "--batch-size", "4",
                 "--length", "16", "--json", "--save", "c.safetensors"]) == 0
    monkeypatch.chdir(tmp_path / "b")
    capsys.readouterr()
    return tmp_path / "a" / "c.safetensors"


def test_a_relative_corpus_is_stored_absolute_and_resumes_from_another_folder(trained, tmp_path, capsys):
    assert saved_corpus(trained) == str(tmp_path / "a" / "text.txt")
    assert main(["train", "--resume", str(trained), "--steps", "1", "--json", "--save", str(trained)]) == 0
    assert engine.load(str(trained)).step == 3


def test_a_moved_corpus_names_the_path_and_the_override(trained, tmp_path, capsys):
    shutil.move(tmp_path / "a" / "text.txt", tmp_path / "b" / "moved.txt")
    assert main(["train", "--resume", str(trained), "--steps", "1", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "a" / "text.txt") in err and "--corpus PATH" in err
    assert main(["train", "--resume", str(trained), "--steps", "1", "--corpus", "moved.txt", "--json",
                 "--save", str(trained)]) == 0
    assert saved_corpus(trained) == str(tmp_path / "b" / "moved.txt")  # the next resume needs no --corpus


def test_a_different_text_as_the_override_is_refused(trained, tmp_path, capsys):
    (tmp_path / "b" / "other.txt").write_text(TEXT.upper())
    assert main(["train", "--resume", str(trained), "--steps", "1", "--corpus", "other.txt", "--json"]) == 2
    err = capsys.readouterr().err
    assert "--corpus 'other.txt' is not the text this checkpoint was trained on" in err and err.count("\n") == 1


def test_a_builtin_corpus_is_stored_by_name(tmp_path):
    config = engine.presets.get("sentences-lesson").replace(corpus="shakespeare", steps=1, batch_size=2,
                                                            length=8, device="cpu")
    trainer = engine.Trainer(config)
    list(trainer.run())
    trainer.save(str(tmp_path / "s.safetensors"))
    assert saved_corpus(tmp_path / "s.safetensors") == "shakespeare"


def test_corpus_on_resume_of_a_model_without_one_is_refused(tmp_path, capsys):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(steps=1, device="cpu"))
    list(trainer.run())
    trainer.save(str(tmp_path / "c.safetensors"))
    (tmp_path / "t.txt").write_text(TEXT)
    assert main(["train", "--resume", str(tmp_path / "c.safetensors"), "--corpus", str(tmp_path / "t.txt")]) == 2
    assert "only the completion task reads a corpus" in capsys.readouterr().err
