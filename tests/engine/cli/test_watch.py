"""`rnnplay watch METRICS.jsonl` (engine/cli/watch.py): what it takes and what it refuses, in one line with
status 2, before the app opens. (The app's side of watching: tests/tui/test_watch.py.)"""

import os

import pytest
from cli_helpers import one_error_line

from engine.cli.args import UsageError
from engine.cli.main import main
from engine.cli.watch import check_metrics_path


def test_a_file_or_a_new_name_in_an_existing_folder_is_taken(tmp_path):
    (tmp_path / "m.jsonl").write_text("")
    check_metrics_path(str(tmp_path / "m.jsonl"))
    check_metrics_path(str(tmp_path / "not-yet.jsonl"))  # the run may not have started


def test_a_missing_folder_a_folder_and_a_fifo_are_refused_naming_the_path(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    for path, words in ((tmp_path / "gone" / "m.jsonl", "does not exist"), (tmp_path, "is a folder"),
                        (tmp_path / "pipe", "is not a regular file")):
        with pytest.raises(UsageError, match=words) as info:
            check_metrics_path(str(path))
        assert str(info.value).startswith("'/") and f"{path.name}'" in str(info.value)  # echo cuts a long path mid-way


@pytest.mark.parametrize("extra, words", [(["--stale", "0"], "--stale"), (["--stale", "nan"], "--stale"),
                                          (["--stale", "-5"], "above 0")])
def test_a_stale_time_that_is_not_a_positive_number_is_refused(tmp_path, capsys, extra, words):
    assert main(["watch", str(tmp_path / "m.jsonl"), *extra]) == 2
    assert words in one_error_line(capsys.readouterr().err)


def test_a_folder_given_as_the_metrics_file_is_refused_in_one_line(tmp_path, capsys):
    assert main(["watch", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "is a folder" in one_error_line(err)
