"""Descriptive statistics of the corpora, at token and at entity level.

Each function returns a table (or a dict of figures) the EDA notebook shows and records;
the original analysis looked at token tags only, which hides that most entities are
one or two tokens long and that test differs from train in what it names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd

from ..data.conll import Corpus
from ..data.corpora import entity_strings, known_names
from ..data.labels import OUTSIDE, LabelSet, entities

LENGTH_BINS: tuple[int, ...] = (0, 5, 10, 15, 20, 40, 80)
"""Tweet-length bins (tokens) of the original's entity-presence chart."""


def is_hashtag(token: str) -> bool:
    """``#word``."""
    return token.startswith("#") and len(token) > 1


def is_mention(token: str) -> bool:
    """``@user``."""
    return token.startswith("@") and len(token) > 1


def is_url(token: str) -> bool:
    """A link token (``http...`` or ``www.``)."""
    lower = token.lower()
    return lower.startswith(("http://", "https://", "www."))


def split_overview(corpora: Mapping[str, Corpus]) -> pd.DataFrame:
    """One row per split: sizes, entity density, and the share of Twitter markup tokens."""
    rows = []
    for name, corpus in corpora.items():
        tokens = [tok for tweet in corpus for tok in tweet.tokens]
        n_tokens = len(tokens)
        n_entities = sum(len(entities(t.tags)) for t in corpus)
        rows.append(
            {
                "split": name,
                "tweets": len(corpus),
                "tokens": n_tokens,
                "entities": n_entities,
                "entities_per_tweet": n_entities / len(corpus),
                "tweets_with_entity_pct": 100 * sum(any(t != OUTSIDE for t in tw.tags) for tw in corpus) / len(corpus),
                "entity_token_pct": 100 * sum(t != OUTSIDE for tw in corpus for t in tw.tags) / n_tokens,
                "hashtag_pct": 100 * sum(map(is_hashtag, tokens)) / n_tokens,
                "mention_pct": 100 * sum(map(is_mention, tokens)) / n_tokens,
                "url_pct": 100 * sum(map(is_url, tokens)) / n_tokens,
            }
        )
    return pd.DataFrame(rows).set_index("split")


def entities_by_type(corpora: Mapping[str, Corpus]) -> pd.DataFrame:
    """Entity counts per type (rows) and split (columns), with each split's share in %."""
    counts = {name: Counter(kind for kind, _ in entity_strings(corpus)) for name, corpus in corpora.items()}
    types = LabelSet.from_tags(tags for corpus in corpora.values() for tags in corpus.tags).types
    table = pd.DataFrame({name: [c.get(t, 0) for t in types] for name, c in counts.items()}, index=list(types))
    table.index.name = "type"
    shares = table.div(table.sum(axis=0).where(lambda s: s > 0, 1), axis=1) * 100
    return table.join(shares.add_suffix("_pct"))


def tag_distribution(corpus: Corpus) -> pd.DataFrame:
    """Token count and share of each tag of the corpus's types, most frequent first."""
    counts = Counter(tag for tweet in corpus for tag in tweet.tags)
    total = sum(counts.values())
    labels = LabelSet.from_tags(corpus.tags).labels
    rows = [{"tag": tag, "count": counts.get(tag, 0), "pct": 100 * counts.get(tag, 0) / total} for tag in labels]
    return pd.DataFrame(rows).sort_values(["count", "tag"], ascending=[False, True]).reset_index(drop=True)


def tweet_lengths(corpus: Corpus) -> pd.Series:
    """Tokens per tweet."""
    return pd.Series([len(t.tokens) for t in corpus], name="tweet_length")


