"""The human review queue: which tagged tweets people should look at, written for their tool.

Confidence routing accepts an entity automatically when its confidence reaches the model's
dev-chosen threshold (recorded in the model folder); every entity below it is a review
item. A tweet goes to review when it holds at least one, with all its entities offered as
pre-annotations (the reviewer fixes the tweet, not a lone entity). Tweets in which the
model found nothing would never be seen, yet that is where its misses are (it misses
about two entities in five), so a seeded random share of them goes to review too.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..atomic_files import atomic_write_text
from ..data.annotation_tools import (
    LABEL_STUDIO,
    QueuedTweet,
    Span,
    doccano_records,
    label_studio_config,
    label_studio_tasks,
    one_word_id,
)
from ..data.labels import bio_spans
from ..data.tokenizer import Token
from ..evaluation.active_learning import STRATEGIES, choose, priorities
from ..exceptions import UsageError
from ..models.calibration import Calibrator
from ..models.protocol import entity_confidence
from .api import TweetTagger, model_tokens

LOW_CONFIDENCE = "an entity below the auto-accept threshold"
NOTHING_FOUND = "nothing found (random sample, to catch misses)"
EVERYTHING = "every tweet (--all)"
LABEL_NEXT = "chosen to label next ({strategy})"
DEFAULT_EMPTY_SHARE = 0.05
"""Share of nothing-found tweets sent to review by default."""
BATCH = 2048


class Reviewable(Protocol):
    """A tweet as the command line reads it: an id, its text, its tokens with offsets."""

    @property
    def id(self) -> object: ...
    @property
    def text(self) -> str: ...
    @property
    def tokens(self) -> list[Token]: ...


@dataclass(frozen=True)
class QueueSummary:
    """What the queue holds, in the units of the report's routing figures."""

    tweets: int
    entities: int
    review_items: int
    """Entities below the threshold: the report's "review items"."""
    low_confidence_tweets: int
    sampled_tweets: int
    threshold: float | None

    @property
    def review_items_per_1000(self) -> float:
        return 1000 * self.review_items / max(1, self.tweets)

    def describe(self) -> str:
        found = f"{self.tweets} tweets tagged, {self.entities} entities"
        if self.threshold is None:
            return f"{found}; every tweet sent for review (--all)"
        return (
            f"{found}; {self.review_items} below the threshold (confidence < {self.threshold:.4f}): "
            f"{self.review_items_per_1000:.1f} review items per 1,000 tweets, in {self.low_confidence_tweets} "
            f"tweets; plus {self.sampled_tweets} sampled tweets with nothing found"
        )


def model_threshold(tagger: TweetTagger) -> float:
    """The auto-accept threshold the model's run chose on dev.

    Raises:
        UsageError: the model folder records none (saved before thresholds were recorded,
            or no threshold reached the target precision on dev).
    """
    threshold = tagger.metadata.get("routing_threshold")
    if not isinstance(threshold, int | float):
        raise UsageError(
            f"model {tagger.name} records no auto-accept threshold (routing_threshold in its metadata.json): "
            "pass --threshold, or regenerate the models with `make reports`"
        )
    return float(threshold)


def review_queue(
    tagger: TweetTagger,
    items: Sequence[Reviewable],
    threshold: float | None,
    empty_share: float = DEFAULT_EMPTY_SHARE,
    seed: int = 42,
    progress: Callable[[int], None] = lambda done: None,
) -> tuple[list[QueuedTweet], QueueSummary]:
    """Tag ``items`` and keep the tweets people should review, in input order.

    Args:
        threshold: entities with a confidence below it are review items; None sends every
            tweet (a full annotation pass, for example a labelled sample for monitoring).
        empty_share: the share of tweets with no entity found that is sampled into the queue.
        progress: called with the number of tweets tagged so far.
    """
    if not 0.0 <= empty_share <= 1.0:
        raise UsageError(f"the share of nothing-found tweets to sample must be between 0 and 1, not {empty_share}")
    tagged = [(item, spans) for item, spans, _, _ in _tagged(tagger, items, progress)]
    return _select(tagged, threshold, empty_share, seed)


def model_strategy(tagger: TweetTagger) -> str:
    """The labelling strategy the model's run found best in its active-learning simulation.

    Raises:
        UsageError: the model folder records none (saved before the simulation existed).
    """
    strategy = tagger.metadata.get("labelling_strategy")
    if strategy not in STRATEGIES:
        raise UsageError(
            f"model {tagger.name} records no labelling strategy (labelling_strategy in its metadata.json): "
            f"pass --strategy ({', '.join(STRATEGIES)}), or regenerate the models with `make reports`"
        )
    return str(strategy)


