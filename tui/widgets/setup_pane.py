"""SetupPane: preset picker, every run setting and the device list, validated as you type.

One row per TrainConfig field, in its group, built from the field's facts (engine.config.SETTINGS: label,
hint, help as the tooltip, and the kind that picks the control and how its text is read).

Values go through TrainConfig.replace() (the engine's own validation) before anything can start;
invalid fields show their reason inline and the app keeps Start disabled.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static

from engine import presets
from engine.config import SETTINGS, ConfigError, TrainConfig, format_pairs, parse_pairs, unused_settings
from engine.settings import GROUPS, Setting
from engine.tasks import task_class
from engine.text import visible
from tui.messages import ConfigChanged, PresetPicked
from tui.widgets.field_row import FieldRow

ORDER = {name: index for index, name in enumerate(SETTINGS)}  # the form's order: the fields' own


def tooltip(facts: Setting) -> str:
    """What a setting is, for the tooltip of its field: the CLI's help, with what it accepts."""
    accepted = facts.accepted()
    return f"{facts.help} ({accepted})" if accepted else facts.help


def _text_control(name: str, facts: Setting) -> Input:
    suggester = SuggestFromList(facts.suggest(), case_sensitive=True) if facts.suggest else None
    return Input(compact=True, id=f"field-{name}", select_on_focus=False, suggester=suggester)


def _choice_control(name: str, facts: Setting) -> Select:
    return Select([(c, c) for c in facts.choices()], allow_blank=False, compact=True, id=f"field-{name}")


def _switch_control(name: str, facts: Setting) -> Select:
    off, on = facts.states
    return Select([(off, False), (on, True)], allow_blank=False, compact=True, id=f"field-{name}")


def _device_control(name: str, facts: Setting) -> Select:  # the probed devices arrive later (set_devices)
    return Select([("auto", "auto")], allow_blank=False, compact=True, id=f"field-{name}")


# the control that edits a setting of each kind
CONTROLS = {"int": _text_control, "float": _text_control, "text": _text_control, "pairs": _text_control,
            "choice": _choice_control, "bool": _switch_control, "device": _device_control}


def _whole(raw: str) -> int:
    try:
        return int(raw.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"expected a whole number, got {visible(raw, 40)!r}") from None


