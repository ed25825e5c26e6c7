"""One writer per checkpoint: an advisory lock on a sidecar file beside the target.

`rnnplay train --save C` holds the lock on C for its whole run, and every save (the CLI's, the app's,
the API's) holds it while it writes, so two runs never silently overwrite each other's updates. The
lock is `flock` on `.<name>.rnnplay-lock` in the target's folder: the kernel releases it when the
holder dies, so a SIGKILLed run never blocks the next one. The file keeps the holder's pid, to name it.
Within one process the lock is re-entrant (a run's own final save takes it again).

The lock file is never followed or trusted: opened with O_NOFOLLOW and without truncating, it is
refused unless it is a regular file with one name (no hard link to another file) holding at most a pid;
the pid is written only after those checks. A lock is taken, and re-used, only while the lock path
still names the locked file: a lock on a file that was removed (its folder deleted and made again)
guards nothing. Standard library only.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from contextlib import contextmanager

from engine.storage.output_files import OutputError, resolve
from engine.text import echo

try:
    import fcntl
except ImportError:  # Windows: no flock; a lock is then a no-op (the README says so)
    fcntl = None

LOCK_SUFFIX = ".rnnplay-lock"
_held: dict[str, list] = {}  # real target path -> [fd, count]: this process's locks
_guard = threading.Lock()
RETRIES = 5  # times a lock file that vanishes or is replaced under us is tried again
PID_LIMIT = 32  # bytes a lock file may hold (a pid); anything longer is not a lock file


def lock_path(real: str) -> str:
    folder, name = os.path.split(real)
    return os.path.join(folder, f".{name}{LOCK_SUFFIX}")


def _holder(fd: int) -> str:
    """" (process N)" from the lock file, or "" when it says nothing usable."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {int(text)})" if text.isdigit() and len(text) < 12 else ""


def _refuse(what: str, path: str, lock: str, problem: str) -> OutputError:
    return OutputError(what, path, f"its lock file {echo(os.path.basename(lock))} {problem}", accepted=False)


def _open(lock: str, path: str, what: str) -> tuple[int, bool]:
    """The lock file opened without following a link or truncating; (fd, True if we created it)."""
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)  # a FIFO planted under the lock's name must not hang us
    for _ in range(RETRIES):
        try:
            return os.open(lock, flags | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            pass
        except OSError as e:
            raise _refuse(what, path, lock, f"cannot be created ({e.strerror or type(e).__name__})") from None
        try:
            info = os.lstat(lock)
            if not stat.S_ISREG(info.st_mode):  # checked before opening: opening a device can do things
                raise _refuse(what, path, lock, "is not a regular file; remove it")
            return os.open(lock, flags), False
        except FileNotFoundError:
            continue  # removed between the two calls: create it
        except OSError as e:
            raise _refuse(what, path, lock, f"cannot be opened ({e.strerror or type(e).__name__})") from None
    raise _refuse(what, path, lock, "keeps disappearing; try again")


def _verify(fd: int, lock: str, path: str, what: str) -> None:
    """Refuse a lock file that is not ours to overwrite: not a regular file, another name's hard link,
    or holding anything but a process id (a file someone gave the lock's name)."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(what, path, lock, "is not a regular file; remove it")
    if info.st_nlink > 1:
        raise _refuse(what, path, lock, f"has {info.st_nlink} names (hard links), so it is another file too; "
                      "remove it")
    try:
        text = os.pread(fd, PID_LIMIT + 1, 0)
    except OSError as e:
        raise _refuse(what, path, lock, f"cannot be read ({e.strerror or type(e).__name__})") from None
    if len(text) > PID_LIMIT or text.strip(b"0123456789 \n"):
        raise _refuse(what, path, lock, "holds something other than a process id; remove it")


def _same_file(fd: int, lock: str) -> bool:
    """Whether `lock` still names the file open as `fd` (not removed, nor replaced by another one)."""
    try:
        now = os.lstat(lock)
    except OSError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _flock(fd: int, path: str, what: str, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _busy(fd, path, what) from None
            time.sleep(0.05)
        except OSError as e:  # a filesystem without flock: say so rather than pretend
            raise OutputError(what, path, f"it cannot be locked ({e.strerror or type(e).__name__})",
                              accepted=False) from None


def _busy(fd: int, path: str, what: str) -> OutputError:
    return OutputError(what, path, f"another rnnplay{_holder(fd)} is writing this checkpoint; "
                       "wait for it to finish or give another path", accepted=False)


def _acquire(real: str, path: str, what: str, wait: float) -> tuple[int, bool]:
    """The locked lock file's fd, and whether we created it. The pid is written only once the file
    is verified, locked, and still the one the lock path names (else the one there now is locked)."""
    lock, deadline = lock_path(real), time.monotonic() + wait
    for _ in range(RETRIES):
        fd, created = _open(lock, path, what)
        try:
            _verify(fd, lock, path, what)
            _flock(fd, path, what, deadline)
            _verify(fd, lock, path, what)  # a hard link made while we waited
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, lock):
            _write_pid(fd)
            return fd, created
        os.close(fd)  # removed or replaced while we took it: a lock on that file guards nothing
    raise _refuse(what, path, lock, "keeps being replaced; try again")


def _write_pid(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
    except OSError:
        pass  # the pid is only a courtesy for the next one's message


def _still_held(entry: list, real: str, path: str, what: str) -> None:
    """A lock this process holds guards the checkpoint only while the lock path names the locked file.
    When it does not (the folder was deleted and made again, the lock file removed), take the file there
    now; if another run made it meanwhile, that run may have written the checkpoint: refuse to overwrite."""
    if _same_file(entry[0], lock_path(real)):
        return
    fd, created = _acquire(real, path, what, 0.0)
    if not created:
        holder = _holder(fd)
        os.close(fd)
        raise OutputError(what, path, f"another rnnplay{holder} took this checkpoint after this run's lock "
                          "file was removed; it is not overwritten", accepted=False)
    os.close(entry[0])
    entry[0] = fd


@contextmanager
def writing(path: str, what: str = "save", wait: float = 0.0):
    """Hold the lock on checkpoint `path` (OutputError naming the other pid if another process has it).

    `wait` seconds: how long to retry first (a save waits briefly for another one's save to end).
    A lock this process already holds is checked to still guard the path (see _still_held).
    """
    if fcntl is None:
        yield
        return
    real = resolve(path, what)
    with _guard:
        entry = _held.get(real)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            _still_held(entry, real, path, what)
        except BaseException:
            _release(entry, real)
            raise
    else:
        fd, _ = _acquire(real, path, what, wait)
        with _guard:
            entry = _held.setdefault(real, [fd, 1])
    try:
        yield
    finally:
        _release(entry, real)


def _release(entry: list, real: str) -> None:
    with _guard:
        entry[1] -= 1
        done = entry[1] == 0
        if done:
            del _held[real]
    if done:
        os.close(entry[0])  # closing releases the flock; the file stays (removing it would race)