def labelling_queue(
    tagger: TweetTagger,
    items: Sequence[Reviewable],
    strategy: str,
    budget: int,
    seed: int = 42,
    progress: Callable[[int], None] = lambda done: None,
) -> list[QueuedTweet]:
    """The ``budget`` tweets (all, when there are fewer) to label next by ``strategy``, in
    input order, with the model's entities as pre-annotations: the rules of the reports'
    active-learning simulation (``evaluation/active_learning.py``) on the model's raw tag
    probabilities; ties, and every choice of ``random``, drawn with ``seed``.

    Raises:
        UsageError: ``budget`` is not positive.
    """
    if budget < 1:
        raise UsageError(f"--budget must be a positive number of tweets, not {budget}")
    tagged = _tagged(tagger, items, progress)
    order = priorities(strategy, [tags for _, _, tags, _ in tagged], [conf for _, _, _, conf in tagged])
    reason = LABEL_NEXT.format(strategy=strategy)
    return [_queued(tagged[i][0], tagged[i][1], reason) for i in choose(order, budget, seed)]


def _tagged(
    tagger: TweetTagger, items: Sequence[Reviewable], progress: Callable[[int], None]
) -> list[tuple[Reviewable, tuple[Span, ...], list[str], list[float]]]:
    """Each tweet with its entities (calibrated confidences), tags and raw tag probabilities."""
    tagged: list[tuple[Reviewable, tuple[Span, ...], list[str], list[float]]] = []
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        tags, confidences = tagger.tag_tokens([model_tokens(item.tokens) for item in batch])
        tagged += [
            (item, _spans(item.tokens, t, c, tagger.calibrator), t, list(c))
            for item, t, c in zip(batch, tags, confidences)
        ]
        progress(len(tagged))
    return tagged


def _spans(
    tokens: Sequence[Token], tags: list[str], confidences: Sequence[float], calibrator: Calibrator
) -> tuple[Span, ...]:
    """Entities as character spans, with their unrounded calibrated confidence (the routing
    analysis compares that value with the threshold; rounding could move an entity across it)."""
    found = []
    for kind, first, last in bio_spans(tags):
        confidence = calibrator.value(entity_confidence(confidences, first, last))
        found.append(Span(tokens[first].start, tokens[last].end, kind, confidence))
    return tuple(found)


def _select(
    tagged: list[tuple[Reviewable, tuple[Span, ...]]], threshold: float | None, empty_share: float, seed: int
) -> tuple[list[QueuedTweet], QueueSummary]:
    empty = [i for i, (_, spans) in enumerate(tagged) if not spans]
    sampled = (
        set(random.Random(seed).sample(empty, round(empty_share * len(empty)))) if threshold is not None else set()
    )
    queue, low_tweets, review_items = [], 0, 0
    for i, (item, spans) in enumerate(tagged):
        low = sum(1 for s in spans if threshold is None or (s.score or 0.0) < threshold)
        review_items += low
        low_tweets += bool(low)
        if threshold is None:
            reason = EVERYTHING
        elif low:
            reason = LOW_CONFIDENCE
        elif i in sampled:
            reason = NOTHING_FOUND
        else:
            continue
        queue.append(_queued(item, spans, reason))
    summary = QueueSummary(
        tweets=len(tagged),
        entities=sum(len(spans) for _, spans in tagged),
        review_items=review_items,
        low_confidence_tweets=low_tweets,
        sampled_tweets=len(sampled),
        threshold=threshold,
    )
    return queue, summary


def _queued(item: Reviewable, spans: tuple[Span, ...], reason: str) -> QueuedTweet:
    """A queue entry: the tweet, its entities as pre-annotations (scores rounded for the tool)."""
    shown = tuple(Span(s.start, s.end, s.type, round(s.score or 0.0, 4)) for s in spans)
    return QueuedTweet(_id(item.id), item.text, tuple(t.text for t in item.tokens), shown, reason)


def _id(value: object) -> str:
    """The input id as a single word (it becomes a CoNLL ``# id =`` line on the way back)."""
    return one_word_id(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def write_queue(
    queue: Sequence[QueuedTweet], fmt: str, output: str | os.PathLike[str], types: Sequence[str], model_version: str
) -> Path:
    """Write the queue in the tool's import format, and beside it what the tool's project
    needs (Label Studio's labelling config, or doccano's label list); returns that file.

    Both files are written atomically: after an error neither is half-written.
    """
    output = Path(output)
    if fmt == LABEL_STUDIO:
        setup = output.with_name(output.stem + ".label_config.xml")
        atomic_write_text(setup, label_studio_config(types))
        atomic_write_text(output, json.dumps(label_studio_tasks(queue, model_version), ensure_ascii=False, indent=1))
        return setup
    setup = output.with_name(output.stem + ".labels.json")
    atomic_write_text(setup, json.dumps([{"text": kind} for kind in types], indent=1) + "\n")
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in doccano_records(queue)]
    atomic_write_text(output, "".join(lines))
    return setup
