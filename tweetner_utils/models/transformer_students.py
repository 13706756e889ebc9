"""MiniLM students: self-training the leading model's strongest member on the tweets the
train-only teacher labelled for the other students (``distillation``), chosen on dev.

Fine-tuning MiniLM from scratch on ten thousand more tweets would take most of an hour on 2
cores, so a student *continues* the MiniLM member's train-only fit (``TransformerTagger.continued``:
a fresh warm-up and decay) for ``transformer_student_epochs`` over the gold tweets plus the first
N teacher-labelled ones, the teacher's hard tags, in one of two orders (:data:`ORDERS`): both
mixed, or the teacher's tweets alone first and then the gold ones alone, so that the last thing
it learns is the annotators' own tags. Each N of ``transformer_student_sizes`` in each order of
``transformer_student_orders`` is a point of its curve; the member is the point 0. The best point
on dev, when it learnt from teacher tweets, is a candidate member of the leading model
(``selection``); only when dev takes it into the leading model is it refit: the final MiniLM (the
member's refit on train + dev) continued the same way, in the same order, over train + dev and the
same tweets tagged by the final teacher, like every other refit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from ..data.conll import TagLists, TokenLists
from .bio_decoding import decode_all
from .distillation import Distillation, StudentRecipe, teach
from .family import FitContext, MemberFit
from .seed_average import SeedAveragedMiniLM
from .strong_settings import TRANSFORMER_STUDENT_ORDERS
from .teacher_labels import DaskTeaching, Teacher, TeacherLabels
from .transformer import TransformerTagger

AnyMiniLM = TypeVar("AnyMiniLM", TransformerTagger, SeedAveragedMiniLM)
"""One MiniLM or a seed average (``models/transformer_seeds.py``): a student continues either alike."""

SPLITS = ("dev", "test")
"""Where every student is scored (test once, reported, never used to choose)."""

MIXED, TEACHER_FIRST = ORDERS = TRANSFORMER_STUDENT_ORDERS
"""How a student meets the gold and the teacher's tweets: ``mixed``, ``transformer_student_epochs``
epochs over both shuffled together; ``teacher_first``, that many over the teacher's tweets alone,
then that many over the gold ones alone (twice the steps over the gold tweets, about the same
seconds: the teacher's tweets are most of them)."""


@dataclass
class TransformerStudentFit:
    """The MiniLM member continued on train and the first ``unlabelled`` teacher-labelled tweets."""

    unlabelled: int
    member: MemberFit
    """It as a candidate member: the model, its dev and test distributions (computed once: MiniLM
    tags about a hundred tweets a second) and scores, and the continuation's seconds (the
    member's own fine-tuning is the member's)."""
    order: str | None = None
    """One of :data:`ORDERS`; ``None`` for the member, which met no teacher tweet."""

    @property
    def model(self) -> TransformerTagger:
        return cast(TransformerTagger, self.member.model)

    @property
    def dev_f1(self) -> float:
        return self.member.dev_f1

    @property
    def fit_seconds(self) -> float:
        return self.member.fit_seconds

    @property
    def name(self) -> str:
        if not self.unlabelled:
            return "gold tweets only"
        return f"+{self.unlabelled:,} teacher-labelled tweets" + (
            ", those first" if self.order == TEACHER_FIRST else ""
        )

    def row(self) -> dict:
        """Its line of the curve table (no timing: results must not vary)."""
        return {
            "student": self.name,
            "unlabelled_offered": self.unlabelled,
            "order": self.order,
            "dev_f1": self.dev_f1,
            "test_f1_train_only_fit": self.member.test_f1,
        }


def continue_on_teacher_tweets(
    start: AnyMiniLM,
    gold: tuple[TokenLists, TagLists],
    tweets: TokenLists,
    taught: TeacherLabels,
    recipe: StudentRecipe,
    epochs: int,
    log: Callable[[str], None],
    order: str = MIXED,
) -> AnyMiniLM:
    """``start`` (unchanged) continued over ``gold`` and ``recipe``'s teacher-labelled ``tweets``
    with the teacher's tags, in ``order`` (:data:`ORDERS`)."""
    if order not in ORDERS:
        raise ValueError(f"unknown MiniLM student order {order!r}: expected one of {', '.join(ORDERS)}")
    if order == MIXED:
        tokens, tags, used = recipe.training_data(gold, tweets, taught)
        log(f"MiniLM student: {len(gold[0]):,} gold + {used:,} teacher-labelled tweets, {epochs} more epoch(s)")
        return start.continued(tokens, tags, epochs, progress=log)
    tokens, tags, used = recipe.training_data(([], []), tweets, taught)
    log(f"MiniLM student: {used:,} teacher-labelled tweets, then {len(gold[0]):,} gold, {epochs} epoch(s) each")
    first = start.continued(tokens, tags, epochs, progress=log)
    copies = recipe.gold_copies
    return first.continued(list(gold[0]) * copies, list(gold[1]) * copies, epochs, progress=log)


@dataclass
class TransformerStudents:
    """The MiniLM students, the one dev chose, and what its refit needs."""

    fits: list[TransformerStudentFit]
    """The curve, the MiniLM member (no teacher tweets) first."""
    chosen: TransformerStudentFit
    tweets: TokenLists
    taught: TeacherLabels
    """The train-only teacher's labels of :attr:`tweets` (what the curve's students learnt)."""
    epochs: int
    member_settings: dict
    """What validation chose for the MiniLM member the students continue (its epochs, its refit)."""
    final_taught: TeacherLabels | None = None
    """The final teacher's labels of the chosen tweets, once :meth:`refit_final` ran."""

    def record(self) -> dict:
        """What the results keep (no timings)."""
        return {"curve": [fit.row() for fit in self.fits], "chosen": self.chosen.name, "epochs": self.epochs}

    def final_teacher_tweets(self) -> list[int]:
        """The positions in :attr:`tweets` of the teacher-labelled tweets the refit learnt from
        (none before :meth:`refit_final` ran, or when dev chose the member alone)."""
        return list(range(min(self.chosen.unlabelled, len(self.tweets)))) if self.final_taught is not None else []

    def member_fit(self) -> MemberFit:
        """The chosen student as a candidate member of the leading model (its train-only fit)."""
        return self.chosen.member

    def refit(
        self,
        start: AnyMiniLM,
        gold: tuple[TokenLists, TagLists],
        taught: TeacherLabels,
        log: Callable[[str], None],
    ) -> AnyMiniLM:
        """The chosen student's recipe continued from another MiniLM (``start``) over other gold
        tweets and ``taught``'s tags of the same tweets: nothing re-chosen."""
        chosen, recipe = self.chosen, StudentRecipe(self.chosen.unlabelled)
        if chosen.order is None:
            raise ValueError("the MiniLM member has no student recipe to refit: it learnt from no teacher tweet")
        return continue_on_teacher_tweets(start, gold, self.tweets, taught, recipe, self.epochs, log, chosen.order)

    def refit_final(
        self,
        final_member: AnyMiniLM,
        final_teacher: Teacher,
        context: FitContext,
        cache: Path | None,
        dask: DaskTeaching | None = None,
    ) -> tuple[AnyMiniLM, float]:
        """The chosen student refit on train + dev from ``final_member`` (the MiniLM member's
        refit), with the chosen tweets tagged by the final teacher (cached like every teacher's
        labels); its seconds are the continuation's."""
        offered = self.tweets[: self.chosen.unlabelled]
        self.final_taught = teach(final_teacher, offered, cache, "final teacher", context.log, dask)[0]
        both = context.train_and_dev()
        context.log(f"refit on train + dev: MiniLM student ({self.chosen.name}, {self.epochs} epoch(s) per pass)")
        started = time.perf_counter()
        model = self.refit(final_member, (both.tokens, both.tags), self.final_taught, context.log)
        return model, time.perf_counter() - started


def best_transformer_student(fits: Sequence[TransformerStudentFit]) -> TransformerStudentFit:
    """The best dev F1; a tie goes to the earlier student (fewer teacher tweets, cheaper; at the
    same size, the order listed first in the settings)."""
    return max(fits, key=lambda fit: fit.dev_f1)


def distil_transformer(
    context: FitContext, member: MemberFit, distillation: Distillation, name: str
) -> TransformerStudents:
    """The curve at the top of this module. ``member`` is the MiniLM member's train-only fit
    (the curve's first point, and where every student starts); ``distillation`` holds the
    teacher-labelled tweets; ``name`` is the students' family as candidate members."""
    settings, log = context.settings, context.log
    start = member.model
    assert isinstance(start, TransformerTagger)
    gold = (context.train.tokens, context.train.tags)
    epochs = settings.transformer_student_epochs
    fits = [TransformerStudentFit(0, member)]
    orders = list(dict.fromkeys(settings.transformer_student_orders))
    for size in sorted({s for s in settings.transformer_student_sizes if s > 0}):
        for order in orders:
            started = time.perf_counter()
            model = continue_on_teacher_tweets(
                start, gold, distillation.tweets, distillation.taught, StudentRecipe(size), epochs, log, order
            )
            seconds = time.perf_counter() - started
            dev, test = (model.predict_proba(context.corpora[split].tokens) for split in SPLITS)
            dev_f1, test_f1 = (
                context.f1(split, decode_all(found, model.labels)) for split, found in zip(SPLITS, (dev, test))
            )
            recipe = {"unlabelled": size, "epochs": epochs, "order": order}
            fit = MemberFit(name, model, dev, test, dev_f1, test_f1, seconds, recipe)
            fits.append(TransformerStudentFit(size, fit, order))
            log(f"MiniLM student {fits[-1].name}: dev entity F1 {fits[-1].dev_f1:.4f}")
    chosen = best_transformer_student(fits)
    return TransformerStudents(fits, chosen, distillation.tweets, distillation.taught, epochs, member.settings)
