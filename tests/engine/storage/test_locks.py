"""The lock file is never trusted: a hard link to another file is refused untouched, and a lock is only
as good as the lock path naming the locked file (folder deleted and made again, lock file swapped
while waiting). Real files, real processes holding real flocks, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading

import pytest
from cli_helpers import one_error_line, rnnplay, start

import engine
from engine.cli.main import main
from engine.storage import locks
from engine.storage.checkpoint import SaveError
from engine.storage.output_files import OutputError
from engine.storage.rescue_file import RESCUED

pytestmark = pytest.mark.skipif(locks.fcntl is None, reason="no flock on this platform")

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, str(os.getpid()).encode())
print("held", flush=True)
sys.stdin.read()
"""
PROBE = "import fcntl, os, sys; fcntl.flock(os.open(sys.argv[1], os.O_RDWR), fcntl.LOCK_EX | fcntl.LOCK_NB)"
LONG_RUN = ("train", "--preset", "sentences-lesson", "--steps", "1000000", "--json", "--log-every", "1")


def hold(lock) -> subprocess.Popen:
    """Another process holding a real flock on `lock` until its stdin is closed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "held\n"
    return proc


def free(lock) -> bool:
    """Whether another process could take the flock on the file `lock` names now."""
    return subprocess.run([sys.executable, "-c", PROBE, str(lock)], capture_output=True).returncode == 0


def refused_save(capsys, target, words) -> None:
    argv = ["train", "--preset", "hello", "--steps", "1", "--device", "cpu", "--save", str(target)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and words in one_error_line(err) and ".c.safetensors.rnnplay-lock" in err
    assert not target.exists()


def test_a_lock_file_that_is_a_hard_link_to_another_file_is_refused_untouched(tmp_path, capsys):
    precious = tmp_path / "precious.txt"
    precious.write_text("the only copy of my notes\n")
    os.link(precious, tmp_path / ".c.safetensors.rnnplay-lock")
    refused_save(capsys, tmp_path / "c.safetensors", "has 2 names (hard links)")
    assert precious.read_text() == "the only copy of my notes\n"
    with pytest.raises(OutputError, match="hard links"):  # the app's and the API's save too
        engine.Trainer(engine.presets.get("hello").replace(device="cpu", steps=1)).save(str(tmp_path / "c.safetensors"))
    assert precious.read_text() == "the only copy of my notes\n"


def test_a_file_given_the_lock_files_name_is_refused_untouched(tmp_path, capsys):
    lock = tmp_path / ".c.safetensors.rnnplay-lock"
    lock.write_text("12345\nnot a pid: someone's file\n")
    refused_save(capsys, tmp_path / "c.safetensors", "holds something other than a process id")
    assert lock.read_text() == "12345\nnot a pid: someone's file\n"


def test_a_lock_file_removed_while_waiting_for_it_is_not_trusted(tmp_path, monkeypatch):
    target = tmp_path / "c.safetensors"
    lock = tmp_path / ".c.safetensors.rnnplay-lock"
    other = hold(lock)
    flock = locks._flock

    cleaned = []

    def waited(fd, *args):  # once we wait on the file, the folder is cleaned and the other run ends
        if not cleaned:  # once: the other run may take a while to exit on a busy machine, and each retry
            cleaned.append(lock.unlink())  # would otherwise find it alive and remove our new lock again
            threading.Timer(0.3, other.stdin.close).start()
        return flock(fd, *args)

    monkeypatch.setattr(locks, "_flock", waited)
    with locks.writing(str(target), wait=60):  # gets the orphan's flock when the other exits: not enough
        assert other.wait(timeout=60) == 0
        assert lock.read_text() == str(os.getpid()) and not free(lock)
    assert free(lock)


def test_a_held_lock_whose_file_was_removed_is_taken_again_before_a_save(tmp_path):
    target = tmp_path / "c.safetensors"
    lock = tmp_path / ".c.safetensors.rnnplay-lock"
    with locks.writing(str(target)):
        lock.unlink()
        with locks.writing(str(target)):  # the run's final save: takes the lock path's file again
            assert lock.read_text() == str(os.getpid()) and not free(lock)
        assert not free(lock)  # and the run keeps it
    assert free(lock)


def test_a_held_lock_whose_file_another_run_made_again_refuses_the_save(tmp_path):
    target = tmp_path / "c.safetensors"
    lock = tmp_path / ".c.safetensors.rnnplay-lock"
    with locks.writing(str(target)):
        lock.unlink()
        other = hold(lock)
        with pytest.raises(OutputError, match=f"another rnnplay \\(process {other.pid}\\) is writing"):
            with locks.writing(str(target)):
                pytest.fail("saved while another run held the lock")
        other.stdin.close()
        other.wait(timeout=60)
        with pytest.raises(OutputError, match="took this checkpoint after this run's lock file was removed"):
            with locks.writing(str(target)):
                pytest.fail("saved over what another run may have written")
    assert free(lock)


def first_step(proc) -> None:
    for line in proc.stdout:
        if json.loads(line)["event"] == "step":
            return
    raise AssertionError("the run printed no step")


@pytest.mark.parametrize("second_runs_on", [False, True])
def test_a_run_whose_folder_was_made_again_never_overwrites_the_next_runs_checkpoint(tmp_path, second_runs_on):
    folder = tmp_path / "d"
    folder.mkdir()
    target = folder / "z.safetensors"
    first = start(*LONG_RUN, "--save", str(target), cwd=tmp_path, stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE, text=True)
    second = None
    try:
        first_step(first)
        shutil.rmtree(folder)
        folder.mkdir()
        if second_runs_on:
            second = start(*LONG_RUN, "--save", str(target), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
            first_step(second)
            words = f"another rnnplay (process {second.pid}) is writing"
        else:
            done = rnnplay("train", "--preset", "hello", "--steps", "2", "--save", str(target))
            assert done.returncode == 0, done.stderr
            words = "took this checkpoint after this run's lock file was removed"
        before = target.read_bytes() if target.exists() else None
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=60)
        line = one_error_line(err)
        assert first.returncode == RESCUED and words in line, err
        assert (target.read_bytes() if target.exists() else None) == before
        rescues = list(folder.glob("z.rescue-*.safetensors"))
        assert len(rescues) == 1 and str(rescues[0]) in line and engine.load(str(rescues[0])).step > 0
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=60)


def small_checkpoint(path) -> str:
    trainer = engine.Trainer(engine.presets.get("sentences-lesson").replace(device="cpu", steps=2))
    list(trainer.run())
    trainer.save(str(path))
    return str(path)


def test_a_second_run_writing_the_same_checkpoint_is_refused_until_the_first_dies(tmp_path):
    ckpt = small_checkpoint(tmp_path / "c.safetensors")
    first = start("train", "--steps", "1000000", "--json", "--log-every", "1", "--resume", ckpt,
                  "--save", ckpt, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_step(first)
        second = rnnplay("train", "--resume", ckpt, "--steps", "2", "--save", ckpt, cwd=tmp_path)
        line = one_error_line(second.stderr)
        assert second.returncode == 2 and second.stdout == ""
        assert f"process {first.pid}" in line and "c.safetensors" in line and "another rnnplay" in line
        other = tmp_path / "elsewhere" / ".." / "c.safetensors"  # another spelling of the same file
        assert f"process {first.pid}" in one_error_line(rnnplay("train", "--save", str(other)).stderr)
        with pytest.raises(SaveError, match=f"process {first.pid}"):  # the app's and the API's save too
            trainer = engine.Trainer(engine.presets.get("sentences-lesson").replace(device="cpu", steps=1))
            trainer.save(ckpt)
    finally:
        first.kill()  # SIGKILL: the kernel drops the lock with the process
        first.communicate(timeout=60)
    again = rnnplay("train", "--resume", ckpt, "--steps", "2", "--save", ckpt, "--json")
    assert again.returncode == 0, again.stderr
    assert engine.load(ckpt).step == 4


def test_the_run_holds_the_lock_through_its_own_final_save(tmp_path):
    ckpt = tmp_path / "c.safetensors"
    proc = start(*LONG_RUN, "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_step(proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and err == ""
    assert json.loads(out.splitlines()[-1]) == {"event": "note", "message": f"saved {ckpt}"}


@pytest.mark.parametrize("plant, words", [
    (lambda lock: os.mkfifo(lock), "is not a regular file; remove it"),
    (lambda lock: os.symlink("/etc/passwd", lock), "is not a regular file; remove it"),
])
def test_a_planted_lock_file_is_refused_and_never_followed(tmp_path, capsys, plant, words):
    from engine.cli.main import main

    plant(tmp_path / ".c.safetensors.rnnplay-lock")
    before = open("/etc/passwd", "rb").read()
    argv = ["train", "--preset", "sentences-lesson", "--steps", "1", "--save", str(tmp_path / "c.safetensors")]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and words in one_error_line(err) and not (tmp_path / "c.safetensors").exists()
    assert open("/etc/passwd", "rb").read() == before
