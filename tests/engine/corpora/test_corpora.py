"""The corpora shipped in the package (engine/corpora/__init__.py): found by name, packaged as data, and a
name wins over a file of that name while a path (and a ~ path) reads the file."""

import engine
from engine.storage import corpus_files


def test_the_built_in_corpus_is_package_data_and_loads_by_name():
    import tomllib
    from pathlib import Path

    root = Path(engine.__file__).resolve().parent.parent
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "corpora/*.txt" in data["engine"]
    assert engine.corpora.names() == ["shakespeare"]
    path = engine.corpora.resolve("shakespeare")
    assert Path(path).is_file() and Path(path).parent == Path(engine.corpora.__file__).resolve().parent
    vocab, ids = corpus_files.load("shakespeare")
    assert vocab.decode(ids[:14].tolist()) == "First Citizen:" and len(vocab) == 66 and len(ids) > 1_000_000


def test_a_name_wins_over_a_file_of_that_name_but_a_path_reads_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shakespeare").write_text("not the plays " * 100)
    assert corpus_files.load("shakespeare")[1].numel() > 1_000_000
    assert corpus_files.load("./shakespeare")[1].numel() == 1400


def test_a_home_relative_path_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "book.txt").write_text("a book " * 10)
    assert corpus_files.load("~/book.txt")[1].numel() == 70
