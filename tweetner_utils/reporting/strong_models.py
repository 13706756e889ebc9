"""The strong-model selection as the 04 report and the results show it: what was tried, what was
chosen, the selection table, and what the saved folders and the results JSON keep of it (one
call each, so that notebook 04 reads as the analysis and its bookkeeping is tested code)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data.conll import tweet_fingerprints
from ..data.corpora import Corpus, CorpusSpec
from ..evaluation.blocks import model_record, training_data
from ..evaluation.model_analysis import ModelAnalysis
from ..evaluation.monitoring import model_weekly_plan
from ..features.knowledge import KnowledgeResources
from ..models import families
from ..models.saving import save_strong_model
from ..models.selection import StrongModel
from ..models.strong_settings import StrongModelSettings

FAST_LABEL = "Knowledge CRF alone (the fast model)"


@dataclass(frozen=True)
class Scored:
    """A final model's test scores (``evaluate_splits``) and the analysis behind its routing
    threshold and calibration: what its saved folder and its results entry record."""

    scores: dict[str, dict]
    analysis: ModelAnalysis

    @property
    def test_f1(self) -> float:
        return float(self.scores["test"]["entity"]["f1"])

    def outcome(self) -> dict:
        """What the model's folder records of this run (``tweetner`` prints and uses these)."""
        return {
            "test_entity_f1": self.test_f1,
            "routing_threshold": self.analysis.routing["threshold"],
            "calibration": self.analysis.calibrator.to_dict(),
        }


def describe_settings(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    """One paragraph saying what will be tried, including why a member is or is not used."""
    plans = [
        plan
        for found in families.candidates()
        if found.candidate is not None and (plan := found.candidate.plan(settings, resources))
    ]
    return "Candidates: " + "; ".join(plans) + "; and every ensemble of them, weights chosen on dev."


def describe_choice(model: StrongModel) -> str:
    """The chosen configuration in words (the results' ``chosen on dev``)."""
    parts = []
    for name, weight in zip(model.members, model.weights):
        chosen = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in model.member_settings[name].items())
        share = f" weight {weight:g}" if len(model.members) > 1 else ""
        parts.append(f"{families.label(name)} ({chosen}){share}")
    return "; ".join(parts)


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


def save_models(
    model: StrongModel,
    models_dir: str | Path,
    run: Mapping[str, object],
    neural: dict,
    strong: Scored,
    fast: Scored,
) -> list[Path]:
    """Save the strong and the fast model with what this run measured of them; ``run`` is what
    every folder records of the run (seed, corpus)."""
    outcomes = {"strong": strong.outcome(), "fast": fast.outcome()}
    return save_strong_model(model, Path(models_dir), dict(run), neural, outcomes)


def run_metadata(seed: int, spec: CorpusSpec, train: Corpus, dev: Corpus) -> dict:
    """What every saved folder records of the run: its seed, corpus and the fingerprints of the
    tweets it learnt from (``tweetner evaluate`` warns when gold tweets are among them)."""
    return {"seed": seed, "corpus": spec.title, "training_tweets": tweet_fingerprints(train.tokens + dev.tokens)}


def model_records(
    model: StrongModel, strong: Scored, fast: Scored, corpora: Mapping[str, Corpus], *, calibration: dict, seed: int
) -> dict[str, dict]:
    """The results entries of the strong and the fast model (no timings: results must be the
    same bytes on every run)."""
    refit_on = training_data("train + dev", corpora["train"], corpora["dev"])
    return {
        "strong": model_record(
            model.label,
            "strong",
            strong.scores,
            refit_on,
            **record_details(model),
            **strong.analysis.record(),
            weekly_plan=model_weekly_plan(strong.analysis, corpora, seed=seed),
            calibration=calibration,
        ),
        "fast": model_record(
            FAST_LABEL,
            "strong",
            fast.scores,
            refit_on,
            c1=model.fast.c1,
            c2=model.fast.c2,
            deterministic=True,
            **fast.analysis.record(),
        ),
    }


def headline(model: StrongModel, strong: Scored, fast: Scored) -> dict:
    """The step's headline: both models' test F1 and what dev chose."""
    return {
        "strong model test entity F1": round(strong.test_f1, 4),
        "chosen on dev": describe_choice(model),
        "fast model (knowledge CRF) test entity F1": round(fast.test_f1, 4),
    }
