"""Command palette entries: every key binding of the app that applies right now, with its tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.screen import Screen


class PaletteCommands:
    """Mixin for the App: ctrl+p lists the same actions the footer shows."""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.system or not binding.description:  # Tab and shift+tab: focus moves, not commands
                continue
            if binding.action != "quit" and self.check_action(*self._parse(binding.action)):
                yield SystemCommand(f"{binding.description} ({binding.key})", binding.tooltip,
                                    partial(self.run_action, binding.action))

    @staticmethod
    def _parse(action: str) -> tuple[str, tuple[object, ...]]:
        name, _, args = action.partition("(")
        return name, tuple(a.strip("'\" )") for a in args.split(",") if a.strip("'\" )"))
