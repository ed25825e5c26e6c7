"""`rnnplay watch`: the follower tails a growing metrics file; the app shows it read-only, as a real run writes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tui_helpers import DEVICES, wait_for

from engine.events import Evaluated, RunFinished, RunStarted, StepLogged, event_from_dict
from tui.app import make_app
from tui.watch import LINE_LIMIT, MetricsFollower
from tui.widgets.train_pane import detail_line

SIZE = (100, 34)
STARTED = {"event": "started", "run_id": "r1", "device": "cpu", "parameters": 10, "config": {"steps": 20},
           "step": 0, "shapes": ["a"], "precision": "fp32"}


def line(**fields) -> bytes:
    return (json.dumps(fields) + "\n").encode()


def step(n: int, run_id: str = "r1") -> bytes:
    return line(event="step", run_id=run_id, step=n, loss=1.0 / n, chars_per_s=5.0, elapsed=0.1 * n)


def test_a_partial_last_line_waits_for_its_newline(tmp_path):
    path = tmp_path / "m.jsonl"
    follower = MetricsFollower(str(path))
    assert follower.poll().events == [] and not follower.exists  # no file yet: wait for it
    whole = line(**STARTED) + step(1)
    path.write_bytes(whole[:-7])
    assert [type(e) for e in follower.poll().events] == [RunStarted]
    with open(path, "ab") as f:
        f.write(whole[-7:])
    events = follower.poll().events
    assert [(type(e), e.step) for e in events] == [(StepLogged, 1)] and follower.skipped == 0


def test_hostile_lines_are_skipped_and_counted(tmp_path):
    path = tmp_path / "m.jsonl"
    hostile = [b"{not json\n", b"[1, 2]\n", line(event="step", run_id="r1", step="ten", loss=1),
               line(event="step", run_id=7, step=1, loss=1), b"\xff\xfe\x00garbage\n",
               b"[" * 100_000 + b"\n", b"{" + b'"a":' * 10 + b"1\n",
               line(event="eval", run_id="r1", step=2, loss=0.5, samples=[{"input": 1}]),
               line(event="step", run_id="r1", step=2, loss=10**400), line(event="step", run_id="r1", step=10**400,
                                                                          loss=1.0)]
    huge = b'{"event": "step", "pad": "' + b"x" * (LINE_LIMIT + 10) + b'"}\n'
    path.write_bytes(line(**STARTED) + b"".join(hostile) + huge + huge[:-100])
    follower = MetricsFollower(str(path))
    events = follower.poll().events  # the second huge line is still being written: dropped as it comes
    with open(path, "ab") as f:
        f.write(huge[-100:] + step(3))
    events += follower.poll().events
    assert [type(e) for e in events] == [RunStarted, StepLogged]
    assert follower.skipped == len(hostile) + 2


def test_control_characters_arrive_as_data_and_are_shown_visibly():
    event = event_from_dict({"event": "eval", "run_id": "r1", "step": 5, "loss": None, "accuracy": 0.5,
                             "samples": [{"input": "\x1b[2J", "target": "a\nb", "output": "\x07"}]})
    assert isinstance(event, Evaluated) and event.samples[0].input == "\x1b[2J"  # escaped where it is drawn
    assert event.loss != event.loss  # a diverged loss (null) is NaN, as the engine had it


def test_points_a_plot_cannot_draw_are_left_out():
    """plotext raised OverflowError on a loss of 1e308 from a crafted metrics line, ending the app."""
    from tui.widgets.loss_plot import finite

    points = [(1, 2.0), (2, 1e308), (3, float("nan")), (4, float("inf")), (10**400, 1.0), (5, 1.5)]
    assert finite(points) == [(1, 2.0), (5, 1.5)]


def test_a_branch_keeps_its_parent_and_a_crafted_one_is_skipped():
    parent = {"checkpoint": "a.safetensors", "run_id": "p1", "step": 4, "changed": {"lr": [0.1, 0.01]}}
    assert event_from_dict({**STARTED, "parent": parent}).parent == parent
    with pytest.raises(ValueError):
        event_from_dict({**STARTED, "parent": {**parent, "step": "four"}})


async def test_hostile_data_in_good_lines_is_shown_escaped(tmp_path):
    path = tmp_path / "run.jsonl"
    bad_config = line(**{**STARTED, "config": {"steps": "many", "task": "\x1b[2J"}})
    samples = [{"input": "\x1b]0;pwned\x07", "target": "a\x1b[31mb", "output": "\x9b2J"}]
    path.write_bytes(bad_config + line(**STARTED) + step(1) + line(event="eval", run_id="r1", step=1, loss=0.5,
                                                                   accuracy=0.5, samples=samples))
    app = make_app(devices=DEVICES, watch=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.state.evals, timeout=60)
        await pilot.press("f3")
        samples = lambda: "".join(str(w.render()) for w in app.query("#predictions Static"))  # noqa: E731
        await wait_for(pilot, lambda: "pwned" in samples(), timeout=60)  # the Samples view drew the eval
        shown = samples()
        assert "pwned" in shown and "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
        assert "1 bad line skipped" in app.sub_title


def test_truncation_and_rotation_start_over(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_bytes(line(**STARTED) + step(1) + step(2))
    follower = MetricsFollower(str(path))
    assert len(follower.poll().events) == 3
    path.write_bytes(step(9))  # truncated, then written again
    result = follower.poll()
    assert result.restarted and [e.step for e in result.events] == [9]
    rotated = tmp_path / "new.jsonl"
    rotated.write_bytes(line(**{**STARTED, "run_id": "r2"}) + step(1, "r2") + step(2, "r2"))
    os.replace(rotated, path)  # logrotate's way: another file under the same name
    result = follower.poll()
    assert result.restarted and [e.run_id for e in result.events] == ["r2"] * 3


async def test_the_app_follows_a_run_a_real_process_is_writing(tmp_path):
    """A real `rnnplay train --metrics` in another process: the views fill in as it writes, say when it
    finished, and offer no way to start, stop or save anything."""
    path = tmp_path / "run.jsonl"
    app = make_app(devices=DEVICES, watch=str(path), stale_seconds=60)
    writer = subprocess.Popen([sys.executable, "-m", "engine.cli", "train", "--preset", "hello", "--steps", "300",
                               "--log-every", "5", "--device", "cpu", "--metrics", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert "waiting" in app.sub_title or "following" in app.sub_title
            # torch loads slowly on a busy machine; a writer that died says why instead of a timeout
            await wait_for(pilot, lambda: app.session.selected.state.losses or writer.poll() not in (None, 0),
                           timeout=180)
            assert app.session.selected.state.losses, writer.stderr.read().decode()[-2000:]
            assert writer.poll() is None or app.session.selected.state.step < 300  # seen while it was being written
            await wait_for(pilot, lambda: app.session.selected.state.finished is not None, timeout=180)
            assert app.session.selected.state.finished.reason == "completed" and app.session.selected.state.step == 300
            await wait_for(pilot, lambda: "the run completed at step 300" in app.sub_title
                           and "step 300/300" in str(app.query_one("#stats").render()), timeout=60)  # redrawn
            assert "the run completed at step 300" in app.sub_title
            assert "step 300/300" in str(app.query_one("#stats").render())
            for key in ("f5", "f1", "f4", "ctrl+s", "ctrl+o", "f8"):
                await pilot.press(key)
            assert app.session.selected.model is None and app.query_one("#tabs").active == "train"
            await pilot.press("f3")
            await pilot.pause()
            assert app.query_one("#tabs").active == "samples"
    finally:
        writer.kill()
        writer.wait()
    assert not app.session.selected.state.finished.message


async def test_a_run_that_stops_writing_is_called_stale(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_bytes(line(**STARTED) + step(1))
    app = make_app(devices=DEVICES, watch=str(path), stale_seconds=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "may have stopped writing" in app.sub_title, timeout=60)
        with open(path, "ab") as f:
            f.write(step(2) + line(event="finished", run_id="r1", step=2, reason="stopped", metrics={}))
        await wait_for(pilot, lambda: "the run stopped at step 2" in app.sub_title, timeout=60)
        assert isinstance(app.session.selected.state.finished, RunFinished)


async def test_a_truncated_file_clears_the_views_and_nothing_offers_f5(tmp_path):
    """`: > run.jsonl` left the old run on the Train view while the title said "waiting", and the idle
    views told a watcher to pick a preset and press F5, which watch does not have."""
    path = tmp_path / "run.jsonl"
    path.write_bytes(line(**STARTED) + step(1) + step(2))
    app = make_app(devices=DEVICES, watch=str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.session.selected.state.step == 2, timeout=60)
        path.write_bytes(b"")
        await wait_for(pilot, lambda: not app.session.selected.state.losses, timeout=60)
        assert app.session.selected.state.run_id == "" and app.session.selected.state.watched
        hint = str(detail_line(app.session.selected.state))
        assert "F5" not in hint and "Waiting" in hint
        assert app.sub_title.startswith("waiting")  # the status first: an 80-column header cuts the end


async def test_a_branch_appended_to_the_file_continues_its_parents_curve(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_bytes(line(**STARTED) + step(1) + step(2) + step(3)
                     + line(event="finished", run_id="r1", step=3, reason="completed", metrics={}))
    app = make_app(devices=DEVICES, watch=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.state.finished is not None, timeout=60)
        parent = {"checkpoint": "a.safetensors", "run_id": "r1", "step": 2, "changed": {"lr": [0.1, 0.01]}}
        with open(path, "ab") as f:
            f.write(line(**{**STARTED, "run_id": "b1", "step": 2, "parent": parent}) + step(3, "b1") + step(4, "b1"))
        await wait_for(pilot, lambda: app.session.selected.state.step == 4, timeout=60)
        assert app.session.selected.state.run_id == "b1" and [s for s,
                                                              _ in app.session.selected.state.losses] == [1, 2, 3, 4]
        assert app.session.selected.state.finished is None
        await wait_for(pilot, lambda: "branch of run r1 at step 2" in app.sub_title, timeout=60)
        with open(path, "ab") as f:
            f.write(line(**{**STARTED, "run_id": "n1"}) + step(1, "n1"))  # a fresh run: a fresh view
        await wait_for(pilot, lambda: app.session.selected.state.run_id == "n1", timeout=60)
        assert app.session.selected.state.losses == [(1, 1.0)] and "branch of run" not in app.sub_title


def test_the_command_refuses_what_it_cannot_follow(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, problem in ((fifo, "not a regular file"), (tmp_path, "a folder"),
                            (tmp_path / "no" / "m.jsonl", "does not exist")):
        done = subprocess.run([sys.executable, "-m", "engine.cli", "watch", str(target)], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 2 and done.stderr.startswith("rnnplay: error: ") and problem in done.stderr
        assert done.stderr.count("\n") == 1
