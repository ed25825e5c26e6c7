"""`rnnplay export-script` (engine/cli/export.py): where it writes, and what it never overwrites."""

from tests.engine.cli_helpers import one_error_line, rnnplay


def test_the_output_path_follows_the_rules(tmp_path):
    import os

    ckpt = tmp_path / "model.safetensors"
    ckpt.write_bytes(b"precious")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, problem in ((ckpt, "not a .py file"), (fifo, "named pipe"), (tmp_path, "folder"),
                            (tmp_path / "missing" / "x.py", "does not exist")):
        done = rnnplay("export-script", "--preset", "caesar", "-o", str(target))
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and problem in done.stderr, done.stderr
    assert ckpt.read_bytes() == b"precious"
    mine = tmp_path / "mine.py"  # the user's own script: never replaced
    mine.write_text("print('my precious work')\n")
    done = rnnplay("export-script", "--preset", "caesar", "-o", str(mine))
    assert done.returncode == 2 and "not written by rnnplay export-script" in one_error_line(done.stderr)
    assert mine.read_text() == "print('my precious work')\n"
    old = tmp_path / "old.py"  # an earlier export: replaced, keeping its mode
    assert rnnplay("export-script", "--preset", "hello", "-o", str(old)).returncode == 0
    old.chmod(0o640)
    assert rnnplay("export-script", "--preset", "caesar", "-o", str(old)).returncode == 0
    assert "def make_batch" in old.read_text() and oct(old.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
