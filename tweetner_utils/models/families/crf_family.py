"""The knowledge CRF: CRFsuite over gazetteer, Wikidata and Brown-cluster features; its
c1/c2 regularisation chosen on dev from a small grid (the fast model when no other fast family
beats it on dev)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ...features.knowledge import KnowledgeFeaturizer, KnowledgeResources
from ...forked import FIT_WORKERS, fork_map
from ..crf import CrfTagger
from ..family import Candidate, Family, FitContext, MemberFit
from ..protocol import ProbabilisticTagger, Tagger

if TYPE_CHECKING:  # the settings import PyTorch's families' defaults: loading a CRF must not
    from ..strong_settings import StrongModelSettings


def _load(folder: Path, meta: dict, data_dir: str) -> Tagger:
    return CrfTagger.load(str(folder), data_dir)


def _tagger(c1: float, c2: float, context: FitContext, featurizer: KnowledgeFeaturizer | None = None) -> CrfTagger:
    """An unfitted CRF of the grid point; fits of one run share ``featurizer`` (its cached parts)."""
    featurizer = featurizer or KnowledgeFeaturizer(context.resources)
    return CrfTagger(c1=c1, c2=c2, max_iterations=context.settings.crf_max_iterations, featurizer=featurizer)


def _fit(context: FitContext, rows: list[dict]) -> MemberFit:
    """Every grid point fit on train and scored on dev (one table row each; two at a time in
    forked processes, as CRFsuite uses one core); the best goes on."""
    train, dev, test = context.train, context.corpora["dev"], context.corpora["test"]
    featurizer = KnowledgeFeaturizer(context.resources)

    def fit_and_score(point: Sequence[float]) -> tuple[bytes | None, float, float, float]:
        started = time.perf_counter()
        c1, c2 = point
        crf = _tagger(c1, c2, context, featurizer).fit(train.tokens, train.tags)
        seconds = time.perf_counter() - started
        return (
            crf.model_bytes,
            context.f1("dev", crf.predict(dev.tokens)),
            context.f1("test", crf.predict(test.tokens)),
            seconds,
        )

    best: MemberFit | None = None
    grid = list(context.settings.crf_grid)
    for (c1, c2), (data, dev_f1, test_f1, seconds) in zip(grid, fork_map(fit_and_score, grid, FIT_WORKERS)):
        crf = _tagger(c1, c2, context, featurizer)
        assert data is not None
        crf.set_model_bytes(data)
        fit = MemberFit("crf", crf, [], [], dev_f1, test_f1, seconds, {"c1": c1, "c2": c2})
        rows.append(
            {
                "candidate": f"{FAMILY.label} c1={c1} c2={c2}",
                "members": "crf",
                "dev_f1": dev_f1,
                "test_f1_train_only_fit": test_f1,
                "fit_seconds": seconds,
            }
        )
        context.log(f"dev selection: {FAMILY.label} c1={c1} c2={c2}: dev entity F1 {dev_f1:.4f}")
        if best is None or dev_f1 > best.dev_f1:
            best = fit
    assert best is not None, "crf_grid must not be empty"
    best.dev, best.test = best.model.predict_proba(dev.tokens), best.model.predict_proba(test.tokens)
    return best


def _fit_as_chosen(context: FitContext, chosen: dict) -> ProbabilisticTagger:
    return _tagger(chosen["c1"], chosen["c2"], context).fit(context.train.tokens, context.train.tags)


def _refit(context: FitContext, fit: MemberFit) -> ProbabilisticTagger:
    """From scratch on train + dev, sharing the train fit's featurizer (its cached parts)."""
    model = fit.model
    assert isinstance(model, CrfTagger)
    both = context.train_and_dev()
    crf = CrfTagger(c1=model.c1, c2=model.c2, max_iterations=model.max_iterations, featurizer=model.featurizer)
    return crf.fit(both.tokens, both.tags)


def _plan(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    synthetic = resources.spec.get("kind") == "synthetic"
    plan = (
        f"{len(settings.crf_grid)} knowledge-CRF regularisation settings with {'synthetic' if synthetic else 'WNUT16'} "
    )
    return (
        plan
        + "gazetteers"
        + ("" if synthetic else ", Brown clusters" + (" and Wikidata names" if settings.wikidata else ""))
    )


FAMILY = Family(
    name="crf",
    label="knowledge CRF",
    load=_load,
    candidate=Candidate(
        enabled=lambda settings: True, fit=_fit, fit_as_chosen=_fit_as_chosen, refit=_refit, plan=_plan
    ),
    fast=True,
)
