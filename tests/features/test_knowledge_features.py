"""Gazetteer and Brown-cluster features on hand-written tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from knowledge_oracle import gazetteer_matches, reference_knowledge_features

from tweetner_utils.data.access import CACHE_DIR_ENV
from tweetner_utils.data.resources import build_gazetteer, normalise_phrase, parse_brown_clusters
from tweetner_utils.features import knowledge
from tweetner_utils.features.knowledge import (
    KnowledgeFeaturizer,
    PhraseIndex,
    cluster_features,
    compiled_phrase_index,
    flatten_features,
    knowledge_from_gazetteers,
)

GAZETTEER = build_gazetteer(
    {
        "wd:movies": ["Breaking Dawn", "", "   "],
        "wnut:tv.tv_program": ["It", "The Voice"],
        "wd:cities": ["New York", "new york city"],
    }
)
CLUSTERS = parse_brown_clusters(["obama 11", "voice 6", "#fun 5"])
RESOURCES = knowledge_from_gazetteers((GAZETTEER,), CLUSTERS, frozenset({"it", "the"}))


def test_empty_entries_are_ignored_and_phrases_normalised() -> None:
    assert "" not in GAZETTEER.phrases
    assert GAZETTEER.lists_for("breaking dawn") == {"wd:movies"}
    assert normalise_phrase("@Obama!!") == "obama"


def test_windows_covering_a_token_mark_begin_and_inside() -> None:
    matches = gazetteer_matches(["watch", "Breaking", "Dawn", "in", "New", "York", "City"], RESOURCES)
    assert matches[0] == set()
    assert matches[1] == {"wd:movies:B"}
    assert matches[2] == {"wd:movies:I"}
    assert matches[4] == {"wd:cities:B"}  # "new york" and "new york city" both start here
    assert matches[5] == {"wd:cities:I"}
    assert matches[6] == {"wd:cities:I"}


def test_single_stopwords_never_match_but_phrases_with_them_do() -> None:
    matches = gazetteer_matches(["it", "is", "The", "Voice"], RESOURCES)
    assert matches[0] == set()  # "It" is a TV programme, and a stop word
    assert matches[2] == {"wnut:tv.tv_program:B"}
    assert matches[3] == {"wnut:tv.tv_program:I"}


def test_hashtags_and_punctuation_are_stripped_before_lookup() -> None:
    matches = gazetteer_matches(["#Breaking", "Dawn", "!"], RESOURCES)
    assert matches[0] == {"wd:movies:B"} and matches[1] == {"wd:movies:I"} and matches[2] == set()


def test_cluster_prefixes_mask_low_bits_and_strip_markup() -> None:
    assert CLUSTERS.prefixes("Obama", (2, 3)) == {2: 11 & 0b11, 3: 11 & 0b111}
    assert CLUSTERS.lookup("@obama") == 11
    assert CLUSTERS.lookup("#fun") == 5  # the marked form wins when it is known
    assert cluster_features("zzz", CLUSTERS) == {"bc_unknown": True}
    assert cluster_features("voice", CLUSTERS)["bc4"] == str(6 & 0b1111)


def test_malformed_cluster_line_names_the_line() -> None:
    with pytest.raises(ValueError, match=r"clusters.txt:2: expected"):
        parse_brown_clusters(["ok 1", "broken"], "clusters.txt")


def test_featurizer_combines_orthography_gazetteers_and_clusters() -> None:
    rows = KnowledgeFeaturizer(RESOURCES)(["Obama", "watched", "Breaking", "Dawn"])
    assert rows[0]["bc4:11"] == 1.0 and rows[0]["is_title"] == 1.0 and "is_upper" not in rows[0]
    assert rows[2]["gaz=wd:movies:B"] == 1.0 and rows[2]["gaz=wd:movies"] == 1.0
    assert rows[1]["+1:gaz=wd:movies:B"] == 1.0
    assert rows[3]["-1:gaz=wd:movies:B"] == 1.0
    assert rows[1]["-1:bc8:11"] == 1.0
    assert rows[0]["-2:boundary"] == rows[0]["first"] == rows[3]["last"] == 1.0


WORDS = ["Obama", "it", "the", "The", "Voice", "Breaking", "Dawn", "#fun", "New", "York", "City", "-", "!!", "@obama"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=12))
def test_cached_featurizer_equals_the_readable_definition(tokens: list[str]) -> None:
    """The fast featurizer (token cache, phrase-prefix index) must give exactly the reference features."""
    featurizer = KnowledgeFeaturizer(RESOURCES)
    expected = [flatten_features(row) for row in reference_knowledge_features(tokens, RESOURCES)]
    assert featurizer(tokens) == expected
    assert featurizer(tokens) == expected  # again, from the cache
    assert featurizer.index.matches([normalise_phrase(t) for t in tokens]) == gazetteer_matches(tokens, RESOURCES)


def test_token_cache_is_bounded() -> None:
    featurizer = KnowledgeFeaturizer(RESOURCES)
    featurizer.CACHE_LIMIT = 10
    for i in range(35):
        featurizer([f"w{i}"])
    assert len(featurizer._tokens) <= 10


def test_a_saved_phrase_index_loads_equal_and_a_damaged_one_is_refused(tmp_path) -> None:
    path = tmp_path / "index.txt"
    RESOURCES.index.save(path)
    assert PhraseIndex.load(path) == RESOURCES.index
    text = path.read_text("utf-8")
    path.write_text(text[: len(text) // 2], "utf-8")
    with pytest.raises(ValueError, match="truncated"):
        PhraseIndex.load(path)
    path.write_text("something else\n", "utf-8")
    with pytest.raises(ValueError, match="not a phrase index"):
        PhraseIndex.load(path)


def test_the_compiled_index_is_built_once_per_data_and_stop_words(monkeypatch, tmp_path) -> None:
    """The slow build (normalising every listed name) runs once; later starts read the cache."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    builds: list[str] = []

    def wnut_lists(data_dir: str):
        builds.append(data_dir)
        return GAZETTEER

    monkeypatch.setattr(knowledge, "wnut_gazetteer", wnut_lists)
    stop = frozenset({"it"})
    first = compiled_phrase_index("", wnut=True, wikidata=False, stopwords=stop)
    again = compiled_phrase_index("", wnut=True, wikidata=False, stopwords=stop)
    assert builds == [""] and first == again == PhraseIndex.from_gazetteers([GAZETTEER], stop)
    compiled_phrase_index("", wnut=True, wikidata=False, stopwords=frozenset())  # another key
    assert len(builds) == 2
    damaged = sorted((tmp_path / "compiled").glob("phrase-index-*.txt"))
    assert len(damaged) == 2
    damaged[0].write_text(f"{knowledge.INDEX_MAGIC}\n{{}}\n", "utf-8")
    compiled_phrase_index("", wnut=True, wikidata=False, stopwords=stop)
    compiled_phrase_index("", wnut=True, wikidata=False, stopwords=frozenset())
    assert len(builds) == 3  # the damaged file was rebuilt, the other read
