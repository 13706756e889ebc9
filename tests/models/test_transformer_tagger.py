"""The transformer tagger with the packaged MiniLM folder: encodes, learns, saves, loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from label_sets import SYNTHETIC

from tweetner_utils import synthetic_splits
from tweetner_utils.exceptions import ArtifactError
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger, casing_class, default_model_dir

SPLITS = synthetic_splits(4)


def test_packaged_model_folder_is_found() -> None:
    folder = default_model_dir()
    assert folder is not None and (Path(folder) / "config.json").is_file()


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        TransformerTagger(TransformerSettings(model_dir=str(tmp_path)), SYNTHETIC.labels)


def test_casing_classes() -> None:
    assert [casing_class(w) for w in ("the", "The", "THE", "McD", "2day", "...")] == [1, 2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def tagger() -> TransformerTagger:
    model = TransformerTagger(TransformerSettings(max_epochs=2, batch_size=16, lr=1e-4, seed=3), SYNTHETIC.labels)
    train = SPLITS["train"]
    model.fit(train.tokens[:120], train.tags[:120], progress=lambda _: None)
    return model


@pytest.mark.slow  # fine-tunes MiniLM (a minute on 2 cores)
def test_every_word_gets_a_distribution_even_with_odd_characters(tagger: TransformerTagger) -> None:
    words = ["\u200bWhy", "caf\u00e9", "\u00a0", "NYC", "!!"]
    encoded = tagger._encode(words, None)
    assert sorted(encoded["first_positions"]) == list(range(len(words)))
    (probs,) = tagger.predict_proba([words])
    assert probs.shape == (5, 21)
    assert probs.sum(axis=1) == pytest.approx([1.0] * 5, abs=1e-5)


@pytest.mark.slow  # fine-tunes MiniLM (a minute on 2 cores)
def test_learns_something_and_round_trips(tagger: TransformerTagger, tmp_path: Path) -> None:
    dev = SPLITS["dev"]
    predictions = tagger.predict(dev.tokens)
    assert any(tag != "O" for tweet in predictions for tag in tweet)
    tagger.save(str(tmp_path / "m"), {"seed": 3})
    metadata = (tmp_path / "m" / "metadata.json").read_text("utf-8")
    assert json.loads(metadata)["settings"]["model_dir"] == ""  # the packaged MiniLM, found wherever installed
    assert str(Path(str(default_model_dir())).parent) not in metadata  # so the bytes do not name this checkout
    loaded = TransformerTagger.load(str(tmp_path / "m"))
    assert loaded.predict(dev.tokens) == predictions and loaded.settings.model_dir == default_model_dir()
    (tmp_path / "m" / "weights.pt").write_bytes(b"not the weights")
    with pytest.raises(ArtifactError, match="SHA-256 mismatch"):
        TransformerTagger.load(str(tmp_path / "m"))


@pytest.mark.slow  # fine-tunes MiniLM (a minute on 2 cores)
def test_a_tweet_gets_the_same_probabilities_alone_and_in_any_batch(tagger: TransformerTagger) -> None:
    import numpy as np

    tweets = SPLITS["dev"].tokens[:40]
    together = tagger.predict_proba(tweets)
    alone = [tagger.predict_proba([tweet])[0] for tweet in tweets]
    reversed_batch = tagger.predict_proba(tweets[::-1])[::-1]
    assert all(np.array_equal(a, b) for a, b in zip(together, alone))
    assert all(np.array_equal(a, b) for a, b in zip(together, reversed_batch))
    assert len({len(tagger._encode(t, None)["input_ids"]) for t in tweets}) > 1  # lengths differ: batches do too
