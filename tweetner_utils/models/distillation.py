"""Students: the knowledge CRF trained on the gold tweets plus unlabelled tweets that the
leading model (the teacher) tagged, so that the fast model learns some of what the slow
one knows (knowledge distillation; self-training when the student joins the leader).

Protocol, like the rest of the selection (never tuned on test):
1. The teacher is the configuration chosen on dev, *fit on train only*, so that a
   student's dev score is honest: a teacher that saw dev would hand dev's answers to it.
2. The learning curve: a student per number of teacher-labelled tweets (the first N of
   the shuffled unlabelled tweets; 0 is the CRF alone), each with the c1/c2 the CRF grid
   chose, fit on train and scored on dev (and its train-only fit on test once).
3. At the best N on dev, the variants: a confidence filter (leave out the tweets where the
   teacher was unsure of a tag) and the gold tweets' weight (each gold tweet seen k times);
   the best on dev is the chosen recipe.
4. The recipe is refit on train + dev with the same unlabelled tweets, tagged this time by
   the final teacher (refit on train + dev), like every other refit.

CRFsuite learns from tags, not distributions, so the CRF student learns the teacher's hard
tags; the confidence filter is how the teacher's probabilities reach it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.conll import TagLists, TokenLists
from ..data.unlabelled import UnlabelledTweets
from ..forked import FIT_WORKERS, fork_map
from .crf import CrfTagger
from .family import FitContext
from .teacher_labels import (
    DaskTeaching,
    Teacher,
    TeacherLabels,
    batches_on_dask,
    cache_file,
    model_digest,
    teacher_key,
    teacher_labels,
    tweets_digest,
)


@dataclass(frozen=True)
class StudentRecipe:
    """What a student learns from besides the gold tweets."""

    unlabelled: int
    """How many teacher-labelled tweets it is offered (the first of the shuffled ones)."""
    min_confidence: float = 0.0
    """A tweet whose teacher confidence (:meth:`TeacherLabels.tweet_confidence`) is below this is left out."""
    gold_copies: int = 1
    """How many times each gold tweet is seen (CRFsuite has no instance weights)."""

    @property
    def name(self) -> str:
        """The recipe in words, as the report's table shows it."""
        if not self.unlabelled:
            return "gold tweets only" + (f" (x{self.gold_copies})" if self.gold_copies > 1 else "")
        parts = [f"+{self.unlabelled:,} teacher-labelled tweets"]
        if self.min_confidence > 0:
            parts.append(f"teacher confidence >= {self.min_confidence:g}")
        if self.gold_copies > 1:
            parts.append(f"gold x{self.gold_copies}")
        return ", ".join(parts)

    def kept(self, tweets: TokenLists, taught: TeacherLabels) -> list[int]:
        """The positions in ``tweets`` of the teacher-labelled tweets the student learns from."""
        confidence = taught.tweet_confidence()[: self.unlabelled]
        return [i for i in range(min(self.unlabelled, len(tweets))) if confidence[i] >= self.min_confidence]

    def training_data(
        self, gold: tuple[TokenLists, TagLists], tweets: TokenLists, taught: TeacherLabels
    ) -> tuple[TokenLists, TagLists, int]:
        """The student's tweets and tags, and how many teacher-labelled tweets are among them."""
        keep = self.kept(tweets, taught)
        tokens = list(gold[0]) * self.gold_copies + [list(tweets[i]) for i in keep]
        tags = list(gold[1]) * self.gold_copies + [list(taught.tags[i]) for i in keep]
        return tokens, tags, len(keep)


@dataclass
class StudentFit:
    """One student fit on train (and the teacher's train-only labels), scored on dev and test."""

    recipe: StudentRecipe
    model: CrfTagger
    taught_tweets: int
    """Teacher-labelled tweets it learnt from (after the confidence filter)."""
    dev_f1: float
    test_f1: float
    fit_seconds: float

    def row(self) -> dict:
        """Its line of the learning-curve table (seconds kept apart: results must not vary)."""
        return {
            "student": self.recipe.name,
            "unlabelled_offered": self.recipe.unlabelled,
            "teacher_tweets_used": self.taught_tweets,
            "min_confidence": self.recipe.min_confidence,
            "gold_copies": self.recipe.gold_copies,
            "dev_f1": self.dev_f1,
            "test_f1_train_only_fit": self.test_f1,
        }


def learning_curve_recipes(sizes: Sequence[int]) -> list[StudentRecipe]:
    """Step 2's students: plain teacher tags, every size in ascending order (0 first)."""
    return [StudentRecipe(size) for size in sorted(set([0, *sizes]))]


def variant_recipes(
    best: StudentRecipe, min_confidences: Sequence[float], gold_copies: Sequence[int]
) -> list[StudentRecipe]:
    """Step 3's students: the best size with each other filter, then each other gold weight
    (one change at a time: each variant costs a fit of several minutes)."""
    if not best.unlabelled:
        return []
    variants = [
        StudentRecipe(best.unlabelled, c, best.gold_copies) for c in min_confidences if c != best.min_confidence
    ]
    variants += [StudentRecipe(best.unlabelled, best.min_confidence, k) for k in gold_copies if k != best.gold_copies]
    return variants


