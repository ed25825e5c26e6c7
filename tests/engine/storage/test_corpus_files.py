"""Corpus files: only regular UTF-8 text files are read, boundedly; anything else is one clear line."""

import os
import shutil
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.storage import corpus_files
from engine.storage.corpus_files import CorpusError
from engine.vocab import Vocabulary


@contextmanager
def deadline(seconds=60):
    """Fail, rather than hang the suite, if reading blocks (the FIFO bug). Generous: a blocked read never
    returns, and a busy machine may take seconds to read a file."""
    def expired(*_):
        raise AssertionError(f"still reading after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused(path, words):
    with deadline(), pytest.raises(CorpusError, match=words) as info:
        corpus_files.load(str(path))
    message = str(info.value)
    assert message.startswith("corpus: ") and "\n" not in message
    return message


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "is a named pipe (FIFO); expected a regular UTF-8 text file" in refused(fifo, "named pipe")


def test_a_symlink_to_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "text.txt").symlink_to(fifo)
    refused(tmp_path / "text.txt", "named pipe")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_endless_devices_are_refused_without_reading(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} is absent")
    refused(device, "is a character device")


def test_a_folder_and_a_socket_are_refused(tmp_path):
    refused(tmp_path, "is a folder")
    sock = socket.socket(socket.AF_UNIX)
    path = tmp_path / "s"
    try:
        sock.bind(str(path))
        refused(path, "is a socket")
    finally:
        sock.close()


def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("some text " * 100)
    path.chmod(0)
    if os.geteuid() != 0:
        refused(path, r"cannot be read \(Permission denied\)")
        return
    if not (shutil.which("setpriv") and os.path.exists("/usr/bin/python3")):
        pytest.skip("root reads every file, and setpriv or /usr/bin/python3 is absent to drop privileges")
    tmp_path.chmod(0o755)  # as nobody: reading the file (stdlib only) must fail with one clear line
    root = os.path.dirname(os.path.dirname(engine.__file__))
    script = (f"import sys; sys.path.insert(0, {root!r}); from engine.storage import corpus_files\n"
              f"try: corpus_files.read_bytes({str(path)!r})\nexcept corpus_files.CorpusError as e: print(e)")
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                           "-c", script], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == f"corpus: {path}: cannot be read (Permission denied)", done.stderr


def test_a_missing_file_names_the_built_in_corpora(tmp_path):
    message = refused(tmp_path / "nope.txt", "no such file")
    assert "did you mean" not in message and "built-in corpus (shakespeare)" in message
    assert "no such file (did you mean 'shakespeare'?)" in refused("Shakespear", "no such file")


def test_control_characters_in_the_path_stay_visible(tmp_path):
    message = refused(tmp_path / "evil\x1b[2J\nname.txt", "no such file")
    assert "\x1b" not in message and "\\x1b" in message and "⏎" in message


@pytest.mark.parametrize("content, words", [
    (b"", "is empty"), (b" \n\t\r\n ", "is empty"), (b"text\x00more text", "binary"),
    (b"\xff\xfet\x00e\x00x\x00t\x00", "UTF-16"), (b"caf\xe9 au lait", r"not UTF-8 \(bad byte at offset 3\)"),
    (b"ends mid-character \xe2\x82", "not UTF-8"), (b"\xef\xbb\xbf", "is empty"),
])
def test_files_that_are_not_utf8_text(tmp_path, content, words):
    path = tmp_path / "c.txt"
    path.write_bytes(content)
    refused(path, words)


def test_a_bad_byte_is_located_across_decoding_chunks(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes("é".encode() * 50 + b"\xff" + b"x" * 20)
    with mock.patch.object(corpus_files, "CHUNK", 7):
        refused(path, r"bad byte at offset 100\)")


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2000)
    with pytest.raises(CorpusError, match="at most"):
        corpus_files.read_bytes(str(path), limit=1000)
    assert len(corpus_files.read_bytes(str(path), limit=2000)) == 2000


def test_a_file_that_reports_no_size_is_still_bounded():
    # /proc files are regular but report size 0: the read must grow, and stop at the limit + 1 bytes
    status = "/proc/self/status"
    if not os.path.exists(status):
        pytest.skip("no /proc")
    assert b"Name:" in corpus_files.read_bytes(status)
    with pytest.raises(CorpusError, match="at most"):
        corpus_files.read_bytes(status, limit=16)


def test_the_cli_refuses_a_fifo_with_one_line_and_status_2(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "engine.cli", "train", "--task", "completion", "--corpus",
                           str(fifo), "--device", "cpu"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("rnnplay: error: corpus: ") and done.stderr.count("\n") == 1
    assert "named pipe" in done.stderr


# --- encoding: compact ids, the same vocabulary as Vocabulary.from_text ---------------------------

def expected(text):
    vocab = Vocabulary.from_text(text, corpus_files.UNKNOWN)
    return vocab, vocab.encode(text)


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=60), st.integers(1, 9))
def test_encoding_matches_the_per_character_vocabulary(text, chunk):
    with mock.patch.object(corpus_files, "CHUNK", chunk):  # tiny chunks split multi-byte characters
        vocab, ids = corpus_files.encode(bytearray(text.encode("utf-8")))
    want_vocab, want_ids = expected(text)
    assert vocab == want_vocab and ids.tolist() == want_ids


def test_ids_use_the_smallest_type_that_holds_the_vocabulary():
    assert corpus_files.encode(bytearray(b"hello world"))[1].dtype == torch.uint8
    wide = "".join(map(chr, range(0x4E00, 0x4E00 + 300)))
    vocab, ids = corpus_files.encode(bytearray(wide.encode()))
    assert ids.dtype == torch.int16 and len(vocab) == 301 and vocab.decode(ids.tolist()) == wide


def test_crlf_and_a_byte_order_mark_are_normalised(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfline one\r\nline two\r\nold mac\rline\r\n")
    vocab, ids = corpus_files.load(str(path))
    assert vocab.decode(ids.tolist()) == "line one\nline two\nold mac\rline\n"
    assert "\ufeff" not in vocab.symbols


def test_a_replacement_character_in_the_corpus_is_the_unknown_symbol(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a\ufffdb", encoding="utf-8")
    vocab, ids = corpus_files.load(str(path))
    assert vocab.symbols == ("\ufffd", "a", "b") and ids.tolist() == [1, 0, 2]


# --- the built-in corpus ---------------------------------------------------------------------------
