"""A failed final save never loses the run (engine/storage/rescue_file.py): real subprocesses, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pytest
from cli_helpers import COMMAND, one_error_line, start

import engine
from engine.storage.rescue_file import RESCUED

LONG_RUN = ("train", "--preset", "sentences-lesson", "--steps", "1000000", "--json", "--log-every", "1")


def first_step(proc) -> None:
    for line in proc.stdout:
        if json.loads(line)["event"] == "step":
            return
    raise AssertionError("the run printed no step")


def small_checkpoint(path) -> str:
    trainer = engine.Trainer(engine.presets.get("sentences-lesson").replace(device="cpu", steps=2))
    list(trainer.run())
    trainer.save(str(path))
    return str(path)


def rescued_run(tmp_path, target, break_it) -> tuple[subprocess.CompletedProcess, str]:
    proc = start(*LONG_RUN, "--save", str(target), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 text=True)
    first_step(proc)
    break_it()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    return proc, err


def test_a_deleted_folder_sends_the_model_to_a_rescue_file_in_the_current_folder(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    proc, err = rescued_run(tmp_path, folder / "model.safetensors", lambda: shutil.rmtree(folder))
    line = one_error_line(err)
    rescues = sorted(tmp_path.glob("model.rescue-*.safetensors"))
    assert proc.returncode == RESCUED == 3 and len(rescues) == 1, err
    assert str(rescues[0]) in line and "does not exist" in line and "model.safetensors" in line
    model = engine.load(str(rescues[0]))
    assert rescues[0].name == f"model.rescue-{model.step}.safetensors" and model.step > 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder anyway")
def test_a_folder_made_read_only_mid_run_sends_the_model_to_the_current_folder(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    try:
        proc, err = rescued_run(tmp_path, folder / "model.safetensors", lambda: folder.chmod(0o500))
    finally:
        folder.chmod(0o700)
    assert proc.returncode == RESCUED and str(tmp_path / "model.rescue-") in one_error_line(err)


def test_a_rescue_never_replaces_an_existing_file_and_falls_back_to_tmpdir(tmp_path, monkeypatch):
    from engine.storage import rescue_file

    trainer = engine.Trainer(engine.presets.get("sentences-lesson").replace(device="cpu", steps=1))
    list(trainer.run())
    gone, cwd, tmp = tmp_path / "gone", tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(rescue_file.tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    (cwd / "m.rescue-1.safetensors").write_text("someone's notes")
    where, failure = rescue_file.save_or_rescue(trainer, str(gone / "m.safetensors"))
    assert "does not exist" in failure and where == str(cwd / "m.rescue-1-2.safetensors")
    assert (cwd / "m.rescue-1.safetensors").read_text() == "someone's notes"
    cwd.chmod(0o500)
    monkeypatch.setattr(rescue_file, "_cwd", lambda: str(gone))  # no current folder: the temp folder takes it
    where, _ = rescue_file.save_or_rescue(trainer, str(gone / "m.safetensors"))
    cwd.chmod(0o700)
    assert where == str(tmp / "m.rescue-1.safetensors") and engine.load(where).step == 1


def _fill(folder) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:  # ENOSPC: full
        pass
    finally:
        os.close(fd)


def test_a_disk_that_fills_up_mid_run_sends_the_model_to_the_current_folder(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tiny tmpfs here (needs root)")
    try:
        proc, err = rescued_run(tmp_path, disk / "model.safetensors", lambda: _fill(disk))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
    line = one_error_line(err)
    assert proc.returncode == RESCUED and "the disk is full" in line and str(tmp_path / "model.rescue-") in line
    assert engine.load(str(next(tmp_path.glob("model.rescue-*.safetensors")))).step > 0


def test_when_no_place_takes_the_model_the_line_says_it_is_lost(tmp_path):
    import resource

    def tiny_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # every write past 4 KiB fails (EFBIG)

    run = subprocess.run([*COMMAND, "train", "--preset", "sentences-lesson", "--steps", "2", "--save",
                          str(tmp_path / "m.safetensors")], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, preexec_fn=tiny_files)
    line = one_error_line(run.stderr)
    assert run.returncode == RESCUED and "File too large" in line and "the model is lost" in line
