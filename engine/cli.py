"""The `rnnplay` command: rich output for people, JSON lines for scripts. torch and the TUI load lazily."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from engine import presets
from engine.config import parse_pairs

# override flag -> TrainConfig field
OVERRIDES = {"task": str, "cell": str, "layers": int, "hidden": int, "embedding": int, "head": str,
             "dropout": float, "optimizer": str, "lr": float, "batch_size": int, "steps": int, "clip": float,
             "seed": int, "device": str, "key": int, "length": int, "corpus": str, "log_every": int,
             "eval_every": int, "precision": str, "seconds": float, "schedule": str, "warmup": float}
DEFAULT_FOR_TASK = {"caesar": "caesar", "completion": "completion", "mapping": "hello"}


class UsageError(Exception):
    """A mistake in how rnnplay was called: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's usage errors, as one line
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="rnnplay", description="A playground for recurrent neural networks. "
                    "With no command, opens the terminal app.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    tui = sub.add_parser("tui", help="open the terminal app (the default)")
    tui.add_argument("--preset", help="start from this preset (see `rnnplay presets`)")
    tui.add_argument("--load", metavar="CKPT", help="open a saved model")
    tui.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    sub.add_parser("presets", help="list the presets: the lessons exactly, and recommended ones")
    train = sub.add_parser("train", help="train headless; --json prints one JSON event per line")
    train.add_argument("--preset", help="base configuration (default: the recommended one for --task, or caesar)")
    train.add_argument("--resume", metavar="CKPT", help="continue a saved run from its step")
    for name, kind in OVERRIDES.items():
        train.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, metavar=name.upper())
    train.add_argument("--pairs", metavar="IN:OUT,...", help="mapping pairs, e.g. hello:ohlol,world:dlrow")
    train.add_argument("--no-zero-grad", dest="accumulate_grad", action="store_const", const=True,
                       help="never zero gradients (Lesson A's famous omission)")
    train.add_argument("--save", metavar="CKPT", help="save the model (.safetensors) when the run ends")
    train.add_argument("--metrics", metavar="FILE.jsonl", help="append every event as a JSON line to this file")
    train.add_argument("--json", action="store_true", help="print events as JSON lines instead of progress")
    for verb in ("encrypt", "decrypt"):
        p = sub.add_parser(verb, help=f"{verb} TEXT with the exact Caesar cipher over A-Z and '-'")
        p.add_argument("text", metavar="TEXT")
        p.add_argument("--key", type=int, default=13, help="shift, 0-26 (default 13)")
    predict = sub.add_parser("predict", help="run a saved model on TEXT: decrypt, complete or map it")
    predict.add_argument("checkpoint", metavar="CKPT")
    predict.add_argument("text", metavar="TEXT")
    predict.add_argument("--length", type=int, help="completion: total length of the output")
    predict.add_argument("--temperature", type=float, default=0.0, help="completion: 0 = greedy (default)")
    predict.add_argument("--device", default="cpu", help="device to run on (default cpu)")
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # text from argv may hold surrogate escapes: never crash printing it
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command or "tui"](args)
    except (UsageError, ValueError) as e:  # ValueError: ConfigError, DeviceError, CheckpointError, VocabularyError
        print(f"rnnplay: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def one_line(text: str) -> str:
    """Errors echo what people typed: escape newlines and control characters so they stay one line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def cmd_tui(args) -> int:
    from tui.app import main as run_app

    return run_app(preset=getattr(args, "preset", None), load=getattr(args, "load", None),
                   device=getattr(args, "device", None))


def cmd_presets(args) -> int:
    width = max(map(len, presets.names()))
    for name in presets.names():
        p = presets.describe(name)
        print(f"{name:<{width}}  {p.config.task:<10}  {p.config.cell:<7}  {p.description}")
    return 0


def cmd_cipher(args) -> int:
    from engine.tasks import caesar

    print((caesar.encrypt if args.command == "encrypt" else caesar.decrypt)(args.text, _key(args.key)))
    return 0


def _key(key: int) -> int:
    if not 0 <= key <= 26:
        raise UsageError(f"--key: {key} is out of range; accepted: 0 to 26")
    return key


def cmd_predict(args) -> int:
    import engine

    model = engine.load(args.checkpoint, device=args.device)
    print(model.predict(args.text, args.length, args.temperature))
    return 0


def train_config(args):
    overrides = {k: getattr(args, k) for k in OVERRIDES if getattr(args, k) is not None}
    if args.pairs is not None:
        overrides["pairs"] = parse_pairs(args.pairs)
    if args.accumulate_grad:
        overrides["accumulate_grad"] = True
    name = args.preset or DEFAULT_FOR_TASK.get(overrides.get("task"), "caesar")
    return presets.get(name).replace(**overrides)


def cmd_train(args) -> int:
    import engine
    from engine.console import Reporter

    if args.resume:
        overrides = {k: getattr(args, k) for k in ("steps", "lr", "device", "log_every", "eval_every")
                     if getattr(args, k) is not None}
        trainer = engine.Trainer.resume(args.resume, **overrides)
    else:
        trainer = engine.Trainer(train_config(args))
    try:
        metrics = open(args.metrics, "a", encoding="utf-8") if args.metrics else None
    except OSError as e:
        raise UsageError(f"--metrics: cannot write {args.metrics} ({e.strerror})") from None
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())  # Ctrl-C stops cleanly, then saves
    reporter = Reporter(json_lines=args.json)
    try:
        with reporter:
            for event in trainer.run(stop):
                reporter.show(event)
                if metrics:
                    metrics.write(json.dumps(event.to_dict()) + "\n")
                    metrics.flush()
    finally:
        signal.signal(signal.SIGINT, previous)
        if metrics:
            metrics.close()
    if args.save:
        trainer.save(args.save)
        reporter.note(f"saved {args.save}")
    if stop.is_set():
        return 130
    return 1 if event.reason in ("diverged", "failed") else 0


COMMANDS = {"tui": cmd_tui, "presets": cmd_presets, "encrypt": cmd_cipher, "decrypt": cmd_cipher,
            "predict": cmd_predict, "train": cmd_train}

if __name__ == "__main__":
    sys.exit(main())