def best_fit(fits: Sequence[StudentFit]) -> StudentFit:
    """The best dev F1; a tie goes to the earlier (the cheaper) student, never to float noise."""
    return max(fits, key=lambda fit: fit.dev_f1)


def fit_student(
    recipe: StudentRecipe,
    template: CrfTagger,
    gold: tuple[TokenLists, TagLists],
    tweets: TokenLists,
    taught: TeacherLabels,
) -> tuple[CrfTagger, int]:
    """A CRF with ``template``'s settings and featurizer, fit on ``recipe``'s data; and how
    many teacher-labelled tweets it saw."""
    tokens, tags, used = recipe.training_data(gold, tweets, taught)
    crf = CrfTagger(
        c1=template.c1, c2=template.c2, max_iterations=template.max_iterations, featurizer=template.featurizer
    )
    return crf.fit(tokens, tags), used


def choose_student(
    template: CrfTagger,
    gold: tuple[TokenLists, TagLists],
    tweets: TokenLists,
    taught: TeacherLabels,
    score: Callable[[CrfTagger], tuple[float, float]],
    sizes: Sequence[int],
    min_confidences: Sequence[float],
    gold_copies: Sequence[int],
    log: Callable[[str], None] = print,
    gold_only: CrfTagger | None = None,
    workers: int = FIT_WORKERS,
) -> tuple[StudentFit, list[StudentFit]]:
    """Steps 2 and 3 above: every student, and the one chosen on dev. ``score`` gives a
    model's (dev F1, test F1); ``gold_only``, when given, is the curve's first point already
    fit (the CRF the grid chose), so it is not fit twice. The students of each step are fit
    ``workers`` at a time in forked processes (CRFsuite uses one core); what is chosen does
    not depend on ``workers``."""

    def fit_and_score(recipe: StudentRecipe) -> tuple[bytes, int, float, float, float]:
        started = time.perf_counter()
        model, used = fit_student(recipe, template, gold, tweets, taught)
        assert model.model_bytes is not None
        return (model.model_bytes, used, *score(model), time.perf_counter() - started)

    def run(order: list[StudentRecipe]) -> list[StudentFit]:
        done: list[StudentFit] = []
        recipes = list(order)
        if gold_only is not None and StudentRecipe(0) in recipes:
            recipes = [r for r in recipes if r != StudentRecipe(0)]
            started = time.perf_counter()
            done.append(StudentFit(StudentRecipe(0), gold_only, 0, *score(gold_only), time.perf_counter() - started))
        if recipes:
            log(f"fitting {len(recipes)} student(s) in {min(workers, len(recipes))} process(es)")
        # the most teacher tweets first: the longest fits start first and the short ones fill in
        longest_first = sorted(recipes, key=lambda r: -r.unlabelled)
        for recipe, (data, used, dev_f1, test_f1, seconds) in zip(
            longest_first, fork_map(fit_and_score, longest_first, workers)
        ):
            model = CrfTagger(
                c1=template.c1, c2=template.c2, max_iterations=template.max_iterations, featurizer=template.featurizer
            )
            model.set_model_bytes(data)
            done.append(StudentFit(recipe, model, used, dev_f1, test_f1, seconds))
        done.sort(key=lambda fit: order.index(fit.recipe))
        for fit in done:
            log(f"student {fit.recipe.name}: dev entity F1 {fit.dev_f1:.4f}")
        return done

    fits = run(learning_curve_recipes(sizes))
    fits += run(variant_recipes(best_fit(fits).recipe, min_confidences, gold_copies))
    return best_fit(fits), fits


def shuffled(tweets: Sequence[Sequence[str]], seed: int, limit: int) -> TokenLists:
    """The first ``limit`` tweets of a seeded shuffle: every curve point mixes all the files,
    and the smaller sets are the larger ones' beginnings."""
    order = np.random.default_rng(seed).permutation(len(tweets))[:limit]
    return [list(tweets[i]) for i in order]


