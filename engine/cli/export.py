"""`rnnplay export-script (CKPT | --preset P [overrides]) [-o FILE]`: a run as a standalone PyTorch script."""

from __future__ import annotations

import os
import re
import sys

from engine.cli.args import UsageError, add_run_settings, nonempty

SAFE_NAME = re.compile(r"[A-Za-z0-9._-]{1,80}")


def add_parser(sub) -> None:
    export = sub.add_parser("export-script", help="write the run as a standalone PyTorch training script")
    export.add_argument("checkpoint", metavar="CKPT", nargs="?", type=nonempty("a checkpoint file"),
                        help="export the run that saved this checkpoint (else --preset and train's flags)")
    add_run_settings(export)
    export.add_argument("-o", "--output", metavar="FILE.py", help="write the script here (default: print it)")


def cmd_export(args) -> int:
    from engine.export.script import render
    from engine.storage import output_files

    if args.output is not None:  # before anything is read: a bad path costs nothing
        output_files.check_target(args.output, "--output")
        _refuse_overwriting_other_files(args.output)
    config, branch = _config(args)
    name = os.path.basename(args.output) if args.output else "train.py"
    name = name if SAFE_NAME.fullmatch(name) else "this_script.py"
    source = os.path.abspath(args.checkpoint) if args.checkpoint else f"preset {args.preset or config.task}"
    text = render(config, name=name, source=source, precision=_precision(config), branch=branch,
                  threads=args.threads)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    output_files.write_atomically(args.output, text.encode("utf-8"), "--output")
    print(f"wrote {_shown(args.output)}: python {_shown(args.output)} trains this run with plain PyTorch",
          file=sys.stderr)
    return 0


def _config(args):
    """The run's config, and for a branch's checkpoint what it branched from ('branch of run 1a2b3c4d at step
    200 (...): lr 0.03 -> 0.001'; '' otherwise)."""
    from engine.cli.args import given_settings
    from engine.cli.train import train_config

    if args.checkpoint is None:
        return train_config(args), ""
    if args.preset is not None:
        raise UsageError("--preset: give a checkpoint or a preset, not both")
    from engine import branches
    from engine.storage.checkpoint_reader import Checkpoint

    meta = Checkpoint(args.checkpoint).meta  # metadata only: validated, nothing executed
    return meta.config.replace(**given_settings(args)), branches.describe(meta.parent)


def _precision(config) -> str:
    """fp32 or bf16: what `auto` means on the device the script will run on (fp32 if that cannot be told)."""
    if config.precision != "auto":
        return config.precision
    from engine import devices, precision
    from engine.devices import DeviceError

    try:
        return precision.resolve("auto", devices.resolve(config.device))
    except (DeviceError, ValueError):
        return "fp32"


EXPORTED = b"Exported by `rnnplay export-script`"  # in every script's docstring (engine.export.parts.HEADER)


def _refuse_overwriting_other_files(path: str) -> None:
    """Replace only a script this command wrote: a typo must never destroy your own script, a checkpoint or
    a corpus (an empty file holds nothing to lose)."""
    from engine.storage.output_files import OutputError

    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except FileNotFoundError:
        return
    except OSError as e:
        raise OutputError("--output", path, f"it cannot be read ({e.strerror})") from None
    if head and not path.endswith(".py"):
        raise OutputError("--output", path, "it exists and is not a .py file; give a new name, or remove the "
                                            "file first", accepted=False)
    if head and EXPORTED not in head:
        raise OutputError("--output", path, "it exists and was not written by rnnplay export-script; give a new "
                                            "name, or remove the file first", accepted=False)


def _shown(path: str) -> str:
    from engine.text import visible

    return visible(path, 200)
