"""The flags `rnnplay` shares between commands, and the checks argparse cannot express. No torch here."""

from __future__ import annotations

import argparse
import difflib
import math

from engine.config import DEVICE_PATTERN, SETTINGS
from engine.text import echo


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
    """A setting's command-line flag: its own (--no-zero-grad), else the field's name (batch_size: --batch-size)."""
    return (field in SETTINGS and SETTINGS[field].flag) or "--" + field.replace("_", "-")


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


def thread_count(value: str) -> int | None:
    """A count, or None for auto (the engine's rule: a script exported with it keeps the rule, not this machine's)."""
    from engine.devices import MAX_THREADS, ThreadsError, parse_threads

    try:
        count = parse_threads(value)
        return None if value.strip().lower() == "auto" else count
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


# how a setting of each kind is typed on the command line (a bool's flag sets it true: store_const)
ARGUMENT_TYPES = {"int": int, "float": float, "choice": str, "text": str, "pairs": str, "device": device_name}
METAVARS = {"pairs": "IN:OUT,..."}  # else the field's name in capitals


def add_run_settings(parser: argparse.ArgumentParser, unlisted: tuple[str, ...] = ()) -> None:
    """The run settings `train`, `tui`, `race` and `export-script` share: a preset, then every TrainConfig
    field as a flag, typed, named and explained by its facts (engine.config.SETTINGS). The `unlisted` ones
    are parsed (the command refuses them in its own words) but left out of --help."""
    from engine import presets

    parser.add_argument("--preset", type=preset_name,
                        help=f"base configuration (default: the recommended one for --task, or {presets.DEFAULT})")
    for name in SETTINGS:
        add_setting(parser, name, listed=name not in unlisted)
    add_threads(parser)


def add_setting(parser: argparse.ArgumentParser, name: str, listed: bool = True) -> None:
    """The flag of one TrainConfig field, typed, named and explained by its facts."""
    facts = SETTINGS[name]
    accepted = facts.accepted()
    text = (f"{facts.help} ({accepted})" if accepted else facts.help).replace("%", "%%")
    text = text if listed else argparse.SUPPRESS
    if facts.kind == "bool":
        parser.add_argument(flag(name), dest=name, action="store_const", const=True, help=text)
    else:
        parser.add_argument(flag(name), dest=name, type=ARGUMENT_TYPES[facts.kind],
                            metavar=METAVARS.get(facts.kind, name.upper()), help=text)


def given_settings(args) -> dict:
    """{TrainConfig field: value} for the run settings given on the command line (--preset excluded)."""
    from engine.config import parse_pairs

    given = {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}
    if "pairs" in given:
        given["pairs"] = parse_pairs(given["pairs"])
    return given


def exactly_every(settings: dict) -> dict:
    """--eval-every N asked for: evaluate exactly every N steps, not deferred by a preset's time budget or
    early evaluations (unless --eval-budget or --eval-early are given too)."""
    if "eval_every" in settings:
        settings.setdefault("eval_budget", 0.0)
        settings.setdefault("eval_early", False)
    return settings


def refuse_unresumable(args) -> None:
    """A resumed run keeps its checkpoint's task, model and data: refuse, by name, the flags it cannot apply."""
    names = (["preset"] if args.preset is not None else []) + list(given_settings(args))
    for name in names:
        if name == "preset" or not SETTINGS[name].resume.resumable:
            allowed = ", ".join(flag(n) for n, facts in SETTINGS.items() if facts.resume.resumable)
            raise UsageError(f"{flag(name)}: a resumed run keeps its checkpoint's task, model and data; "
                             f"with --resume only {allowed} and --threads can change")
