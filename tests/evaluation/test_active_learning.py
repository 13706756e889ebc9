"""The active-learning simulation: each strategy's order on hand-written tweets, a pool built
so that uncertain tweets teach more (choosing beats random), one where nothing is gained by
choosing (random stays), and the paired comparison's arithmetic."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tweetner_utils.evaluation.active_learning import (
    RoundScore,
    best_strategy,
    choose,
    compare_with_random,
    pick,
    priorities,
    simulate,
)
from tweetner_utils.metrics import entity_scores


def test_each_strategy_orders_tweets_by_its_rule() -> None:
    tags = [["B-person", "O", "O"], ["O", "O"], ["B-geo-loc", "I-geo-loc", "B-person"], ["O"]]
    confidences = [[0.9, 0.99, 0.98], [0.6, 0.99], [0.5, 0.95, 0.7], [0.99]]
    confidence = priorities("confidence", tags, confidences)
    uncertainty = priorities("uncertainty", tags, confidences)
    assert confidence[2] < confidence[0] < 1.0 < confidence[1] < confidence[3]  # nothing found comes last
    assert uncertainty.tolist() == pytest.approx(
        [(0.9 + 0.98 + 0.99) / 3, (0.6 + 0.99) / 2, (0.5 + 0.7 + 0.95) / 3, 0.99]
    )
    assert choose(confidence, 2, seed=1) == [0, 2]
    assert choose(uncertainty, 2, seed=1) == [1, 2]  # the unsure nothing-found tweet, not the sure name
    assert priorities("random", tags, confidences).tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="unknown strategy 'loudest'"):
        priorities("loudest", tags, confidences)


def test_ties_are_broken_by_the_seed_only() -> None:
    flat = np.zeros(50)
    assert choose(flat, 10, seed=3) == choose(flat, 10, seed=3) != choose(flat, 10, seed=4)
    assert len(set(choose(flat, 10, seed=3))) == 10


class WordMemory:
    """A toy tagger: each word's most frequent training tag, sure of the words it has seen
    (probability 0.95) and unsure of the rest (tagged O at 0.5)."""

    def __init__(self, tokens, tags) -> None:
        counts: dict[str, Counter] = {}
        for words, labels in zip(tokens, tags):
            for word, label in zip(words, labels):
                counts.setdefault(word, Counter())[label] += 1
        self.known = {word: c.most_common(1)[0][0] for word, c in counts.items()}

    def tags_and_confidences(self, tokens):
        tags = [[self.known.get(w, "O") for w in words] for words in tokens]
        return tags, [[0.95 if w in self.known else 0.5 for w in words] for words in tokens]

    def predict(self, tokens):
        return self.tags_and_confidences(tokens)[0]


def pool_with_rare_names(names: int, chatter: int) -> tuple[list[list[str]], list[list[str]]]:
    """Many tweets of the same chatter and a few that each name someone new."""
    tokens = [["good", "morning", "all"] for _ in range(chatter)]
    tags = [["O", "O", "O"] for _ in range(chatter)]
    for k in range(names):
        tokens.append(["met", f"name{k}", "today"])
        tags.append(["O", "B-person", "O"])
    order = np.random.default_rng(0).permutation(len(tokens))
    return [tokens[i] for i in order], [tags[i] for i in order]


def run(tokens, tags, test_tokens, test_tags, seeds=(1, 2, 3)) -> list[RoundScore]:
    def fit(indices):
        return WordMemory([tokens[i] for i in indices], [tags[i] for i in indices])

    def score(model):
        f1 = entity_scores(test_tags, model.predict(test_tokens)).overall.f1
        return f1, f1

    return simulate(fit, score, tokens, start=20, batch=20, rounds=3, seeds=seeds, log=lambda line: None)


def test_choosing_uncertain_tweets_beats_random_where_they_teach_more() -> None:
    tokens, tags = pool_with_rare_names(names=60, chatter=440)
    test_tokens = [["met", f"name{k}", "today"] for k in range(60)]
    test_tags = [["O", "B-person", "O"]] * 60
    rounds = run(tokens, tags, test_tokens, test_tags)
    assert {(r.strategy, r.labelled) for r in rounds} == {
        (s, n) for s in ("random", "confidence", "uncertainty") for n in (20, 40, 60, 80)
    }
    compared = {c.strategy: c for c in compare_with_random(rounds)}
    assert compared["uncertainty"].verdict == "better" and compared["confidence"].verdict == "better"
    assert compared["uncertainty"].gain > 0.3 and compared["uncertainty"].added == 60
    assert compared["uncertainty"].per_1000 == pytest.approx(compared["uncertainty"].gain * 1000 / 60)
    assert best_strategy(list(compared.values())) in {"confidence", "uncertainty"}


def test_where_every_tweet_teaches_the_same_random_stays() -> None:
    tokens = [["met", f"name{k}", "today"] for k in range(200)]
    tags = [["O", "B-person", "O"]] * 200
    test_tokens = [["met", f"name{k}", "today"] for k in range(200, 260)]
    test_tags = [["O", "B-person", "O"]] * 60
    compared = compare_with_random(run(tokens, tags, test_tokens, test_tags))
    assert all(c.verdict == "unclear" and c.gain == 0 for c in compared)
    assert best_strategy(compared) == "random"


def test_the_comparison_is_paired_by_seed_with_a_t_interval() -> None:
    rows = [RoundScore("random", seed, 100, 0.0, 0.0) for seed in (1, 2, 3)]
    rows += [RoundScore("random", seed, 300, 0.0, f1) for seed, f1 in ((1, 0.40), (2, 0.50), (3, 0.45))]
    rows += [RoundScore("uncertainty", seed, 300, 0.0, f1) for seed, f1 in ((1, 0.42), (2, 0.525), (3, 0.465))]
    rows += [RoundScore("confidence", seed, 300, 0.0, f1) for seed, f1 in ((1, 0.30), (2, 0.41), (3, 0.34))]
    compared = {c.strategy: c for c in compare_with_random(rows)}
    uncertainty = compared["uncertainty"]
    differences = [0.02, 0.025, 0.015]
    half = 4.303 * np.std(differences, ddof=1) / np.sqrt(3)
    assert uncertainty.gain == pytest.approx(0.02) and uncertainty.low == pytest.approx(0.02 - half)
    assert uncertainty.added == 200 and uncertainty.per_1000 == pytest.approx(0.1)
    assert uncertainty.verdict == "better" and compared["confidence"].verdict == "worse"
    one_seed = compare_with_random([r for r in rows if r.seed == 1])
    assert all(c.verdict == "unclear" for c in one_seed)  # one seed says nothing about the spread


def test_random_never_tags_the_pool_and_too_many_rounds_are_refused() -> None:
    class Untaggable:
        def tags_and_confidences(self, tokens):
            raise AssertionError("random picked by tagging")

    assert len(pick("random", Untaggable(), [["a"]] * 30, 5, seed=1)) == 5
    with pytest.raises(ValueError, match="more than the 30 train tweets"):
        simulate(lambda i: None, lambda m: (0, 0), [["a"]] * 30, 20, 5, 3, [1], log=lambda line: None)
