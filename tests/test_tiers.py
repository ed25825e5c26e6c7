"""tests/conftest.py marks a test `subprocess` or `pilot` from what its code reaches: the rule, on helpers here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def starts_a_process():
    subprocess.run(["true"], check=True)


def calls_a_helper_that_starts_one():
    return starts_a_process()


def imports_the_cli_helper_inside():
    from tests.engine.cli_helpers import rnnplay

    return rnnplay("--version")


async def drives_the_app(app):
    async with app.run_test() as pilot:
        await pilot.pause()


def pure():
    return sorted([3, 1, 2])


@pytest.fixture
def tiers(request):
    """tests/conftest.py as pytest loaded it (two files are named conftest: found by path, not by name)."""
    path = str(Path(__file__).with_name("conftest.py"))
    conftest = next(p for p in request.config.pluginmanager.get_plugins() if getattr(p, "__file__", None) == path)
    return lambda func: conftest._reached(func, {})


def test_a_process_is_seen_through_helpers_and_imports_inside_a_function(tiers):
    for func in (starts_a_process, calls_a_helper_that_starts_one, imports_the_cli_helper_inside):
        assert "subprocess" in tiers(func), func.__name__
    assert "run_test" in tiers(drives_the_app)
    assert not tiers(pure) & {"subprocess", "Popen", "run_test"}  # the rule can say no


def test_this_file_is_marked_as_its_code_says(request):
    marks = {m.name for m in request.node.iter_markers()}
    assert not marks & {"subprocess", "pilot"}  # a test that only reads code is in the fast tier
