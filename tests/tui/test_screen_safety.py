"""Nothing from data garbles the screen: corpus samples with line breaks, tabs, a byte-order mark and
escape sequences are drawn as visible symbols, on the Train and Samples views, at 80x24 and 120x40,
from canned events and from a real run on a corpus file; wrong characters stay marked without colour."""

from __future__ import annotations

import pytest
from canned import CORPUS, feed
from textual.color import Color
from tui_helpers import assert_screen_is_clean, screen_rows, set_field, wait_for

from tui.reports import TrainingEvents


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_hostile_samples_are_drawn_as_visible_escapes(app_factory, size):
    app = app_factory("completion")
    async with app.run_test(size=size) as pilot:
        await feed(False, "train", completion=True)(pilot)
        assert_screen_is_clean(app, size[0])
        log = "\n".join(screen_rows(app))
        assert "model: …ore we proce▸ed any further,the the␍⏎" in log  # the prefix's end, then the model's text
        assert "held-out evaluations" in "\n".join(screen_rows(app))
        await feed(False, "samples", completion=True)(pilot)
        assert_screen_is_clean(app, size[0])
        screen = "\n".join(screen_rows(app))
        assert "\\ufeffFirst Citizen:␍⏎Before we" in screen and "further,⇥hear" in screen
        assert "held-out text" in screen and "model output" in screen
        await pilot.press("end")  # the last sample, with the title sequence, shown escaped
        await pilot.pause()
        assert "\\x1b]0;pwned\\x07speak.\\x1b[2J␍\\u202eevil" in "\n".join(screen_rows(app))
        assert_screen_is_clean(app, size[0])


async def test_wrong_characters_are_reversed_and_marked_without_colour(app_factory, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await feed(False, "samples", completion=True)(pilot)
        rows = app.screen._compositor.render_strips()
        texts = [strip.text for strip in rows]
        model = next(i for i, text in enumerate(texts) if "model output  " in text)  # the first sample's row
        flags = [bool(seg.style and seg.style.reverse) for seg in rows[model] for _ in seg.text]
        marks = texts[model + 1]
        assert "wrong" in marks and "^" in marks
        start = texts[model].index("\\ufeffFirst")
        for column in range(start, len(texts[model].rstrip())):  # (the scrollbar at the right is reversed too)
            assert flags[column] == (marks[column] == "^"), (column, texts[model], marks)
        assert texts[model][marks.index("^")] == "t"  # "the the" written where "⇥hear" was expected
        for segment in rows[model]:  # a wrong character is a light block with dark text, not black on black
            if segment.style and segment.style.bold and segment.style.reverse:
                fore, back = (Color.from_rich_color(c) for c in (segment.style.color, segment.style.bgcolor))
                assert abs(fore.brightness - back.brightness) > 0.4, segment


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
async def test_a_real_run_on_a_corpus_file_keeps_the_screen_intact(app_factory, tmp_path, newline):
    corpus = tmp_path / "corpus.txt"
    text = CORPUS.replace("\r\n", "\n").replace("\n", newline)
    corpus.write_bytes((text * 6).encode("utf-8"))  # with its BOM, tabs and escape sequences
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        for name, value in [("corpus", str(corpus)), ("steps", "4"), ("hidden", "16"), ("embedding", "8"),
                            ("length", "16"), ("batch_size", "4")]:
            await set_field(pilot, app, name, value)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.state.finished.reason == "completed" and app.session.selected.state.eval_count >= 1
        app.refresh_text()
        app.refresh_plot(force=True)
        await pilot.pause()
        assert_screen_is_clean(app, 80)
        assert any(row.startswith(" step ") for row in screen_rows(app)[-4:-1])  # an evaluation line, in the log
        await pilot.press("f3")
        await pilot.pause()
        assert_screen_is_clean(app, 80)
        assert "⏎" in "\n".join(screen_rows(app)) or "⇥" in "\n".join(screen_rows(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_notifications_leave_the_log_and_the_stats_readable(app_factory, size):
    from textual.widgets._toast import Toast

    from tui.widgets.eval_log import EvalLog
    from tui.widgets.stats_block import StatsBlock

    app = app_factory("completion")
    async with app.run_test(size=size, notifications=True) as pilot:
        await feed(False, "train", completion=True)(pilot)
        before = screen_rows(app)[-4:-1]
        app.notify("Finished 150 steps in 35.4 s.", title="Run completed")
        app.notify("A second notification stacks below the first.", title="Also")
        shown = lambda: [toast for toast in app.screen.query(Toast) if toast.region]  # noqa: E731
        await wait_for(pilot, lambda: len(shown()) == 2)
        toasts = shown()
        for widget in (app.query_one(EvalLog), app.query_one(StatsBlock)):
            for toast in toasts:
                assert not toast.region.overlaps(widget.region), (toast.region, widget.region)
        assert screen_rows(app)[-4:-1] == before  # the newest evaluation lines, untouched


async def test_a_failure_message_from_data_is_one_escaped_line_in_the_stats(app_factory):
    from engine.events import RunFinished

    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        await feed(False, "train", completion=True)(pilot)
        trainer = app.session.selected.model
        message = "corpus: cannot read \x1b]0;pwned\x07\nline two\x1b[2J"
        app.report(TrainingEvents((RunFinished(trainer.run_id, 150, "failed", message=message),)))
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished")
        app.refresh_text()
        await pilot.pause()
        assert_screen_is_clean(app, 80)
        assert "corpus: cannot read \\x1b]0;pwned\\x07⏎line two\\x1b[2J" in screen_rows(app)[5]
