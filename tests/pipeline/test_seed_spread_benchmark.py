"""``benchmarks/stability.py --leader`` measures the configuration the reports train: the reports
trust its record only when its run with their seed gives their test F1 exactly. Its seeds can
be run in several sittings (``--with-record``), each seed counted once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tweetner_utils.evaluation.stability import read_seed_spread, seed_spread_path
from tweetner_utils.reporting.summary.stability_text import seed_spread_line

ROOT = Path(__file__).resolve().parents[2]


def _benchmark(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "benchmarks/stability.py", "--leader", "--quick", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_the_leader_benchmark_teaches_the_students_and_reproduces_the_reports_seed(quick_run: Path, tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    done = _benchmark("--seeds", "42", "--out-dir", str(first))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "seed 42: student +100 teacher-labelled tweets: dev entity F1" in done.stdout
    assert "seed 42: BiLSTM-CRF student +200 teacher-labelled tweets" in done.stdout
    record = json.loads(seed_spread_path(first, "synthetic").read_text("utf-8"))
    reports = json.loads((quick_run / "reports" / "results" / "04_strong_models.json").read_text("utf-8"))
    models = reports["models"]
    assert [run["seed"] for run in record["runs"]] == [42]
    run = record["runs"][0]  # the results round to 6 decimals
    assert round(run["test_f1"], 6) == models["strong"]["splits"]["test"]["entity"]["f1"]
    assert round(run["fast_test_f1"], 6) == models["fast"]["splits"]["test"]["entity"]["f1"]

    joined = _benchmark(
        "--seeds", "7", "--with-record", str(seed_spread_path(first, "synthetic")), "--out-dir", str(second)
    )
    assert joined.returncode == 0, joined.stderr[-2000:]
    assert "seed 42:" not in joined.stdout  # the first sitting's seed is not trained again
    spread = read_seed_spread(second, "synthetic")
    assert spread is not None
    assert [r["seed"] for r in spread["runs"]] == [42, 7]
    assert spread["runs"][0]["source"].startswith("leader_seeds_synthetic.json at commit ")
    assert (
        spread["command"]
        == "python benchmarks/stability.py --leader --seeds 7 --with-record leader_seeds_synthetic.json"
    )
    line = seed_spread_line(spread, "The leading model", models["strong"]["splits"]["test"]["entity"]["f1"], 42)
    assert "the seed alone moves it by" in line


def test_a_seed_recorded_twice_or_a_damaged_record_stops_the_benchmark_before_it_trains(tmp_path: Path):
    record = tmp_path / "leader_seeds_synthetic.json"
    record.write_text(json.dumps({"corpus": "synthetic", "commit": "abc", "runs": [{"seed": 42, "test_f1": 0.5}]}))
    again = _benchmark("--seeds", "42", "--with-record", str(record), "--out-dir", str(tmp_path / "out"))
    assert again.returncode == 1
    assert "seed(s) [42] recorded more than once" in again.stderr
    other = tmp_path / "leader_seeds_wnut17.json"
    other.write_text(json.dumps({"corpus": "wnut17", "runs": [{"seed": 7, "test_f1": 0.5}]}))
    wrong = _benchmark("--with-record", str(other), "--out-dir", str(tmp_path / "out"))
    assert wrong.returncode == 1
    assert f"{other} records the leading model on wnut17, not on synthetic" in wrong.stderr
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"corpus": "synthetic", "runs": [{"test_f1": 0.5}]}')
    broken = _benchmark("--with-record", str(damaged), "--out-dir", str(tmp_path / "out"))
    assert broken.returncode == 1
    assert f"{damaged}: not a seed-spread record (KeyError: 'seed')" in broken.stderr
    assert not (tmp_path / "out").exists()
