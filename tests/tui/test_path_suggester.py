"""PathSuggester: → completes a path from the folder typed: its own suggestion first, then checkpoints,
folders, other files; never a hidden file unless asked for, never a name with control characters."""

from __future__ import annotations

import asyncio
import os

from tui.path_suggester import PathSuggester, completion, folder_entries

ENTRIES = [("notes.txt", False), ("nets", True), ("net.safetensors", False), (".hidden.safetensors", False),
           ("n\x1bx.safetensors", False)]


def test_checkpoints_come_before_folders_and_folders_before_other_files():
    assert completion("n", ENTRIES) == "net.safetensors"
    assert completion("runs/nets", ENTRIES) == "runs/nets" + os.sep
    assert completion("runs/no", ENTRIES) == "runs/notes.txt"
    assert completion("x", ENTRIES) is None and completion("net.safetensors", ENTRIES) is None  # nothing to add


def test_hidden_files_only_when_typed_and_never_a_raw_escape():
    assert completion(".h", ENTRIES) == ".hidden.safetensors"
    assert completion("n\x1b", ENTRIES) is None


def test_the_dialogs_own_suggestion_comes_first_and_a_folder_is_read(tmp_path):
    (tmp_path / "caesar-a.safetensors").write_bytes(b"x")
    assert folder_entries(str(tmp_path)) == [("caesar-a.safetensors", False)]
    assert folder_entries(str(tmp_path / "missing")) == []
    suggester = PathSuggester("caesar-step40.safetensors")
    assert asyncio.run(suggester.get_suggestion("caesar-")) == "caesar-step40.safetensors"
    assert asyncio.run(suggester.get_suggestion(str(tmp_path / "c"))) == str(tmp_path / "caesar-a.safetensors")
