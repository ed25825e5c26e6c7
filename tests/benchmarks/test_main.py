"""`python -m benchmarks NAME` (benchmarks/__main__.py): a mistyped argument to any benchmark is one line
before anything runs, and each benchmark's own --help follows its name. Each benchmark's own smoke test
(a tiny size, not a timing) is in test_<benchmark>.py beside this file."""


import pytest

from benchmarks.__main__ import main as run_suite


@pytest.mark.parametrize("argv, words", [
    (["corpus_record", "--budget", "0"], "give a number above 0"),  # 0 meant no budget: it never ended
    (["corpus_record", "--set", "seed=1"], "use --seed"),  # the engine's seed would have differed
    (["corpus_record", "--set", "hidden=abc"], "hidden: expected a whole number"),
    (["engine_grid", "--cells", "x"], "cell: 'x' is not one of"),
    (["engine_grid", "--batch", ""], "give whole numbers separated by commas"),
    (["engine_grid", "--device", "cuda:7"], "is not available on this machine"),
    (["--threads", "-1", "startup"], "give a whole number above 0"),
    (["predict_cost", "--preset", "nope"], "invalid choice: 'nope'"),
])
def test_a_mistyped_argument_is_one_line_before_anything_runs(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_:
        run_suite(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and "Traceback" not in err


def test_a_benchmarks_own_help_follows_its_name(capsys):
    with pytest.raises(SystemExit):
        run_suite(["corpus_record", "--help"])
    assert "--budget" in capsys.readouterr().out
