"""A small, seeded, invented tweet corpus for tests and quick runs.

No real tweet may be committed to the repository, so tests and ``run_all.py --quick``
use these made-up tweets instead. Their ten entity types are deliberately not WNUT16's, so
every quick run proves that nothing assumes one corpus's label set; they come with single-
and multi-token names (so every B- and I- tag occurs), plus mentions, hashtags and URLs.
The test split also draws names never used in train or dev, a miniature of the
temporal drift between a corpus's train and test sets.
"""

from __future__ import annotations

import random

from .conll import Corpus, Tweet
from .labels import OUTSIDE

SYNTHETIC_TITLE = "synthetic"
"""How reports name the synthetic corpus."""

NAMES: dict[str, tuple[str, ...]] = {
    "people": (
        "Mara Quill",
        "Tobin Vale",
        "Ines Okaro",
        "Dex",
        "Lior Brandt",
        "Sunny Maru",
        "Pell Orin",
        "Yana Ferro",
    ),
    "place": (
        "Port Elsin",
        "Norvik",
        "Calder Bay",
        "Ostrava Hills",
        "Mirel",
        "Dunhallow",
        "Velmont",
        "Sarn",
    ),
    "brand": (
        "Zentrix",
        "Blue Harbor Labs",
        "Corvane",
        "Tillo Foods",
        "Quadrant Nine",
        "Mossly",
        "Arkwell",
        "Pendra Air",
    ),
    "venue": (
        "Kellan Arena",
        "Old Mill Hall",
        "Ferro Stadium",
        "Quay Library",
        "Rook Tower",
        "Linden Mall",
        "Sarn Depot",
        "Gale Park",
    ),
    "film": (
        "Silent Orbit",
        "The Glass Tide",
        "Paper Moons",
        "Ironfall",
        "Night Of Wires",
        "Cinder",
        "Deep Lanterns",
        "Red Meridian",
    ),
    "band": (
        "The Velvet Foxes",
        "Luma Ray",
        "Kid Ostra",
        "Neon Harbor",
        "Sable",
        "The Quiet Kings",
        "Mira Lux",
        "Tundra Boys",
    ),
    "gadget": (
        "Zentrix Pad",
        "Quillphone 3",
        "Arc Buds",
        "Nimbus Watch",
        "Vela X",
        "Corvane Drive",
        "Pixa Cam",
        "Halo Box",
    ),
    "club": (
        "Norvik Rovers",
        "Elsin United",
        "Calder Hawks",
        "Mirel FC",
        "Sarn Giants",
        "Velmont Owls",
        "Dune City",
        "Bay Comets",
    ),
    "series": (
        "Night Kitchen",
        "Harbor Lights",
        "The Long Shift",
        "Quiz Island",
        "Velvet Court",
        "Moonwatch",
        "Open Road Live",
        "Tidy Town",
    ),
    "event": (
        "Lantern Festival",
        "Frostweek",
        "Harvest Day",
        "Code Jam",
        "Blue Moon Night",
        "Starfall Eve",
        "Orbit Prize",
        "Kite Day",
    ),
}
"""Invented names per type; the last quarter of each list appears only in ``test``."""

TEMPLATES: tuple[str, ...] = (
    "just met {people} at {venue} !",
    "{people} is moving to {place} next week",
    "{brand} stock is up again today",
    "watching {film} tonight , so good",
    "listening to {band} on repeat",
    "got the new {gadget} from {brand} lol",
    "{club} won again ! what a game",
    "who else watches {series} ? best show",
    "cannot wait for {event} this weekend",
    "traffic near {venue} in {place} is terrible",
    "{people} said {film} was better than {series}",
    "my {gadget} died again smh",
    "going to see {band} live in {place}",
    "{club} fans at {venue} tonight",
    "so bored today , nothing to do",
    "happy {event} everyone !",
)
"""Tweet shapes; ``{type}`` slots become names, everything else is tagged O."""

SPLIT_SIZES: dict[str, int] = {"train": 240, "dev": 80, "extra": 40, "test": 120}
"""Tweets per split in :func:`synthetic_splits`."""

_SPLIT_OFFSETS = {"train": 0, "dev": 1, "extra": 2, "test": 3}


def make_synthetic_corpus(n_tweets: int, seed: int = 0, *, unseen_names: bool = False) -> Corpus:
    """Generate ``n_tweets`` invented tweets, the same ones for the same seed.

    Args:
        n_tweets: how many tweets to make.
        seed: the random seed; equal seeds give equal corpora.
        unseen_names: also draw from the held-out quarter of each name list.

    >>> make_synthetic_corpus(2, seed=1) == make_synthetic_corpus(2, seed=1)
    True
    """
    rng = random.Random(seed)
    tweets = tuple(_make_tweet(rng, unseen_names) for _ in range(n_tweets))
    return Corpus(tweets, source=f"<synthetic seed={seed}>")


HOSTILE_TWEET = Tweet(
    ("RT", "<script>alert(1)</script>", "met", "<img", "src=x", "onerror=alert(1)>", "at", "Kellan", "Arena"),
    ("O", "B-people", "O", "B-gadget", "I-gadget", "I-gadget", "O", "B-venue", "I-venue"),
)
"""The last synthetic test tweet: markup in tweet text and entity strings, so every quick
run checks end to end that reports show it escaped (``tests/pipeline/test_reliability.py``)."""


def synthetic_splits(seed: int = 0) -> dict[str, Corpus]:
    """Train, dev, an extra labelled split (spare tweets, as if reviewed) and test, filled with
    synthetic tweets (test with unseen names, ending with :data:`HOSTILE_TWEET`)."""
    splits = {
        name: make_synthetic_corpus(size, seed * 10 + _SPLIT_OFFSETS[name], unseen_names=name == "test")
        for name, size in SPLIT_SIZES.items()
    }
    test = splits["test"]
    splits["test"] = Corpus((*test.tweets[:-1], HOSTILE_TWEET), source=test.source)
    return splits


def _make_tweet(rng: random.Random, unseen_names: bool) -> Tweet:
    tokens: list[str] = []
    tags: list[str] = []
    if rng.random() < 0.3:
        _extend(tokens, tags, f"@user{rng.randint(1, 99)}")
    for piece in rng.choice(TEMPLATES).split():
        if piece.startswith("{") and piece.endswith("}"):
            kind = piece[1:-1]
            _extend(tokens, tags, _pick_name(rng, kind, unseen_names), kind)
        else:
            _extend(tokens, tags, piece)
    if rng.random() < 0.3:
        _extend(tokens, tags, rng.choice(("#fun", "#news", "#tbt", "#weekend")))
    if rng.random() < 0.2:
        _extend(tokens, tags, f"http://t.co/{rng.randrange(16**6):06x}")
    return Tweet(tuple(tokens), tuple(tags))


def _pick_name(rng: random.Random, kind: str, unseen_names: bool) -> str:
    names = NAMES[kind]
    seen = len(names) - len(names) // 4
    return rng.choice(names if unseen_names else names[:seen])


def _extend(tokens: list[str], tags: list[str], text: str, kind: str | None = None) -> None:
    words = text.split()
    tokens.extend(words)
    if kind is None:
        tags.extend([OUTSIDE] * len(words))
    else:
        tags.extend([f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1))


def synthetic_gazetteer_lists() -> dict[str, list[str]]:
    """Name lists for quick runs: the seen names of each type (never the held-out ones)."""
    return {f"synthetic:{kind}": list(names[: len(names) - len(names) // 4]) for kind, names in NAMES.items()}
