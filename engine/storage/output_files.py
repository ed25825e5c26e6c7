"""Files rnnplay writes (checkpoints, metrics): checked before a run starts, written so nothing is lost.

Rules (the README's "Safety" section states them for users):
- A target is a regular file or a new path in a folder we can create files in. A folder, a FIFO, a
  device node, a socket, "" or a missing folder is refused with one line, before the first step.
- A symlink is written through: its final target must pass the same rules, the link itself stays and
  the file it points to is replaced atomically (a link to /dev/null is refused like /dev/null).
- Checkpoints go to a temp file beside the target (`.rnnplay-<host>-<pid>-<random>.tmp`), are fsynced
  and renamed over it; an existing file keeps its permission bits, a new one gets 0666 less the umask.
- A temp file left by a killed save is removed by the next save into that folder: only our own
  prefix, only regular files we own, only when its writer (this host, that pid) is dead or it is a day
  old. Metrics are appended to a regular file; a write failure is reported once and writing stops.
Standard library only: the CLI checks paths before torch loads.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import socket
import stat
import time

from engine.storage import file_kinds
from engine.text import PATH_LIMIT, echo

TEMP_PREFIX = ".rnnplay-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 24 * 3600  # a temp file this old is abandoned whoever wrote it
LEGACY_TEMP = re.compile(r"\.rnnplay-[A-Za-z0-9_]{8}\.tmp")  # mkstemp names of rnnplay before 0.2
OUR_TEMP = re.compile(r"\.rnnplay-([0-9a-f]{8})-(\d+)-[0-9a-f]{8}\.tmp")
KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
         (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
ACCEPTED = "accepted: a regular file or a new file name in an existing folder you can write to"


class OutputError(ValueError):
    """An output path that cannot be written safely; one line naming the flag, the path and the problem."""

    def __init__(self, what: str, path: str, problem: str, accepted: bool = True):
        self.what, self.path, self.problem, self.accepted = what, path, problem, accepted
        tail = f"; {ACCEPTED}" if accepted else ""
        super().__init__(f"{what}: cannot write {echo(path, PATH_LIMIT)}: {problem}{tail}")


def host_tag() -> str:
    """8 hex digits naming this machine, so a temp file's pid is only judged on the host that wrote it."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "backslashreplace")).hexdigest()[:8]


def resolve(path: str, what: str) -> str:
    """The path that will really be written: symlinks followed to their final target (which may not exist)."""
    if not isinstance(path, str) or path == "":
        raise OutputError(what, "" if not isinstance(path, str) else path, "the path is empty")
    if "\0" in path:
        raise OutputError(what, path, "the path contains a NUL character")
    try:
        return os.path.realpath(path, strict=False) if os.path.islink(path) else os.path.abspath(path)
    except (OSError, ValueError) as e:
        raise OutputError(what, path, f"the path cannot be resolved ({_reason(e)})") from None


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder"
    return "it is " + next((name for test, name in KINDS if test(mode)), "not a regular file")


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__


def existing(real: str, path: str, what: str) -> os.stat_result | None:
    """The stat of the regular file at `real`, None if nothing is there; refuse anything else."""
    try:
        info = os.stat(real)
    except NotADirectoryError:
        return None  # the folder part is a file: creating the temp file says so
    except FileNotFoundError:
        if os.path.lexists(real):  # a dangling or looping link that realpath could not finish
            raise OutputError(what, path, "it is a symlink that leads nowhere usable") from None
        return None
    except OSError as e:
        raise OutputError(what, path, f"it cannot be examined ({_reason(e)})") from None
    problem = _kind(info.st_mode)
    if problem:
        via = f" (through a symlink to {echo(real, PATH_LIMIT)})" if real != os.path.abspath(path) else ""
        raise OutputError(what, path, problem + via)
    return info


