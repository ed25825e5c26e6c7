"""`rnnplay tui` and `rnnplay presets`: checks that run before the app opens, and the preset table."""

from __future__ import annotations

import os
import stat
import sys
import textwrap

from engine import presets
from engine.cli.args import UsageError, exactly_every, flag, given_settings
from engine.config import SETTINGS
from engine.text import echo

WIDTH = 80  # `rnnplay presets` fits a standard terminal; wider ones get the same table


def tui_options(args) -> dict:
    """The keyword arguments for tui.app.main(), validated: a ready config (or a checkpoint), the preset, threads.

    Raises UsageError/ConfigError for anything wrong, so the app never opens to show an error.
    """
    from engine.cli.train import base_preset, train_config
    from engine.config import TrainConfig
    from engine.devices import default_threads, resolve

    threads = args.threads if args.threads is not None else default_threads()
    if args.load is None:
        name = base_preset(args.preset, args.task)
        return {"config": train_config(args), "preset": name, "load": None, "threads": threads}
    settings = exactly_every(given_settings(args))  # as `train --resume` takes them
    settings.pop("device", None)  # the app opens the model there (a moved corpus it does not take: refused)
    refused = ["preset"] if args.preset is not None else [name for name in settings
                                                           if not SETTINGS[name].resume.in_place]
    if refused:  # how it learns from here on may change (F5 then starts a branch); its task, model and data not
        allowed = ", ".join(flag(name) for name, facts in SETTINGS.items() if facts.resume.in_place)
        raise UsageError(f"{flag(refused[0])}: --load opens a saved model with its own settings; "
                         f"with --load only {allowed} (F5 then trains a branch), --device and --threads apply")
    check_loadable(args.load)
    TrainConfig().replace(**settings)  # each value in its range, as without --load (ConfigError: one line)
    if args.device is not None:
        resolve(args.device)  # DeviceError naming the devices this machine has
    options = {"config": None, "preset": None, "load": args.load, "threads": threads}
    if args.device is not None:
        options["device"] = args.device
    if settings:
        options["changes"] = settings
    return options


def check_loadable(path: str) -> None:
    """A checkpoint to open must be an existing regular file that reads as a whole, valid checkpoint
    (header, metadata, sizes and tensor table: no tensor is loaded), so a bad one never opens the app."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise UsageError(f"--load: {echo(path)}: {(e.strerror or 'cannot be read').lower()}; "
                         "give a .safetensors checkpoint saved by rnnplay") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(f"--load: {echo(path)} is {kind}; give a .safetensors checkpoint saved by rnnplay")
    from engine.storage.checkpoint_reader import Checkpoint  # imports torch: only for --load, which needs it anyway

    Checkpoint(path)  # CheckpointError: one line naming the file and the field


def require_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the terminal app needs a terminal (stdin and stdout are not both one); "
                         "to train from a script use `rnnplay train`")


def run_tui(args) -> int:
    options = tui_options(args)
    require_terminal()
    return open_app(options)


def open_app(options: dict) -> int:
    from tui.app import main as run_app

    return run_app(**options)


def preset_lines(width: int = WIDTH) -> list[str]:
    """One line per preset (name, task, cell), its description wrapped and indented below it."""
    names = presets.names()
    name_width = max(map(len, names))
    lines = []
    for name in names:
        p = presets.describe(name)
        lines.append(f"{name:<{name_width}}  {p.config.task:<10}  {p.config.cell}")
        lines.extend(textwrap.wrap(p.description, width, initial_indent="    ", subsequent_indent="    "))
    return lines
