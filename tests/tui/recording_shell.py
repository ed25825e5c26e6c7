"""A Shell for Session tests: it records what the Session asks of the screen and lets the test answer.

Threads run inline (Session.start_thread), so a training, a race, a save or a load has finished when
the call returns; what they reported waits in `reports` until `deliver()` hands it to the Session,
as the App's message queue does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.session import Session


@dataclass
class Question:
    title: str
    detail: str
    answered: Any


@dataclass
class PathAsked:
    title: str
    path: str
    text: str
    reason: str
    answered: Any


class RecordingShell:
    def __init__(self) -> None:
        self.toasts: list[tuple[str, str, str]] = []  # (severity, title, text)
        self.questions: list[Question] = []
        self.paths: list[PathAsked] = []
        self.races_asked: list[tuple[Any, Any]] = []
        self.reports: list[Any] = []
        self.views: list[str] = []
        self.filled: list[tuple[Any, str | None]] = []
        self.settings: dict[str, str] = {}
        self.marked: dict[str, str] = {}
        self.focused: list[str | None] = []
        self.presets_shown: list[str | None] = []
        self.played: list[tuple[Any, Any]] = []  # (model, config) Play was given
        self.explained = 0
        self.left: int | None = None

    # the Shell protocol (tui.session.Shell)
    def notify(self, text: str, *, title: str = "", severity: str = "information", timeout: float | None = None):
        self.toasts.append((severity, title, text))

    def confirm(self, title: str, detail: str, answered) -> None:
        self.questions.append(Question(title, detail, answered))

    def ask_path(self, title: str, path: str, answered, text: str = "", reason: str = "") -> None:
        self.paths.append(PathAsked(title, path, text, reason, answered))

    def choose_race(self, config, answered) -> None:
        self.races_asked.append((config, answered))

    def explain_bad_settings(self) -> None:
        self.explained += 1

    def focus_setting(self, name: str | None) -> None:
        self.focused.append(name)

    def fill_setup(self, config, preset: str | None) -> None:
        self.filled.append((config, preset))

    def set_setting(self, name: str, value: str) -> None:
        self.settings[name] = value

    def mark_setting(self, name: str, why: str) -> None:
        self.marked[name] = why

    def show_preset(self, preset: str | None) -> None:
        self.presets_shown.append(preset)

    def show_view(self, view: str) -> None:
        self.views.append(view)

    def model_changed(self, model, config) -> None:
        self.played.append((model, config))

    def selected_changed(self) -> None:
        pass

    def redraw(self, *, now: bool = True, replaced: bool = False) -> None:
        pass

    def report(self, item: Any) -> None:
        self.reports.append(item)

    def leave(self, status: int) -> None:
        self.left = status

    # the test's side
    def deliver(self, session: Session) -> None:
        """Hand every report so far to the Session, in order (what the App's message queue does)."""
        while self.reports:
            session.receive(self.reports.pop(0))

    def answer(self, choice: str | None) -> Question:
        """Answer the latest save/discard/cancel question."""
        question = self.questions.pop()
        question.answered(choice)
        return question

    def answer_path(self, path: str | None) -> PathAsked:
        """Answer the latest path dialog."""
        asked = self.paths.pop()
        asked.answered(path)
        return asked

    def said(self, words: str) -> bool:
        return any(words in text or words in title for _, title, text in self.toasts)


def run_inline(name: str, target, *args) -> None:
    """Session.start_thread for tests: the job runs to its end in the calling thread."""
    target(*args)