def _temp_name(folder: str) -> str:
    return os.path.join(folder, f"{TEMP_PREFIX}{host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _create_temp(folder: str, path: str, what: str) -> tuple[int, str]:
    """A new temp file in `folder`, mode 0666 less the umask (the kernel applies it), opened for writing."""
    folder_ok = os.path.isdir(folder)
    if not folder_ok:
        problem = "does not exist" if not os.path.lexists(folder) else "is not a folder"
        raise OutputError(what, path, f"the folder {echo(folder, PATH_LIMIT)} {problem}")
    name = _temp_name(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(name, flags, 0o666), name
    except OSError as e:
        problem = f"no new file can be created in {echo(folder, PATH_LIMIT)} ({_reason(e)})"
        raise OutputError(what, path, problem) from None


def check_kind(path: str, what: str, kind: str) -> None:
    """Refuse to overwrite or append to an existing file of another kind: `--save` replaces only a
    safetensors file and `--metrics` appends only to rnnplay's JSON lines (engine.storage.file_kinds says what
    counts), so a typo never destroys a corpus, a thesis, a config or any other file. An empty file is
    taken: nothing in it can be lost. kind: "checkpoint" | "metrics"."""
    try:
        fits = file_kinds.fits(path, kind)
    except FileNotFoundError:
        return
    except OSError as e:
        raise OutputError(what, path, f"it cannot be read ({_reason(e)})") from None
    if not fits and kind == "checkpoint":
        raise OutputError(what, path, "it exists and is not a checkpoint (a safetensors file); "
                                      "give a new name, or remove the file first", accepted=False)
    if not fits:
        raise OutputError(what, path, "it exists and is not a metrics file (rnnplay's JSON lines); "
                                      "give a new name, or remove the file first", accepted=False)


def check_target(path: str, what: str) -> None:
    """Refuse (OutputError) a path we must not or cannot write, creating nothing lasting.

    The folder is probed by really creating and removing a temp file: permissions, read-only mounts,
    /proc and full quotas show up here, before a run, not after it.
    """
    real = resolve(path, what)
    if existing(real, path, what) is not None and not os.access(real, os.W_OK):
        raise OutputError(what, path, "it is read-only")
    fd, name = _create_temp(os.path.dirname(real), path, what)
    os.close(fd)
    _unlink_quietly(name)


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _writer_gone(host: str, pid: int) -> bool:
    if host != host_tag():
        return False  # another machine's pid means nothing here: wait for the age rule
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False
    return False


def remove_stale_temps(folder: str, now: float | None = None) -> list[str]:
    """Delete our own abandoned temp files in `folder`; returns their names. Never follows a link."""
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        ours, legacy = OUR_TEMP.fullmatch(name), LEGACY_TEMP.fullmatch(name)
        if not (ours or legacy):
            continue
        full = os.path.join(folder, name)
        try:
            info = os.lstat(full)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            continue  # a link, a folder or someone else's file: not ours to judge
        old = now - info.st_mtime > STALE_SECONDS
        if old or (ours and _writer_gone(ours.group(1), int(ours.group(2)))):
            _unlink_quietly(full)
            removed.append(name)
    return removed


def write_atomically(path: str, data: bytes, what: str = "save") -> None:
    """Replace the file at `path` (or create it) with `data`, all or nothing."""
    real = resolve(path, what)
    before = existing(real, path, what)
    folder = os.path.dirname(real)
    remove_stale_temps(folder)
    fd, tmp = _create_temp(folder, path, what)
    try:
        with os.fdopen(fd, "wb") as f:
            if before is not None:
                _keep_owner_and_mode(f.fileno(), before)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except OSError as e:
        _unlink_quietly(tmp)
        full = " (the disk is full)" if e.errno == errno.ENOSPC else ""
        raise OutputError(what, path, f"{_reason(e)}{full}; the previous file is untouched",
                          accepted=False) from None
    _sync_folder(folder)


def _keep_owner_and_mode(fd: int, before: os.stat_result) -> None:
    """The replacement keeps the old file's permission bits, and its owner when we may set it (root)."""
    if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, before.st_uid, before.st_gid)
        except OSError:
            pass  # not root: the file becomes ours, as any editor's save would make it
    os.fchmod(fd, stat.S_IMODE(before.st_mode))  # after chown, which may clear set-id bits


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable; some filesystems cannot open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_for_append(path: str, what: str = "--metrics"):
    """A text file opened for appending, refusing (OutputError) anything but a regular file or a new path.

    Opened non-blocking and checked with fstat, so a FIFO swapped in after check_target neither hangs
    the run nor gets written to.
    """
    real = resolve(path, what)
    existing(real, path, what)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags, 0o666)
    except OSError as e:
        raise OutputError(what, path, f"it cannot be opened ({_reason(e)})") from None
    problem = _kind(os.fstat(fd).st_mode)
    if problem:
        os.close(fd)
        raise OutputError(what, path, problem)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "a", encoding="utf-8")


class AppendLog:
    """Lines appended to a file that may fail (full disk, removed mount): the first failure is kept in
    `.failure` as one line and writing stops, so the run goes on and its model is still saved."""

    def __init__(self, file, path: str, what: str = "--metrics"):
        self.file, self.path, self.what = file, path, what
        self.failure: str | None = None

    @classmethod
    def open(cls, path: str, what: str = "--metrics") -> AppendLog:
        return cls(open_for_append(path, what), path, what)

    def write(self, line: str) -> str | None:
        """Append one line; returns the failure message the first time writing fails, else None."""
        if self.file is None:
            return None
        try:
            self.file.write(line + "\n")
            self.file.flush()
            return None
        except (OSError, ValueError) as e:
            full = " (the disk is full)" if getattr(e, "errno", None) == errno.ENOSPC else ""
            self.failure = (f"{self.what}: writing {echo(self.path, PATH_LIMIT)} failed: {_reason(e)}{full}; "
                            "metrics are no longer written, training goes on")
            self.close()
            return self.failure

    def close(self) -> None:
        file, self.file = self.file, None
        if file is not None:
            try:
                file.close()
            except (OSError, ValueError):  # close flushes, and a full disk fails there too
                pass
