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
from ..models.bilstm_crf_students import NetworkStudentFit, NetworkStudents
from ..models.distillation import Distillation, StudentFit
from ..models.saving import save_strong_model
from ..models.selection import CRF_FAMILY, NETWORK_STUDENT, STUDENT, STUDENT_FAMILIES, StrongModel
from ..models.strong_settings import StrongModelSettings
from ..models.transformer_students import TransformerStudentFit, TransformerStudents
from .summary.cost import COLD_KEY
from .summary.text import pct

CRF_LABEL = "Knowledge CRF alone"
"""The knowledge CRF that learnt from gold tweets only (``--model crf``), in reports."""
FAST_SUFFIX = " (the fast model)"


def fast_label(model: StrongModel) -> str:
    """The fast model's name in reports: its family's ("Knowledge CRF alone" for the CRF)."""
    return _capitalised(_family_label(model.fast_family)) + FAST_SUFFIX


def _family_label(name: str) -> str:
    return CRF_LABEL if name == CRF_FAMILY else families.label(name)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def fast_choice_line(model: StrongModel) -> str:
    """Which model dev made the fast one, among those fast enough for a stream, and the others' dev F1."""
    candidates = model.fast_candidates
    others = "; ".join(f"{_family_label(m)} {pct(f1)}" for m, f1 in candidates.items() if m != model.fast_family)
    return (
        f"The fast model (`--model fast`) is the {_family_label(model.fast_family)}: the best dev entity F1 "
        f"({pct(candidates[model.fast_family])}) among the models that tag at least 3,000 tweets a second on 2 "
        f"cores" + (f" (the others: {others})" if others else "") + "; refit on train + dev."
    )


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


def run_metadata(seed: int, spec: CorpusSpec, train: Corpus, dev: Corpus, labelling: Mapping | None = None) -> dict:
    """What every saved folder records of the run: its seed, corpus, the fingerprints of the
    tweets it learnt from (``tweetner evaluate`` warns when gold tweets are among them) and,
    when the run simulated labelling, the strategy it found best (``tweetner review export
    --budget``'s default)."""
    run = {"seed": seed, "corpus": spec.title, "training_tweets": tweet_fingerprints(train.tokens + dev.tokens)}
    if labelling:
        run["labelling_strategy"] = labelling["best_strategy"]
    return run


def model_records(
    model: StrongModel, strong: Scored, fast: Scored, corpora: Mapping[str, Corpus], *, calibration: dict, seed: int
) -> dict[str, dict]:
    """The results entries of the strong and the fast model (no timings: results must be the
    same bytes on every run)."""
    gold = corpora["train"], corpora["dev"]
    return {
        "strong": model_record(
            model.label,
            "strong",
            strong.scores,
            training_data("train + dev", *gold, teacher_tweets=model.teacher_tweets(model.members)),
            **record_details(model),
            **strong.analysis.record(),
            weekly_plan=model_weekly_plan(strong.analysis, corpora, seed=seed),
            calibration=calibration,
        ),
        "fast": model_record(
            fast_label(model),
            "strong",
            fast.scores,
            training_data("train + dev", *gold, teacher_tweets=model.teacher_tweets([model.fast_family])),
            **model.fast_settings,
            deterministic=model.fast_family in (CRF_FAMILY, STUDENT),  # L-BFGS from zero weights
            chosen_among=model.fast_candidates,
            **student_details(model),
            **fast.analysis.record(),
        ),
    }


def student_details(model: StrongModel) -> dict:
    """What the fast model learnt from besides the gold tweets (nothing when it is no student)."""
    if model.fast_family == STUDENT and model.distillation is not None:
        return {"learnt_from": model.distillation.chosen.recipe.name}
    if model.fast_family == NETWORK_STUDENT and model.network_students is not None:
        return {"learnt_from": model.network_students.chosen.name}
    return {}


def headline(model: StrongModel, strong: Scored, fast: Scored) -> dict:
    """The step's headline: both models' test F1 and what dev chose."""
    return {
        "strong model test entity F1": round(strong.test_f1, 4),
        "chosen on dev": describe_choice(model),
        "fast model test entity F1": round(fast.test_f1, 4),
        "fast model": fast_label(model),
    }


def curve_frame(students: Distillation | NetworkStudents | TransformerStudents) -> pd.DataFrame:
    """Every student fit (knowledge-CRF, BiLSTM-CRF or MiniLM ones), in the order fit, the chosen
    one marked, with its fit seconds of this run (kept out of the recorded results)."""
    fits: Sequence[StudentFit | NetworkStudentFit | TransformerStudentFit] = students.fits
    table = pd.DataFrame([fit.row() for fit in fits])
    table["fit_seconds"] = [round(fit.fit_seconds, 1) for fit in fits]
    table["chosen"] = [fit is students.chosen for fit in fits]
    return table.set_index("student")


def curve_points(distillation: Distillation) -> pd.DataFrame:
    """The learning curve proper: the plain students (no filter, gold seen once), by size."""
    table = curve_frame(distillation)
    plain = table[(table["min_confidence"] == 0) & (table["gold_copies"] == 1)]
    return plain.sort_values("teacher_tweets_used")


