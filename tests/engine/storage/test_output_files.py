"""Output paths attacked like a hostile or careless user would: special files, links, odd places, full disks."""

import errno
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from cli_helpers import one_error_line

import engine
from engine.cli.main import main
from engine.storage import output_files
from engine.storage.output_files import AppendLog, OutputError, check_target, remove_stale_temps, write_atomically

ROOT = os.geteuid() == 0


def listing(folder):
    return sorted(os.listdir(folder))


def special_files(tmp_path):
    """(name, path) of every kind of non-regular file we can make here."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()
    made = [("FIFO", fifo), ("socket", sock_path), ("folder", tmp_path)]
    if ROOT:
        node = tmp_path / "null-node"
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
        made.append(("character device", node))
    if os.path.exists("/dev/null"):
        made.append(("character device", "/dev/null"))
    link = tmp_path / "link-to-fifo"
    link.symlink_to(fifo)
    made.append(("FIFO", link))
    return made


@pytest.mark.parametrize("what", ["--save", "--metrics", "save"])
def test_special_files_are_refused_and_left_alone(tmp_path, what):
    for kind, path in special_files(tmp_path):
        before, mode = listing(tmp_path), os.stat(path).st_mode
        with pytest.raises(OutputError) as info:
            check_target(str(path), what)
        message = str(info.value)
        assert message.startswith(f"{what}: cannot write ") and "\n" not in message
        assert f"it is a {kind}" in message
        assert "accepted: a regular file or a new file name" in message
        assert os.stat(path).st_mode == mode and listing(tmp_path) == before  # nothing made, nothing replaced


def test_write_atomically_never_replaces_a_special_file(tmp_path):
    for _kind, path in special_files(tmp_path):
        mode = os.stat(path).st_mode
        with pytest.raises(OutputError):
            write_atomically(str(path), b"data")
        assert os.stat(path).st_mode == mode
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


@pytest.mark.parametrize("path, problem", [
    ("", "the path is empty"),
    ("no/such/folder/c.safetensors", "does not exist"),
    ("/proc/c.safetensors", "no new file can be created in '/proc'"),
    ("/proc/self/comm", "no new file can be created"),  # a "regular" file where nothing can be created
    ("a\0b", "NUL"),
])
def test_unwritable_places_are_refused_with_the_reason(tmp_path, monkeypatch, path, problem):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=problem):
        check_target(path, "--save")
    assert listing(tmp_path) == []


def test_a_file_used_as_a_folder_and_a_link_loop_are_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is not a folder"):
        check_target(str(tmp_path / "file" / "c.safetensors"), "--save")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(OutputError, match="symbolic links|leads nowhere"):
        check_target(str(tmp_path / "loop"), "--save")


@pytest.mark.skipif(ROOT, reason="root may write anywhere")
def test_a_read_only_folder_and_file_are_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "c.safetensors").write_bytes(b"old")
    (tmp_path / "ro-file").write_bytes(b"old")
    (tmp_path / "ro-file").chmod(0o444)
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            check_target(str(folder / "new.safetensors"), "--save")
        with pytest.raises(OutputError, match="read-only"):
            check_target(str(tmp_path / "ro-file"), "--save")
    finally:
        folder.chmod(0o700)


def test_a_symlink_is_written_through_and_kept(tmp_path):
    target = tmp_path / "runs" / "run3.safetensors"
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "latest.safetensors"
    link.symlink_to(target)
    check_target(str(link), "--save")
    write_atomically(str(link), b"new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    dangling = tmp_path / "next.safetensors"
    dangling.symlink_to(tmp_path / "runs" / "run4.safetensors")
    write_atomically(str(dangling), b"fresh")  # a link to a new path: the file appears where it points
    assert dangling.is_symlink() and (tmp_path / "runs" / "run4.safetensors").read_bytes() == b"fresh"
    assert not [n for n in os.listdir(target.parent) if n.endswith(".tmp")]


def test_overwriting_keeps_the_mode_and_new_files_follow_the_umask(tmp_path):
    existing = tmp_path / "shared.safetensors"
    existing.write_bytes(b"old")
    for mode in (0o644, 0o664, 0o600, 0o444):
        existing.chmod(mode)
        write_atomically(str(existing), b"new")
        assert stat.S_IMODE(existing.stat().st_mode) == mode
    old = os.umask(0o027)
    try:
        write_atomically(str(tmp_path / "fresh.safetensors"), b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.safetensors").stat().st_mode) == 0o640


@pytest.mark.skipif(not ROOT, reason="only root can give a file to another user")
def test_root_overwriting_another_users_file_keeps_its_owner(tmp_path):
    path = tmp_path / "theirs.safetensors"
    path.write_bytes(b"old")
    os.chown(path, 1234, 5678)
    path.chmod(0o640)
    write_atomically(str(path), b"new")
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 5678, 0o640)


class FullDisk:
    """A file object on a full disk: every write fails with ENOSPC, as a real one does."""

    def __init__(self):
        self.writes = 0
        self.closed = False

    def write(self, text):
        self.writes += 1
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        pass

    def close(self):
        self.closed = True


def test_a_metrics_file_on_a_full_disk_fails_once_then_is_left_alone():
    disk = FullDisk()
    log = AppendLog(disk, "m.jsonl")
    failure = log.write('{"event": "step"}')
    assert failure.startswith("--metrics: writing 'm.jsonl' failed: No space left on device (the disk is full)")
    assert "training goes on" in failure and "\n" not in failure
    assert [log.write("more") for _ in range(5)] == [None] * 5
    assert disk.writes == 1 and disk.closed and log.failure == failure


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_dev_full_is_refused_as_a_target_and_fails_once_as_a_stream():
    with pytest.raises(OutputError, match="character device"):
        check_target("/dev/full", "--metrics")
    with pytest.raises(OutputError, match="character device"):
        AppendLog.open("/dev/full")
    log = AppendLog(open("/dev/full", "a", encoding="utf-8"), "/dev/full")  # as if the disk filled later
    assert "No space left on device" in log.write("x" * 10_000)
    assert log.write("y") is None


def test_metrics_append_to_an_existing_file(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text("earlier run\n")
    log = AppendLog.open(str(path))
    assert log.write("this run") is None
    log.close()
    assert path.read_text() == "earlier run\nthis run\n"


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_our_own_stale_temp_files_are_removed(tmp_path):
    tag, me, gone = output_files.host_tag(), os.getpid(), dead_pid()
    names = {
        "dead writer": f".rnnplay-{tag}-{gone}-0123abcd.tmp",
        "live writer": f".rnnplay-{tag}-{me}-0123abcd.tmp",
        "other host": f".rnnplay-{'0' * 8 if tag != '0' * 8 else '1' * 8}-{gone}-0123abcd.tmp",
        "old other host": f".rnnplay-{'f' * 8 if tag != 'f' * 8 else 'e' * 8}-{gone}-0123abcd.tmp",
        "old legacy": ".rnnplay-k2j4h5g6.tmp",
        "fresh legacy": ".rnnplay-a1b2c3d4.tmp",
        "not ours": ".rnnplay-notes.tmp.txt",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    day_ago = time.time() - 2 * output_files.STALE_SECONDS
    for key in ("old other host", "old legacy"):
        os.utime(tmp_path / names[key], (day_ago, day_ago))
    precious = tmp_path / "precious.safetensors"
    precious.write_bytes(b"keep")
    link = tmp_path / f".rnnplay-{tag}-{gone}-deadbeef.tmp"
    link.symlink_to(precious)
    os.utime(link, (day_ago, day_ago), follow_symlinks=False)
    folder = tmp_path / f".rnnplay-{tag}-{gone}-feedface.tmp"
    folder.mkdir()
    removed = remove_stale_temps(str(tmp_path))
    assert sorted(removed) == sorted(names[k] for k in ("dead writer", "old other host", "old legacy"))
    left = set(os.listdir(tmp_path))
    assert {names[k] for k in ("live writer", "other host", "fresh legacy", "not ours")} <= left
    assert link.is_symlink() and precious.read_bytes() == b"keep" and folder.is_dir()


# `rnnplay train --save/--metrics` against bad targets: refused before the first step, never lost after it.
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
