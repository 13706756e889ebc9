"""``benchmarks/refit_epochs.py`` scores the BiLSTM-CRF student's held-out dev half after every
epoch, from a run's cached teacher labels, without reading test; a file that is not those
labels stops it with the file named."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from tweetner_utils import load_corpora
from tweetner_utils.data.unlabelled import load_unlabelled
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.models.distillation import shuffled
from tweetner_utils.models.teacher_labels import cache_file, teacher_labels
from tweetner_utils.pipeline.steps import quick_strong_config

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "refit_epochs.py"


def _module():
    spec = importlib.util.spec_from_file_location("refit_epochs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["refit_epochs"] = module  # its dataclass looks its module up while being made
    spec.loader.exec_module(module)
    return module


def _teacher_file(cache: Path, seed: int) -> Path:
    """What a quick run's train-only teacher would leave in the cache (a knowledge CRF here)."""
    config = quick_strong_config()
    corpora = load_corpora(True, seed)
    unlabelled = load_unlabelled(True, seed, None, {split: c.tokens for split, c in corpora.items()})
    tweets = shuffled(unlabelled.tokens, seed, max(config.student_sizes()))
    teacher = CrfTagger(c1=0.05, c2=0.05, max_iterations=30, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    teacher.fit(corpora["train"].tokens, corpora["train"].tags)
    teacher_labels(teacher, tweets, cache, "quick-teacher")
    return cache_file(cache, "quick-teacher")


def _benchmark(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--quick", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_dev_halves_split_dev_in_two_and_swap():
    module = _module()
    halves = module.dev_halves(11)
    assert sorted(halves["a"] + halves["b"]) == list(range(11)) and len(halves["a"]) == 5
    assert module.dev_halves(11) == halves  # seeded: every run scores the same tweets
    corpora = load_corpora(True, 42)
    split = module.held_out_split(corpora["train"], corpora["dev"], "a")
    train, dev = corpora["train"], corpora["dev"]
    positions = module.dev_halves(len(dev.tokens))
    assert not set(positions["a"]) & set(positions["b"])
    assert split.scored == ([dev.tokens[i] for i in positions["a"]], [dev.tags[i] for i in positions["a"]])
    assert split.gold[0] == train.tokens + [dev.tokens[i] for i in positions["b"]]  # the other half trains
    swapped = module.held_out_split(train, dev, "b")
    assert swapped.scored[0] == [dev.tokens[i] for i in positions["b"]]


def test_the_study_scores_every_epoch_of_every_seed_on_each_half(tmp_path: Path):
    labels = _teacher_file(tmp_path, 42)
    done = _benchmark("--teacher-labels", str(labels), "--seeds", "1", "2", "--epochs", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    runs = [line for line in lines if "seed" in line]
    assert [(r["held_out"], r["seed"], r["epoch"]) for r in runs] == [
        (half, seed, epoch) for half in "ab" for seed in (1, 2) for epoch in (1, 2)
    ]
    assert all(0.0 <= r["f1"] <= 1.0 for r in runs)
    summaries = {(line["summary"], line["epoch"]): line for line in lines if "summary" in line}
    for half in "ab":
        f1s = [r["f1"] for r in runs if r["held_out"] == half and r["epoch"] == 2]
        assert summaries[(half, 2)]["seeds"] == 2
        assert abs(summaries[(half, 2)]["mean"] - sum(f1s) / 2) < 1e-3
        assert abs(summaries[(half, 2)]["range"] - (max(f1s) - min(f1s))) < 1e-3
    both = (summaries[("a", 1)]["mean"] + summaries[("b", 1)]["mean"]) / 2
    assert abs(summaries[("both", 1)]["mean"] - both) < 1e-3
    assert "held-out half a:" in done.stderr


def test_labels_of_other_tweets_stop_the_study_naming_the_file(tmp_path: Path):
    other_run = _teacher_file(tmp_path, 7)  # seed 7 shuffled (and made) other tweets
    wrong = _benchmark("--teacher-labels", str(other_run), "--run-seed", "42", "--epochs", "1")
    assert wrong.returncode == 1
    assert f"{other_run}: not teacher labels of these" in wrong.stderr
    missing = _benchmark("--teacher-labels", str(tmp_path / "nowhere.npz"), "--epochs", "1")
    assert missing.returncode == 1 and f"{tmp_path / 'nowhere.npz'}: no such teacher-labels file" in missing.stderr
    assert not wrong.stdout and not missing.stdout