def _number(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError(f"expected a number, got {visible(raw, 40)!r}") from None


def _pairs(raw: str) -> tuple[tuple[str, str], ...]:
    try:
        return parse_pairs(raw)
    except ConfigError as error:
        raise ValueError(str(error).removeprefix("pairs: ")) from None


def _as_chosen(raw: Any) -> Any:
    return raw


# a field's text (or choice) -> the setting's value; ValueError saying what is wrong
PARSERS = {"int": _whole, "float": _number, "pairs": _pairs, "text": _as_chosen, "choice": _as_chosen,
           "bool": _as_chosen, "device": _as_chosen}


def corpus_problem(value: str) -> str:
    """Why a corpus setting cannot be read (missing, a folder, a pipe...), or "" (the engine's own check)."""
    from engine.storage.corpus_files import CorpusError, check

    try:
        check(value)
    except CorpusError as error:
        return visible(str(error).removeprefix("corpus: "), 200)
    return ""


def preset_options() -> list[tuple[str, str]]:
    out = []
    for name in presets.names():
        kind = "lesson" if presets.describe(name).lesson else "recommended"
        out.append((f"{name} ({kind})", name))
    return out


class SetupPane(VerticalScroll):
    """Emits ConfigChanged whenever a value changes."""

    can_focus = False  # a focus stop on the pane itself showed no focus anywhere: its fields are the stops

    def __init__(self, config: TrainConfig, preset: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base, self.preset = config, preset
        self.devices: list[tuple[str, str]] | None = None  # None until probed
        self.errors: dict[str, str] = {}
        self.rows = {name: FieldRow(name, facts.label, self._control(name, facts), facts.hint)
                     for name, facts in SETTINGS.items()}

    def _control(self, name: str, facts: Setting):
        control = CONTROLS[facts.kind](name, facts)
        control.tooltip = tooltip(facts)
        return control

    def compose(self) -> ComposeResult:
        yield FieldRow("preset", "Preset", Select(preset_options(), prompt="custom", compact=True, id="field-preset"))
        yield Static(id="preset-description")
        group = None
        for name, row in self.rows.items():
            if SETTINGS[name].group != group:
                group = SETTINGS[name].group
                yield Static(GROUPS[group], classes="field-group", id=f"group-{group}")
            yield row
        yield Static(id="config-end")  # room below the last field, so a dropdown opens above the footer

    def on_mount(self) -> None:
        self.fill(self.base, self.preset)

    def fill(self, config: TrainConfig, preset: str | None = None) -> None:
        """Show `config` in every field (a preset was picked, or a checkpoint loaded)."""
        self.base, self.preset = config, preset
        with self.prevent(Select.Changed):
            self.query_one("#field-preset", Select).value = preset if preset else Select.NULL
        self._describe(preset)
        self._set_device_options(config.device)
        for name, facts in SETTINGS.items():
            control = self.rows[name].control
            value = getattr(config, name)
            if isinstance(control, Input):
                shown = format_pairs(value) if facts.kind == "pairs" else ("" if value is None else str(value))
                control.value = visible(shown, 2000)  # from a checkpoint, maybe: no control characters
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

    def unused(self) -> dict[str, str]:
        """{field: why} for the settings the chosen task and cell ignore (hidden from the form)."""
        task, cell = self.rows["task"].control.value, self.rows["cell"].control.value
        corpus = self.rows["corpus"].control.value.strip() or None
        return unused_settings(SimpleNamespace(task=task, corpus=corpus, cell=cell))  # reads only these

    def read(self) -> tuple[TrainConfig | None, dict[str, str]]:
        """The config the fields describe, or the reason for every bad field (all of them at once)."""
        values, errors = {}, {}
        task, unused = self.rows["task"].control.value, self.unused()
        for name, facts in SETTINGS.items():
            if name in unused:
                continue  # not shown, not used: the base value stands
            try:
                values[name] = self._parse(name, facts, self.rows[name].control.value)
            except ValueError as error:
                errors[name] = str(error)
        if "corpus" in unused:
            values["corpus"] = None  # a corpus left from a completion preset must not refuse caesar
        for name, value in values.items():  # the engine's own range checks, field by field
            if name not in errors:
                try:
                    self.base.replace(**{"task": task, "corpus": values.get("corpus"), name: value})
                except ConfigError as error:
                    errors.setdefault(error.field, str(error).removeprefix(f"{error.field}: "))
        errors.update({k: v for k, v in self._file_and_device_errors(values).items() if k not in errors})
        if errors:
            return None, errors
        try:
            config = self.base.replace(**values)
        except ConfigError as error:
            return None, {error.field: str(error).removeprefix(f"{error.field}: ")}
        return config, self._semantic_errors(config)

    def _parse(self, name: str, facts: Setting, raw: Any) -> Any:
        if name == "corpus":  # read only for a task that reads one: read() skips it as unused elsewhere
            return raw.strip() or None
        return PARSERS[facts.kind](raw)

    def _file_and_device_errors(self, values: dict[str, Any]) -> dict[str, str]:
        """A missing corpus and an absent device, marked even while other fields are bad."""
        errors = {}
        corpus = values.get("corpus")
        if corpus is not None and (problem := corpus_problem(corpus)):
            errors["corpus"] = problem
        names = {"auto"} | {name for name, _ in self.devices or []}
        device = values.get("device")
        if self.devices is not None and device is not None and \
                device not in names | ({"cuda"} if "cuda:0" in names else set()):
            errors["device"] = f"{visible(device, 40)} is not available here; available: {', '.join(sorted(names))}"
        return errors

    def _semantic_errors(self, config: TrainConfig) -> dict[str, str]:
        size = task_class(config.task).vocabulary_size(config)  # None: the data decides (a corpus)
        if config.head == "none" and size is not None and config.hidden != size:
            return {"hidden": f"head none uses the hidden state as scores: hidden must be {size} (the vocabulary)"}
        return {}

    def validate(self) -> None:
        config, self.errors = self.read()
        for name, row in self.rows.items():
            row.set_error(self.errors.get(name, ""))
        unused = self.unused()
        for name, row in self.rows.items():
            row.display = name not in unused
        self.post_message(ConfigChanged(config if not self.errors else None, dict(self.errors)))

    def bad_settings(self) -> list[tuple[str, str]]:
        """(label, why) of every marked field, in the form's order (a field the form lacks comes last)."""
        names = sorted(self.errors, key=lambda name: ORDER.get(name, len(ORDER)))
        return [(SETTINGS[name].label if name in SETTINGS else name, self.errors[name]) for name in names]

    def first_bad_field(self) -> str | None:
        """The first marked field in the form's order."""
        return next((name for name in SETTINGS if name in self.errors), None)

    def focus_field(self, name: str) -> None:
        if name in self.rows:
            self.rows[name].control.focus()
            self.rows[name].scroll_visible()

    def show_preset(self, preset: str | None) -> None:
        """Put the preset picker and the task back (a switch waits for an answer) without filling anything in."""
        with self.prevent(Select.Changed):
            self.query_one("#field-preset", Select).value = preset if preset else Select.NULL
            self.rows["task"].control.value = self.base.task

    def set_value(self, name: str, value: str) -> None:
        self.rows[name].control.value = value

    def mark(self, field: str, message: str) -> None:
        """Show an error the engine found (a bad corpus file, a missing device)."""
        if field in self.rows:
            self.rows[field].set_error(message)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "field-preset":
            if event.value is not Select.NULL and event.value != self.preset:
                self.post_message(PresetPicked(event.value))  # the app fills it in (or asks first)
            return
        if event.select.id == "field-task" and event.value == event.select.value != self.base.task:  # not a stale one
            # another task starts from its recommended preset, as `rnnplay train --task NAME` does: the last
            # task's recipe (its cell, sizes, rates, the preset's name on the title and the save) does not carry over
            preset = task_class(event.value).preset
            if preset in presets.names() and presets.get(preset).task == event.value:
                self.post_message(PresetPicked(preset))
                return
            self.preset = None  # no recipe of its own (a task registered without one): custom settings
            with self.prevent(Select.Changed):
                self.query_one("#field-preset", Select).value = Select.NULL
            self._describe(None)
        self.validate()

    def on_descendant_focus(self, event) -> None:
        for row in self.query(FieldRow):  # the focused setting's row is marked (its label in reverse)
            row.set_class(event.widget in row.walk_children(), "-focused")
        if isinstance(event.widget, Select):  # its list opens below it: keep it clear of the footer
            self.scroll_to_center(event.widget, animate=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.validate()
