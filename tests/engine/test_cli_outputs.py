"""`rnnplay train --save/--metrics` against bad targets: refused before the first step, never lost after it."""

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest
from cli_helpers import one_error_line

import engine
from engine.cli.main import main
from engine.storage import output_files

TINY = ["train", "--preset", "hello", "--steps", "4", "--device", "cpu", "--json"]


def rnnplay(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def refused(capsys, argv, *words):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "", "a refused output must be refused before the run starts"
    assert err.startswith("rnnplay: error: ") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    return err


@pytest.mark.parametrize("flag", ["--save", "--metrics"])
def test_empty_special_and_missing_targets_are_refused_before_the_first_step(tmp_path, capsys, flag):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(capsys, TINY + [flag, ""], f"{flag}: cannot write '': the path is empty")
    refused(capsys, TINY + [flag, str(fifo)], "it is a FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    refused(capsys, TINY + [flag, str(tmp_path / "gone" / "x")], "does not exist")
    refused(capsys, TINY + [flag, "/proc/rnnplay-test"], "no new file can be created in '/proc'")
    refused(capsys, TINY + [flag, str(tmp_path)], "it is a folder")
    assert sorted(os.listdir(tmp_path)) == ["fifo"]


def test_save_and_metrics_to_one_file_is_refused(tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "both")
    refused(capsys, TINY + ["--save", str(tmp_path / "both"), "--metrics", str(link)], "name the same file")


def test_dev_null_survives_being_a_save_target():
    before = os.stat("/dev/null")
    run = rnnplay(*TINY, "--save", "/dev/null")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == ("rnnplay: error: --save: cannot write '/dev/null': it is a character device; "
                          "accepted: a regular file or a new file name in an existing folder you can write to\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


def test_a_full_disk_for_metrics_is_said_once_and_the_model_is_saved(tmp_path, capsys, monkeypatch):
    class FullDisk:
        writes = 0

        def write(self, text):
            FullDisk.writes += 1
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

        def close(self):
            pass

    monkeypatch.setattr(output_files.AppendLog, "open", classmethod(lambda cls, path, what="--metrics":
                                                               cls(FullDisk(), path, what)))
    ckpt = tmp_path / "c.safetensors"
    assert main(TINY + ["--metrics", str(tmp_path / "m.jsonl"), "--save", str(ckpt)]) == 0
    out, err = capsys.readouterr()
    assert err.count("No space left on device") == 1 and err.startswith("rnnplay: warning: --metrics: ")
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-2]["reason"] == "completed" and events[-1] == {"event": "note", "message": f"saved {ckpt}"}
    assert FullDisk.writes == 1 and engine.load(str(ckpt)).step == 4


def test_metrics_are_appended_and_a_symlinked_save_writes_through(tmp_path):
    metrics = tmp_path / "m.jsonl"
    metrics.write_text('{"event": "earlier"}\n')
    real = tmp_path / "real.safetensors"
    engine.Trainer(engine.presets.get("hello").replace(steps=1, device="cpu")).save(str(real))  # an older one
    real.chmod(0o640)
    link = tmp_path / "latest.safetensors"
    link.symlink_to(real)
    run = rnnplay(*TINY, "--metrics", str(metrics), "--save", str(link))
    assert run.returncode == 0, run.stderr
    lines = metrics.read_text().splitlines()
    assert lines[0] == '{"event": "earlier"}' and json.loads(lines[-1])["event"] == "finished"
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert engine.load(str(link)).step == 4


SLOW_SAVER = textwrap.dedent("""
    import os, sys, time, engine
    t = engine.Trainer(engine.presets.get("hello").replace(device="cpu", steps=1))
    real_fsync = os.fsync
    def stalled(fd):  # the data is written, the rename is not: the moment a kill costs most
        print("writing", flush=True)
        time.sleep(60)
    os.fsync = stalled
    t.save(sys.argv[1])
""")


def test_a_save_killed_mid_write_leaves_one_temp_file_that_the_next_save_removes(tmp_path):
    path = tmp_path / "c.safetensors"
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-c", SLOW_SAVER, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "writing\n"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    temps = [n for n in os.listdir(tmp_path) if n.startswith(".rnnplay-")]
    assert len(temps) == 1 and not path.exists()  # each save removed the one before it; none reached the target
    run = rnnplay(*TINY, "--save", str(path))
    assert run.returncode == 0, run.stderr
    assert sorted(os.listdir(tmp_path)) == [".c.safetensors.rnnplay-lock", "c.safetensors"]  # the lock stays


def test_save_and_metrics_never_overwrite_a_file_of_another_kind(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("to be or not to be\n")
    refused = rnnplay("train", "--preset", "hello", "--steps", "2", "--save", str(corpus))
    assert refused.returncode == 2 and "is not a checkpoint" in one_error_line(refused.stderr)
    assert corpus.read_text() == "to be or not to be\n"
    ckpt = tmp_path / "h.safetensors"
    assert rnnplay("train", "--preset", "hello", "--steps", "2", "--save", str(ckpt)).returncode == 0
    before = ckpt.read_bytes()
    refused = rnnplay("train", "--resume", str(ckpt), "--steps", "2", "--metrics", str(ckpt))
    assert refused.returncode == 2 and "is not a metrics file" in one_error_line(refused.stderr)
    assert ckpt.read_bytes() == before
    again = rnnplay("train", "--resume", str(ckpt), "--steps", "2", "--save", str(ckpt))
    assert again.returncode == 0, again.stderr  # a checkpoint may be replaced by its continuation
