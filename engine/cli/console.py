"""How `rnnplay train` shows a run: a rich progress bar on a terminal, plain lines in a pipe, or JSON lines."""

from __future__ import annotations

import json
import sys

from engine.events import Evaluated, Event, RunFinished, RunStarted, StepLogged
from engine.text import visible


def describe_eval(e: Evaluated) -> str:
    parts = [f"eval step {e.step}: loss {e.loss:.4f}"]
    if e.accuracy is not None:
        parts.append(f"accuracy {e.accuracy:.2%}")
    if e.bits_per_char is not None:
        parts.append(f"{e.bits_per_char:.3f} bits/char")
    return ", ".join(parts)


def describe_sample(s) -> str:
    """One sample for people: the input, what the model wrote, and the target when they differ.

    Samples are corpus text: breaks and control characters are shown as symbols and escapes."""
    mark = "ok " if s.output == s.target else "   "
    line = f"  {mark}{quoted(s.input)} -> model {quoted(s.output)}"
    return line + ("" if s.output == s.target else f"  (target {quoted(s.target)})")


def quoted(text: str) -> str:
    return f"'{visible(text)}'"


def describe_finish(e: RunFinished) -> str:
    line = f"finished: {visible(e.reason)} at step {e.step} in {e.elapsed:.1f} s"
    for name, fmt in (("accuracy", "accuracy {:.2%}"), ("bits_per_char", "{:.3f} bits/char"), ("loss", "loss {:.4f}")):
        if name in e.metrics:
            line += ", " + fmt.format(e.metrics[name])
    if e.metrics.get("best_step", e.step) != e.step:  # engine.best_weights: a corpus run keeps its best weights
        line += f" (kept the best weights, from step {int(e.metrics['best_step'])})"
    return line + (f"\n{visible(e.message)}" if e.message else "")


def _span(cfg: dict, start: int) -> str:
    """What the run will do: the steps still to go (and the time budget), from where it starts."""
    steps = f"{cfg['steps'] - start:,} steps" + (f" from step {start:,}" if start else "")
    return steps + (f", at most {cfg['seconds']:g} s" if cfg.get("seconds") else "")


class Reporter:
    def __init__(self, json_lines: bool = False):
        self.json_lines = json_lines
        self.progress = None
        if not json_lines and sys.stdout.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[status]}"), TimeElapsedColumn())
            self.task = self.progress.add_task("train", total=1, status="")

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def say(self, text: str) -> None:
        """Print a line for people; whatever came from data in it was passed through visible() already."""
        if self.progress:
            self.progress.console.print(text, markup=False, highlight=False, emoji=False)
        else:
            print(text, flush=True)

    def note(self, text: str) -> None:
        if self.json_lines:
            print(json.dumps({"event": "note", "message": text}), flush=True)
        else:
            self.say(visible(text))

    def show(self, event: Event) -> None:
        if self.json_lines:
            print(json.dumps(event.to_dict()), flush=True)
            return
        if isinstance(event, RunStarted):
            cfg = event.config
            self.say(f"{visible(cfg['task'])} / {visible(cfg['cell'])} on {visible(event.device)}: "
                     f"{event.parameters:,} parameters, {_span(cfg, event.step)}"
                     + (f", corpus {visible(cfg['corpus'])}" if cfg.get("corpus") else ""))
            if event.parent:
                from engine.branches import describe

                self.say(describe(event.parent))
            if self.progress:
                self.progress.update(self.task, total=cfg["steps"], completed=event.step)
        elif isinstance(event, StepLogged):
            status = f"loss {event.loss:.4f}  {event.chars_per_s:,.0f} chars/s"
            if self.progress:
                self.progress.update(self.task, completed=event.step, status=status)
            else:
                self.say(f"step {event.step}: {status}")
        elif isinstance(event, Evaluated):
            self.say(describe_eval(event))
            for sample in event.samples:
                self.say(describe_sample(sample))
        elif isinstance(event, RunFinished):
            if self.progress:
                self.progress.update(self.task, completed=event.step)
            self.say(describe_finish(event))
