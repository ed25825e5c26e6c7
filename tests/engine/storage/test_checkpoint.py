"""Checkpoints (engine/storage/checkpoint.py): a saved model predicts and resumes as it was; files that are not
rnnplay checkpoints are refused; a save that fails (a kill, a full disk, a place one cannot write) loses nothing."""

import errno
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap

import pytest

import engine
from engine.events import StepLogged


def trained(steps=60, **kw):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(**{"device": "cpu", "steps": steps,
                                                                      "eval_every": 30, **kw}))
    list(trainer.run())
    return trainer


def test_round_trip_predicts_the_same(tmp_path):
    trainer = trained()
    path = tmp_path / "c.safetensors"
    trainer.save(str(path))
    model = engine.load(str(path), device="cpu")
    assert model.config == trainer.config and model.step == 60
    assert model.predict("FUVEMVEMNMERPDRF") == trainer.predict("FUVEMVEMNMERPDRF") == "THIS-IS-A-SECRET"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_resume_continues_exactly_where_the_run_stopped(tmp_path):
    whole = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=40, log_every=5))
    straight = [e.loss for e in whole.run() if isinstance(e, StepLogged)]
    half = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=20, log_every=5))
    first = [e.loss for e in half.run() if isinstance(e, StepLogged)]
    half.save(str(tmp_path / "half.safetensors"))
    resumed = engine.Trainer.resume(str(tmp_path / "half.safetensors"), steps=40)
    assert resumed.step == 20
    rest = [e.loss for e in resumed.run() if isinstance(e, StepLogged)]
    assert first + rest == pytest.approx(straight, rel=1e-5)


def test_completion_checkpoint_predicts_without_its_corpus(tmp_path):
    corpus = tmp_path / "text.txt"
    corpus.write_text("abcabcabc " * 300, encoding="utf-8")
    trainer = engine.Trainer(engine.presets.get("completion").replace(
        device="cpu", corpus=str(corpus), hidden=32, embedding=8, length=16, batch_size=8, steps=80))
    list(trainer.run())
    trainer.save(str(tmp_path / "m.safetensors"))
    corpus.unlink()
    model = engine.load(str(tmp_path / "m.safetensors"))
    assert model.predict("abc", length=10) == trainer.predict("abc", length=10)


def write(path, data: bytes):
    path.write_bytes(data)
    return str(path)


