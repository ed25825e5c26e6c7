"""PathSuggester: → in the save and load dialogs completes a file path from the folder typed so far.

The dialog's own suggestion (the last checkpoint, a name from the preset) comes first; otherwise the
folder's entries that start with what is typed: checkpoints and folders before other files. Names
with control characters are never offered (they would be written raw to the terminal).
"""

from __future__ import annotations

import os

from textual.suggester import Suggester

CHECKPOINT = ".safetensors"
MOST_ENTRIES = 2000  # a huge folder is not read to its end on each key


def folder_entries(folder: str) -> list[tuple[str, bool]]:
    """(name, is a folder) of the first entries of `folder`; none if it cannot be read."""
    entries = []
    try:
        with os.scandir(os.path.expanduser(folder) or ".") as scan:
            for entry in scan:
                if len(entries) >= MOST_ENTRIES:
                    break
                try:
                    entries.append((entry.name, entry.is_dir()))
                except OSError:
                    continue
    except OSError:
        return []
    return entries


def completion(value: str, entries: list[tuple[str, bool]]) -> str | None:
    """`value` completed with the first matching entry: checkpoints, then folders, then other files."""
    start = value[: len(value) - len(os.path.basename(value))]
    prefix = os.path.basename(value)
    matches = [(name, is_dir) for name, is_dir in entries
               if name.startswith(prefix) and name.isprintable() and (prefix.startswith(".") or name[0] != ".")]
    if not matches:
        return None
    name, is_dir = min(matches, key=lambda m: (not m[0].endswith(CHECKPOINT), not m[1], m[0]))
    completed = start + name + (os.sep if is_dir else "")
    return completed if completed != value else None


class PathSuggester(Suggester):
    def __init__(self, suggestion: str = "") -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # the folder changes while the dialog is open
        self.suggestion = suggestion

    async def get_suggestion(self, value: str) -> str | None:
        if self.suggestion and self.suggestion.startswith(value) and self.suggestion != value:
            return self.suggestion
        return completion(value, folder_entries(os.path.dirname(value)))
