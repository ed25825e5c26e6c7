"""The flags `rnnplay` shares between commands, and the checks argparse cannot express. No torch here."""

from __future__ import annotations

import argparse
import difflib
import math

from engine.config import DEVICE_PATTERN
from engine.text import echo

# what a resumed run can change: how it learns from here on, how long, how it reports, where it runs
RESUMABLE = ("lr", "clip", "steps", "seconds", "schedule", "warmup", "precision", "log_every", "eval_every", "until",
             "device", "corpus")  # corpus: the same text, moved (refused unless its characters match)


class UsageError(Exception):
    """A mistake in how rnnplay was called: one line, exit status 2."""


class StoreOnce(argparse._StoreAction):
    """argparse's plain `store`, except that a flag given twice is refused: the last one would silently win."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given_once", set())
        if option_string is not None and self.dest in given:
            raise argparse.ArgumentError(self, "given more than once; give it once (the value to use)")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", None, StoreOnce)  # every single-value flag, in every subcommand
        self.register("action", "store", StoreOnce)
        self.register("type", int, whole_number)  # argparse would echo the whole value typed, unescaped
        self.register("type", float, real_number)

    def parse_args(self, args=None, namespace=None):
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:  # argparse would echo them all, whole: one can be megabytes
            more = f" and {len(extras) - 3} more" if len(extras) > 3 else ""
            shown = " ".join(echo(extra) for extra in extras[:3]) + more
            raise UsageError(f"unrecognized arguments: {shown}; see `rnnplay --help`")
        return namespace

    def error(self, message):  # argparse's usage errors, as one line
        raise UsageError(message)


class VersionAction(argparse.Action):
    """`rnnplay --version`, looked up only when asked for."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("rnn-playground")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        print(f"rnnplay {number}")
        parser.exit(0)


def flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def nonempty(what: str):
    def check(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError(f"an empty value is not accepted; give {what}")
        return value
    return check


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{echo(value)} is not a whole number (such as 3 or 1000)") from None


def real_number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{echo(value)} is not a number (such as 0.5 or 1e-3)") from None


def preset_name(value: str) -> str:
    """A preset's name, checked here so the error echoes a cut value (a typed name can be megabytes)."""
    from engine import presets

    nonempty("a preset name (see `rnnplay presets`)")(value)
    if value not in presets.names():
        close = difflib.get_close_matches(value[:100], presets.names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise argparse.ArgumentTypeError(f"no preset {echo(value)}{hint}; see `rnnplay presets`")
    return value


def some_text(value: str) -> str:
    """TEXT for a model: anything but nothing (an empty prompt has nothing to decrypt, complete or map)."""
    if value == "":
        raise argparse.ArgumentTypeError("an empty text is not accepted; give the text to decrypt, complete or map")
    return value


def thread_count(value: str) -> int:
    from engine.devices import MAX_THREADS, ThreadsError, parse_threads

    try:
        return parse_threads(value)
    except ThreadsError:
        message = (f"{echo(value)} is not a thread count; accepted: auto (the default: one fewer than "
                   f"the cores, or OMP_NUM_THREADS) or 1 to {MAX_THREADS}")
        raise argparse.ArgumentTypeError(message) from None


def temperature(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number >= 0):
        raise argparse.ArgumentTypeError(f"{echo(value)} is not a temperature; accepted: 0 (greedy, the default) "
                                         "or a positive number (1 samples the model's own probabilities)")
    return number


def process_count(value: str) -> int:
    from engine.distributed.data_parallel import MAX_PROCESSES

    if not (value.strip().isdigit() and 1 <= int(value) <= MAX_PROCESSES):
        raise argparse.ArgumentTypeError(f"{echo(value)} is not a process count; accepted: 1 to {MAX_PROCESSES} "
                                         "(one per core or GPU is usually best)")
    return int(value)


def device_name(value: str) -> str:
    if not DEVICE_PATTERN.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{echo(value)} is not a device; accepted: auto, cpu, cuda, cuda:N or mps")
    return value


def add_threads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=thread_count, metavar="N",
                        help="CPU threads for torch: auto (default: one fewer than the cores, at least 1, "
                             "or OMP_NUM_THREADS) or a number; more help big models on an idle machine only")


def add_run_settings(parser: argparse.ArgumentParser, overrides: dict) -> None:
    """The run settings `train` and `tui` share: a preset, then any TrainConfig field as a flag."""
    parser.add_argument("--preset", type=preset_name,
                        help="base configuration (default: the recommended one for --task, or caesar)")
    for name, kind in overrides.items():
        kind = device_name if name == "device" else kind
        parser.add_argument(flag(name), dest=name, type=kind, metavar=name.upper())
    parser.add_argument("--pairs", metavar="IN:OUT,...", help="mapping pairs, e.g. hello:ohlol,world:dlrow")
    parser.add_argument("--no-zero-grad", dest="accumulate_grad", action="store_const", const=True,
                        help="never zero gradients (Lesson A's famous omission)")
    add_threads(parser)


def given_settings(args, overrides: dict) -> dict:
    """{TrainConfig field: value} for the run settings given on the command line (--preset excluded)."""
    from engine.config import parse_pairs

    given = {k: getattr(args, k) for k in overrides if getattr(args, k) is not None}
    if args.pairs is not None:
        given["pairs"] = parse_pairs(args.pairs)
    if args.accumulate_grad:
        given["accumulate_grad"] = True
    return given


def refuse_unresumable(args, overrides: dict) -> None:
    """A resumed run keeps its checkpoint's task, model and data: refuse, by name, the flags it cannot apply."""
    names = (["preset"] if args.preset is not None else []) + list(given_settings(args, overrides))
    for name in names:
        if name not in RESUMABLE:
            shown = flag("no_zero_grad") if name == "accumulate_grad" else flag(name)
            allowed = ", ".join(flag(n) for n in RESUMABLE)
            raise UsageError(f"{shown}: a resumed run keeps its checkpoint's task, model and data; "
                             f"with --resume only {allowed} and --threads can change")
