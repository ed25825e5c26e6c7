"""Startup: `rnnplay --help` wall time, and the time from launching `rnnplay` to its first drawn frame.

The first frame is timed on a real pseudo-terminal (120x40, TERM=xterm-256color): from just before the
process starts to the first output containing the app's title, which Textual's Header draws in the
first full frame. The app is then quit with ctrl+q (terminated if it does not exit). Median of a few
runs. Skips with a message when `rnnplay` is not installed (`pip install -e .`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

from benchmarks.common import emit, log, median

TITLE = b"RNN Playground"
HELP_TARGET, FRAME_TARGET = 0.5, 1.5


def time_help(command: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([command, "--help"], capture_output=True, timeout=60)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"`rnnplay --help` exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return seconds


def time_first_frame(command: str, timeout: float = 30.0, size=(40, 120)) -> float:
    """Seconds from launching `command` on a new pseudo-terminal to the first output showing TITLE."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[1]), "LINES": str(size[0])}
    start = time.perf_counter()
    child = subprocess.Popen([command], stdin=slave, stdout=slave, stderr=slave, env=env,
                             start_new_session=True, close_fds=True)
    os.close(slave)
    seen, found = b"", None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break  # the child closed the terminal
                seen = seen[-len(TITLE):] + chunk
                if TITLE in seen:
                    found = time.perf_counter() - start
                    break
            if child.poll() is not None:
                break
        if found is None:
            raise RuntimeError(f"no frame with {TITLE.decode()!r} within {timeout:g} s "
                               f"(exit status {child.poll()}); last output: {seen[-200:]!r}")
        return found
    finally:
        _quit(child, master)


def _quit(child: subprocess.Popen, master: int) -> None:
    import select

    try:
        os.write(master, b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 5
        while child.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)  # keep the pipe drained so the app can exit
                except OSError:
                    break
    except OSError:
        pass
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    os.close(master)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    command = shutil.which("rnnplay") or shutil.which("rnnplay", path=os.path.dirname(sys.executable))
    if command is None:
        return emit("startup", skipped="`rnnplay` is not installed; run `pip install -e .` first")
    time_help(command)  # warm the file cache: the figures are for a warm start
    helps = [time_help(command) for _ in range(args.repeats)]
    figures = {"help_s": round(median(helps), 3), "help_runs": [round(h, 3) for h in helps],
               "help_target_s": HELP_TARGET, "help_met": median(helps) < HELP_TARGET}
    if sys.platform == "win32":
        figures["first_frame_skipped"] = "needs a pseudo-terminal (POSIX)"
    else:
        try:
            time_first_frame(command)  # warm-up
            frames = [time_first_frame(command) for _ in range(args.repeats)]
            figures.update(first_frame_s=round(median(frames), 3), first_frame_runs=[round(f, 3) for f in frames],
                           first_frame_target_s=FRAME_TARGET, first_frame_met=median(frames) < FRAME_TARGET)
        except (RuntimeError, OSError) as error:
            figures["first_frame_skipped"] = str(error)
    log(f"  --help {figures['help_s']} s, first frame {figures.get('first_frame_s')} s")
    return emit("startup", command=command, terminal="pty 120x40 xterm-256color", load_average=os.getloadavg(),
                **figures)


if __name__ == "__main__":
    main()