@dataclass
class Distillation:
    """The students, the one dev chose, its refit on train + dev, and what they learnt from."""

    fits: list[StudentFit]
    chosen: StudentFit
    tweets: TokenLists
    """The teacher-labelled tweets offered (the largest curve point's), in order."""
    taught: TeacherLabels
    """The train-only teacher's labels of :attr:`tweets` (what the curve's students learnt)."""
    final_taught: TeacherLabels | None
    """The final teacher's labels of the chosen number of tweets (None: dev chose no teacher tweets)."""
    final: CrfTagger | None
    """The chosen student refit on train + dev (None: dev chose the CRF alone)."""
    final_seconds: float
    unlabelled: UnlabelledTweets
    """What was read, dropped and kept, file by file (its tweets are :attr:`tweets`' source)."""
    teacher_from_cache: dict[str, bool]
    """Per teacher (``train-only``, ``final``): whether its labels came from the cache."""
    template: CrfTagger
    """The knowledge CRF the grid chose, fit on train: every student copies its settings and featurizer."""

    def record(self) -> dict:
        """What the results keep (no timings, nothing about the cache: results must be the same bytes)."""
        return {
            "curve": [fit.row() for fit in self.fits],
            "chosen": self.chosen.recipe.name,
            "chosen_recipe": {
                "unlabelled": self.chosen.recipe.unlabelled,
                "min_confidence": self.chosen.recipe.min_confidence,
                "gold_copies": self.chosen.recipe.gold_copies,
            },
            "unlabelled_files": {
                name: {"sha256": sha, **self.unlabelled.counts.get(name, {})}
                for name, sha in self.unlabelled.files.items()
            },
            "teacher_tweets_labelled": len(self.tweets),
        }

    def final_teacher_tweets(self) -> list[int]:
        """The positions in :attr:`tweets` of the teacher-labelled tweets :attr:`final` learnt
        from (the confidence filter sees the final teacher's labels, so they can differ from
        the train-only fit's)."""
        if self.final is None or self.final_taught is None:
            return []
        return self.chosen.recipe.kept(self.tweets, self.final_taught)

    def refit(self, gold: tuple[TokenLists, TagLists], final: bool) -> CrfTagger:
        """The chosen recipe fit again on other gold tweets, with the same teacher labels
        (the train-only teacher's, or the final one's with ``final``): nothing re-chosen."""
        taught = self.final_taught if final and self.final_taught is not None else self.taught
        return fit_student(self.chosen.recipe, self.template, gold, self.tweets, taught)[0]


def distil(
    context: FitContext,
    gold_only: CrfTagger,
    teachers: tuple[Teacher, Teacher],
    unlabelled: UnlabelledTweets,
    cache: Path | None,
    dask: DaskTeaching | None = None,
) -> Distillation:
    """The protocol at the top of this module. ``gold_only`` is the CRF the grid chose (fit on
    train: the curve's first point and every student's settings); ``teachers`` are the chosen
    configuration fit on train only and refit on train + dev; ``cache`` keeps their labels;
    ``dask`` computes them on a cluster."""
    settings, log = context.settings, context.log
    tweets = shuffled(unlabelled.tokens, settings.seed, max(settings.student_sizes(), default=0))
    taught, cached_train = teach(teachers[0], tweets, cache, "train-only teacher", log, dask)
    dev, test = context.corpora["dev"], context.corpora["test"]

    def score(model: CrfTagger) -> tuple[float, float]:
        return context.f1("dev", model.predict(dev.tokens)), context.f1("test", model.predict(test.tokens))

    chosen, fits = choose_student(
        gold_only,
        (context.train.tokens, context.train.tags),
        tweets,
        taught,
        score,
        settings.unlabelled_sizes,
        settings.unlabelled_min_confidences,
        settings.unlabelled_gold_copies,
        log,
        gold_only=gold_only,
    )
    cached = {"train-only": cached_train}
    final_taught, final, seconds = None, None, 0.0
    if chosen.recipe.unlabelled:
        offered = tweets[: chosen.recipe.unlabelled]
        final_taught, cached["final"] = teach(teachers[1], offered, cache, "final teacher", log, dask)
        both = context.train_and_dev()
        log(f"refit on train + dev: knowledge CRF student ({chosen.recipe.name})")
        started = time.perf_counter()
        final = fit_student(chosen.recipe, gold_only, (both.tokens, both.tags), offered, final_taught)[0]
        seconds = time.perf_counter() - started
    return Distillation(fits, chosen, tweets, taught, final_taught, final, seconds, unlabelled, cached, gold_only)


def teach(
    teacher: Teacher,
    tweets: TokenLists,
    cache: Path | None,
    name: str,
    log: Callable[[str], None],
    dask: DaskTeaching | None,
) -> tuple[TeacherLabels, bool]:
    """The teacher's labels of ``tweets``, from the cache when it has them; a log line per
    tenth of the work (labelling ten thousand tweets takes minutes)."""
    key = teacher_key(model_digest(teacher.model), tweets_digest(tweets))
    step = max(1, len(tweets) // 10)
    reported = [0]

    def progress(done: int, total: int) -> None:
        if done - reported[0] >= step or done == total:
            reported[0] = done
            log(f"{name}: {done:,} of {total:,} unlabelled tweets tagged")

    batches = batches_on_dask(teacher, dask) if dask is not None else None
    labels, from_cache = teacher_labels(teacher.model, tweets, cache, key, progress, batches)
    kept = f" ({cache_file(cache, key).name})" if cache is not None else ""
    if from_cache:
        log(f"{name}: labels of {len(tweets):,} unlabelled tweets read from the cache{kept}")
    elif kept:
        log(f"{name}: labels kept in the cache{kept}")
    return labels, from_cache
