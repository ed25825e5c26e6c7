"""One writer per checkpoint: an advisory lock on a sidecar file beside the target.

`rnnplay train --save C` holds the lock on C for its whole run, and every save (the CLI's, the app's,
the API's) holds it while it writes, so two runs never silently overwrite each other's updates. The
lock is `flock` on `.<name>.rnnplay-lock` in the target's folder: the kernel releases it when the
holder dies, so a SIGKILLed run never blocks the next one. The file keeps the holder's pid, to name it.
Within one process the lock is re-entrant (a run's own final save takes it again). Standard library only.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from contextlib import contextmanager

from engine.outputs import OutputError, resolve
from engine.text import echo

try:
    import fcntl
except ImportError:  # Windows: no flock; a lock is then a no-op (the README says so)
    fcntl = None

LOCK_SUFFIX = ".rnnplay-lock"
_held: dict[str, list] = {}  # real target path -> [fd, count]: this process's locks
_guard = threading.Lock()


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


def _open(real: str, path: str, what: str) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)  # a FIFO planted under the lock's name must not hang us
    try:
        return os.open(lock_path(real), flags, 0o666)
    except OSError as e:
        raise OutputError(what, path, f"its lock file cannot be opened ({e.strerror or type(e).__name__})",
                          accepted=False) from None


def _acquire(real: str, path: str, what: str, wait: float) -> int:
    fd = _open(real, path, what)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(what, path, f"its lock file {echo(os.path.basename(lock_path(real)))} is not a regular file; "
                          "remove it", accepted=False)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(fd)
                os.close(fd)
                raise OutputError(what, path, f"another rnnplay{holder} is writing this checkpoint; "
                                  "wait for it to finish or give another path", accepted=False) from None
            time.sleep(0.05)
        except OSError as e:  # a filesystem without flock: say so rather than pretend
            os.close(fd)
            raise OutputError(what, path, f"it cannot be locked ({e.strerror or type(e).__name__})",
                              accepted=False) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
    except OSError:
        pass  # the pid is only a courtesy for the next one's message
    return fd


@contextmanager
def writing(path: str, what: str = "save", wait: float = 0.0):
    """Hold the lock on checkpoint `path` (OutputError naming the other pid if another process has it).

    `wait` seconds: how long to retry first (a save waits briefly for another one's save to end).
    """
    if fcntl is None:
        yield
        return
    real = resolve(path, what)
    with _guard:
        entry = _held.get(real)
        if entry is not None:
            entry[1] += 1
    if entry is None:
        fd = _acquire(real, path, what, wait)
        with _guard:
            entry = _held.setdefault(real, [fd, 1])
    try:
        yield
    finally:
        with _guard:
            entry[1] -= 1
            done = entry[1] == 0
            if done:
                del _held[real]
        if done:
            os.close(entry[0])  # closing releases the flock; the file stays (removing it would race)
