"""The `rnnplay` command: rich output for people, JSON lines for scripts. torch and the TUI load lazily."""

from __future__ import annotations

import argparse
import os
import sys

from engine.cli import export, inspect, race, watch
from engine.cli.args import (
    Parser,
    UsageError,
    VersionAction,
    add_run_settings,
    add_setting,
    add_threads,
    device_name,
    nonempty,
    process_count,
    some_text,
    temperature,
)
from engine.cli.signals import PIPE_CLOSED, silence_stdout
from engine.cli.train import apply_threads, cmd_train
from engine.tasks import ciphers, task_class
from engine.text import PATH_LIMIT, echo, error_line, visible


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="rnnplay", description="A playground for recurrent neural networks. "
                    "With no command, opens the terminal app.")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tui = sub.add_parser("tui", help="open the terminal app (the default); takes train's run settings")
    add_run_settings(tui)
    tui.add_argument("--load", metavar="CKPT", type=nonempty("a checkpoint file"), help="open a saved model")
    sub.add_parser("presets", help="list the presets: the lessons exactly, and recommended ones")
    train = sub.add_parser("train", help="train headless; --json prints one JSON event per line")
    add_run_settings(train)
    train.add_argument("--resume", metavar="CKPT", type=nonempty("a checkpoint file"),
                       help="continue a saved run from its step; --steps N then means N more steps")
    train.add_argument("--save", metavar="CKPT", help="save the model (.safetensors) when the run ends")
    train.add_argument("--metrics", metavar="FILE.jsonl", help="append every event as a JSON line to this file")
    train.add_argument("--json", action="store_true", help="print events as JSON lines instead of progress")
    train.add_argument("--nproc", type=process_count, metavar="N", help="train data-parallel in N processes "
                       "on this machine (torchrun; --batch-size is per process)")
    cipher_names = [task.name for task in ciphers()]  # the tasks with an exact cipher, the first the default
    for verb in ("encrypt", "decrypt"):
        p = sub.add_parser(verb, help=f"{verb} TEXT with an exact cipher ({' or '.join(cipher_names)})")
        p.add_argument("text", metavar="TEXT")
        p.add_argument("--cipher", choices=cipher_names, default=cipher_names[0], help=f"default {cipher_names[0]}")
        for key in dict.fromkeys(task.key_setting for task in ciphers()):  # each cipher's key, as train takes it
            add_setting(p, key)
    predict = sub.add_parser("predict", help="run a saved model on TEXT: its answer for its task")
    predict.add_argument("checkpoint", metavar="CKPT", type=nonempty("a checkpoint file"))
    predict.add_argument("text", metavar="TEXT", type=some_text)
    predict.add_argument("--length", type=int, help="completion: total length of the output")
    predict.add_argument("--temperature", type=temperature, default=0.0, help="completion: 0 = greedy (default)")
    predict.add_argument("--device", default="cpu", type=device_name, help="device to run on (default cpu)")
    add_threads(predict)
    race.add_parser(sub)
    inspect.add_parser(sub)
    export.add_parser(sub)
    watch.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for name in ("stdout", "stderr"):  # started with a closed stream (`>&-`): write to nowhere, not crash
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w"))
    for stream in (sys.stdout, sys.stderr):  # text from argv may hold surrogate escapes: never crash printing it
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    _drop_unusable_terminal_size()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.argv = sys.argv[1:] if argv is None else list(argv)  # what --nproc hands to torchrun
        if args.command is None:  # bare `rnnplay` opens the app
            args = parser.parse_args(["tui"])
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit, where it would print a traceback
        return status
    except (UsageError, ValueError) as e:  # ValueError: ConfigError, DeviceError, CheckpointError, VocabularyError
        print(one_line(f"rnnplay: error: {e}"), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rnnplay presets | head`: the reader has all it wanted
        silence_stdout()
        return PIPE_CLOSED
    except OSError as e:  # stdout on a full disk (/dev/full), a terminal that went away, a file error
        what = echo(e.filename, PATH_LIMIT) if e.filename else "cannot write the output"
        if not e.filename:
            silence_stdout()
        print(one_line(f"rnnplay: error: {what} ({e.strerror or type(e).__name__})"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def one_line(text: str) -> str:
    """A message for stderr: one line, control characters escaped, cut to a readable length."""
    return error_line(text)


def _drop_unusable_terminal_size() -> None:
    """COLUMNS=0 (or LINES=0, or junk) would make rich draw nothing: ask the terminal itself instead."""
    for name, least in (("COLUMNS", 20), ("LINES", 5)):
        value = os.environ.get(name)
        if value is not None and not (value.strip().isdigit() and int(value) >= least):
            del os.environ[name]


def cmd_tui(args) -> int:
    from engine.cli.tui import run_tui

    return run_tui(args)


def cmd_presets(args) -> int:
    from engine.cli.tui import preset_lines

    for line in preset_lines():
        print(line)
    return 0


def cmd_cipher(args) -> int:
    """The exact cipher of a task that has one (--cipher), keyed by its config field's flag (--key, --keyword)."""
    from engine.config import ConfigError, TrainConfig

    task = task_class(args.cipher)
    for other in ciphers():  # a key flag another cipher reads: say which
        if other.key_setting != task.key_setting and getattr(args, other.key_setting) is not None:
            raise UsageError(f"--{other.key_setting} is for --cipher {other.name}; the {task.name} cipher takes "
                             f"--{task.key_setting}: {task.key_words}")
    key = getattr(args, task.key_setting)
    if key is None and task.key_required:
        raise UsageError(f"--cipher {task.name} takes --{task.key_setting}: {task.key_words}")
    try:  # the config's own check of the key (its default when not given)
        config = TrainConfig(task=task.name, **({} if key is None else {task.key_setting: key}))
    except ConfigError as e:
        raise UsageError(f"--{e.field.replace('_', '-')}: {str(e).removeprefix(f'{e.field}: ')}") from None
    print((task.encipher if args.command == "encrypt" else task.decipher)(config, args.text))
    return 0


def cmd_predict(args) -> int:
    apply_threads(args)
    import engine

    model = engine.load(args.checkpoint, device=args.device)
    task = task_class(model.config.task)
    generates = task.generated_length(model.config) is not None
    refuse_unused_sampling(args, task.name, generates)
    refuse_unread_characters(args.text, model)
    # the vocabulary comes from the file: generated text keeps its line feeds, nothing else reaches the terminal raw
    print(visible(model.predict(args.text, args.length, args.temperature), lines=generates))
    return 0


def refuse_unread_characters(text: str, model) -> None:
    """TEXT must be what the model reads: a character it would silently read as a blank is refused, as in Play."""
    problem = task_class(model.config.task).refused(model.config, model.vocab, text)
    if problem:
        raise UsageError(f"TEXT: {problem}")


def refuse_unused_sampling(args, task: str, generates: bool) -> None:
    """--length and --temperature shape generated text; other models answer one symbol per input symbol."""
    for flag, given in (("--length", args.length is not None), ("--temperature", args.temperature != 0.0)):
        if given and not generates:
            raise UsageError(f"{flag}: a {task} model answers one symbol per input symbol and does not use it; "
                             "only models that generate text take --length and --temperature")


COMMANDS = {"tui": cmd_tui, "presets": cmd_presets, "encrypt": cmd_cipher, "decrypt": cmd_cipher,
            "predict": cmd_predict, "train": cmd_train, "race": race.cmd_race, "inspect": inspect.cmd_inspect,
            "export-script": export.cmd_export, "watch": watch.cmd_watch}

if __name__ == "__main__":
    sys.exit(main())
