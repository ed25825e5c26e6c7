"""A run's model is never lost to a failed final save: it goes to a rescue file instead.

When the checkpoint cannot be written at the end of a run (its folder was deleted, the disk is full,
permissions changed), the model is written to `<stem>.rescue-<step>.safetensors` in the first place
that takes it: the target's folder, then the current folder, then the temp folder ($TMPDIR). An
existing file is never replaced: a number is added to the name instead.
"""

from __future__ import annotations

import os
import tempfile

from engine.text import PATH_LIMIT, echo, visible

RESCUED = 3  # the exit status of `rnnplay train` when the model went to a rescue file (or was lost)
STEM_LIMIT = 100  # characters of the target's name kept in the rescue file's name


def rescue_name(path: str, step: int, number: int = 1) -> str:
    stem = os.path.basename(path)
    if stem.endswith(".safetensors"):
        stem = stem[: -len(".safetensors")]
    stem = stem[:STEM_LIMIT] or "checkpoint"
    extra = f"-{number}" if number > 1 else ""
    return f"{stem}.rescue-{step}{extra}.safetensors"


def places(path: str) -> list[str]:
    """Where a rescue file may go, in order: the target's folder, the current folder, the temp folder."""
    found = []
    for folder in (os.path.dirname(os.path.abspath(path)), _cwd(), tempfile.gettempdir()):
        if folder and folder not in found:
            found.append(folder)
    return found


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the current folder was deleted too
        return ""


def _free_name(folder: str, path: str, step: int) -> str:
    for number in range(1, 1000):
        candidate = os.path.join(folder, rescue_name(path, step, number))
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(folder)


def save_or_rescue(trainer, path: str) -> tuple[str | None, str | None]:
    """(where the model went, None) after a normal save; (rescue file or None, the failure) otherwise."""
    from engine.storage.checkpoint import SaveError

    try:
        trainer.save(path)
        return path, None
    except SaveError as e:
        failure = e.problem
    for folder in places(path):
        try:
            rescue = _free_name(folder, path, trainer.step)
            trainer.save(rescue)
            return rescue, failure
        except (SaveError, OSError):
            continue
    return None, failure


def rescue_line(flag: str, path: str, rescue: str | None, failure: str) -> str:
    """The one stderr line a failed save earns: what failed, why, and where the model is now."""
    where = (f"the model was saved to {visible(rescue, PATH_LIMIT, middle=True)} instead" if rescue
             else "no rescue file could be written either (target folder, current folder, temp folder): "
                  "the model is lost")
    return f"rnnplay: error: {flag}: cannot write {echo(path, PATH_LIMIT)}: {failure}; {where}"
