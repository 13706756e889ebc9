"""Baseline and BiLSTM taggers: they learn an easy pattern and save/load faithfully."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tweetner_utils import entity_scores, synthetic_splits, validation_split
from tweetner_utils.exceptions import ArtifactError
from tweetner_utils.models.baselines import MajorityTagger, SgdTokenTagger, ranking_scores, tune_sgd
from tweetner_utils.models.bilstm import BilstmSettings, BilstmTagger, build_vocab
from tweetner_utils.models.crf import CrfTagger

SPLITS = synthetic_splits(3)
TRAIN, DEV = SPLITS["train"], SPLITS["dev"]


def f1(model, corpus) -> float:
    return entity_scores(corpus.tags, model.predict(corpus.tokens)).overall.f1


def test_majority_predicts_o() -> None:
    model = MajorityTagger().fit(TRAIN.tokens, TRAIN.tags)
    assert model.tag == "O"
    assert f1(model, DEV) == 0.0


def test_sgd_learns_and_tuning_keeps_the_first_best() -> None:
    fit, val = validation_split(TRAIN, 0.25, 0)
    search = tune_sgd(fit.tokens, fit.tags, val.tokens, val.tags, [1e-5, 1e-2], seed=0)
    assert list(search.table["alpha"]) == [1e-5, 1e-2]
    best = search.table["val_f1_non_o_macro"].max()
    assert search.best.alpha == search.table.loc[search.table["val_f1_non_o_macro"] == best, "alpha"].iloc[0]
    assert f1(search.best, DEV) > 0.6
    ranking = ranking_scores(search.best, DEV.tokens, DEV.tags)
    assert 0.5 < ranking["roc_auc_macro_ovr"] <= 1.0
    top = search.best.top_features(per_class=3, classes=["B-people"])
    assert list(top["class"]) == ["B-people"] * 3 and top["weight"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="not in the training data"):
        search.best.top_features(classes=["B-person"])


def test_sgd_is_seeded() -> None:
    a = SgdTokenTagger(1e-4, seed=1).fit(TRAIN.tokens, TRAIN.tags).predict(DEV.tokens)
    b = SgdTokenTagger(1e-4, seed=1).fit(TRAIN.tokens, TRAIN.tags).predict(DEV.tokens)
    assert a == b


def test_validation_split_matches_fraction_and_is_disjoint() -> None:
    fit, val = validation_split(TRAIN, 0.2, 42)
    assert len(val) == 48 and len(fit) == 192
    assert validation_split(TRAIN, 0.2, 42) == (fit, val)


def test_crf_learns_the_synthetic_pattern() -> None:
    model = CrfTagger(c1=0.1, c2=0.1, max_iterations=50).fit(TRAIN.tokens, TRAIN.tags)
    assert f1(model, DEV) > 0.9


def test_vocab_keeps_frequent_lowercased_words() -> None:
    vocab = build_vocab([["The", "the", "cat"]], min_count=2)
    assert vocab == {"<PAD>": 0, "<UNK>": 1, "the": 2}


@pytest.fixture(scope="module")
def bilstm() -> BilstmTagger:
    settings = BilstmSettings(emb_dim=32, hidden_dim=32, max_epochs=6, patience=6, seed=5, lr=1e-2)
    tagger = BilstmTagger(settings)
    tagger.fit(TRAIN.tokens, TRAIN.tags, validation=(DEV.tokens, DEV.tags), progress=lambda _: None)
    return tagger


def test_bilstm_learns_and_is_deterministic(bilstm: BilstmTagger) -> None:
    assert f1(bilstm, DEV) > 0.5
    again = BilstmTagger(bilstm.settings)
    again.fit(TRAIN.tokens, TRAIN.tags, validation=(DEV.tokens, DEV.tags), progress=lambda _: None)
    assert again.predict(SPLITS["test"].tokens) == bilstm.predict(SPLITS["test"].tokens)


def test_bilstm_save_load_gives_identical_predictions(bilstm: BilstmTagger, tmp_path: Path) -> None:
    bilstm.save(str(tmp_path / "model"), {"seed": 5})
    loaded = BilstmTagger.load(str(tmp_path / "model"))
    assert loaded.predict(SPLITS["test"].tokens) == bilstm.predict(SPLITS["test"].tokens)


def test_altered_or_pickled_weights_are_refused(bilstm: BilstmTagger, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    bilstm.save(str(folder), {})
    weights = folder / "weights.pt"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="SHA-256 mismatch"):
        BilstmTagger.load(str(folder))
    (folder / "extra.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ArtifactError, match="not listed"):
        BilstmTagger.load(str(folder))


def test_saving_over_a_model_replaces_it_whole(bilstm: BilstmTagger, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    bilstm.save(str(folder), {"version": 1})
    bilstm.save(str(folder), {"version": 2})
    assert BilstmTagger.load(str(folder)).predict(DEV.tokens[:3]) == bilstm.predict(DEV.tokens[:3])
    assert sorted(os.listdir(tmp_path)) == ["model"]


def test_crf_save_load_gives_identical_predictions_and_marginals(tmp_path: Path) -> None:
    model = CrfTagger(c1=0.1, c2=0.1, max_iterations=30).fit(TRAIN.tokens, TRAIN.tags)
    model.save(str(tmp_path / "crf"), {"seed": 0})
    loaded = CrfTagger.load(str(tmp_path / "crf"))
    assert loaded.predict(DEV.tokens) == model.predict(DEV.tokens)
    for a, b in zip(loaded.predict_proba(DEV.tokens[:5]), model.predict_proba(DEV.tokens[:5])):
        assert (a == b).all()
        assert a.sum(axis=1) == pytest.approx([1.0] * len(a))


def test_crf_marginals_agree_with_its_own_decisions() -> None:
    model = CrfTagger(c1=0.1, c2=0.1, max_iterations=30).fit(TRAIN.tokens, TRAIN.tags)
    tokens = DEV.tokens[:10]
    all_tags, all_confidences = model.tags_and_confidences(tokens)
    for tags, confidences, matrix in zip(all_tags, all_confidences, model.predict_proba(tokens)):
        assert len(tags) == len(confidences) and all(0 < c <= 1 for c in confidences)
        assert confidences == pytest.approx([matrix[i, model.labels.index(t)] for i, t in enumerate(tags)])
    assert all_tags == model.predict(tokens)


def test_knowledge_crf_learns_and_reloads_with_its_featurizer(tmp_path: Path) -> None:
    from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge

    model = CrfTagger(c1=0.1, c2=0.1, max_iterations=40, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    model.fit(TRAIN.tokens, TRAIN.tags)
    assert f1(model, DEV) > 0.9
    model.save(str(tmp_path / "crf"), {})
    loaded = CrfTagger.load(str(tmp_path / "crf"))
    assert loaded.featurizer.spec == {"kind": "synthetic"}
    assert loaded.predict(SPLITS["test"].tokens) == model.predict(SPLITS["test"].tokens)


class _Boom:
    def __reduce__(self):
        return (Path.touch, (Path("/tmp/tweetner-pickle-executed"),))


def test_a_pickle_in_place_of_the_weights_is_never_unpickled(bilstm: BilstmTagger, tmp_path: Path) -> None:
    import hashlib
    import pickle

    folder = tmp_path / "model"
    bilstm.save(str(folder), {})
    marker = Path("/tmp/tweetner-pickle-executed")
    marker.unlink(missing_ok=True)
    payload = pickle.dumps(_Boom())
    (folder / "weights.pt").write_bytes(payload)
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    fixed = [
        f"{hashlib.sha256(payload).hexdigest()}  weights.pt" if line.endswith("weights.pt") else line for line in sums
    ]
    (folder / "SHA256SUMS").write_text("\n".join(fixed) + "\n")  # an attacker who also rewrites the sums
    with pytest.raises(Exception) as caught:
        BilstmTagger.load(str(folder))
    assert not marker.exists(), "the pickle was executed"
    assert (
        "weights_only" in str(caught.value)
        or "Weights only" in str(caught.value)
        or caught.type.__name__ == "UnpicklingError"
    )


def test_bilstm_settings_follow_the_notebook_config() -> None:
    from tweetner_utils.pipeline.config import BilstmConfig

    settings = BilstmSettings.of(BilstmConfig(seed=7, hidden_dim=64))
    assert (settings.seed, settings.hidden_dim, settings.emb_dim) == (7, 64, 128)
