"""Cross-corpus transfer: another corpus's model scored on these test tweets, and what the summary says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetner_utils import Corpus, Tweet, synthetic_splits
from tweetner_utils.data.corpora import CorpusSpec, corpus_spec
from tweetner_utils.data.type_maps import parse_type_map
from tweetner_utils.evaluation.transfer import transfer_for, transfer_record
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.reporting.summary.transfer_text import transfer_lines, transfer_table

SPLITS = synthetic_splits(5)
OURS = CorpusSpec("ours", "Ours", {"test": "April tweets"})


def renamed(corpus: Corpus, names: dict[str, str]) -> Corpus:
    """The same tweets with their types renamed: a second corpus with its own label set."""
    tweets = tuple(
        Tweet(t.tokens, tuple(tag if tag == "O" else f"{tag[:2]}{names.get(tag[2:], tag[2:])}" for tag in t.tags))
        for t in corpus
    )
    return Corpus(tweets, source=corpus.source)


@pytest.fixture(scope="module")
def saved_other_model(tmp_path_factory) -> Path:
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=30, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(SPLITS["train"].tokens, SPLITS["train"].tags)
    folder = tmp_path_factory.mktemp("other") / "strong_crf"
    crf.save(str(folder), {"test_entity_f1": 0.9, "corpus": "Theirs"})
    return folder.parent


def test_the_other_model_is_scored_through_the_map_on_the_same_entities_as_ours(saved_other_model: Path) -> None:
    ours_test = renamed(SPLITS["test"], {"people": "person", "place": "location", "venue": "location"})
    own = CrfTagger(c1=0.1, c2=0.1, max_iterations=30, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    own_train = renamed(SPLITS["train"], {"people": "person", "place": "location", "venue": "location"})
    own.fit(own_train.tokens, own_train.tags)
    types = ("band", "brand", "club", "event", "film", "gadget", "people", "place", "series", "venue")
    type_map = parse_type_map("people\tperson\nplace\tlocation\nvenue\tlocation\n", "map.tsv", types)
    record = transfer_record(saved_other_model, "theirs", "ours", ours_test, own, type_map=type_map)
    assert record["available"] and record["mapping"] == {"people": "person", "place": "location", "venue": "location"}
    assert set(record["transferred"]["per_type"]) == set(record["in_corpus"]["per_type"]) == {"location", "person"}
    gold = record["transferred"]["overall"]["n_gold"]
    assert gold == record["in_corpus"]["overall"]["n_gold"] > 0  # the same entities for both
    assert record["transferred"]["per_type"]["person"]["recall"] > 0.8  # names it learned under another type name
    assert "brand" in record["dropped_gold"] and record["model_own_test_f1"] == 0.9
    assert record["model"] == "strong_crf"  # a folder without a label is named by its folder


def test_no_saved_model_or_no_counterpart_is_said_plainly(tmp_path: Path) -> None:
    wnut16, wnut17 = corpus_spec("wnut16"), corpus_spec("wnut17")
    missing = transfer_for(wnut16, str(tmp_path), SPLITS["test"], None)  # type: ignore[arg-type]
    assert missing == {"available": False, "model_corpus": "wnut17", "reason": "no saved model"}
    (line,) = transfer_lines(missing, wnut16, wnut17)
    assert "No model trained on WNUT17 is saved here yet: run `python run_all.py --corpus wnut17`" in line
    (line,) = transfer_lines({"available": False, "model_corpus": "wnut16"}, wnut17, wnut16)
    assert "run `python run_all.py`, then this report again" in line
    assert transfer_for(OURS, str(tmp_path), SPLITS["test"], None) is None  # type: ignore[arg-type]
    assert "needs a type map first" in transfer_lines(None, OURS, None)[0]
    assert transfer_table(None, OURS, None).empty


def block(recall: dict[str, float], f1: float) -> dict:
    per_type = {k: {"recall": r, "f1": r, "n_gold": 10} for k, r in recall.items()}
    return {"overall": {"f1": f1, "recall": f1, "n_gold": 10 * len(recall)}, "per_type": per_type}


def test_the_sentences_say_what_each_model_finds_and_which_is_better() -> None:
    theirs, ours = corpus_spec("wnut17"), corpus_spec("wnut16")
    worse = {
        "available": True,
        "model": "Ensemble",
        "dropped_gold": {"tvshow": 12},
        "transferred": block({"person": 0.55, "geo-loc": 0.4}, 0.45),
        "in_corpus": block({"person": 0.7, "geo-loc": 0.8}, 0.72),
    }
    lines = transfer_lines(worse, ours, theirs)
    assert lines[0].startswith("Trained on WNUT17, on the 2016 test tweets the leading model, Ensemble, finds")
    assert "55.0% of the person entities, 40.0% of the geo-loc entities" in lines[0]
    assert "the model trained on WNUT16 finds 70.0%, 80.0% of the same" in lines[0]
    assert "45.0% against 72.0%" in lines[1] and "27.0 points lost" in lines[1]
    assert lines[2] == "Left out of both scores, because no WNUT17 type maps onto them: tvshow (12) gold entities."
    better = {
        **worse,
        "dropped_gold": {},
        "transferred": block({"person": 0.9}, 0.8),
        "in_corpus": block({"person": 0.7}, 0.72),
    }
    lines = transfer_lines(better, ours, theirs)
    assert "does as well here" in lines[1] and len(lines) == 2
    table = transfer_table(worse, ours, theirs)
    assert list(table.index) == ["person", "geo-loc", "all mapped types"]
    assert table.loc["all mapped types", "F1, trained on WNUT16"] == 0.72
