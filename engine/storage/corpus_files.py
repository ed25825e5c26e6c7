"""Corpus files: read safely and boundedly, then encode to compact symbol ids.

Reading accepts regular files only: a FIFO would block forever and /dev/zero never ends, so the
path is stat()ed before opening (no device is ever opened), opened non-blocking, fstat()ed again
(the file checked is the file read) and read to at most the limit + 1 bytes (a growing file stays
bounded). Encoding never makes a Python object per character: bytes -> code points in chunks ->
a lookup table -> uint8/int16 ids, so a 150 MB corpus costs about twice its size, not twenty times.
"""

from __future__ import annotations

import codecs
import difflib
import os
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from engine import corpora
from engine.config import ConfigError

MAX_CORPUS_BYTES = 512 * 1024 * 1024
UNKNOWN = "\ufffd"
CHUNK = 1 << 20  # bytes decoded per step: bounds the temporaries to a few MiB each
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class CorpusError(ConfigError):
    def __init__(self, path: str, message: str):
        from engine.text import PATH_LIMIT, visible

        super().__init__("corpus", f"{visible(path, PATH_LIMIT, middle=True)}: {message}")


def load(value: str):
    """(Vocabulary, ids) of a corpus setting: a built-in name or a UTF-8 text file.

    ids is a 1-D CPU tensor of uint8, int16 or int32 (the smallest that holds the vocabulary);
    convert slices to long where a model needs them.
    """
    path = corpora.resolve(value)
    data = clean(read_bytes(path), path)
    return encode(data, path)


def stored(value: str) -> str:
    """How a checkpoint names its corpus: a built-in name as the name, a file as its absolute path, so a
    run resumes from any folder (a relative path would mean another file, or none, elsewhere)."""
    if value in corpora.BUILTIN:
        return value
    return os.path.abspath(corpora.resolve(value))


def check(value: str) -> None:
    """CorpusError in one line if a corpus setting names nothing readable as a corpus, reading at most its
    first 4 KiB (the app marks the field as you type): missing, a folder, a pipe, a device, too big,
    binary or UTF-16."""
    path = corpora.resolve(value)
    with _opened(path) as (f, info):
        _refuse_size(path, info.st_size, MAX_CORPUS_BYTES)
        _refuse_binary(f.read(4096), path)


def read_bytes(path: str, limit: int = MAX_CORPUS_BYTES) -> bytearray:
    """The bytes of the regular file at `path`, or CorpusError in one line (never blocks, never unbounded)."""
    with _opened(path) as (f, info):
        _refuse_size(path, info.st_size, limit)
        return _read_bounded(f, info.st_size, limit, path)


@contextmanager
def _opened(path: str):
    """(file, its stat) for the regular file at `path`, opened without blocking; a special file (also one
    swapped in between the checks) or a failed read is CorpusError in one line."""
    _refuse_special(path, _stat(path))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise CorpusError(path, _why_unreadable(e)) from None
    with os.fdopen(fd, "rb", buffering=0) as f:
        info = os.fstat(fd)
        _refuse_special(path, info)  # it may have been swapped since the stat above: never read a pipe
        try:
            yield f, info
        except OSError as e:
            raise CorpusError(path, _why_unreadable(e)) from None


