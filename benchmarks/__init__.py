"""Ratio benchmarks for RNN Playground: `python -m benchmarks [NAME ...]` prints one JSON line each.

Not part of the test run. Figures and how they were taken are in benchmarks/RESULTS.md.
"""

NAMES = ("engine_grid", "engine_overhead", "lesson_vs_recommended", "corpus_record", "corpus_eval", "corpus_memory",
         "cost_growth", "startup", "predict_cost", "distributed", "memory_tasks")
