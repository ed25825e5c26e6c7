"""The benchmarks the README's figures come from still run (each at a tiny size: a smoke test, not a timing).

A crash in one went unnoticed until a GPU session ran it (corpus_record, after Pace gained an argument).
"""

import json

import pytest

from benchmarks import corpus_record, engine_grid, lesson_vs_recommended, predict_cost
from benchmarks.__main__ import main as run_suite


def last_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.slow  # 7.8 s at load 4
def test_engine_grid_prints_a_ratio_and_the_extras_for_a_shape(capsys):
    engine_grid.main(["--device", "cpu", "--cells", "gru", "--hidden", "16", "--batch", "2", "--repeats", "2"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    shape, summary = lines
    assert shape["shape"] == "gru h16 b2" and shape["ratio"] > 0 and shape["eval_share"] < 1
    assert shape["bf16_gain"] > 0 and shape["two_threads_gain"] > 0
    assert summary["benchmark"] == "engine_grid" and summary["shapes"] == 1
    assert summary["two_threads_gain"] == {"gru h16 b2": shape["two_threads_gain"]}


@pytest.mark.slow  # 4.5 s at load 4
def test_corpus_record_trains_both_sides_and_scores_them_alike(capsys):
    corpus_record.main(["--budget", "0.3", "--corpus", "python-stdlib-code", "--set", "eval_every=1000"])
    line = last_line(capsys)
    (result,) = line["results"]
    assert result["corpus"] == "python-stdlib-code" and result["characters"] > 100_000
    for side in ("engine", "reference"):
        assert result[side]["steps"] >= 1 and 0 < result[side]["full_nats"] < 6
    assert result["engine_minus_reference_nats"] == result["engine"]["full_nats"] - result["reference"]["full_nats"]
    assert line["at_or_below_reference"] == result["engine_at_or_below_reference"]
    assert "target_met" not in line  # the 1.45-nat target is tinyshakespeare's


def test_lesson_vs_recommended_reports_the_speedup_as_a_user_sees_it(capsys):
    lesson_vs_recommended.main(["--seeds", "1"])
    line = last_line(capsys)
    assert line["speedup"] > 1 and line["seen_speedup"] > 1


@pytest.mark.slow  # 14.5 s at load 4
@pytest.mark.subprocess  # times rnnplay predict and inspect as processes
def test_predict_cost_sets_each_command_beside_its_baseline(capsys):
    predict_cost.main(["--repeats", "1", "--preset", "hello"])
    line = last_line(capsys)
    assert set(line["cpu_seconds"]) == {"baseline", "predict", "inspect"} and line["cpu_seconds"]["baseline"] > 0
    assert line["beyond_baseline_s"]["predict"] == round(line["cpu_seconds"]["predict"]
                                                         - line["cpu_seconds"]["baseline"], 3)


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
