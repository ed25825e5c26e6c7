import pytest


@pytest.fixture
def cpu():
    """Configs in tests always run on the CPU, whatever the machine has."""
    return "cpu"
