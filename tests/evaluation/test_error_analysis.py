"""Error kinds, seen/unseen recall, threshold choice and the escaped error view, on hand-written cases."""

from __future__ import annotations

import pandas as pd
import pytest

from tweetner_utils import Corpus, Tweet
from tweetner_utils.evaluation.errors import categorize, error_table, seen_unseen_recall
from tweetner_utils.evaluation.routing import apply_threshold, choose_threshold, precision_coverage, scored_entities
from tweetner_utils.reporting.examples import html_examples


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (["B-person", "I-person"], ["B-person", "I-person"], [("person", "correct")]),
        (["B-person", "I-person"], ["B-geo-loc", "I-geo-loc"], [("person", "wrong type")]),
        (["B-person", "I-person"], ["B-person", "O"], [("person", "wrong boundary")]),
        (["B-person", "I-person", "O"], ["O", "B-company", "I-company"], [("person", "wrong type and boundary")]),
        (["B-person", "O"], ["O", "O"], [("person", "missed")]),
        (["O", "O"], ["O", "B-movie"], [("movie", "spurious")]),
        (["B-person", "O", "O"], ["B-person", "O", "B-tvshow"], [("person", "correct"), ("tvshow", "spurious")]),
    ],
)
def test_categorize(gold, pred, expected) -> None:
    assert categorize(gold, pred) == expected


def test_error_table_totals() -> None:
    table = error_table([["B-person", "O"], ["O", "O"]], [["O", "O"], ["B-movie", "O"]])
    assert table.loc["person", "missed"] == 1 and table.loc["movie", "spurious"] == 1
    assert table.loc["all types"].sum() == 2


def test_seen_unseen_split() -> None:
    train = Corpus((Tweet(("I", "love", "Paris"), ("O", "O", "B-geo-loc")),))
    test = Corpus((Tweet(("paris", "and", "Tokyo"), ("B-geo-loc", "O", "B-geo-loc")),))
    table = seen_unseen_recall(train, test, [["B-geo-loc", "O", "O"]])
    assert table.loc["seen", "recall"] == 1.0 and table.loc["unseen", "recall"] == 0.0
    assert table["gold"].sum() == 2


def test_threshold_is_the_lowest_meeting_the_precision_target() -> None:
    scored = pd.DataFrame({"confidence": [0.9, 0.8, 0.7, 0.6, 0.5], "correct": [True, True, True, False, False]})
    curve = precision_coverage(scored, n_gold=4)
    assert choose_threshold(curve, 0.8) == 0.7  # keeps 3, all correct; adding 0.6 drops to 0.75
    assert choose_threshold(curve, 1.01) is None
    routed = apply_threshold(scored, 0.7, n_tweets=10)
    assert routed == {"auto_accepted_share": 0.6, "auto_accepted_precision": 1.0, "review_per_1000_tweets": 200.0}


def test_scored_entities_average_token_confidence() -> None:
    scored = scored_entities([["B-person", "I-person"]], [["B-person", "I-person"]], [[0.9, 0.7]])
    assert scored.iloc[0]["confidence"] == pytest.approx(0.8) and bool(scored.iloc[0]["correct"])


def test_error_view_escapes_hostile_tweets() -> None:
    attack = ("<script>alert(1)</script>", "<img", "src=x", "onerror=alert(1)>")
    corpus = Corpus((Tweet(attack, ("B-person", "O", "O", "O")),))
    page = html_examples(corpus, [["O", "O", "O", "B-movie"]], {"person": "#f00", "movie": '"><script>'})
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "onerror=alert(1)&gt;" in page


def test_routing_report_chooses_on_dev_and_applies_to_test() -> None:
    from tweetner_utils.evaluation.routing import routing_report

    dev = Corpus((Tweet(("Bob", "and", "Ann"), ("B-person", "O", "B-person")),))
    test = Corpus((Tweet(("Joe", "met", "Sue"), ("B-person", "O", "B-person")),))
    report, curve = routing_report(
        dev,
        [["B-person", "O", "B-company"]],
        [[0.9, 1.0, 0.4]],
        test,
        [["B-person", "O", "B-person"]],
        [[0.95, 1.0, 0.5]],
    )
    assert report["threshold"] == 0.9 and len(curve) == 2
    assert report["test"]["auto_accepted_share"] == 0.5 and report["test"]["auto_accepted_precision"] == 1.0


def test_a_threshold_keeps_a_whole_tie_so_it_is_chosen_for_the_precision_of_the_whole_tie() -> None:
    # Five entities tied at 0.5 (as an isotonic calibration makes them): in any order, the first two
    # of them are right, but a threshold of 0.5 accepts all five, at 3 right of 6 with the 0.9 one.
    scored = pd.DataFrame(
        {"confidence": [0.9, 0.5, 0.5, 0.5, 0.5, 0.5], "correct": [True, True, True, False, False, False]}
    )
    curve = precision_coverage(scored, n_gold=6)
    assert list(curve["threshold"]) == [0.9, 0.5] and list(curve["precision"]) == [1.0, 0.5]
    assert choose_threshold(curve, 0.6) == 0.9
    shuffled = precision_coverage(scored.sample(frac=1.0, random_state=3), n_gold=6)
    assert shuffled.equals(curve)  # the order of tied entities cannot change the choice
    assert precision_coverage(scored.iloc[0:0], n_gold=0).empty


def test_entities_are_scored_in_text_order_whatever_the_string_hashing() -> None:
    import subprocess
    import sys

    code = (
        "from tweetner_utils.evaluation.routing import scored_entities as s;"
        "t=['B-person','B-geo-loc','B-company','B-product','B-movie','B-other'];"
        "print(list(s([t],[t],[[0.1,0.2,0.3,0.4,0.5,0.6]])['type']))"
    )
    started = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env={"PYTHONHASHSEED": str(seed)}
        )
        for seed in range(4)
    ]
    runs = {process.communicate()[0] for process in started}
    assert all(process.returncode == 0 for process in started)
    assert runs == {"['person', 'geo-loc', 'company', 'product', 'movie', 'other']\n"}
