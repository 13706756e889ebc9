"""The fast model's trade in the business summary: what it gives up per 1,000 tweets and what
it saves per million, each sentence checked where it holds and where it does not."""

from __future__ import annotations

from tweetner_utils.reporting.summary.fast_text import given_up_line, saved_line, tradeoff_lines


def record(label: str, correct: int, predicted: int, f1: float) -> dict:
    entity = {"n_correct": correct, "n_pred": predicted, "n_gold": 1000, "f1": f1}
    return {"label": label, "splits": {"test": {"entity": entity}}}


MODELS = {"strong": record("Ensemble", 600, 900, 0.55), "fast": record("Student", 500, 850, 0.50)}
TIMINGS = {
    "strong": {"cold_tweets_per_s": 100.0, "cpu_count": 2},
    "fast": {"cold_tweets_per_s": 4000.0, "cpu_count": 2},
}


def test_what_the_fast_model_gives_up_per_thousand_tweets() -> None:
    line = given_up_line(MODELS, test_tweets=2000)
    assert line is not None
    assert "Student finds 50 fewer correct entities than Ensemble (250 against 300)" in line
    assert "flags 25 more wrong ones than it (175 against 150)" in line and "50.0% against 55.0%" in line
    better = {**MODELS, "fast": record("Student", 700, 800, 0.6)}
    line = given_up_line(better, test_tweets=1000)
    assert line is not None and "finds 100 more correct entities than" in line and "200 fewer wrong ones than" in line
    level = {**MODELS, "fast": record("Student", 600, 900, 0.55)}
    line = given_up_line(level, test_tweets=1000)
    assert line is not None and "finds about as many correct entities as Ensemble (600 against 600)" in line
    assert given_up_line({"strong": MODELS["strong"]}, 1000) is None


def test_what_it_saves_per_million_tweets() -> None:
    line = saved_line(MODELS, TIMINGS)
    assert line is not None and line.startswith("**The fast model saves**")
    assert "40.0 times as many tweets a second" in line and "(4,000 against 100, this 2-core machine)" in line
    assert "take 4 minutes of this machine instead of 2.8 hours: 2.7 hours (5.4 core-hours) saved" in line
    slower = {**TIMINGS, "fast": {"cold_tweets_per_s": 50.0, "cpu_count": 2}}
    line = saved_line(MODELS, slower)
    assert line is not None and line.startswith("**The fast model saves nothing here**") and "0.5 times" in line
    assert saved_line(MODELS, {"strong": TIMINGS["strong"]}) is None


def test_both_lines_or_only_those_the_run_recorded() -> None:
    assert len(tradeoff_lines(MODELS, TIMINGS, 1000)) == 2
    assert len(tradeoff_lines(MODELS, {}, 1000)) == 1
    assert tradeoff_lines({}, TIMINGS, 1000) == []