def test_random_bytes_and_truncated_files_are_refused(tmp_path):
    good = tmp_path / "good.safetensors"
    trained(steps=5).save(str(good))
    data = good.read_bytes()
    for name, content in [("random", os.urandom(4096)), ("truncated", data[: len(data) // 2]), ("empty", b"")]:
        with pytest.raises(engine.CheckpointError) as info:
            engine.load(write(tmp_path / name, content))
        assert "\n" not in str(info.value) and name in str(info.value)


class Payload:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_a_pickle_is_never_unpickled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "evil.safetensors", pickle.dumps(Payload()))
    with pytest.raises(engine.CheckpointError, match="not a readable safetensors checkpoint"):
        engine.load(path)
    assert not (tmp_path / "PWNED").exists()


def safetensors_file(metadata: dict) -> bytes:
    header = json.dumps({"__metadata__": metadata, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})
    raw = header.encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0\0\0\0"


def test_foreign_safetensors_and_newer_versions_are_refused(tmp_path):
    with pytest.raises(engine.CheckpointError, match="not one written by rnnplay"):
        engine.load(write(tmp_path / "other.safetensors", safetensors_file({"format": "pt"})))
    newer = {"rnnplay": json.dumps({"format": "rnnplay-checkpoint", "version": 99})}
    with pytest.raises(engine.CheckpointError, match="version 99 is newer"):
        engine.load(write(tmp_path / "newer.safetensors", safetensors_file(newer)))


def test_saving_into_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(engine.CheckpointError, match="cannot write .*: the folder .* does not exist"):
        trained(steps=5).save(str(tmp_path / "no" / "such" / "dir" / "c.safetensors"))


def test_overwriting_a_checkpoint_keeps_its_mode(tmp_path):
    path = tmp_path / "shared.safetensors"
    trainer = trained(steps=2)
    trainer.save(str(path))
    path.chmod(0o664)
    trainer.save(str(path))
    assert (path.stat().st_mode & 0o777) == 0o664 and engine.load(str(path)).step == 2


def test_a_text_file_is_named_as_no_safetensors_file_at_all(tmp_path):
    """Loading notes.txt by mistake: say it is not a checkpoint, not a header size in the exabytes."""
    path = tmp_path / "notes.txt"
    path.write_text("hello, these are my notes about recurrent networks\n")
    with pytest.raises(engine.CheckpointError, match="not a safetensors file at all") as raised:
        engine.load(str(path))
    assert "bytes" not in str(raised.value)


def test_a_vocabulary_past_what_a_checkpoint_holds_is_refused_before_the_first_step(tmp_path):
    """70,000 distinct characters: one line naming the limit, no step trained, nothing said saved or written."""
    from tests.engine.cli_helpers import one_error_line, rnnplay

    corpus = tmp_path / "wide.txt"
    corpus.write_text("".join(chr(0x10000 + i) for i in range(70_000)) * 2, encoding="utf-8")
    target = tmp_path / "wide.safetensors"
    done = rnnplay("train", "--task", "completion", "--corpus", str(corpus), "--steps", "2", "--save", str(target))
    assert done.returncode == 2 and "step" not in done.stdout and "saved" not in done.stdout
    assert "vocabulary: 70,001 symbols" in one_error_line(done.stderr) and "at most 65,536" in done.stderr
    assert not target.exists()


def test_a_save_the_reader_would_refuse_writes_nothing(tmp_path):
    """One schema for write and read: metadata the loader refuses (here a run id past its bound) is never saved."""
    from engine.storage.checkpoint import SaveError

    trainer = trained(steps=2)
    trainer.run_id = "x" * 65
    path = tmp_path / "c.safetensors"
    with pytest.raises(SaveError, match="would not load .*run_id"):
        trainer.save(str(path))
    assert not path.exists() and [p for p in os.listdir(tmp_path) if not p.endswith(".rnnplay-lock")] == []


# Faults: kills during saves, full disks, unwritable places, absurd inputs. Nothing is lost, nothing crashes.
def small_trainer(**kw):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(**{"device": "cpu", "steps": 3, **kw}))
    list(trainer.run())
    return trainer


SAVER = textwrap.dedent("""
    import sys, engine
    t = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", hidden=768, steps=1))
    t.save(sys.argv[1])
    print("saved", flush=True)
    while True:
        print("saving", flush=True)
        t.save(sys.argv[1])
""")


def test_killing_the_process_during_saves_leaves_a_loadable_checkpoint(tmp_path):
    path = str(tmp_path / "c.safetensors")
    # killed as the 1st, 2nd, 4th and 7th save after the first starts (it said so), not after a fixed
    # time: a busy machine moves where in the write the kill lands, never whether there is a save to kill
    for saves in (1, 2, 4, 7):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, path], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "saved\n"
        for _ in range(saves):
            assert proc.stdout.readline() == "saving\n"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert engine.load(path).config.hidden == 768


def test_a_full_disk_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "c.safetensors"
    small_trainer().save(str(path))
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(engine.CheckpointError, match="No space left on device.*previous file is untouched"):
        small_trainer(seed=1).save(str(path))
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [".c.safetensors.rnnplay-lock", "c.safetensors"]  # no temp file left


def test_saving_where_one_cannot_write(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(engine.CheckpointError, match="cannot write"):
        small_trainer().save(str(tmp_path / "file" / "c.safetensors"))
    with pytest.raises(engine.CheckpointError, match="is a folder"):
        small_trainer().save(str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_saving_into_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(engine.CheckpointError, match="cannot write"):
        small_trainer().save(str(folder / "c.safetensors"))
