"""Fixtures for the TUI tests."""

from __future__ import annotations

import pytest
from tui_helpers import DEVICES

from tui.app import make_app


@pytest.fixture
def app_factory():
    def build(preset: str = "caesar", **kwargs):
        return make_app(preset, devices=DEVICES, **kwargs)

    return build
