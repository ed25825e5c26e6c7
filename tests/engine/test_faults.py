"""Faults: kills during saves, full disks, unwritable places, absurd inputs. Nothing is lost, nothing crashes."""

import errno
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import engine


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


@pytest.mark.slow  # 6 s at load 4
def test_a_megabyte_of_text_is_decrypted():
    trainer = small_trainer()
    text = ("attack at dawn " * 70_000)[: 1 << 20]
    assert len(trainer.predict(text)) == len(text)
    with pytest.raises(ValueError, match="at most 1,048,576 are accepted"):
        trainer.predict(text + "!")


def test_a_run_that_fails_inside_the_loop_ends_as_failed(monkeypatch):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=10))

    def broken():
        raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(trainer.task, "batch", broken)
    finished = list(trainer.run())[-1]
    assert finished.reason == "failed" and "device-side assert" in finished.message


def test_out_of_memory_names_what_to_change(monkeypatch):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=10, batch_size=4096))

    def oom():
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 999 bytes")

    monkeypatch.setattr(trainer.task, "batch", oom)
    finished = list(trainer.run())[-1]
    assert finished.reason == "failed" and "out of memory on cpu at batch size 4096" in finished.message


def test_an_absurd_model_is_refused_before_allocating():
    with pytest.raises(engine.ConfigError, match="would have .* parameters"):
        engine.Trainer(engine.presets.get("caesar").replace(device="cpu", hidden=8192, layers=16))
