"""Test tiers, marked here so that a new test cannot forget its marker.

    pytest -m "not slow and not subprocess and not pilot"    the fast tier: under a minute on 2 cores
    pytest                                                   everything (CI)
    .ci/busy                                                 the pilot and subprocess tiers beside a CPU hog

At collection each test is marked from what its code reaches: its body, the test-suite functions it calls
(helpers here, tests/engine/cli_helpers.py, tui_helpers...) and its fixtures, followed through their
globals. A test that reaches `run_test` or the snapshot fixture is `pilot`; one that reaches `subprocess`,
`Popen`, `fork`... is `subprocess`. A guard then checks at run time what detection may miss: a test not
marked `subprocess` that starts a process, or not marked `pilot` that calls App.run_test, fails with the
marker to add. `slow` (over ~2 s alone) is marked by hand where the durations showed it.
"""

from __future__ import annotations

import dis
import importlib
import inspect
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

# Tests train tiny models, where one intra-op thread is fastest and immune to a busy machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")

TESTS = str(Path(__file__).resolve().parent)
PILOT = frozenset({"run_test", "snap_compare"})
PROCESS = frozenset({"subprocess", "Popen", "fork", "forkpty", "posix_spawn", "multiprocessing", "execv", "execvp"})


def _codes(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _imported(code: types.CodeType) -> dict:
    """What `from tests.engine.cli_helpers import rnnplay` inside a function names (test-suite modules only)."""
    found, module = {}, None
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME":
            module = sys.modules.get(instruction.argval)
            if module is None and instruction.argval.startswith("tests."):
                module = importlib.import_module(instruction.argval)
        elif instruction.opname == "IMPORT_FROM" and module is not None:
            if str(getattr(module, "__file__", "")).startswith(TESTS):
                found[instruction.argval] = getattr(module, instruction.argval, None)
    return found


def _reached(func, seen: dict) -> set[str]:
    """Every global and attribute name `func` and the test-suite functions it reaches use."""
    func = inspect.unwrap(getattr(func, "__func__", func))
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return seen.get(code, set()) if code is not None else set()
    names: set[str] = set()
    seen[code] = names  # a cycle reads what is known so far
    scope = getattr(func, "__globals__", {})
    for inner in _codes(code):
        imported = _imported(inner)
        for name in inner.co_names:
            names.add(name)
            target = imported[name] if name in imported else scope.get(name)
            if isinstance(target, type):  # a helper class: its methods
                targets = [v for v in vars(target).values() if inspect.isfunction(v)]
            else:
                targets = [target]
            for each in targets:
                if inspect.isfunction(each) and each.__code__.co_filename.startswith(TESTS):
                    names |= _reached(each, seen)
    return names


def pytest_collection_modifyitems(config, items):
    seen: dict = {}
    for item in items:
        function = getattr(item, "function", None)
        if function is None:
            continue
        names = _reached(function, seen) | set(item.fixturenames)
        for fixture in item.fixturenames:
            if fixture == "_tier_guard":  # the guard below names what it watches for
                continue
            for definition in item._fixtureinfo.name2fixturedefs.get(fixture, ()):
                if str(inspect.getsourcefile(definition.func) or "").startswith(TESTS):
                    names |= _reached(definition.func, seen)
        if names & PILOT:
            item.add_marker(pytest.mark.pilot)
        if names & PROCESS:
            item.add_marker(pytest.mark.subprocess)


@pytest.fixture(autouse=True)
def _tier_guard(request, monkeypatch):
    """Fail a test that starts a process or drives the app without its marker (detection missed it)."""
    marks = {mark.name for mark in request.node.iter_markers()}
    started, driven = [], []
    if "subprocess" not in marks:
        popen = subprocess.Popen.__init__

        def recording_popen(self, args, *rest, **kwargs):
            started.append(repr(args)[:200])
            popen(self, args, *rest, **kwargs)

        monkeypatch.setattr(subprocess.Popen, "__init__", recording_popen)
    app_module = sys.modules.get("textual.app")  # only where a test already imported the app: no cost else
    if "pilot" not in marks and app_module is not None:
        run_test = app_module.App.run_test

        def recording_run_test(self, *args, **kwargs):
            driven.append(type(self).__name__)
            return run_test(self, *args, **kwargs)

        monkeypatch.setattr(app_module.App, "run_test", recording_run_test)
    yield
    if started:
        pytest.fail(f"started a process ({started[0]}) without the `subprocess` marker: add "
                    "@pytest.mark.subprocess (tests/conftest.py did not see it coming)", pytrace=False)
    if driven:
        pytest.fail(f"drove the app ({driven[0]}.run_test) without the `pilot` marker: add @pytest.mark.pilot",
                    pytrace=False)
