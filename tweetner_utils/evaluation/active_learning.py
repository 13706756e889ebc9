"""Which tweets to label next: an active-learning simulation on real data, gold tags
standing in for the reviewers.

Start from part of ``train``; in rounds, the current model tags the rest of ``train`` (the
pool) and a strategy picks the next tweets to label: at random, by the review queue's rule
(the tweets whose least confident entity is least confident; ``serving/review.py``), or by
token-level uncertainty (the mean of the tweet's lowest tag probabilities). Every strategy
starts from the same tweets and model per seed, so the strategies' differences are paired
and the seeds give their spread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..data.conll import TokenLists
from ..data.labels import bio_spans
from ..models.protocol import Tagger, entity_confidence
from .learning_curve import subsample

STRATEGIES = ("random", "confidence", "uncertainty")
"""``random``; ``confidence``: the review queue's rule; ``uncertainty``: token-level."""
LOWEST_TOKENS = 3
"""How many of a tweet's least probable tags the uncertainty strategy averages."""
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
"""Student's t, two-sided 95%, by degrees of freedom (the seeds are few)."""


def priorities(strategy: str, tags: Sequence[Sequence[str]], confidences: Sequence[Sequence[float]]) -> np.ndarray:
    """Per pool tweet, a value whose smallest are labelled first (``random`` has none: all 0).

    ``confidence``: the lowest confidence of the tweet's entities; a tweet where the model
    found nothing comes after every tweet with an entity (1 + its least probable tag's
    probability, so the least sure of them still come first). ``uncertainty``: the mean of
    the :data:`LOWEST_TOKENS` lowest probabilities of the tweet's tags.

    Raises:
        ValueError: an unknown strategy.
    """
    if strategy == "random":
        return np.zeros(len(tags))
    if strategy == "confidence":
        out = []
        for tweet_tags, values in zip(tags, confidences):
            spans = bio_spans(list(tweet_tags))
            if spans:
                out.append(min(entity_confidence(values, first, last) for _, first, last in spans))
            else:
                out.append(1.0 + min(values, default=1.0))
        return np.array(out)
    if strategy == "uncertainty":
        return np.array([float(np.mean(sorted(values)[:LOWEST_TOKENS])) if values else 1.0 for values in confidences])
    raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")


def choose(priority: np.ndarray, budget: int, seed: int) -> list[int]:
    """The ``budget`` positions of smallest priority; ties broken by a seeded shuffle (so
    ``random``, whose priorities are all equal, is a seeded random draw)."""
    order = np.random.default_rng(seed).permutation(len(priority))
    ranked = order[np.argsort(priority[order], kind="stable")]
    return sorted(ranked[:budget].tolist())


def pick(strategy: str, model: Tagger, tokens: TokenLists, budget: int, seed: int) -> list[int]:
    """What ``strategy`` labels next among ``tokens`` (the pool), by their positions.

    The model tags the pool only when the strategy reads its confidences."""
    if strategy == "random":
        return choose(np.zeros(len(tokens)), budget, seed)
    tags, confidences = model.tags_and_confidences(tokens)
    return choose(priorities(strategy, tags, confidences), budget, seed)


@dataclass(frozen=True)
class RoundScore:
    """The model after one round of one strategy under one seed."""

    strategy: str
    seed: int
    labelled: int
    dev_f1: float
    test_f1: float


def simulate(
    fit: Callable[[list[int]], Tagger],
    score: Callable[[Tagger], tuple[float, float]],
    tokens: TokenLists,
    start: int,
    batch: int,
    rounds: int,
    seeds: Sequence[int],
    strategies: Sequence[str] = STRATEGIES,
    log: Callable[[str], None] = print,
) -> list[RoundScore]:
    """Per seed: ``start`` train tweets drawn at random and a model fit on them (the same
    for every strategy), then ``rounds`` rounds of ``batch`` tweets picked from the rest of
    train by each strategy, the model refit after each. ``fit`` trains on train indices;
    ``score`` gives a model's (dev F1, test F1)."""
    out = []
    for seed in seeds:
        out += seed_paths(fit, score, tokens, start, batch, rounds, seed, strategies, log)
    return out


