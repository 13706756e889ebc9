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
4. The fast model is the fit with the best dev F1 among the families that tag at least
   3,000 tweets a second (``Family.fast``: the knowledge CRF, the BiLSTM-CRF and their
   students), refit on train + dev. The best knowledge CRF, refit on train + dev, is also
   kept alone (``--model crf``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from ..data.conll import Corpus
from ..data.unlabelled import UnlabelledTweets
from ..data.word_vectors import WordVectors
from ..features.knowledge import KnowledgeResources, load_knowledge, synthetic_knowledge
from ..metrics import entity_scores
from . import families
from .bilstm_crf import BilstmCrfTagger
from .bilstm_crf_students import NetworkStudents, distil_network
from .bio_decoding import decode_all
from .crf import CrfTagger
from .distillation import Distillation, distil
from .ensemble import EnsembleTagger, average_distributions, search_weights
from .family import FitContext, MemberFit
from .protocol import ProbabilisticTagger
from .strong_settings import StrongModelSettings
from .teacher_labels import DaskTeaching, Teacher
from .transformer import TransformerTagger
from .transformer_seeds import fit_other_seeds
from .transformer_students import TransformerStudents, distil_transformer

CRF_FAMILY = "crf"
"""The knowledge CRF: its chosen fit, refit on train + dev, is always kept alone (``--model crf``)
and is what the knowledge-CRF students copy their settings from."""
STUDENT = "crf_student"
"""The family of the knowledge-CRF students (``models/distillation.py``)."""
NETWORK_FAMILY, NETWORK_STUDENT = "bilstm_crf", "bilstm_crf_student"
"""The BiLSTM-CRF member and its students (``models/bilstm_crf_students.py``)."""
TRANSFORMER, TRANSFORMER_STUDENT = "transformer", "transformer_student"
"""The MiniLM member and its students (``models/transformer_students.py``)."""
STUDENT_FAMILIES = (STUDENT, NETWORK_STUDENT, TRANSFORMER_STUDENT)
"""The families that learnt from teacher-labelled tweets: a leader holding one is self-trained."""
StrongTagger = ProbabilisticTagger | EnsembleTagger


def knowledge_resources(settings: StrongModelSettings, *, quick: bool, data_dir: str = "") -> KnowledgeResources:
    """The gazetteers and clusters the taggers look up: the synthetic corpus's names in quick runs."""
    return synthetic_knowledge() if quick else load_knowledge(data_dir, wikidata=settings.wikidata)


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
    fast: ProbabilisticTagger
    """The fast model (``--model fast``), refit on train + dev: the fit of a fast family
    (``Family.fast``) with the best dev F1."""
    fast_family: str
    """The family of :attr:`fast` (its folder is ``strong_<fast_family>``)."""
    fast_settings: dict
    """What validation chose for it (c1/c2, epochs, teacher-labelled tweets)."""
    fast_candidates: dict[str, float]
    """The dev F1 of each fast family's fit (train only) that the fast model was chosen among."""
    fast_selection_model: ProbabilisticTagger
    """The same model fit on train only."""
    knowledge_crf: CrfTagger
    """The knowledge CRF alone (gold tweets only) refit on train + dev (``--model crf``)."""
    distillation: Distillation | None = None
    """The students and the learning curve (None: no unlabelled tweets given)."""
    network_students: NetworkStudents | None = None
    """The BiLSTM-CRF students (None: none asked for, or no BiLSTM-CRF member)."""
    transformer_students: TransformerStudents | None = None
    """The MiniLM students (None: none asked for, or no MiniLM member)."""
    final_members: dict[str, ProbabilisticTagger] = field(default_factory=dict)
    fit_seconds: float = 0.0
    """Of the final refit on train + dev."""
    fast_fit_seconds: float = 0.0
    candidate_seconds: dict[str, float] = field(default_factory=dict)

    def teacher_tweets(self, families: Sequence[str]) -> int:
        """How many distinct teacher-labelled tweets the train + dev fits of ``families`` learnt
        from together (0: gold tweets only), so that a comparison says what each model learnt from.
        Every student draws from the same shuffled tweets, so positions in them identify tweets."""
        learnt: set[int] = set()
        if STUDENT in families and self.distillation is not None:
            learnt.update(self.distillation.final_teacher_tweets())
        if NETWORK_STUDENT in families and self.network_students is not None:
            learnt.update(self.network_students.final_teacher_tweets())
        if TRANSFORMER_STUDENT in families and self.transformer_students is not None:
            learnt.update(self.transformer_students.final_teacher_tweets())
        return len(learnt)

    @property
    def label(self) -> str:
        names = [families.label(m) for m in self.members]
        return names[0][:1].upper() + names[0][1:] if len(names) == 1 else "Ensemble: " + " + ".join(names)


def train_strong_model(
    corpora: dict[str, Corpus],
    settings: StrongModelSettings,
    resources: KnowledgeResources,
    vectors: WordVectors | None,
    log: Callable[[str], None] = print,
    unlabelled: UnlabelledTweets | None = None,
    teacher_cache: Path | None = None,
    dask: DaskTeaching | None = None,
) -> StrongModel:
    """Run the protocol above; ``log`` receives one line per step. With ``unlabelled`` tweets
    (and ``settings.unlabelled_sizes``), the chosen configuration teaches knowledge-CRF
    students (``models/distillation.py``, labels kept in ``teacher_cache``, computed on the
    ``dask`` cluster when given), and the one dev chooses may join the leading ensemble. With
    ``settings.bilstm_crf_student_sizes`` the BiLSTM-CRF learns from the same labels
    (``models/bilstm_crf_students.py``), and so may its student. Every student is a candidate
    fast model too (step 4)."""
    context = FitContext(corpora, settings, resources, vectors, log)
    fits, rows = _fit_members(context)
    candidate_seconds = {row["candidate"]: row.pop("fit_seconds") for row in rows}
    members, weights, ensemble_rows, dev_f1 = _choose(fits, context)
    log(f"chosen on dev: {' + '.join(members)} (weights {', '.join(map(str, weights))}); refit on train + dev")
    refits = {name: _timed_refit(fits[name], context) for name in dict.fromkeys([*members, CRF_FAMILY])}
    chosen = _Selection(fits, refits, rows, ensemble_rows, candidate_seconds, members, weights, dev_f1)
    crf_alone = cast(CrfTagger, refits[CRF_FAMILY][0])
    students = _teach_students(chosen, context, unlabelled, teacher_cache, dask)
    _average_seeds(chosen, students, context)
    fast_family = chosen.fast_family(context)
    members, weights = chosen.members, chosen.weights
    final_members = {name: refits[name][0] for name in members}
    return StrongModel(
        selection=pd.DataFrame(rows + ensemble_rows),
        members=members,
        weights=weights,
        member_settings={name: fits[name].settings for name in members},
        final=_combine([final_members[m] for m in members], weights),
        selection_model=_combine([fits[m].model for m in members], weights),
        fast=chosen.refits[fast_family][0],
        fast_family=fast_family,
        fast_settings=fits[fast_family].settings,
        fast_candidates=chosen.fast_candidates(),
        fast_selection_model=fits[fast_family].model,
        knowledge_crf=crf_alone,
        distillation=students.distillation,
        network_students=students.network,
        transformer_students=students.transformer,
        final_members=final_members,
        fit_seconds=sum(refits[name][1] for name in members),
        fast_fit_seconds=chosen.refits[fast_family][1],
        candidate_seconds=candidate_seconds,
    )


@dataclass
class _Selection:
    """What the selection has fit and chosen so far: students join it one after another."""

    fits: dict[str, MemberFit]
    refits: dict[str, tuple[ProbabilisticTagger, float]]
    rows: list[dict]
    ensemble_rows: list[dict]
    candidate_seconds: dict[str, float]
    members: tuple[str, ...]
    weights: tuple[float, ...]
    dev_f1: float

    pending: dict[str, Callable[[], tuple[ProbabilisticTagger, float]]] = field(default_factory=dict)
    """Students' refits not run yet: each runs when the student is chosen (``refit``)."""

    def add_student(
        self, name: str, fit: MemberFit, final: Callable[[], tuple[ProbabilisticTagger, float]], recipe: str,
        context: FitContext,
    ) -> None:  # fmt: skip
        """``fit`` (train only) and ``final`` (what gives its refit and seconds, run once it is
        chosen) as a candidate member: its table row, every ensemble holding it, and the choice
        again if one of them is better."""
        self.fits[name], self.pending[name] = fit, final
        row = _row(fit) | {"candidate": f"{families.label(name)} ({recipe})"}
        self.candidate_seconds[row["candidate"]] = row.pop("fit_seconds")  # timings stay out of the results
        self.rows.append(row)
        members, weights, rows, dev_f1 = _choose(self.fits, context, required=(name,))
        self.ensemble_rows += rows
        if dev_f1 > self.dev_f1:
            context.log(f"chosen on dev with the {families.label(name)}: {' + '.join(members)}; refit on train + dev")
            self.members, self.weights, self.dev_f1 = members, weights, dev_f1
            for member in members:
                self.refit(member, context)

    def add_seed_averages(
        self, averaged: dict[str, MemberFit], finals: Mapping[str, Callable[[], tuple[ProbabilisticTagger, float]]],
        seeds: int, context: FitContext,
    ) -> None:  # fmt: skip
        """Seed averages (``averaged``, by family) as candidates beside their one-seed fits: a
        table row each, every ensemble holding one, and the choice again if one is better. Dev
        taking one puts it in its family's place; ``finals`` give the refits of those taken."""
        titles = {name: f"{families.label(name)} ({seeds} seeds averaged)" for name in averaged}
        for name, fit in averaged.items():
            row = _row(fit) | {"candidate": titles[name]}
            self.candidate_seconds[row["candidate"]] = row.pop("fit_seconds")
            self.rows.append(row)
        members, weights, rows, dev_f1 = _choose({**self.fits, **averaged}, context, tuple(averaged), titles)
        self.ensemble_rows += rows
        if dev_f1 <= self.dev_f1:
            return
        context.log(f"chosen on dev with {seeds} MiniLM seeds averaged: {' + '.join(members)}; refit on train + dev")
        for member in members:  # the one-seed refits first: a seed average's refit starts from them
            if member not in averaged:
                self.refit(member, context)
        taken = {name: finals[name]() for name in members if name in averaged}
        for name, refit in taken.items():
            self.fits[name], self.refits[name] = averaged[name], refit
        self.members, self.weights, self.dev_f1 = members, weights, dev_f1

    def refit(self, name: str, context: FitContext) -> tuple[ProbabilisticTagger, float]:
        """``name``'s refit on train + dev and its seconds, run the first time it is asked for."""
        if name not in self.refits:
            pending = self.pending.pop(name, None)
            self.refits[name] = pending() if pending is not None else _timed_refit(self.fits[name], context)
        return self.refits[name]

    def fast_candidates(self) -> dict[str, float]:
        """Each fast family's (``Family.fast``) dev F1, in registry order."""
        return {m: self.fits[m].dev_f1 for m in families.names() if m in self.fits and families.family(m).fast}

    def fast_family(self, context: FitContext) -> str:
        """The fast family whose fit has the best dev F1 (the earlier family in the registry
        on a tie), refit on train + dev unless it already is."""
        candidates = self.fast_candidates()
        order = list(candidates)
        name = max(order, key=lambda m: (candidates[m], -order.index(m)))
        context.log(
            f"fast model, chosen on dev among {', '.join(map(families.label, order))}: {families.label(name)} "
            f"(dev entity F1 {candidates[name]:.4f})"
        )
        self.refit(name, context)
        return name


@dataclass
class _Students:
    """The students of each kind the selection trained (None: that kind was not asked for)."""

    distillation: Distillation | None = None
    network: NetworkStudents | None = None
    transformer: TransformerStudents | None = None


def _teach_students(
    chosen: _Selection,
    context: FitContext,
    unlabelled: UnlabelledTweets | None,
    teacher_cache: Path | None,
    dask: DaskTeaching | None,
) -> _Students:
    """The configuration chosen so far teaches the students (its train-only fit their curves,
    its refit the refits'); each kind's chosen student becomes a candidate member in turn."""
    settings, fits = context.settings, chosen.fits
    if unlabelled is None or not settings.unlabelled_sizes:
        return _Students()
    members, weights = chosen.members, chosen.weights
    teachers = (
        _teacher({m: fits[m].model for m in members}, weights),
        _teacher({m: chosen.refits[m][0] for m in members}, weights),
    )
    distillation = distil(context, cast(CrfTagger, fits[CRF_FAMILY].model), teachers, unlabelled, teacher_cache, dask)
    students = _Students(distillation)
    if distillation.final is not None:
        final = (distillation.final, distillation.final_seconds)
        chosen.add_student(
            STUDENT, _student_fit(distillation, context), lambda: final, distillation.chosen.recipe.name, context
        )
    if settings.bilstm_crf_student_sizes and NETWORK_FAMILY in fits:
        member = fits[NETWORK_FAMILY]
        template, epochs = cast(BilstmCrfTagger, member.model), settings.bilstm_crf_student_max_epochs
        hidden = settings.bilstm_crf_student_hidden_dim
        network = distil_network(
            context,
            member,
            lambda: template.with_epochs(epochs, hidden),
            distillation,
            teachers[1],
            teacher_cache,
            dask,
        )
        students.network = network
        if network.final is not None:
            network_final = (network.final, network.final_seconds)
            chosen.add_student(
                NETWORK_STUDENT, network.member_fit(NETWORK_STUDENT, context), lambda: network_final,
                network.chosen.name, context,
            )  # fmt: skip
    if settings.transformer_student_sizes and TRANSFORMER in fits:
        minilm = distil_transformer(context, fits[TRANSFORMER], distillation, TRANSFORMER_STUDENT)
        students.transformer = minilm

        def minilm_final() -> tuple[ProbabilisticTagger, float]:
            start = cast(TransformerTagger, chosen.refit(TRANSFORMER, context)[0])
            return minilm.refit_final(start, teachers[1], context, teacher_cache, dask)

        if minilm.chosen.unlabelled:
            chosen.add_student(TRANSFORMER_STUDENT, minilm.member_fit(), minilm_final, minilm.chosen.name, context)
    return students


def _average_seeds(chosen: _Selection, students: _Students, context: FitContext) -> None:
    """With ``transformer_seeds`` above one: the MiniLM member and its chosen student fit again
    from the other seeds and averaged (``models/transformer_seeds.py``), candidates of the
    leading model after the students (whose teacher is therefore unchanged)."""
    count = context.settings.transformer_seeds
    if count < 2 or TRANSFORMER not in chosen.fits:
        return
    minilm = students.transformer if TRANSFORMER_STUDENT in chosen.fits else None
    candidate = families.family(TRANSFORMER).candidate
    assert candidate is not None
    found = fit_other_seeds(context, chosen.fits[TRANSFORMER], lambda other: candidate.fit(other, []), minilm)

    def refit(fit: MemberFit) -> TransformerTagger:
        return cast(TransformerTagger, _refit(fit, context))

    def member_final() -> tuple[ProbabilisticTagger, float]:
        first, seconds = chosen.refit(TRANSFORMER, context)
        started = time.perf_counter()
        model = found.member_refit(cast(TransformerTagger, first), refit)
        return model, seconds + time.perf_counter() - started

    def student_final() -> tuple[ProbabilisticTagger, float]:
        assert minilm is not None
        first, seconds = chosen.refit(TRANSFORMER_STUDENT, context)
        started = time.perf_counter()
        model = found.student_refit(cast(TransformerTagger, first), minilm, refit, context)
        minilm.member_settings = found.averaged[TRANSFORMER].settings  # a fit as chosen starts from every seed
        return model, seconds + time.perf_counter() - started

    chosen.add_seed_averages(
        found.averaged, {TRANSFORMER: member_final, TRANSFORMER_STUDENT: student_final}, count, context
    )


def _student_fit(distillation: Distillation, context: FitContext) -> MemberFit:
    """The chosen student as a candidate member: its train-only fit's dev/test distributions."""
    chosen = distillation.chosen
    model = chosen.model
    dev, test = context.corpora["dev"], context.corpora["test"]
    recipe = chosen.recipe
    settings = {
        "c1": model.c1,
        "c2": model.c2,
        "unlabelled": recipe.unlabelled,
        "min_confidence": recipe.min_confidence,
        "gold_copies": recipe.gold_copies,
    }
    return MemberFit(
        STUDENT,
        model,
        model.predict_proba(dev.tokens),
        model.predict_proba(test.tokens),
        chosen.dev_f1,
        chosen.test_f1,
        chosen.fit_seconds,
        settings,
    )


def _fit_members(context: FitContext) -> tuple[dict[str, MemberFit], list[dict]]:
    """Fit every enabled candidate family on train, in registry order; one table row per fit
    (the grid rows a family adds first, then one row per family that chose by early stopping)."""
    grid_rows: list[dict] = []
    fits = {
        found.name: found.candidate.fit(context, grid_rows)
        for found in families.candidates()
        if found.candidate is not None and found.candidate.enabled(context.settings)
    }
    listed = {row["members"] for row in grid_rows}
    return fits, grid_rows + [_row(fit) for name, fit in fits.items() if name not in listed]


def _row(fit: MemberFit) -> dict:
    """A single member's table row (its train-only fit; the fit time goes to the timings)."""
    epochs = fit.settings.get("epochs")
    label = families.label(fit.name)
    return {
        "candidate": f"{label} ({_epochs(epochs)}, chosen on dev)" if epochs else label,
        "members": fit.name,
        "dev_f1": fit.dev_f1,
        "test_f1_train_only_fit": fit.test_f1,
        "fit_seconds": fit.fit_seconds,
    }


def _choose(
    fits: dict[str, MemberFit],
    context: FitContext,
    required: Sequence[str] = (),
    titles: Mapping[str, str] | None = None,
) -> tuple[tuple[str, ...], tuple[float, ...], list[dict], float]:
    """Weights for every combination of two or more members (with ``required``: only those
    holding one of them); the best configuration on dev and its dev F1. ``titles`` name members
    in the table rows where their family's label would not tell them apart (a seed average)."""
    dev, test = context.corpora["dev"], context.corpora["test"]
    names = [m for m in families.names() if m in fits]
    labels = context.labels
    title = {m: families.label(m) for m in names} | dict(titles or {})
    singles = list(required) or names
    best_single = max(singles, key=lambda m: (fits[m].dev_f1, -names.index(m)))
    choice: tuple[tuple[str, ...], tuple[float, ...], float] = ((best_single,), (1.0,), fits[best_single].dev_f1)
    rows = []
    for size in range(2, len(names) + 1):
        for combo in itertools.combinations(names, size):
            if required and not set(required) & set(combo):
                continue
            weights, dev_f1 = search_weights(
                [fits[m].dev for m in combo], dev.tags, context.settings.ensemble_step, labels
            )
            mixed = average_distributions([fits[m].test for m in combo], weights)
            rows.append(
                {
                    "candidate": "ensemble: " + " + ".join(f"{title[m]} {w:g}" for m, w in zip(combo, weights)),
                    "members": "+".join(combo),
                    "dev_f1": dev_f1,
                    "test_f1_train_only_fit": entity_scores(test.tags, decode_all(mixed, labels)).overall.f1,
                }
            )
            context.log(f"dev selection: {rows[-1]['candidate']}: dev entity F1 {dev_f1:.4f}")
            if dev_f1 > choice[2]:
                choice = (combo, weights, dev_f1)
    return choice[0], choice[1], rows, choice[2]


def _timed_refit(fit: MemberFit, context: FitContext) -> tuple[ProbabilisticTagger, float]:
    """The refit and its seconds: the fast model's fit time is its own refit's, not the ensemble's."""
    started = time.perf_counter()
    model = _refit(fit, context)
    return model, time.perf_counter() - started


def _refit(fit: MemberFit, context: FitContext) -> ProbabilisticTagger:
    """The member fit again on train + dev, repeating what validation chose."""
    found = families.family(fit.name)
    assert found.candidate is not None
    context.log(f"refit on train + dev: {found.label} ({_settings_text(fit.settings)})")
    return found.candidate.refit(context, fit)


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
    context = FitContext(corpora, settings, resources, vectors, log)
    trained: list[ProbabilisticTagger] = []
    finals: list[ProbabilisticTagger] = []
    for name in model.members:
        if name == STUDENT:
            trained.append(_student_as_chosen(model, context, final=False))
            finals.append(_student_as_chosen(model, context, final=True))
        elif name == NETWORK_STUDENT:
            assert model.network_students is not None, "a BiLSTM-CRF student member comes with its students"
            log(f"fit on train, and on train + dev, as chosen: {families.label(name)}")
            both = context.train_and_dev()
            trained.append(
                model.network_students.refit((context.train.tokens, context.train.tags), final=False, log=log)
            )
            finals.append(model.network_students.refit((both.tokens, both.tags), final=True, log=log))
        elif name == TRANSFORMER_STUDENT:
            assert model.transformer_students is not None, "a MiniLM student member comes with its students"
            trained_student, final_student = _transformer_student_as_chosen(model.transformer_students, context)
            trained.append(trained_student)
            finals.append(final_student)
        else:
            fit = _fit_as_chosen(name, model.member_settings[name], context)
            trained.append(fit.model)
            finals.append(_refit(fit, context))
    return Refit(_combine(trained, model.weights), _combine(finals, model.weights))


def _student_as_chosen(model: StrongModel, context: FitContext, *, final: bool) -> CrfTagger:
    """The student's recipe on other gold tweets (train, or train + dev with ``final``) and the
    teacher labels it learnt from, nothing re-chosen and no tweet labelled again."""
    assert model.distillation is not None, "a student member comes with its distillation"
    gold = context.train_and_dev() if final else context.train
    context.log(f"fit {'on train + dev' if final else 'on train'} as chosen: {families.label(STUDENT)}")
    return model.distillation.refit((gold.tokens, gold.tags), final=final)


def _transformer_student_as_chosen(
    students: TransformerStudents, context: FitContext
) -> tuple[TransformerTagger, TransformerTagger]:
    """The MiniLM student's recipe from a MiniLM fit on other gold tweets as the member was:
    continued on train (the train-only teacher's labels) and, from that MiniLM's refit, on
    train + dev (the final teacher's labels); nothing re-chosen, no tweet labelled again."""
    start = _fit_as_chosen(TRANSFORMER, students.member_settings, context)
    both, log = context.train_and_dev(), context.log
    final_taught = students.final_taught if students.final_taught is not None else students.taught
    trained = students.refit(cast(TransformerTagger, start.model), (context.train.tokens, context.train.tags),
                             students.taught, log)  # fmt: skip
    final = students.refit(cast(TransformerTagger, _refit(start, context)), (both.tokens, both.tags), final_taught, log)
    return trained, final


def _fit_as_chosen(name: str, chosen: dict, context: FitContext) -> MemberFit:
    """A member fit on train with what validation chose (the epochs early stopping kept: the
    neural members train on the same schedule and stop there)."""
    found = families.family(name)
    assert found.candidate is not None
    context.log(f"fit on train as chosen: {found.label} ({_settings_text(chosen)})")
    member = found.candidate.fit_as_chosen(context, chosen)
    return MemberFit(name, member, [], [], float("nan"), float("nan"), 0.0, chosen)


def _teacher(members: dict[str, ProbabilisticTagger], weights: Sequence[float]) -> Teacher:
    return Teacher(_combine(list(members.values()), weights), members, tuple(weights))


def _combine(models: Sequence[ProbabilisticTagger], weights: Sequence[float]) -> StrongTagger:
    if len(models) == 1:
        return models[0]
    return EnsembleTagger(models, weights)


def _settings_text(chosen: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in chosen.items())


def _epochs(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")
