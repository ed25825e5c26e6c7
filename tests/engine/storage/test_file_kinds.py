"""`--save` replaces only a real safetensors file and `--metrics` appends only to rnnplay's JSON lines:
files that merely start like one (a .tex chapter, indented JSON, a package.json) are refused and untouched."""

from __future__ import annotations

import json
import os
import threading

import pytest
from cli_helpers import one_error_line

import engine
from engine.cli.main import main
from engine.storage.output_files import OutputError, check_kind

NOT_A_CHECKPOINT = "is not a checkpoint (a safetensors file)"
NOT_METRICS = "is not a metrics file"


def real_checkpoint(path) -> bytes:
    engine.Trainer(engine.presets.get("hello").replace(steps=1, device="cpu")).save(str(path))
    return path.read_bytes()


def header_of(data: bytes) -> tuple[int, dict]:
    length = int.from_bytes(data[:8], "little")
    return length, json.loads(data[8:8 + length])


def with_header(data: bytes, header) -> bytes:
    """The checkpoint's tensor bytes behind another header (what an editor or a bad tool could leave)."""
    length, _ = header_of(data)
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + data[8 + length:]


def refused_by_train(capsys, tmp_path, flag, name, content: bytes, words):
    target = tmp_path / name
    target.write_bytes(content)
    argv = ["train", "--preset", "caesar", "--steps", "5", "--device", "cpu", flag, str(target)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and words in one_error_line(err) and name in err
    assert target.read_bytes() == content


@pytest.mark.parametrize("name, content", [
    ("thesis.tex", b"\\chapter{Introduction}\nThis is my thesis.\n"),
    ("notes.json", b'        {"title": "eight spaces of indent put a brace at byte 8"}\n'),
    ("corpus.txt", b"\\section{Act I}\nTo be, or not to be, that is the question.\n" * 40),
])
def test_save_refuses_files_with_a_brace_at_byte_8(capsys, tmp_path, name, content):
    assert content[8:9] == b"{"  # what the old check took for a safetensors header
    refused_by_train(capsys, tmp_path, "--save", name, content, NOT_A_CHECKPOINT)


def test_metrics_refuses_a_json_file_that_is_not_metrics_lines(capsys, tmp_path):
    refused_by_train(capsys, tmp_path, "--metrics", "package.json", b'{\n "name": "x"\n}\n', NOT_METRICS)


def crafted(data: bytes) -> dict[str, bytes]:
    """Files edited from a real checkpoint, each broken in one way a safetensors reader would reject."""
    length, header = header_of(data)
    name = next(k for k in header if k != "__metadata__")
    bad_entry = {**header, name: {**header[name], "data_offsets": [0, len(data)]}}
    return {
        "a header length past the end": (len(data)).to_bytes(8, "little") + data[8:],
        "a header length over 16 MiB": (17 << 20).to_bytes(8, "little") + data[8:],
        "a header length of 1": (1).to_bytes(8, "little") + data[8:],
        "a truncated header": data[: 8 + length // 2],
        "a header that is a list": with_header(data, [header]),
        "a tensor without its offsets": with_header(data, {**header, name: {"dtype": "F32", "shape": [1]}}),
        "offsets past the data": with_header(data, bad_entry),
        "metadata that is not text": with_header(data, {**header, "__metadata__": {"step": 3}}),
        "seven bytes": data[:7],
    }


def test_only_a_well_formed_safetensors_file_may_be_replaced(tmp_path):
    data = real_checkpoint(tmp_path / "real.safetensors")
    check_kind(str(tmp_path / "real.safetensors"), "--save", "checkpoint")  # a real one is taken
    for problem, content in crafted(data).items():
        path = tmp_path / "crafted.safetensors"
        path.write_bytes(content)
        with pytest.raises(OutputError, match="is not a checkpoint"):
            check_kind(str(path), "--save", "checkpoint")
            pytest.fail(f"{problem} was taken for a checkpoint")


def test_an_empty_file_is_taken_by_both_and_a_real_checkpoint_is_replaced(tmp_path):
    empty = tmp_path / "placeholder.safetensors"
    empty.touch()
    check_kind(str(empty), "--save", "checkpoint")  # nothing in an empty file can be lost
    check_kind(str(empty), "--metrics", "metrics")
    ckpt = tmp_path / "c.safetensors"
    real_checkpoint(ckpt)
    assert main(["train", "--resume", str(ckpt), "--steps", "2", "--save", str(ckpt)]) == 0
    assert engine.load(str(ckpt)).step == 2


@pytest.mark.parametrize("first_line", [
    b'{"name": "x"}\n',
    b'["event", "step"]\n',
    b'{"nested": {"event": "step"}}\n',
    b'{"event": "step"',  # a JSON object cut short
    b'\xff\xfe{"event": "step"}\n',
    b'{"event": "' + b"x" * 70_000 + b'"}\n',  # a first line past the bounded read
    b'\n{"event": "step"}\n',
])
def test_metrics_append_only_to_rnnplay_lines(tmp_path, first_line):
    path = tmp_path / "m.jsonl"
    path.write_bytes(first_line + b'{"event": "finished"}\n')
    with pytest.raises(OutputError, match=NOT_METRICS):
        check_kind(str(path), "--metrics", "metrics")


def test_a_metrics_file_from_a_real_run_is_appended_to(tmp_path, capsys):
    metrics = tmp_path / "m.jsonl"
    argv = ["train", "--preset", "hello", "--steps", "2", "--device", "cpu", "--metrics", str(metrics)]
    assert main(argv) == 0 and main(argv) == 0
    events = [json.loads(line)["event"] for line in metrics.read_text().splitlines()]
    assert events.count("finished") == 2


@pytest.mark.parametrize("kind, words", [("checkpoint", NOT_A_CHECKPOINT), ("metrics", NOT_METRICS)])
def test_a_fifo_swapped_in_after_the_path_check_is_refused_not_waited_on(tmp_path, kind, words):
    fifo = tmp_path / "swapped"
    os.mkfifo(fifo)  # no writer: a blocking open would wait forever
    errors = []

    def check():
        try:
            check_kind(str(fifo), "--save", kind)
        except OutputError as e:
            errors.append(str(e))

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(60)  # a blocked open never returns; a busy machine may take seconds to refuse
    assert not worker.is_alive() and len(errors) == 1 and words in errors[0]
