"""`rnnplay inspect CKPT TEXT`: what the model is sure of, its alternatives, and how far back it looks."""

from __future__ import annotations

import json

from engine.cli_args import add_threads, device_name, nonempty
from engine.text import visible

SHADES = " ░▒▓█"  # connectivity: no share ... all of it (also readable without colour)


def add_parser(sub) -> None:
    inspect = sub.add_parser("inspect", help="look inside a saved model: confidence, alternatives, connectivity")
    inspect.add_argument("checkpoint", metavar="CKPT", type=nonempty("a checkpoint file"))
    inspect.add_argument("text", metavar="TEXT")
    inspect.add_argument("--at", type=int, metavar="T", help="position for the connectivity strip (default: the last)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object with everything")
    inspect.add_argument("--device", default="cpu", type=device_name, help="device to run on (default cpu)")
    add_threads(inspect)


def cmd_inspect(args) -> int:
    import engine
    from engine.cli import apply_threads
    from engine.cli_args import UsageError

    apply_threads(args)
    model = engine.load(args.checkpoint, device=args.device)
    inside = model.inspect(args.text)
    length = len(inside.text)
    at = length - 1 if args.at is None else args.at
    if not -length <= at < length:
        raise UsageError(f"--at: {args.at} is outside the text; accepted: 0 to {length - 1} (or -1 for the last)")
    at %= length
    if args.json:
        lineage = {"run_id": model.run_id, "parent": model.parent}  # the run that saved it; a branch's parent
        print(json.dumps({**inside.to_dict(), **lineage}, allow_nan=False))
        return 0
    for line in describe(inside, at):
        print(line)
    return 0


def describe(inside, at: int) -> list[str]:
    """Lines for people: confidence per character, the alternatives at `at`, and its connectivity strip."""
    chars = [visible(ch) for ch in inside.text]
    best = [visible(row[0]["symbol"]) for row in inside.top]
    sure = [row[0]["p"] for row in inside.top]
    lines = ["input       " + "".join(chars),
             "model       " + "".join(best)]
    if inside.target is not None:
        lines.append("target      " + visible(inside.target))
    lines.append("confidence  " + "".join(SHADES[min(4, int(p * 5))] for p in sure) + "   (█ sure ... ░ unsure)")
    strip = inside.connectivity[at]
    lines.append(f"looks back  {''.join(SHADES[min(4, round(v * 4 / max(strip)))] if v else ' ' for v in strip)}"
                 f"   (position {at}: how much blanking each input moves it)")
    lines.append("            " + " " * at + "^")
    alternatives = ", ".join(f"{visible(c['symbol'])!s} {c['p']:.1%}" for c in inside.top[at])
    lines.append(f"at {at}: {chars[at]} -> {alternatives}")
    return lines
