"""Corpora as data: built-in specs, folders of one's own, and the label set they define."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetner_utils import ConllFormatError, corpus_labels, corpus_spec, load_corpora, read_conll
from tweetner_utils.data.corpora import CorpusSpec, describe_source, describe_splits
from tweetner_utils.exceptions import DataError

TRAIN = b"Avatar\tB-creative-work\nrocks\tO\n\nIKEA\tB-corporation\nsale\tO\n\n"
DEV = b"-DOCSTART- -X- -X- O\n\nnew\tO\nIKEA\tB-corporation\n\t\nok\tO\n"
TEST = b"Dune\tB-creative-work\n2\tI-creative-work\n"


def folder(tmp_path: Path, test: bytes = TEST, *, dev_name: str = "dev.conll") -> Path:
    root = tmp_path / "brand_tweets"
    root.mkdir(exist_ok=True)
    (root / "train").write_bytes(TRAIN)
    (root / dev_name).write_bytes(DEV)
    (root / "test.txt").write_bytes(test)
    return root


def test_built_in_corpora_name_their_splits_in_words() -> None:
    wnut16, wnut17 = corpus_spec("wnut16"), corpus_spec("wnut17")
    assert wnut16.words("test") == "2016 test tweets" and "2016" not in wnut17.words("test")
    assert list(wnut17.splits) == ["train", "dev", "test"]
    assert CorpusSpec.from_dict(wnut17.to_dict()) == wnut17
    with pytest.raises(DataError, match=r"unknown corpus 'wnut18'.*--corpus-dir"):
        corpus_spec("wnut18")


def test_a_folder_of_ones_own_is_read_with_its_own_label_set(tmp_path: Path) -> None:
    root = folder(tmp_path)
    spec = corpus_spec(corpus_dir=str(root))
    assert spec.name == "brand_tweets" and set(spec.files) == {"train", "dev", "test"}
    corpora = load_corpora(False, 0, corpus_dir=str(root))
    assert [len(c) for c in corpora.values()] == [2, 2, 1]  # -DOCSTART- and the tab-only line are breaks
    assert corpus_labels(corpora).types == ("corporation", "creative-work")
    assert "brand_tweets" in describe_source(False, spec) and "not" not in describe_source(False, corpus_spec())
    sentence = describe_splits(spec, corpora)
    assert "test: 1 (brand_tweets test tweets)" in sentence and "`corporation`, `creative-work`" in sentence
    assert "geo-loc" not in sentence and "2016" not in sentence


def test_a_type_that_train_lacks_names_file_line_and_type(tmp_path: Path) -> None:
    root = folder(tmp_path, b"ok\tO\n\nCanada\tB-location\n")
    with pytest.raises(ConllFormatError) as caught:
        load_corpora(False, 0, corpus_dir=str(root))
    error = caught.value
    assert error.path == str(root / "test.txt") and error.line == 3
    assert "type 'location' is not in train" in error.reason and "corporation, creative-work" in error.reason


def test_train_without_entities_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t").write_bytes(b"no\tO\nnames\tO\n")
    with pytest.raises(ConllFormatError, match="at least one entity"):
        corpus_labels({"train": read_conll(tmp_path / "t")})


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: (root / "test.txt").unlink(), "no test split"),
        (lambda root: (root / "train.conll").write_bytes(TRAIN), "2 files for the train split: train, train.conll"),
    ],
    ids=["missing", "two-files"],
)
def test_a_folder_with_a_missing_or_doubled_split_is_a_clear_error(tmp_path: Path, setup, message: str) -> None:
    root = folder(tmp_path)
    setup(root)
    with pytest.raises(DataError, match=message):
        corpus_spec(corpus_dir=str(root))


def test_a_file_instead_of_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(TRAIN)
    with pytest.raises(DataError, match="not a folder"):
        corpus_spec(corpus_dir=str(tmp_path / "f"))
