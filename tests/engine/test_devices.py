"""engine.devices: one thread rule, applied by the engine wherever a model runs, whoever runs it.

Each check starts a fresh interpreter without OMP_NUM_THREADS, sets torch to a count the rule would
never choose (as torch's own default of every core, or another library, would), then runs a model
one way: the engine must bring the count back to the rule's, as `rnnplay train` uses.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine import devices
from engine.cli.main import main as rnnplay

PRELUDE = ("import sys, torch, engine\nfrom engine import devices\n"
           "torch.set_num_threads(devices.default_threads() + 3)\n")
HELLO = "engine.presets.get('hello').replace(device='cpu', steps=2)"
WAYS = {
    "Trainer": f"engine.Trainer({HELLO})",
    "Trainer.resume": "engine.Trainer.resume(sys.argv[1], steps=1)",
    "load": "engine.load(sys.argv[1])",
    "load then inspect": "engine.load(sys.argv[1]).inspect('hello')",
    "race": f"list(engine.race([{HELLO}, {HELLO}.replace(cell='gru')]))",
}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("threads") / "hello.safetensors")
    assert rnnplay(["train", "--preset", "hello", "--steps", "2", "--device", "cpu", "--save", path]) == 0
    return path


def threads_after(code: str, *args: str, omp: str | None = None) -> tuple[int, int]:
    """(torch's thread count after `code`, the rule's count) in a fresh interpreter, OMP_NUM_THREADS=`omp`."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"} | ({} if omp is None else {
        "OMP_NUM_THREADS": omp})
    script = f"{PRELUDE}{code}\nprint(torch.get_num_threads(), devices.default_threads())"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    used, rule = done.stdout.split()[-2:]
    return int(used), int(rule)


@pytest.mark.parametrize("way", WAYS)
def test_every_way_of_running_a_model_uses_the_rule(way, checkpoint):
    used, rule = threads_after(WAYS[way], checkpoint)
    assert used == rule


def test_a_process_choice_holds_for_every_later_run(checkpoint):
    used, _ = threads_after(f"devices.choose_threads(2)\nengine.Trainer({HELLO})\nengine.load(sys.argv[1])",
                            checkpoint)
    assert used == 2


@pytest.mark.parametrize("omp", [None, "1025", "٣"])  # unset, past MAX_THREADS, not ASCII: the rule's fallback
def test_an_exported_script_sets_the_rule_too(tmp_path, omp):
    script = tmp_path / "hello.py"
    assert rnnplay(["export-script", "--preset", "hello", "--steps", "1", "-o", str(script)]) == 0
    run = f"import runpy\nrunpy.run_path({str(script)!r}, run_name='__main__')"
    used, rule = threads_after(run, omp=omp)
    assert used == rule


def test_an_exported_script_keeps_a_thread_count_given_to_export_script(tmp_path):
    script = tmp_path / "hello.py"
    assert rnnplay(["export-script", "--preset", "hello", "--steps", "1", "--threads", "3", "-o", str(script)]) == 0
    used, _ = threads_after(f"import runpy\nrunpy.run_path({str(script)!r}, run_name='__main__')")
    assert used == 3


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
