"""The architecture: the engine is a core with no UI, the Session needs no terminal, the command starts fast,
and every module has its test file where a reader looks for it."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest


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


# The tree is mirrored: the test of engine/storage/checkpoint.py is tests/engine/storage/test_checkpoint.py, and a
# package's own code (an __init__.py that defines a function or class: a registry, lazy attributes) is tested in
# test_<package>.py in its folder. An __init__.py that only imports and registers, and __main__.py, need none.
ROOT = Path(__file__).resolve().parents[1]



def needs_a_test(module: Path) -> bool:
    if module.name == "__main__.py":
        return False
    if module.name == "__init__.py":
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        return any(isinstance(node, kinds) for node in ast.parse(module.read_text()).body)
    return True


def mirrored_test(module: Path) -> Path:
    folder = module.parent.relative_to(ROOT)
    name = module.parent.name if module.name == "__init__.py" else module.stem
    return ROOT / "tests" / folder / f"test_{name}.py"


def untested(package: str) -> set[str]:
    modules = sorted((ROOT / package).rglob("*.py"))
    return {str(m.relative_to(ROOT)) for m in modules if needs_a_test(m) and not mirrored_test(m).is_file()}


@pytest.mark.parametrize("package", ["engine", "tui"])
def test_every_module_has_its_mirrored_test_file(package):
    assert untested(package) == set(), "write tests/<path>/test_<module>.py for these"


def test_the_mirror_rule_finds_a_module_s_test_where_a_reader_looks():
    assert mirrored_test(ROOT / "engine/storage/checkpoint.py") == ROOT / "tests/engine/storage/test_checkpoint.py"
    assert mirrored_test(ROOT / "engine/cells/__init__.py") == ROOT / "tests/engine/cells/test_cells.py"
    assert needs_a_test(ROOT / "engine/cells/__init__.py") and not needs_a_test(ROOT / "engine/storage/__init__.py")
    assert not needs_a_test(ROOT / "engine/cli/__main__.py")