def _stat(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        close = difflib.get_close_matches(os.path.basename(path), corpora.names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        names = ", ".join(corpora.names())
        raise CorpusError(path, f"no such file{hint}; give a UTF-8 text file or a built-in corpus ({names})") from None
    except OSError as e:
        raise CorpusError(path, _why_unreadable(e)) from None


def _refuse_special(path: str, info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
    raise CorpusError(path, f"is {kind}; expected a regular UTF-8 text file")


def _refuse_size(path: str, size: int, limit: int) -> None:
    if size > limit:
        raise CorpusError(path, f"is {size / 2**20:,.0f} MiB; at most {limit / 2**20:,.0f} MiB is accepted")


def _why_unreadable(error: OSError) -> str:
    return f"cannot be read ({error.strerror or type(error).__name__})"


def _read_bounded(f, size: int, limit: int, path: str) -> bytearray:
    """Read into one buffer sized from fstat; if the file grows, keep reading up to limit + 1 bytes."""
    buffer = bytearray(min(size, limit) + 1)
    filled = 0
    while True:
        with memoryview(buffer) as view, view[filled:] as tail:
            count = f.readinto(tail)
        if not count:
            break
        filled += count
        if filled == len(buffer):
            if filled > limit:
                _refuse_size(path, filled, limit)  # it grew past the limit while being read
            buffer.extend(bytes(min(len(buffer), limit + 1 - len(buffer))))
    del buffer[filled:]
    return buffer


def clean(data: bytearray, path: str) -> bytearray:
    """Check the bytes are text and normalise them: no byte-order mark, LF line ends."""
    if data.startswith(UTF8_BOM):
        del data[: len(UTF8_BOM)]
    _refuse_binary(data, path)
    if not data or data.isspace():
        raise CorpusError(path, "is empty (nothing but white space); expected UTF-8 text")
    if b"\r\n" in data:  # Windows line ends: one newline symbol, as on every other system
        data = data.replace(b"\r\n", b"\n")
    return data


def _refuse_binary(data: bytes, path: str) -> None:
    if b"\x00" in data:
        utf16 = "; it starts like UTF-16 text: save it as UTF-8" if data.startswith(UTF16_BOMS) else ""
        raise CorpusError(path, f"looks binary (contains NUL bytes){utf16}; expected UTF-8 text")


def encode(data: bytearray, path: str = "text"):
    """(Vocabulary, ids): the same vocabulary and ids as Vocabulary.from_text(text, UNKNOWN) would give."""
    import torch

    from engine.vocab import Vocabulary

    present = torch.zeros(0x110000, dtype=torch.bool)
    total = 0
    for codes in code_points(data, path):
        counts = torch.bincount(codes)
        present[: len(counts)] |= counts > 0
        total += len(codes)
    present[ord(UNKNOWN)] = False
    symbols = present.nonzero().flatten()
    size = len(symbols) + 1
    dtype = torch.uint8 if size <= 256 else torch.int16 if size <= 2**15 else torch.int32
    table = torch.zeros(0x110000, dtype=dtype)  # code point -> id; the unknown symbol is id 0
    table[symbols] = torch.arange(1, size, dtype=torch.int64).to(dtype)
    ids = torch.empty(total, dtype=dtype)
    at = 0
    for codes in code_points(data, path):
        ids[at: at + len(codes)] = torch.index_select(table, 0, codes)
        at += len(codes)
    return Vocabulary([UNKNOWN, *map(chr, symbols.tolist())], unknown=UNKNOWN), ids


def code_points(data: bytearray, path: str = "text") -> Iterator:
    """The UTF-8 `data` as int32 tensors of code points, CHUNK bytes at a time; CorpusError if not UTF-8."""
    import torch

    if data.isascii():  # ASCII bytes are their own code points: no decoding at all
        for start in range(0, len(data), CHUNK):
            count = min(CHUNK, len(data) - start)
            yield torch.frombuffer(data, dtype=torch.uint8, offset=start, count=count).int()
        return
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    for start in range(0, len(data), CHUNK):
        pending = len(decoder.getstate()[0])
        with memoryview(data) as view, view[start: start + CHUNK] as piece:
            try:
                text = decoder.decode(piece, final=start + CHUNK >= len(data))
            except UnicodeDecodeError as e:
                offset = start - pending + e.start
                raise CorpusError(path, f"is not UTF-8 (bad byte at offset {offset:,}); expected UTF-8 text "
                                        "(convert it, e.g. iconv -f latin1 -t utf-8)") from None
        if text:
            yield _int32_view(text.encode("utf-32-le"))


def _int32_view(data: bytes):
    """`data` as an int32 tensor without a copy; it is only ever read, so its immutability is no matter."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the given buffer is not writable"
        return torch.frombuffer(data, dtype=torch.int32)
