"""The engine is a core with no UI, and the command starts fast."""

import subprocess
import sys


def loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_engine_loads_no_ui_library_and_no_torch():
    loaded = loaded_after("import engine; engine.presets.get('caesar'); engine.tasks.caesar.encrypt('a')")
    assert not loaded & {"textual", "rich", "plotext", "textual_plotext", "torch"}


def test_training_headless_loads_no_ui_library():
    loaded = loaded_after("import engine; t = engine.Trainer(engine.presets.get('hello').replace(device='cpu', "
                          "steps=2)); list(t.run())")
    assert "torch" in loaded and not loaded & {"textual", "rich", "plotext", "textual_plotext"}


def test_cli_help_does_not_import_torch():
    loaded = loaded_after("import sys; sys.argv = ['rnnplay', '--help']\nfrom engine.cli import main as cli\n"
                          "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass")
    assert "torch" not in loaded


def test_the_session_decides_without_a_terminal_library():
    """The app's decisions (tui/session.py and what it uses) load no Textual, Rich or torch: testable bare."""
    loaded = loaded_after("import tui.session")
    assert "tui" in loaded and not loaded & {"textual", "rich", "plotext", "textual_plotext", "torch"}
