"""benchmarks/engine_grid.py still runs (each at a tiny size: a smoke test, not a timing)."""

import json

import pytest

from benchmarks import engine_grid


@pytest.mark.slow  # 7.8 s at load 4
def test_engine_grid_prints_a_ratio_and_the_extras_for_a_shape(capsys):
    engine_grid.main(["--device", "cpu", "--cells", "gru", "--hidden", "16", "--batch", "2", "--repeats", "2"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    shape, summary = lines
    assert shape["shape"] == "gru h16 b2" and shape["ratio"] > 0 and shape["eval_share"] < 1
    assert shape["bf16_gain"] > 0 and shape["two_threads_gain"] > 0
    assert summary["benchmark"] == "engine_grid" and summary["shapes"] == 1
    assert summary["two_threads_gain"] == {"gru h16 b2": shape["two_threads_gain"]}
