"""Threads: the default never oversubscribes the cores; --threads sets the count for every model-running command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine import devices
from engine.cli.main import build_parser
from engine.cli.tui import tui_options


def cores() -> int:
    return len(os.sched_getaffinity(0))


@pytest.mark.parametrize("count, expected", [(1, 1), (2, 1), (3, 2), (64, 63)])
def test_the_default_leaves_a_core_free_and_never_goes_below_one(monkeypatch, count, expected):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(devices, "cores", lambda: count)
    assert devices.default_threads() == devices.parse_threads("auto") == devices.parse_threads(None) == expected


@pytest.mark.parametrize("env, expected", [("3", 3), (" 5 ", 5), ("0", None), ("many", None), ("-2", None),
                                           ("²", None), ("٣", None)])
def test_the_default_respects_a_usable_omp_num_threads(monkeypatch, env, expected):
    monkeypatch.setenv("OMP_NUM_THREADS", env)
    assert devices.default_threads() == (expected or max(1, cores() - 1))


@pytest.mark.parametrize("value", [0, -1, "0", "x", "1.5", 1025, True, 2.0, "", "²", "٣"])
def test_a_bad_thread_count_is_refused_naming_what_is_accepted(value):
    with pytest.raises(devices.ThreadsError, match="accepted: auto or 1 to 1024"):
        devices.parse_threads(value)


def threads_after(argv: list[str], omp: str | None) -> tuple[int, int]:
    """(exit status, torch's intra-op thread count) after running rnnplay's main() in a fresh interpreter."""
    code = ("import sys, torch\nfrom engine.cli.main import main\nstatus = main(sys.argv[1:])\n"
            "print(status, torch.get_num_threads())")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if omp is not None:
        env["OMP_NUM_THREADS"] = omp
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120, env=env)
    status, threads = out.stdout.split()[-2:]
    return int(status), int(threads)


TRAIN = ["train", "--preset", "hello", "--steps", "2", "--device", "cpu"]


def test_train_uses_the_default_without_the_flag():
    assert threads_after(TRAIN, None) == (0, max(1, cores() - 1))


def test_train_uses_omp_num_threads_when_set():
    assert threads_after(TRAIN, "3") == (0, 3)


def test_threads_flag_wins_over_omp_num_threads(tmp_path):
    assert threads_after([*TRAIN, "--threads", "2", "--save", str(tmp_path / "h.safetensors")], "1") == (0, 2)
    assert threads_after(["predict", str(tmp_path / "h.safetensors"), "hello", "--threads", "3"], "1") == (0, 3)


def test_tui_passes_the_resolved_count_to_the_app(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert tui_options(build_parser().parse_args(["tui"]))["threads"] == 4
    assert tui_options(build_parser().parse_args(["tui", "--threads", "2"]))["threads"] == 2
