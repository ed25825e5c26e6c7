"""`rnnplay train`: the run settings a command line gives, a new or resumed Trainer, and the run itself
(shown, logged to --metrics, saved to --save) alone or as one rank of a torchrun launch."""

from __future__ import annotations

import json
import os
import sys
import threading

from engine import branches, presets
from engine.cli.args import UsageError, exactly_every, flag, given_settings, refuse_unresumable
from engine.cli.signals import QuietOutput, StopOnSignals
from engine.config import MAX_STEPS, unused_settings
from engine.storage.rescue_file import RESCUED
from engine.tasks import task_class
from engine.text import echo, error_line, visible


def base_preset(preset: str | None, task: str | None) -> str:
    """The preset a run starts from: the one named, else the recommended one of --task, else the default."""
    if preset:
        return preset
    return presets.DEFAULT if task is None else task_class(task).preset  # an unknown task: ConfigError naming it


def train_config(args):
    """The preset (named, or the default for --task) with the flags given applied; refuses flags the task ignores."""
    overrides = exactly_every(given_settings(args))
    if overrides.get("seconds") and "steps" not in overrides:
        overrides["steps"] = MAX_STEPS  # a time budget alone bounds the run, not the preset's steps
    config = presets.get(base_preset(args.preset, overrides.get("task"))).replace(**overrides)
    unused = unused_settings(config)
    for field in overrides:
        if field in unused:
            raise UsageError(f"{flag(field)}: {unused[field]}")
    return config


def apply_threads(args) -> None:
    """--threads, for every run this command starts (the engine applies it when it builds one)."""
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

    refuse_unresumable(args)
    apply_threads(args)
    overrides = exactly_every({k: v for k, v in given_settings(args).items() if k != "steps"})  # as a new run
    trainer = engine.Trainer.resume(args.resume, **overrides)
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS - trainer.step:
        raise UsageError(f"--steps: {echo(args.steps)} more steps is out of range; accepted: 1 to "
                         f"{MAX_STEPS - trainer.step:,} (the checkpoint is at step {trainer.step:,})")
    given = {name: getattr(args, name) for name in ("steps", "seconds") if getattr(args, name) is not None}
    config = branches.resumed(trainer.config, trainer.step, given)  # --steps N: N more; a budget alone: to its end
    if config.seconds != trainer.config.seconds:  # N more steps, not cut by the old run's clock
        trainer.trained_seconds = 0.0
    trainer.config = config
    if trainer.dropout_rng.note and trainer.world.leader:  # resumed by another process count than saved it
        print(error_line(f"rnnplay: note: {trainer.dropout_rng.note}"), file=sys.stderr, flush=True)
    return trainer


def cmd_train(args) -> int:
    from engine.distributed import data_parallel, launch

    if args.nproc and args.nproc > 1 and not data_parallel.under_torchrun():
        check_outputs(args)
        if args.device or not args.resume:  # a resumed run's device is the checkpoint's, read by the workers
            launch.check_gpus(args.nproc, args.device or "auto")  # presets leave the device to auto
        return launch.launch(launch.train_argv(args.argv), args.nproc)
    return data_parallel.as_rank(args, train)


def check_outputs(args) -> None:
    """Every output path is checked before torch loads and the first step: a bad path never costs a run."""
    from engine.storage.output_files import check_kind, check_target

    for path, option, kind in ((args.save, "--save", "checkpoint"), (args.metrics, "--metrics", "metrics")):
        if path is not None:
            check_target(path, option)
            check_kind(path, option, kind)
    if args.save and args.metrics and os.path.realpath(args.save) == os.path.realpath(args.metrics):
        raise UsageError(f"--save and --metrics name the same file {echo(args.save)}; give each its own")


def train(args, world) -> int:
    """One run of `rnnplay train`: in this process alone, or as one rank of a torchrun launch."""
    from contextlib import ExitStack

    from engine.distributed.data_parallel import together
    from engine.storage import locks

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
    from engine.cli.console import Reporter
    from engine.storage.output_files import AppendLog

    metrics = AppendLog.open(args.metrics) if args.metrics is not None else None
    reporter = QuietOutput(Reporter(json_lines=args.json), signals)  # so does a closed stdout
    try:
        with reporter:
            for event in trainer.run(stop):
                reporter.show(event)
                failure = metrics and metrics.write(json.dumps(event.to_dict()))
                if failure:  # said once; the run and its save go on
                    print(f"rnnplay: warning: {error_line(failure)}", file=sys.stderr, flush=True)
    finally:
        if metrics:
            metrics.close()
    return event, reporter


def save_reported(args, trainer, reporter) -> bool:
    """Save to --save, or to a rescue file saying where in one line; True if --save was written."""
    from engine.storage.rescue_file import rescue_line, save_or_rescue

    where, failure = save_or_rescue(trainer, args.save)
    if failure is None:
        reporter.note(f"saved {visible(args.save)}")
        return True
    print(error_line(rescue_line("--save", args.save, where, failure)), file=sys.stderr, flush=True)
    return False
