"""Scoring a model on a corpus with other types: the type-map file and what it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetner_utils import ConllFormatError, entity_scores
from tweetner_utils.data.type_maps import built_in_type_map, parse_type_map, read_type_map

MODEL_TYPES = ("geo-loc", "movie", "other", "person", "tvshow")
MAP = "geo-loc\tlocation\nmovie\tcreative-work\ntvshow\tcreative-work\nperson\tperson\n"


def test_several_model_types_map_to_one_and_unmapped_predictions_are_dropped() -> None:
    type_map = parse_type_map("# comment\n\n" + MAP, "map.tsv", MODEL_TYPES)
    gold = [["B-creative-work", "I-creative-work", "O", "B-person"]]
    pred = [["B-movie", "I-movie", "B-other", "B-person"]]
    gold_tags, pred_tags = type_map.apply(gold, pred)
    assert pred_tags == [["B-creative-work", "I-creative-work", "O", "B-person"]]
    assert entity_scores(gold_tags, pred_tags).overall.f1 == 1.0
    assert type_map.unmapped(MODEL_TYPES) == ["other"]


def test_gold_types_no_line_maps_onto_leave_the_score_with_the_predictions_on_them() -> None:
    type_map = parse_type_map(MAP, "map.tsv", MODEL_TYPES)
    gold = [["B-group", "I-group", "O", "B-corporation", "B-location"]]
    pred = [["B-person", "I-person", "O", "B-geo-loc", "B-geo-loc"]]
    gold_tags, pred_tags = type_map.apply(gold, pred)
    assert gold_tags == [["O", "O", "O", "O", "B-location"]]
    assert pred_tags == [["O", "O", "O", "O", "B-location"]]  # guesses on dropped gold entities are not counted
    assert type_map.dropped_gold(gold) == {"group": 1, "corporation": 1}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("person\tperson\nmovie creative-work\n", 2, "expected 'model_type<TAB>corpus_type'"),
        ("person\tperson\tx\n", 1, "expected 'model_type<TAB>corpus_type'"),
        ("person\t\n", 1, "expected 'model_type<TAB>corpus_type'"),
        ("film\tcreative-work\n", 1, "the model tags no type 'film'"),
        ("person\tperson\n\nperson\tgroup\n", 3, "mapped a second time (first on line 1)"),
        ("person\tthe person\n", 1, "is not a type name"),
    ],
    ids=["spaces", "three-columns", "empty-target", "unknown-model-type", "twice", "space-in-type"],
)
def test_bad_lines_are_named(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "map.tsv"
    path.write_text(text)
    with pytest.raises(ConllFormatError) as caught:
        read_type_map(path, MODEL_TYPES)
    assert caught.value.path == str(path) and caught.value.line == line and reason in caught.value.reason


def test_an_empty_or_unreadable_map_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.tsv").write_text("# nothing\n")
    with pytest.raises(ConllFormatError, match="maps no type"):
        read_type_map(tmp_path / "empty.tsv", MODEL_TYPES)
    with pytest.raises(ConllFormatError, match="cannot read the type map"):
        read_type_map(tmp_path / "absent.tsv", MODEL_TYPES)


def test_the_built_in_maps_relate_the_built_in_corpora() -> None:
    wnut16 = ("company", "facility", "geo-loc", "movie", "musicartist", "other", "person", "product", "sportsteam")
    forward = built_in_type_map("wnut16", "wnut17", (*wnut16, "tvshow"))
    assert forward.corpus_types == {"corporation", "creative-work", "group", "location", "person", "product"}
    wnut17 = ("corporation", "creative-work", "group", "location", "person", "product")
    assert set(built_in_type_map("wnut17", "wnut16", wnut17).mapping) == set(wnut17)
    with pytest.raises(FileNotFoundError):
        built_in_type_map("wnut17", "mine", wnut17)
