"""The per-model business analyses and cost measurement, with stub models on hand-written tweets."""

from __future__ import annotations

import json
from pathlib import Path

from tweetner_utils.data.conll import Corpus, Tweet
from tweetner_utils.evaluation.model_analysis import analyse_model, compare
from tweetner_utils.reporting.results import read_timings, write_timings
from tweetner_utils.serving import costs

TRAIN = Corpus((Tweet(("Obama", "spoke"), ("B-person", "O")),))
DEV = Corpus((Tweet(("Obama", "left"), ("B-person", "O")), Tweet(("Merkel", "came"), ("B-person", "O"))))
TEST = Corpus((Tweet(("Obama", "won"), ("B-person", "O")), Tweet(("Macron", "lost"), ("B-person", "O"))))
CORPORA = {"train": TRAIN, "dev": DEV, "test": TEST}


class Stub:
    """Tags the first token as a person with a fixed confidence per first word."""

    def __init__(self, confidence: dict[str, float]) -> None:
        self.confidence = confidence

    def tags_and_confidences(self, tokens):
        tags = [["B-person"] + ["O"] * (len(t) - 1) if t else [] for t in tokens]
        conf = [[self.confidence.get(t[0], 0.5)] + [1.0] * (len(t) - 1) if t else [] for t in tokens]
        return tags, conf


def test_threshold_comes_from_the_dev_model_and_is_applied_to_the_test_model() -> None:
    dev_model = Stub({"Obama": 0.9, "Merkel": 0.6})  # both dev predictions are right
    test_model = Stub({"Obama": 0.95, "Macron": 0.55})
    analysis = analyse_model(dev_model, test_model, CORPORA, min_precision=0.8)
    assert analysis.routing["threshold"] == 0.6  # the lowest dev confidence still at >= 80% precision
    assert analysis.routing["test"]["auto_accepted_share"] == 0.5  # 0.55 falls below it
    assert analysis.seen_unseen.loc["seen", "recall"] == 1.0 and analysis.seen_unseen.loc["unseen", "gold"] == 1
    record = json.loads(json.dumps(analysis.record()))
    assert set(record) == {"routing", "seen_unseen", "errors"}
    assert compare({"stub": analysis}).loc["stub", "recall, new names"] == 1.0


def test_costs_are_measured_and_kept_beside_the_results(tmp_path: Path) -> None:
    cost = costs.cost_record(1.23, Stub({}), ["Obama won", "Macron lost"] * 30)
    assert cost["train_seconds"] == 1.2 and cost["tweets_per_s"] > 0 and cost["workers"] == 1
    assert 0 < cost["latency_ms_p50"] <= cost["latency_ms_p99"] and cost["repeats"] == 3
    low, high = cost["tweets_per_s_range"]
    assert low <= cost["tweets_per_s"] <= high and cost["latency_ms_p99_range"][0] <= cost["latency_ms_p99"]
    write_timings(tmp_path, "02_x", {"stub": cost})
    assert read_timings(tmp_path) == {"stub": {**cost, "train_seconds_runs": [1.2]}}
    for seconds in (2.0, 3.0, 4.0, 5.0, 6.0):  # later runs: the last five fits are kept, this run last
        write_timings(tmp_path, "02_x", {"stub": {**cost, "train_seconds": seconds}})
    assert read_timings(tmp_path)["stub"]["train_seconds_runs"] == [2.0, 3.0, 4.0, 5.0, 6.0]
    (tmp_path / "timings" / "02_x.json").write_text("{not json")
    write_timings(tmp_path, "02_x", {"stub": cost})  # an unreadable earlier file starts afresh
    assert read_timings(tmp_path)["stub"]["train_seconds_runs"] == [1.2]
    assert not list(tmp_path.glob("*.json"))  # results/ itself holds only reproducible numbers
