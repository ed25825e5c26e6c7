"""Fixtures for the TUI tests."""

from __future__ import annotations

import pytest
from tui_helpers import DEVICES

from tui.app import PlaygroundApp, make_app

STAYS_SECONDS = 3600.0


@pytest.fixture(autouse=True)
def toasts_stay(monkeypatch):
    """Toasts last until the test ends. They vanish after 5-10 s in use; on a busy machine a test (or a
    snapshot) reached them after that and failed ("the toasts were shown", the finished screen without
    its "Run completed"), so a test that checks a toast must not race its timeout."""
    notify = PlaygroundApp.notify

    def lasting(app, message: str, **kwargs):
        notify(app, message, **{**kwargs, "timeout": STAYS_SECONDS})

    monkeypatch.setattr(PlaygroundApp, "notify", lasting)


@pytest.fixture
def app_factory():
    def build(preset: str = "caesar", **kwargs):
        return make_app(preset, devices=DEVICES, **kwargs)

    return build
