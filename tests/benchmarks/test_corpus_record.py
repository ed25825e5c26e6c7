"""benchmarks/corpus_record.py still runs (each at a tiny size: a smoke test, not a timing).

A crash in it went unnoticed until a GPU session ran it (after Pace gained an argument)."""

import json

import pytest

from benchmarks import corpus_record


def last_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


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
