"""The `rnnplay` command: rich output for people, JSON lines for scripts. torch and the TUI load lazily."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from engine import cli_export, cli_inspect, cli_race, cli_watch, presets
from engine.cli_args import (
    RESUMABLE,
    Parser,
    UsageError,
    VersionAction,
    add_run_settings,
    add_threads,
    device_name,
    given_settings,
    nonempty,
    process_count,
    refuse_unresumable,
    some_text,
    temperature,
)
from engine.config import unused_settings
from engine.rescue import RESCUED
from engine.signals import PIPE_CLOSED, QuietOutput, StopOnSignals, silence_stdout
from engine.tasks import REGISTRY
from engine.text import PATH_LIMIT, echo, error_line, visible

# override flag -> TrainConfig field
OVERRIDES = {"task": str, "cell": str, "layers": int, "hidden": int, "embedding": int, "head": str,
             "dropout": float, "optimizer": str, "lr": float, "batch_size": int, "steps": int, "clip": float,
             "seed": int, "device": str, "key": int, "length": int, "corpus": str, "log_every": int,
             "eval_every": int, "symbols": int, "delay": int, "keyword": str, "precision": str, "seconds": float,
             "schedule": str, "warmup": float, "forget_bias": float, "until": float}
DEFAULT_FOR_TASK = {name: task.preset for name, task in REGISTRY.items()}  # the base for --task NAME
MAX_STEPS = 100_000_000  # TrainConfig's upper bound: "until the time budget ends"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="rnnplay", description="A playground for recurrent neural networks. "
                    "With no command, opens the terminal app.")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tui = sub.add_parser("tui", help="open the terminal app (the default); takes train's run settings")
    add_run_settings(tui, OVERRIDES)
    tui.add_argument("--load", metavar="CKPT", type=nonempty("a checkpoint file"), help="open a saved model")
    sub.add_parser("presets", help="list the presets: the lessons exactly, and recommended ones")
    train = sub.add_parser("train", help="train headless; --json prints one JSON event per line")
    add_run_settings(train, OVERRIDES)
    train.add_argument("--resume", metavar="CKPT", type=nonempty("a checkpoint file"),
                       help="continue a saved run from its step; --steps N then means N more steps")
    train.add_argument("--save", metavar="CKPT", help="save the model (.safetensors) when the run ends")
    train.add_argument("--metrics", metavar="FILE.jsonl", help="append every event as a JSON line to this file")
    train.add_argument("--json", action="store_true", help="print events as JSON lines instead of progress")
    train.add_argument("--nproc", type=process_count, metavar="N", help="train data-parallel in N processes "
                       "on this machine (torchrun; --batch-size is per process)")
    for verb in ("encrypt", "decrypt"):
        p = sub.add_parser(verb, help=f"{verb} TEXT with an exact cipher over A-Z and '-' (Caesar or Vigenere)")
        p.add_argument("text", metavar="TEXT")
        p.add_argument("--cipher", choices=("caesar", "vigenere"), default="caesar", help="default caesar")
        p.add_argument("--key", type=int, help="caesar: shift, 0-26 (default 13)")
        p.add_argument("--keyword", help="vigenere: the repeating keyword, letters A-Z (A shifts by 0)")
    predict = sub.add_parser("predict", help="run a saved model on TEXT: decrypt, complete or map it")
    predict.add_argument("checkpoint", metavar="CKPT", type=nonempty("a checkpoint file"))
    predict.add_argument("text", metavar="TEXT", type=some_text)
    predict.add_argument("--length", type=int, help="completion: total length of the output")
    predict.add_argument("--temperature", type=temperature, default=0.0, help="completion: 0 = greedy (default)")
    predict.add_argument("--device", default="cpu", type=device_name, help="device to run on (default cpu)")
    add_threads(predict)
    cli_race.add_parser(sub, OVERRIDES)
    cli_inspect.add_parser(sub)
    cli_export.add_parser(sub, OVERRIDES)
    cli_watch.add_parser(sub)
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
    from engine.cli_tui import run_tui

    return run_tui(args)


def cmd_presets(args) -> int:
    from engine.cli_tui import preset_lines

    for line in preset_lines():
        print(line)
    return 0


def cmd_cipher(args) -> int:
    from engine.tasks import caesar, vigenere

    if args.cipher == "vigenere":
        if args.key is not None or not args.keyword:
            raise UsageError("--cipher vigenere takes --keyword WORD (letters A-Z), not --key")
        try:
            vigenere.shifts(args.keyword)
        except ValueError as e:
            raise UsageError(f"--keyword: {e}, got {echo(args.keyword)}") from None
        key, module = args.keyword, vigenere
    else:
        if args.keyword is not None:
            raise UsageError("--keyword is for --cipher vigenere; the Caesar cipher takes --key K")
        key, module = _key(13 if args.key is None else args.key), caesar
    print((module.encrypt if args.command == "encrypt" else module.decrypt)(args.text, key))
    return 0


def _key(key: int) -> int:
    if not 0 <= key <= 26:
        raise UsageError(f"--key: {key} is out of range; accepted: 0 to 26")
    return key


def cmd_predict(args) -> int:
    apply_threads(args)
    import engine
    from engine.text import visible

    model = engine.load(args.checkpoint, device=args.device)
    refuse_unused_sampling(args, model.config.task)
    refuse_unread_characters(args.text, model)
    # the vocabulary comes from the file: a completion keeps its line feeds, nothing else reaches the terminal raw
    print(visible(model.predict(args.text, args.length, args.temperature), lines=model.config.task == "completion"))
    return 0


def refuse_unread_characters(text: str, model) -> None:
    """TEXT must be what the model reads: a character it would silently read as a blank is refused, as in Play."""
    from engine.accepted import refused

    problem = refused(text, model.config, model.vocab)
    if problem:
        raise UsageError(f"TEXT: {problem}")


def refuse_unused_sampling(args, task: str) -> None:
    """--length and --temperature shape a completion; other models answer one symbol per input symbol."""
    for flag, given in (("--length", args.length is not None), ("--temperature", args.temperature != 0.0)):
        if given and task != "completion":
            raise UsageError(f"{flag}: a {task} model answers one symbol per input symbol and does not use it; "
                             "only completion models take --length and --temperature")


def train_config(args):
    """The preset (named, or the default for --task) with the flags given applied; refuses flags the task ignores."""
    overrides = given_settings(args, OVERRIDES)
    if overrides.get("seconds") and "steps" not in overrides:
        overrides["steps"] = MAX_STEPS  # a time budget alone bounds the run, not the preset's steps
    if "eval_every" in overrides:  # asked for: exactly every N steps, not deferred by a preset's time budget
        overrides.update(eval_budget=0.0, eval_early=False)
    name = args.preset or DEFAULT_FOR_TASK.get(overrides.get("task"), "caesar")
    config = presets.get(name).replace(**overrides)
    unused = unused_settings(config)
    for field in overrides:
        if field in unused:
            raise UsageError(f"--{field.replace('_', '-')}: {unused[field]}")
    return config


def apply_threads(args) -> None:
    from engine.devices import set_threads

    set_threads(args.threads)


def new_trainer(args):
    import engine

    config = train_config(args)
    apply_threads(args)
    return engine.Trainer(config)


def resume_trainer(args):
    """Continue a checkpoint; --steps N means N more steps, and flags it cannot apply are refused."""
    import engine

    refuse_unresumable(args, OVERRIDES)
    apply_threads(args)
    overrides = {k: getattr(args, k) for k in RESUMABLE if k != "steps" and getattr(args, k) is not None}
    if "eval_every" in overrides:  # as for a new run: exactly every N steps
        overrides.update(eval_budget=0.0, eval_early=False)
    trainer = engine.Trainer.resume(args.resume, **overrides)
    if args.steps is not None:
        if not 1 <= args.steps <= MAX_STEPS - trainer.step:
            raise UsageError(f"--steps: {echo(args.steps)} more steps is out of range; accepted: 1 to "
                             f"{MAX_STEPS - trainer.step:,} (the checkpoint is at step {trainer.step:,})")
        trainer.config = trainer.config.replace(steps=trainer.step + args.steps)
        if args.seconds is None and trainer.config.seconds:  # N more steps, not cut by the old run's clock
            trainer.config, trainer.trained_seconds = trainer.config.replace(seconds=0.0), 0.0
    elif args.seconds:
        trainer.config = trainer.config.replace(steps=MAX_STEPS)
    if trainer.dropout_rng.note and trainer.world.leader:  # resumed by another process count than saved it
        print(one_line(f"rnnplay: note: {trainer.dropout_rng.note}"), file=sys.stderr, flush=True)
    return trainer


def cmd_train(args) -> int:
    from engine import distributed, launch

    if args.nproc and args.nproc > 1 and not distributed.under_torchrun():
        check_outputs(args)
        if args.device or not args.resume:  # a resumed run's device is the checkpoint's, read by the workers
            launch.check_gpus(args.nproc, args.device or "auto")  # presets leave the device to auto
        return launch.launch(launch.train_argv(args.argv), args.nproc)
    return distributed.as_rank(args, train)


def check_outputs(args) -> None:
    """Every output path is checked before torch loads and the first step: a bad path never costs a run."""
    from engine.outputs import check_kind, check_target

    for path, flag, kind in ((args.save, "--save", "checkpoint"), (args.metrics, "--metrics", "metrics")):
        if path is not None:
            check_target(path, flag)
            check_kind(path, flag, kind)
    if args.save and args.metrics and os.path.realpath(args.save) == os.path.realpath(args.metrics):
        raise UsageError(f"--save and --metrics name the same file {echo(args.save)}; give each its own")


def train(args, world) -> int:
    """One run of `rnnplay train`: in this process alone, or as one rank of a torchrun launch."""
    from contextlib import ExitStack

    from engine import locks
    from engine.distributed import together

    together(world, lambda: world.leader and check_outputs(args))  # rank 0 writes; the others wait for its word
    with ExitStack() as held:
        # one run per checkpoint (rank 0 writes it), refused before the first step
        together(world, lambda: world.leader and args.save is not None
                 and held.enter_context(locks.writing(args.save, "--save")))
        trainer = together(world, lambda: resume_trainer(args) if args.resume else new_trainer(args))
        if not world.leader:  # rank 0 alone prints, writes metrics and saves
            args.save = args.metrics = None
        stop = threading.Event()
        signals = StopOnSignals(stop)  # Ctrl-C, SIGTERM and SIGHUP stop after the step, then save
        try:  # the handlers stay until the save ignores those signals: no gap where a second one kills it
            event, reporter = run_reported(args, trainer, stop, signals)
            if args.save is not None:
                with world.saving():
                    saved = save_reported(args, trainer, reporter)
                if not saved:
                    return RESCUED
        finally:
            signals.restore()
    if stop.is_set():
        return signals.status
    return 1 if event.reason in ("diverged", "failed") else 0


def run_reported(args, trainer, stop, signals):
    """Run `trainer`, showing and logging each event; returns the last event and the reporter."""
    from engine.console import Reporter
    from engine.outputs import AppendLog

    metrics = AppendLog.open(args.metrics) if args.metrics is not None else None
    reporter = QuietOutput(Reporter(json_lines=args.json), signals)  # so does a closed stdout
    try:
        with reporter:
            for event in trainer.run(stop):
                reporter.show(event)
                failure = metrics and metrics.write(json.dumps(event.to_dict()))
                if failure:  # said once; the run and its save go on
                    print(f"rnnplay: warning: {one_line(failure)}", file=sys.stderr, flush=True)
    finally:
        if metrics:
            metrics.close()
    return event, reporter


def save_reported(args, trainer, reporter) -> bool:
    """Save to --save, or to a rescue file saying where in one line; True if --save was written."""
    from engine.rescue import rescue_line, save_or_rescue

    where, failure = save_or_rescue(trainer, args.save)
    if failure is None:
        reporter.note(f"saved {visible(args.save)}")
        return True
    print(one_line(rescue_line("--save", args.save, where, failure)), file=sys.stderr, flush=True)
    return False


COMMANDS = {"tui": cmd_tui, "presets": cmd_presets, "encrypt": cmd_cipher, "decrypt": cmd_cipher,
            "predict": cmd_predict, "train": cmd_train, "race": cli_race.cmd_race, "inspect": cli_inspect.cmd_inspect,
            "export-script": cli_export.cmd_export, "watch": cli_watch.cmd_watch}

if __name__ == "__main__":
    sys.exit(main())
