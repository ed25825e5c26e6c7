"""ConfigPane: preset picker, every run setting and the device list, validated as you type.

Values go through TrainConfig.replace() (the engine's own validation) before anything can start;
invalid fields show their reason inline and the app keeps Start disabled.
"""

from __future__ import annotations

import os
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select, Static

from engine import presets
from engine.config import CELLS, HEADS, OPTIMIZERS, TASKS, ConfigError, TrainConfig, format_pairs, parse_pairs
from engine.tasks.caesar import ALPHABET
from tui.messages import ConfigChanged
from tui.widgets.field_row import FieldRow

# name, label, kind, hint; kind is int | float | str | "pairs" | a tuple of choices | bool | "device"
FIELDS: list[tuple[str, str, Any, str]] = [
    ("task", "Task", TASKS, ""),
    ("key", "Caesar key", int, "0-26"),
    ("length", "Length", int, "chars"),
    ("corpus", "Corpus file", str, "blank: lesson"),
    ("pairs", "Pairs", "pairs", "in:out,..."),
    ("cell", "Cell", CELLS, ""),
    ("layers", "Layers", int, ""),
    ("hidden", "Hidden size", int, ""),
    ("embedding", "Input", int, "0 = one-hot"),
    ("head", "Head", HEADS, ""),
    ("optimizer", "Optimizer", OPTIMIZERS, ""),
    ("lr", "Learning rate", float, ""),
    ("batch_size", "Batch size", int, ""),
    ("steps", "Steps", int, ""),
    ("clip", "Grad clip", float, "0 = off"),
    ("accumulate_grad", "Gradients", bool, ""),
    ("seed", "Seed", int, ""),
    ("device", "Device", "device", ""),
]
TASK_ONLY = {"key": {"caesar"}, "length": {"caesar", "completion"}, "corpus": {"completion"}, "pairs": {"mapping"}}


def preset_options() -> list[tuple[str, str]]:
    out = []
    for name in presets.names():
        kind = "lesson" if presets.describe(name).lesson else "recommended"
        out.append((f"{name} ({kind})", name))
    return out


class ConfigPane(VerticalScroll):
    """Emits ConfigChanged whenever a value changes."""

    def __init__(self, config: TrainConfig, preset: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base, self.preset = config, preset
        self.devices: list[tuple[str, str]] | None = None  # None until probed
        self.errors: dict[str, str] = {}
        self.rows = {name: FieldRow(name, label, self._control(name, kind), hint) for name, label, kind, hint in FIELDS}

    def _control(self, name: str, kind: Any):
        if isinstance(kind, tuple):
            return Select([(c, c) for c in kind], allow_blank=False, compact=True, id=f"field-{name}")
        if kind is bool:
            return Select([("zeroed every step", False), ("never zeroed (lesson A's omission)", True)],
                          allow_blank=False, compact=True, id=f"field-{name}")
        if kind == "device":
            return Select([("auto", "auto")], allow_blank=False, compact=True, id=f"field-{name}")
        return Input(compact=True, id=f"field-{name}", select_on_focus=False)

    def compose(self) -> ComposeResult:
        yield FieldRow("preset", "Preset", Select(preset_options(), prompt="custom", compact=True, id="field-preset"))
        yield Static(id="preset-description")
        yield from self.rows.values()

    def on_mount(self) -> None:
        self.fill(self.base, self.preset)

    def fill(self, config: TrainConfig, preset: str | None = None) -> None:
        """Show `config` in every field (a preset was picked, or a checkpoint loaded)."""
        self.base, self.preset = config, preset
        with self.prevent(Select.Changed):
            self.query_one("#field-preset", Select).value = preset if preset else Select.NULL
        self._describe(preset)
        self._set_device_options(config.device)
        for name, _, kind, _ in FIELDS:
            control = self.rows[name].control
            value = getattr(config, name)
            if isinstance(control, Input):
                control.value = format_pairs(value) if kind == "pairs" else ("" if value is None else str(value))
            elif name != "device":
                control.value = value
        self.validate()

    def _describe(self, preset: str | None) -> None:
        text = presets.describe(preset).description if preset else "custom settings"
        self.query_one("#preset-description", Static).update(text)

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        self.devices = devices
        self._set_device_options(self.rows["device"].control.value)
        self.validate()

    def _set_device_options(self, wanted: str) -> None:
        options = [("auto: best available", "auto")]
        options += [(f"{name}: {label}", name) for name, label in self.devices or []]
        if wanted not in {value for _, value in options}:
            options.append((f"{wanted} (not found here)" if self.devices is not None else wanted, wanted))
        select = self.rows["device"].control
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = wanted

    def read(self) -> tuple[TrainConfig | None, dict[str, str]]:
        """The config the fields describe, or the reason each bad field is wrong."""
        values, errors = {}, {}
        task = self.rows["task"].control.value
        for name, _, kind, _ in FIELDS:
            raw = self.rows[name].control.value
            try:
                values[name] = self._parse(name, kind, raw, task)
            except ValueError as error:
                errors[name] = str(error)
        if errors:
            return None, errors
        try:
            config = self.base.replace(**values)
        except ConfigError as error:
            return None, {error.field: str(error).removeprefix(f"{error.field}: ")}
        return config, self._semantic_errors(config)

    def _parse(self, name: str, kind: Any, raw: Any, task: str) -> Any:
        if kind is int:
            try:
                return int(raw.strip().replace("_", ""))
            except ValueError:
                raise ValueError(f"expected a whole number, got {raw!r}") from None
        if kind is float:
            try:
                return float(raw.strip())
            except ValueError:
                raise ValueError(f"expected a number, got {raw!r}") from None
        if kind == "pairs":
            try:
                return parse_pairs(raw)
            except ConfigError as error:
                raise ValueError(str(error).removeprefix("pairs: ")) from None
        if name == "corpus":
            return raw.strip() or None if task == "completion" else None
        return raw

    def _semantic_errors(self, config: TrainConfig) -> dict[str, str]:
        errors = {}
        if config.corpus is not None and not os.path.isfile(config.corpus):
            errors["corpus"] = f"{config.corpus}: no such file"
        names = {"auto"} | {name for name, _ in self.devices or []}
        if self.devices is not None and config.device not in names | ({"cuda"} if "cuda:0" in names else set()):
            errors["device"] = f"{config.device} is not available here; available: {', '.join(sorted(names))}"
        vocab = {"caesar": len(ALPHABET), "mapping": len({c for p in config.pairs for s in p for c in s})}
        size = vocab.get(config.task)
        if config.head == "none" and size is not None and config.hidden != size:
            errors["hidden"] = f"head none uses the hidden state as scores: hidden must be {size} (the vocabulary)"
        return errors

    def validate(self) -> None:
        config, self.errors = self.read()
        for name, row in self.rows.items():
            row.set_error(self.errors.get(name, ""))
        task = self.rows["task"].control.value
        for name, tasks in TASK_ONLY.items():
            self.rows[name].display = task in tasks
        self.post_message(ConfigChanged(config if not self.errors else None, dict(self.errors)))

    def set_value(self, name: str, value: str) -> None:
        self.rows[name].control.value = value

    def mark(self, field: str, message: str) -> None:
        """Show an error the engine found (a bad corpus file, a missing device)."""
        if field in self.rows:
            self.rows[field].set_error(message)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "field-preset":
            if event.value is not Select.NULL and event.value != self.preset:
                self.fill(presets.get(event.value), event.value)
            return
        self.validate()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()