def distillation_lines(model: StrongModel) -> list[str]:
    """What the students learnt from, what dev chose, and whether the leader took a student."""
    found = model.distillation
    if found is None:
        return ["No unlabelled tweets were given: no student learnt from them."]
    counts = found.unlabelled.total()
    dropped = ", ".join(f"{n:,} equal to a tweet of {key[3:]}" for key, n in counts.items() if key.startswith("in_"))
    lines = [
        f"Unlabelled tweets: {counts.get('lines', 0):,} read; {counts.get('empty', 0):,} empty, "
        f"{counts.get('repeated', 0):,} repeats and {dropped} dropped; {counts.get('kept', 0):,} kept, of which "
        f"the first {len(found.tweets):,} (in a seeded shuffle) were tagged by the teacher, the chosen "
        "configuration fit on train only.",
    ]
    alone = found.fits[0]
    chosen = found.chosen
    if chosen.recipe.unlabelled:
        lines.append(
            f"Dev chose the student that learnt from {chosen.recipe.name} ({chosen.taught_tweets:,} after the "
            f"filter): dev entity F1 {pct(alone.dev_f1)} → {pct(chosen.dev_f1)} against the CRF alone; its "
            f"train-only fit scores {pct(alone.test_f1)} → {pct(chosen.test_f1)} on test."
        )
    else:
        best = max(found.fits[1:], key=lambda fit: fit.dev_f1, default=None)
        beaten = f" (the best student, {best.recipe.name}, scored {pct(best.dev_f1)})" if best else ""
        lines.append(
            f"Dev chose the knowledge CRF alone (dev entity F1 {pct(alone.dev_f1)}): no student beat it on dev{beaten}."
        )
    lines.append(_self_training_line(model))
    return lines


def _self_training_line(model: StrongModel) -> str:
    """Whether the leading configuration took a student of any kind as a member (self-training),
    by dev F1."""
    rows = model.selection
    with_student = rows[rows["members"].str.split("+").apply(lambda m: any(s in m for s in STUDENT_FAMILIES))]
    if with_student.empty:
        return "Self-training: no student was offered to the leading ensemble (dev chose none)."
    best = with_student.loc[with_student["dev_f1"].idxmax()]
    taken = [families.label(m) for m in model.members if m in STUDENT_FAMILIES]
    if taken:
        return (
            f"Self-training: dev chose the {' and the '.join(taken)} as {'members' if len(taken) > 1 else 'a member'} "
            f"of the leading model ({best['candidate']}, dev entity F1 {pct(best['dev_f1'])}, above every "
            f"configuration without {'them' if len(taken) > 1 else 'it'})."
        )
    chosen = rows[rows["members"] == "+".join(model.members)]["dev_f1"].max()
    return (
        f"Self-training: the best configuration with a student ({best['candidate']}) scored dev entity F1 "
        f"{pct(best['dev_f1'])}, not above the chosen configuration's {pct(chosen)}, so the leading model does not "
        "use one."
    )


def saved_folders(model: StrongModel, models_dir: str | Path) -> dict[str, Path]:
    """The saved folders whose first pass the cost section measures: the leading and the fast
    model, and the knowledge CRF alone when it is not the fast model."""
    folders = {"strong": Path(models_dir) / "strong", "fast": Path(models_dir) / f"strong_{model.fast_family}"}
    if model.fast_family != CRF_FAMILY:
        folders["crf"] = Path(models_dir) / f"strong_{CRF_FAMILY}"
    return {name: folder.resolve() for name, folder in folders.items()}


def frontier_points(model: StrongModel, test_f1: Mapping[str, float], timings: Mapping[str, dict]) -> pd.DataFrame:
    """Each measured model's first-pass tweets per second and test F1 (``test_f1`` and
    ``timings`` by the names of :func:`saved_folders`), by its report label."""
    labels = {"strong": model.label, "fast": fast_label(model), "crf": CRF_LABEL}
    rows = {
        labels[name]: {"tweets_per_s": timings[name][COLD_KEY], "test_f1": f1}
        for name, f1 in test_f1.items()
        if COLD_KEY in timings.get(name, {})
    }
    return pd.DataFrame(rows).T.sort_values("tweets_per_s")


def distillation_record(model: StrongModel, crf_scores: Mapping[str, dict]) -> dict | None:
    """The results' account of the students (``Distillation.record``) and the test F1 of the
    knowledge CRF alone refit on train + dev (``crf_scores``: ``evaluate_splits`` of it), and the
    BiLSTM-CRF students' curve when there were any."""
    if model.distillation is None:
        return None
    network, minilm = model.network_students, model.transformer_students
    more = {"bilstm_crf_students": network.record()} if network is not None else {}
    if minilm is not None:
        more["transformer_students"] = minilm.record()
    return model.distillation.record() | {"crf_alone_test_f1": crf_scores["test"]["entity"]["f1"]} | more
