"""``benchmarks/stability.py --leader`` measures the configuration the reports train: the reports
trust its record only when its run with their seed gives their test F1 exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tweetner_utils.evaluation.stability import seed_spread_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_leader_benchmark_teaches_the_students_and_reproduces_the_reports_seed(quick_run: Path, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "benchmarks/stability.py", "--leader", "--quick", "--seeds", "42", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "seed 42: student +100 teacher-labelled tweets: dev entity F1" in done.stdout
    assert "seed 42: BiLSTM-CRF student +200 teacher-labelled tweets" in done.stdout
    record = json.loads(seed_spread_path(tmp_path, "synthetic").read_text("utf-8"))
    reports = json.loads((quick_run / "reports" / "results" / "04_strong_models.json").read_text("utf-8"))
    assert [run["seed"] for run in record["runs"]] == [42]
    run, models = record["runs"][0], reports["models"]  # the results round to 6 decimals
    assert round(run["test_f1"], 6) == models["strong"]["splits"]["test"]["entity"]["f1"]
    assert round(run["fast_test_f1"], 6) == models["fast"]["splits"]["test"]["entity"]["f1"]
