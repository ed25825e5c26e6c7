"""The app's background threads: daemon threads named rnnplay-*, listed while they run, waited for briefly."""

from __future__ import annotations

import threading

from tui import threads


def test_a_job_runs_in_a_named_daemon_thread_listed_while_it_runs():
    release, seen = threading.Event(), []
    thread = threads.start("job", lambda value: (seen.append(value), release.wait(10)), 7)
    assert thread.daemon and thread.name == "rnnplay-job" and thread in threads.ours()
    release.set()
    assert threads.join_all([thread], timeout=60)
    assert seen == [7] and thread not in threads.ours()


def test_join_all_gives_up_after_its_timeout_and_says_so():
    release = threading.Event()
    thread = threads.start("stuck", release.wait, 30)
    try:
        assert threads.join_all([thread], timeout=0.05) is False and thread.is_alive()
    finally:
        release.set()
        thread.join(10)
    assert threads.join_all([thread], timeout=0) is True
