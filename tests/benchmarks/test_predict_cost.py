"""benchmarks/predict_cost.py still runs (each at a tiny size: a smoke test, not a timing)."""

import json

import pytest

from benchmarks import predict_cost


def last_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.slow  # 14.5 s at load 4
@pytest.mark.subprocess  # times rnnplay predict and inspect as processes
def test_predict_cost_sets_each_command_beside_its_baseline(capsys):
    predict_cost.main(["--repeats", "1", "--preset", "hello"])
    line = last_line(capsys)
    assert set(line["cpu_seconds"]) == {"baseline", "predict", "inspect"} and line["cpu_seconds"]["baseline"] > 0
    assert line["beyond_baseline_s"]["predict"] == round(line["cpu_seconds"]["predict"]
                                                         - line["cpu_seconds"]["baseline"], 3)