def seed_paths(
    fit: Callable[[list[int]], Tagger],
    score: Callable[[Tagger], tuple[float, float]],
    tokens: TokenLists,
    start: int,
    batch: int,
    rounds: int,
    seed: int,
    strategies: Sequence[str] = STRATEGIES,
    log: Callable[[str], None] = print,
) -> list[RoundScore]:
    """Every strategy's path under one seed, from the seed's ``start`` tweets and their model,
    fit and scored once for all of them. A unit of work on its own, so that seeds can run in
    parallel."""
    if start + batch * rounds > len(tokens):
        raise ValueError(f"{start} + {rounds} x {batch} tweets is more than the {len(tokens)} train tweets")
    first = subsample(len(tokens), start, seed)
    first_model = fit(first)
    first_scores = score(first_model)
    out = []
    for strategy in strategies:
        labelled, model = first, first_model
        out.append(RoundScore(strategy, seed, len(labelled), *first_scores))
        for round_number in range(rounds):
            taken = set(labelled)
            pool = [i for i in range(len(tokens)) if i not in taken]
            chosen = pick(strategy, model, [tokens[i] for i in pool], batch, seed * 1000 + round_number)
            labelled = sorted(labelled + [pool[k] for k in chosen])
            model = fit(labelled)
            out.append(RoundScore(strategy, seed, len(labelled), *score(model)))
            log(f"active learning: {strategy}, seed {seed}, {len(labelled):,} labelled: dev F1 {out[-1].dev_f1:.4f}")
    return out


@dataclass(frozen=True)
class Comparison:
    """A strategy against random at the simulation's last round, paired by seed."""

    strategy: str
    labelled: int
    gain: float
    """Mean over seeds of (strategy F1 - random F1), same seed, same number of labels."""
    low: float
    high: float
    """The 95% t-interval of that mean over the seeds (equal to ``gain`` with one seed)."""
    added: int
    """Tweets added after the start, for the gain per 1,000 labels."""
    seeds: int

    @property
    def per_1000(self) -> float:
        """The gain over random spread over the tweets added, per 1,000."""
        return self.gain * 1000 / self.added if self.added else 0.0

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``unclear``: whether the interval leaves out zero."""
        if self.seeds > 1 and self.low > 0:
            return "better"
        if self.seeds > 1 and self.high < 0:
            return "worse"
        return "unclear"


def compare_with_random(rounds: Sequence[RoundScore], column: str = "test_f1") -> list[Comparison]:
    """Each strategy's paired difference from random at the largest number of labels."""
    last = max(r.labelled for r in rounds)
    start = min(r.labelled for r in rounds)
    final = {(r.strategy, r.seed): getattr(r, column) for r in rounds if r.labelled == last}
    seeds = sorted({seed for strategy, seed in final if strategy == "random"})
    out = []
    for strategy in sorted({s for s, _ in final if s != "random"}, key=STRATEGIES.index):
        differences = [final[(strategy, seed)] - final[("random", seed)] for seed in seeds]
        mean = float(np.mean(differences))
        half = 0.0
        if len(differences) > 1:
            t = T_95.get(len(differences) - 1, 1.96)
            half = t * float(np.std(differences, ddof=1)) / math.sqrt(len(differences))
        out.append(Comparison(strategy, last, mean, mean - half, mean + half, last - start, len(differences)))
    return out


def best_strategy(comparisons: Sequence[Comparison]) -> str:
    """The strategy the simulation supports: the one with the largest gain whose interval
    is above zero, else ``random`` (choosing is not worth it unless the data say so). Give
    it the dev comparisons: it is a choice."""
    better = [c for c in comparisons if c.verdict == "better"]
    return max(better, key=lambda c: c.gain).strategy if better else "random"
