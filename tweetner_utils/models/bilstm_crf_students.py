"""BiLSTM-CRF students: the BiLSTM-CRF trained on the gold tweets plus the tweets the
train-only teacher labelled for the knowledge-CRF students (``distillation``), chosen on dev.

A knowledge-CRF student fits in seconds; a BiLSTM-CRF student takes minutes per thousand
tweets, so its curve is its own, shorter one (``bilstm_crf_student_sizes``, the teacher's hard
tags, each gold tweet once). Each point stops early on dev like the BiLSTM-CRF member, which is
the curve's first point (no teacher tweets, not fit again). The students' LSTM may be narrower
than the member's (``bilstm_crf_student_hidden_dim``: a student is a fast-model candidate, and
the LSTM is much of its tagging time). At the curve's best size, a
student may learn the teacher's probabilities instead of its tags (soft labels,
``bilstm_crf_student_soft``: the CRF layer's expected loss under the teacher's marginals), which
CRFsuite cannot. The best on dev, when it learnt from teacher tweets, is refit on train + dev
for ``bilstm_crf_student_refit_epochs`` epochs (0: the epochs it chose), with the same tweets
tagged by the final teacher, like every other refit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..data.conll import TagLists, TokenLists
from .bilstm_crf import BilstmCrfTagger, SoftTargets
from .distillation import Distillation, StudentRecipe, teach
from .family import FitContext, MemberFit
from .teacher_labels import DaskTeaching, Teacher, TeacherLabels


@dataclass
class NetworkStudentFit:
    """One BiLSTM-CRF fit on train and the first ``unlabelled`` teacher-labelled tweets."""

    unlabelled: int
    model: BilstmCrfTagger
    dev_f1: float
    test_f1: float
    fit_seconds: float
    soft: bool = False
    """Whether it learnt the teacher's probabilities (else its tags)."""

    @property
    def name(self) -> str:
        if not self.unlabelled:
            return "gold tweets only"
        return f"+{self.unlabelled:,} teacher-labelled tweets" + (", soft labels" if self.soft else "")

    def row(self) -> dict:
        """Its line of the curve table (no timing: results must not vary)."""
        return {
            "student": self.name,
            "unlabelled_offered": self.unlabelled,
            "soft_labels": self.soft,
            "lstm_hidden": self.model.settings.hidden_dim,
            "epochs": self.model.best_epoch,
            "dev_f1": self.dev_f1,
            "test_f1_train_only_fit": self.test_f1,
        }


def student_data(
    gold: tuple[TokenLists, TagLists], tweets: TokenLists, taught: TeacherLabels, size: int, *, soft: bool
) -> tuple[TokenLists, TagLists, SoftTargets | None]:
    """A student's tweets and tags (the gold ones, then the first ``size`` teacher-labelled
    ones), and with ``soft`` the teacher's probabilities of the latter."""
    tokens, tags, used = StudentRecipe(size).training_data(gold, tweets, taught)
    if not soft:
        return tokens, tags, None
    return tokens, tags, SoftTargets(taught.labels, [None] * len(gold[0]) + list(taught.probabilities[:used]))


def fit_network_students(
    untrained: Callable[[], BilstmCrfTagger],
    gold: tuple[TokenLists, TagLists],
    tweets: TokenLists,
    taught: TeacherLabels,
    validation: tuple[TokenLists, TagLists],
    score: Callable[[BilstmCrfTagger], tuple[float, float]],
    sizes: Sequence[int],
    log: Callable[[str], None] = print,
    *,
    soft: bool = False,
) -> list[NetworkStudentFit]:
    """A student per size (ascending, 0 left out): ``untrained()`` fit on ``gold`` and the first
    ``size`` of ``tweets`` with the teacher's tags (its probabilities with ``soft``), stopped
    early on ``validation``; ``score`` gives a model's (dev F1, test F1)."""
    fits = []
    for size in sorted({s for s in sizes if s > 0}):
        tokens, tags, targets = student_data(gold, tweets, taught, size, soft=soft)
        kind = "teacher probabilities" if soft else "teacher-labelled"
        log(f"BiLSTM-CRF student: {len(gold[0]):,} gold + {size:,} tweets ({kind})")
        started = time.perf_counter()
        model = untrained().fit(tokens, tags, validation=validation, progress=log, soft=targets)
        fits.append(NetworkStudentFit(size, model, *score(model), time.perf_counter() - started, soft))
        log(f"BiLSTM-CRF student {fits[-1].name}: dev entity F1 {fits[-1].dev_f1:.4f}")
    return fits


def best_network_student(fits: Sequence[NetworkStudentFit]) -> NetworkStudentFit:
    """The best dev F1; a tie goes to the earlier (fewer teacher tweets, cheaper) student."""
    return max(fits, key=lambda fit: fit.dev_f1)


