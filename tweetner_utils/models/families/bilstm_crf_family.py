"""The BiLSTM-CRF (char CNN, GloVe, casing, gazetteer and cluster inputs, constrained CRF):
early stopping on dev fixes its epochs; the refit trains that many from scratch on train + dev."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from ...features.knowledge import KnowledgeResources
from ...features.neural import NeuralInputs
from ...features.registry import neural_inputs_from_spec
from ..bilstm_crf import BilstmCrfSettings, BilstmCrfTagger
from ..family import Candidate, Family, FitContext, MemberFit
from ..protocol import ProbabilisticTagger, Tagger
from ..strong_settings import StrongModelSettings


def load_bilstm_crf(folder: Path, meta: dict, data_dir: str) -> Tagger:
    """A saved BiLSTM-CRF, its inputs rebuilt from the spec its folder records."""
    return BilstmCrfTagger.load(str(folder), neural_inputs_from_spec(meta["features"], data_dir))


def _tagger(context: FitContext) -> BilstmCrfTagger:
    settings = BilstmCrfSettings(max_epochs=context.settings.bilstm_crf_max_epochs, seed=context.settings.seed)
    resources, vectors = context.resources, context.vectors

    def inputs(chars: Sequence[str]) -> NeuralInputs:
        return NeuralInputs(resources, vectors, chars)

    return BilstmCrfTagger(settings, inputs)


def _fit(context: FitContext, rows: list[dict]) -> MemberFit:
    train, dev, test = context.train, context.corpora["dev"], context.corpora["test"]
    tagger = _tagger(context)
    context.log(
        f"training the BiLSTM-CRF on {len(train)} tweets (at most {context.settings.bilstm_crf_max_epochs} epochs)"
    )
    started = time.perf_counter()
    tagger.fit(train.tokens, train.tags, validation=context.validation, progress=context.log)
    seconds = time.perf_counter() - started
    dev_f1, test_f1 = context.f1("dev", tagger.predict(dev.tokens)), context.f1("test", tagger.predict(test.tokens))
    distributions = tagger.predict_proba(dev.tokens), tagger.predict_proba(test.tokens)
    return MemberFit("bilstm_crf", tagger, *distributions, dev_f1, test_f1, seconds, {"epochs": tagger.best_epoch})


def _fit_as_chosen(context: FitContext, chosen: dict) -> ProbabilisticTagger:
    train = context.train
    return _tagger(context).with_epochs(chosen["epochs"]).fit(train.tokens, train.tags, progress=context.log)


def _refit(context: FitContext, fit: MemberFit) -> ProbabilisticTagger:
    model = fit.model
    assert isinstance(model, BilstmCrfTagger)
    both = context.train_and_dev()
    return model.with_epochs(fit.settings["epochs"]).fit(both.tokens, both.tags, progress=context.log)


def _plan(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    return f"a BiLSTM-CRF for up to {settings.bilstm_crf_max_epochs} epochs (dev decides)"


FAMILY = Family(
    name="bilstm_crf",
    label="BiLSTM-CRF",
    load=load_bilstm_crf,
    candidate=Candidate(
        enabled=lambda settings: settings.bilstm_crf,
        fit=_fit,
        fit_as_chosen=_fit_as_chosen,
        refit=_refit,
        plan=_plan,
    ),
    saved_metadata=lambda neural_spec: {"features": neural_spec},
    fast=True,
)
