"""Corpora shipped inside the package, so a first run needs no file of its own.

`shakespeare` is tinyshakespeare (about 1.1 MB of the plays, public domain), the classic
character-level corpus. A corpus setting names one of these or a path to a UTF-8 text file.
"""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
BUILTIN = {"shakespeare": "shakespeare.txt"}
DESCRIPTIONS = {"shakespeare": "tinyshakespeare: 1.1 MB of Shakespeare's plays (public domain)"}


def names() -> list[str]:
    """The built-in corpus names, for `--corpus NAME`."""
    return list(BUILTIN)


def resolve(value: str) -> str:
    """The file a corpus setting means: a built-in name gives its packaged file, anything else is a path.

    A name wins over a file of the same name in the current folder; write `./shakespeare` for that.
    A leading `~` is the home folder, as in a shell (the app's field has no shell to expand it).
    """
    if value in BUILTIN:
        return str(_HERE / BUILTIN[value])
    return os.path.expanduser(value)
