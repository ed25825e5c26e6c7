"""A checkpoint names its corpus by absolute path (a built-in by name), so it resumes from any folder; a
corpus that moved is one line saying how to point at it, and `--corpus` on resume takes only the same text."""

from __future__ import annotations

import json
import shutil

import pytest
from safetensors import safe_open

import engine
from engine.cli.main import main

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