@dataclass
class NetworkStudents:
    """The BiLSTM-CRF students, the one dev chose, and its refit on train + dev."""

    fits: list[NetworkStudentFit]
    """The curve, the BiLSTM-CRF member (no teacher tweets) first."""
    chosen: NetworkStudentFit
    tweets: TokenLists
    taught: TeacherLabels
    """The train-only teacher's labels of :attr:`tweets` (what the curve's students learnt)."""
    final_taught: TeacherLabels | None
    """The final teacher's labels of the chosen number of tweets (None: dev chose the member)."""
    final: BilstmCrfTagger | None
    """The chosen student refit on train + dev (None: dev chose the member alone)."""
    final_seconds: float
    refit_epochs: int = 0
    """``StrongModelSettings.bilstm_crf_student_refit_epochs``: 0, the chosen student's own."""

    @property
    def epochs(self) -> int:
        """How many epochs its refits train."""
        return self.refit_epochs or self.chosen.model.best_epoch

    def record(self) -> dict:
        """What the results keep (no timings)."""
        return {"curve": [fit.row() for fit in self.fits], "chosen": self.chosen.name}

    def final_teacher_tweets(self) -> list[int]:
        """The positions in :attr:`tweets` of the teacher-labelled tweets :attr:`final` learnt from."""
        return list(range(min(self.chosen.unlabelled, len(self.tweets)))) if self.final is not None else []

    def member_fit(self, name: str, context: FitContext) -> MemberFit:
        """The chosen student as a candidate member of the leading model: its train-only fit's
        dev and test distributions."""
        chosen, corpora = self.chosen, context.corpora
        dev, test = (chosen.model.predict_proba(corpora[split].tokens) for split in ("dev", "test"))
        settings = {"epochs": chosen.model.best_epoch, "unlabelled": chosen.unlabelled, "soft_labels": chosen.soft}
        if self.refit_epochs:
            settings["refit_epochs"] = self.refit_epochs
        return MemberFit(name, chosen.model, dev, test, chosen.dev_f1, chosen.test_f1, chosen.fit_seconds, settings)

    def refit(self, gold: tuple[TokenLists, TagLists], *, final: bool, log: Callable[[str], None]) -> BilstmCrfTagger:
        """The chosen student's recipe (tweets, :attr:`epochs`) on other gold tweets with the
        same teacher labels (the final teacher's with ``final``): nothing re-chosen."""
        taught = self.final_taught if final and self.final_taught is not None else self.taught
        chosen = self.chosen
        tokens, tags, targets = student_data(gold, self.tweets, taught, chosen.unlabelled, soft=chosen.soft)
        return chosen.model.with_epochs(self.epochs).fit(tokens, tags, progress=log, soft=targets)


def distil_network(
    context: FitContext,
    member: MemberFit,
    untrained: Callable[[], BilstmCrfTagger],
    distillation: Distillation,
    final_teacher: Teacher,
    cache: Path | None,
    dask: DaskTeaching | None = None,
) -> NetworkStudents:
    """The protocol at the top of this module. ``member`` is the BiLSTM-CRF member's train-only
    fit (the curve's first point); ``untrained`` makes a BiLSTM-CRF with its settings;
    ``distillation`` holds the teacher-labelled tweets; ``final_teacher`` tags the chosen ones
    again for the refit (cached like every teacher's labels)."""
    settings, log = context.settings, context.log
    assert isinstance(member.model, BilstmCrfTagger)
    dev, test = context.corpora["dev"], context.corpora["test"]

    def score(model: BilstmCrfTagger) -> tuple[float, float]:
        return context.f1("dev", model.predict(dev.tokens)), context.f1("test", model.predict(test.tokens))

    first = NetworkStudentFit(0, member.model, member.dev_f1, member.test_f1, member.fit_seconds)
    gold = (context.train.tokens, context.train.tags)
    tweets, taught = distillation.tweets, distillation.taught
    sizes = settings.bilstm_crf_student_sizes
    fits = [first, *fit_network_students(untrained, gold, tweets, taught, context.validation, score, sizes, log)]
    best = best_network_student(fits)
    if best.unlabelled and True in settings.bilstm_crf_student_soft:
        fits += fit_network_students(
            untrained, gold, tweets, taught, context.validation, score, [best.unlabelled], log, soft=True
        )
    chosen = best_network_student(fits)
    students = NetworkStudents(fits, chosen, tweets, taught, None, None, 0.0, settings.bilstm_crf_student_refit_epochs)
    if chosen.unlabelled:
        students.final_taught = teach(final_teacher, tweets[: chosen.unlabelled], cache, "final teacher", log, dask)[0]
        both = context.train_and_dev()
        log(f"refit on train + dev: BiLSTM-CRF student ({chosen.name}, {students.epochs} epochs)")
        started = time.perf_counter()
        students.final = students.refit((both.tokens, both.tags), final=True, log=log)
        students.final_seconds = time.perf_counter() - started
    return students
