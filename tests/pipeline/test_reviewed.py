"""Reviewed tweets in training: which are added or refused, the before/after refit, the
paired F1 interval, and the sentences the business summary writes about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetner_utils import ConllFormatError, Tweet, synthetic_splits, write_conll
from tweetner_utils.data.corpora import extra_training
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.metrics import entity_scores, paired_bootstrap_f1_difference
from tweetner_utils.models.selection import refit_chosen, train_strong_model
from tweetner_utils.models.strong_settings import StrongModelSettings
from tweetner_utils.reporting.summary.reviewed_text import HOW_TO, f1_verdict, reviewed_lines, reviewed_table

SPLITS = synthetic_splits(5)


def reviewed_file(tmp_path: Path, tweets: list[Tweet]) -> str:
    path = tmp_path / "reviewed.conll"
    write_conll(path, tweets)
    return str(path)


def test_tweets_that_dev_or_test_hold_are_refused_by_id_and_the_rest_added_to_train(tmp_path):
    new = [Tweet(t.tokens, t.tags, id=f"task-{n}") for n, t in enumerate(SPLITS["extra"].tweets[:5])]
    new = [t for t in new if all(t.tokens != held.tokens for s in ("dev", "test") for held in SPLITS[s])]
    copied = Tweet(SPLITS["test"][2].tokens, SPLITS["test"][2].tags, id="task-99")
    extra = extra_training([reviewed_file(tmp_path, [*new, copied])], SPLITS)
    line = sum(len(t.tokens) + 2 for t in new) + 2  # each tweet: an id line, its tokens, a blank line
    assert extra.refused == (f"reviewed.conll: tweet task-99 (line {line}) is also in test",)
    corpora = extra.added_to(SPLITS)
    assert corpora["train"].tweets == SPLITS["train"].tweets + tuple(new)
    assert corpora["dev"] is SPLITS["dev"] and corpora["test"] is SPLITS["test"]
    assert f"**Reviewed tweets added to train:** {len(new)} from `reviewed.conll`" in extra.describe()
    assert "task-99" in extra.describe()


def test_no_extra_files_change_nothing_and_a_bad_file_names_its_line(tmp_path):
    nothing = extra_training([], SPLITS)
    assert nothing.added_to(SPLITS) == SPLITS and nothing.describe() == ""
    bad = tmp_path / "bad.conll"
    bad.write_text("Obama\tB-people\nspoke\tB-city\n")
    with pytest.raises(ConllFormatError, match=r"bad\.conll:2: type 'city' is not one of the corpus's types"):
        extra_training([str(bad)], SPLITS)
    bad.write_text("Obama\tB-people\nspoke\tb-city\n")
    with pytest.raises(ConllFormatError, match=r"bad\.conll:2: tag 'b-city' is not O or B-/I-"):
        extra_training([str(bad)], SPLITS)


def test_the_chosen_recipe_refit_on_the_same_data_is_the_same_model():
    settings = StrongModelSettings(crf_grid=[[0.1, 0.1]], crf_max_iterations=20, transformer=False, bilstm_crf=False)
    model = train_strong_model(SPLITS, settings, synthetic_knowledge(), None, log=lambda _: None)
    again = refit_chosen(model, SPLITS, settings, synthetic_knowledge(), None, log=lambda _: None)
    test = SPLITS["test"].tokens
    assert again.final.predict(test) == model.final.predict(test)
    assert again.selection_model.predict(test) == model.selection_model.predict(test)


def test_the_paired_interval_finds_a_change_only_where_there_is_one():
    gold = [t for t in SPLITS["test"].tags]
    none = [["O"] * len(t) for t in gold]
    half = [t if n % 2 else ["O"] * len(t) for n, t in enumerate(gold)]
    assert paired_bootstrap_f1_difference(gold, half, half, n_resamples=200) == (0.0, 0.0, 0.0)
    change, low, high = paired_bootstrap_f1_difference(gold, none, half, n_resamples=200)
    assert change == pytest.approx(entity_scores(gold, half).overall.f1) and 0 < low <= change <= high
    change, low, high = paired_bootstrap_f1_difference(gold, half, none, n_resamples=200)
    assert high < 0 and change < 0


def record(change: float, low: float, high: float, refused: list[str], threshold: float | None = 0.9) -> dict:
    test = {"review_per_1000_tweets": 250.0, "auto_accepted_precision": 0.8, "auto_accepted_share": 0.7}
    routing = {"threshold": threshold, "test": test}
    side = {"test_entity_f1": 0.5, "routing": routing}
    return {
        "added": 417,
        "refused": refused,
        "test_tweets": 3850,
        "before": side,
        "after": {**side, "test_entity_f1": 0.5 + change},
        "f1_change": change,
        "f1_change_ci": [low, high],
    }


def step(reviewed: dict | None) -> dict:
    return {"reviewed": reviewed, "models": {"strong": {"label": "Ensemble X"}}}


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [
        (0.001, 0.02, "a real gain"),
        (-0.02, -0.001, "a real loss"),
        (-0.01, 0.02, "no change that resampling the test tweets could not produce by itself"),
    ],
)
def test_the_f1_sentence_says_gain_loss_or_no_change_from_the_interval(low, high, verdict):
    lines = reviewed_lines(step(record((low + high) / 2, low, high, [])))
    assert f1_verdict(low, high).startswith(verdict) and verdict in lines[1]
    assert "Ensemble X: test entity F1 50.0% without them" in lines[1] and "3,850 test tweets" in lines[1]


def test_refusals_are_said_only_when_there_were_some_and_routing_states_a_missing_threshold():
    with_refused = reviewed_lines(step(record(0.01, 0.0, 0.02, ["a: tweet 7 (line 9) is also in test"])))
    assert "1 were refused because dev or test holds the same tweet" in with_refused[0]
    assert "refused" not in reviewed_lines(step(record(0.01, 0.0, 0.02, [])))[0]
    assert "250 items per 1,000 tweets before, 250 after" in with_refused[2]
    no_threshold = reviewed_lines(step(record(0.01, 0.0, 0.02, [], threshold=None)))
    assert "no confidence level reached the precision target on dev without and with them" in no_threshold[2]


def test_without_reviewed_tweets_the_section_says_how_to_add_them():
    assert reviewed_lines(step(None)) == [HOW_TO] == reviewed_lines({})
    assert reviewed_table(step(None)).empty
    table = reviewed_table(step(record(0.01, 0.0, 0.02, [])))
    assert list(table["test entity F1 (%)"]) == [50.0, 51.0]


def test_a_malformed_reviewed_file_stops_run_all_before_any_notebook(tmp_path, capsys):
    from tweetner_utils.pipeline import command

    bad = tmp_path / "reviewed.conll"
    bad.write_text("# id = 1\nObama\tB-person\n# id = 2\n")
    reports = tmp_path / "reports"
    code = command.main(
        ["--quick", "--reports-dir", str(reports), "--models-dir", str(tmp_path / "m"), "--extra-train", str(bad)]
    )
    assert code == 2 and not reports.exists()
    assert "input rejected, nothing was run" in capsys.readouterr().err