def length_summary(corpus: Corpus) -> dict[str, float]:
    """Mean, median, skewness and the 1.5 x IQR outlier rule, as the original computed them."""
    lengths = tweet_lengths(corpus)
    q1, q3 = lengths.quantile([0.25, 0.75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return {
        "mean": float(lengths.mean()),
        "median": float(lengths.median()),
        "skewness": float(lengths.skew()),
        "iqr_low": float(low),
        "iqr_high": float(high),
        "outliers": int(((lengths < low) | (lengths > high)).sum()),
    }


def entity_presence_by_length(corpus: Corpus, bins: Sequence[int] = LENGTH_BINS) -> pd.DataFrame:
    """Tweets with and without an entity per length bin, and the share with one."""
    frame = pd.DataFrame(
        {
            "length": [len(t.tokens) for t in corpus],
            "has_entity": [any(tag != OUTSIDE for tag in t.tags) for t in corpus],
        }
    )
    frame["length_bin"] = pd.cut(frame["length"], bins=list(bins), include_lowest=True).astype(str)
    table = frame.groupby("length_bin", sort=False)["has_entity"].agg(tweets="size", with_entity="sum")
    order = [str(c) for c in pd.cut(pd.Series(bins[1:]), bins=list(bins), include_lowest=True).cat.categories]
    table = table.reindex(order, fill_value=0)
    table["with_entity_pct"] = 100 * table["with_entity"] / table["tweets"].where(table["tweets"] > 0, 1)
    return table


def tag_transitions(corpus: Corpus, tags: Sequence[str] | None = None) -> pd.DataFrame:
    """Counts of tag bigrams within tweets (rows: from, columns: to)."""
    counts: Counter[tuple[str, str]] = Counter()
    for tweet in corpus:
        counts.update(zip(tweet.tags[:-1], tweet.tags[1:]))
    chosen = list(tags) if tags is not None else list(LabelSet.from_tags(corpus.tags).labels)
    return pd.DataFrame([[counts.get((a, b), 0) for b in chosen] for a in chosen], index=chosen, columns=chosen)


def entity_lengths(corpora: Mapping[str, Corpus]) -> pd.DataFrame:
    """How many entities span 1, 2, 3... tokens, per split (columns)."""
    counts = {
        name: Counter(end - start + 1 for t in corpus for _, start, end in entities(t.tags))
        for name, corpus in corpora.items()
    }
    longest = max((max(c) for c in counts.values() if c), default=1)
    table = pd.DataFrame({name: [c.get(n, 0) for n in range(1, longest + 1)] for name, c in counts.items()})
    table.index = pd.Index(range(1, longest + 1), name="entity_tokens")
    return table


def top_entity_strings(corpus: Corpus, n: int = 10) -> pd.DataFrame:
    """The ``n`` most frequent surface strings of each entity type (case-folded)."""
    per_type: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, text in entity_strings(corpus):
        per_type[kind][text.lower()] += 1
    rows = [
        {"type": kind, "rank": rank, "entity": text, "count": count}
        for kind in sorted(per_type)
        for rank, (text, count) in enumerate(sorted(per_type[kind].items(), key=lambda kv: (-kv[1], kv[0]))[:n], 1)
    ]
    return pd.DataFrame(rows, columns=["type", "rank", "entity", "count"])


def duplicate_tweets(corpora: Mapping[str, Corpus]) -> pd.DataFrame:
    """Token-identical tweets occurring more than once, within or across splits.

    Returns:
        One row per duplicated text: where it occurs, how often, and whether its copies
        carry different tags (a labelling conflict, which caps any model's score).
    """
    seen: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for name, corpus in corpora.items():
        for tweet in corpus:
            seen[tweet.tokens].append((name, tweet.tags))
    rows = [
        {
            "text": " ".join(tokens),
            "copies": len(copies),
            "splits": ", ".join(sorted({split for split, _ in copies})),
            "cross_split": len({split for split, _ in copies}) > 1,
            "conflicting_tags": len({tags for _, tags in copies}) > 1,
        }
        for tokens, copies in seen.items()
        if len(copies) > 1
    ]
    columns = ["text", "copies", "splits", "cross_split", "conflicting_tags"]
    return (
        pd.DataFrame(rows, columns=columns)
        .sort_values(["conflicting_tags", "copies", "text"], ascending=[False, False, True])
        .reset_index(drop=True)
    )


def entity_overlap(train: Corpus, other: Corpus) -> dict[str, float]:
    """Share of ``other``'s entity mentions whose (type, lowercased string) occurs in ``train``."""
    known = known_names(train)
    mentions = entity_strings(other)
    seen = sum((kind, text.lower()) in known for kind, text in mentions)
    return {
        "mentions": len(mentions),
        "seen_in_train": seen,
        "seen_pct": 100 * seen / len(mentions) if mentions else 0.0,
    }


def length_summaries(corpora: Mapping[str, Corpus]) -> pd.DataFrame:
    """:func:`length_summary` of every split, one row each."""
    return pd.DataFrame({name: length_summary(corpus) for name, corpus in corpora.items()}).T
