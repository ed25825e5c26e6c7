"""benchmarks/lesson_vs_recommended.py still runs (each at a tiny size: a smoke test, not a timing)."""

import json

from benchmarks import lesson_vs_recommended


def last_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_lesson_vs_recommended_reports_the_speedup_as_a_user_sees_it(capsys):
    lesson_vs_recommended.main(["--seeds", "1"])
    line = last_line(capsys)
    assert line["speedup"] > 1 and line["seen_speedup"] > 1
