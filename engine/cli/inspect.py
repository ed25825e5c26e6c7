"""`rnnplay inspect CKPT TEXT`: what the model is sure of, its alternatives, and how far back it looks."""

from __future__ import annotations

import json

from engine.cli.args import add_threads, device_name, nonempty
from engine.text import columns, visible

SHADES = " ░▒▓█"  # connectivity: no share ... all of it (also readable without colour)
CONFIDENCE = "░▒▓█"  # < 25 %, < 50 %, < 75 %, the rest: never blank, which would read as missing


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
    from engine.cli.args import UsageError
    from engine.cli.main import refuse_unread_characters
    from engine.cli.train import apply_threads

    apply_threads(args)
    model = engine.load(args.checkpoint, device=args.device)
    refuse_unread_characters(args.text, model)
    inside = model.inspect(args.text, gradient=True)
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
    sure = [CONFIDENCE[min(3, int(row[0]["p"] * 4))] for row in inside.top]
    looks, gradient = (_shaded(strip[at]) for strip in (inside.connectivity, inside.gradient or inside.connectivity))
    target = [visible(ch) for ch in inside.target] if inside.target is not None else None
    rows = [chars, best, sure, looks, gradient, [" "] * at + ["^"]] + ([target] if target is not None else [])
    chars_line, best_line, sure_line, looks_line, gradient_line, mark_line, *target_line = columns(*rows)
    lines = ["input       " + chars_line, "model       " + best_line]
    if target_line:
        lines.append("target      " + target_line[0])
    lines.append("confidence  " + sure_line + "   (█ sure >= 75 % ... ░ unsure < 25 %)")
    lines.append(f"looks back  {looks_line}   (position {at}: how much blanking each input moves it)")
    if inside.gradient is not None:
        lines.append(f"gradient    {gradient_line}   (position {at}: its gradient's norm at each input)")
    lines.append("            " + mark_line.rstrip())
    alternatives = ", ".join(f"{_symbol(c['symbol'])} {c['p']:.1%}" for c in inside.top[at])
    lines.append(f"at {at}: {_symbol(inside.text[at])} -> {alternatives}")
    return lines


def _shaded(strip: list) -> list[str]:
    """A row of shares as shade characters, scaled to its largest (wide characters align through columns())."""
    return [SHADES[min(4, round(v * 4 / max(strip)))] if v else " " for v in strip]


def _symbol(symbol: str) -> str:
    """A symbol shown alone: a space as ␠, so `-> ␠ 85.8%` is not an empty answer."""
    return "␠" if symbol == " " else visible(symbol)
