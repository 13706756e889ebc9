"""What more labels would buy, for the knowledge CRF's recipe: its learning curve over shares
of ``train`` and the active-learning simulation, as one record for the reports.

Both fit the dev-chosen CRF (its c1, c2 and features) many times, so both cap its L-BFGS
iterations (``max_iterations``) to stay within a few minutes of ``make reports``: the
curve's absolute F1 sits a little under the saved model's, and what the reports use is its
shape (the gain per label) and the strategies' differences, which share the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..data.conll import Corpus
from ..forked import FIT_WORKERS, fork_map
from ..metrics import entity_scores
from ..models.crf import CrfTagger
from ..models.protocol import Tagger
from .active_learning import RoundScore, best_strategy, compare_with_random, seed_paths
from .learning_curve import CurvePoint, curve_jobs, extrapolate, subsample

if TYPE_CHECKING:  # the settings import PyTorch's model modules
    from ..models.strong_settings import StrongModelSettings

T = TypeVar("T")


@dataclass(frozen=True)
class LabellingPlanSettings:
    """How much of the curve and the simulation a run affords."""

    shares: Sequence[float] = (0.1, 0.2, 0.4, 0.6, 1.0)
    seeds: Sequence[int] = (1, 2, 3)
    """The curve's subsample seeds."""
    simulation_seeds: Sequence[int] = (1, 2, 3)
    extras: Sequence[int] = (1000, 2500, 5000)
    """Labelled tweets beyond train at which the curve is extrapolated."""
    start: int = 300
    batch: int = 300
    rounds: int = 3
    max_iterations: int = 60


def plan_settings(settings: StrongModelSettings) -> LabellingPlanSettings | None:
    """The curve and simulation ``04_strong_models``'s parameters ask for (None: no shares)."""
    if not settings.labelling_shares:
        return None
    return LabellingPlanSettings(
        shares=tuple(settings.labelling_shares),
        seeds=tuple(settings.labelling_seeds),
        simulation_seeds=tuple(settings.labelling_simulation_seeds),
        start=settings.labelling_start,
        batch=settings.labelling_batch,
        rounds=settings.labelling_rounds,
        max_iterations=settings.labelling_max_iterations,
    )


def analyse_labelling(
    template: CrfTagger,
    corpora: Mapping[str, Corpus],
    settings: LabellingPlanSettings,
    log: Callable[[str], None] = print,
    workers: int = FIT_WORKERS,
) -> dict:
    """The curve, its fitted law and extrapolations, the simulation and its verdicts, as the
    results record (``reporting/summary/labelling_text.py`` words it).

    Every curve point is a job of its own, and so is each seed of the simulation (its start
    model shared by the strategies), run in ``workers`` processes forked from this one
    (CRFsuite trains on one core); results come back in job order, so the record does not
    depend on ``workers``. The strategy saved with the models is chosen on dev; the test
    comparison is reported beside it."""
    train = corpora["train"]
    # the lists once here: a Corpus builds them afresh on every access, and a fit reads a few
    # hundred of train's tweets by position
    lists = {name: (corpora[name].tokens, corpora[name].tags) for name in ("train", "dev", "test")}
    _JOB_STATE.update(template=template, lists=lists, settings=settings)
    try:
        # the simulation's seeds (the longest jobs) first, then the curve's points fill the gaps
        jobs: list[tuple[Callable[[Any], Any], Any]] = [(_seed_paths, seed) for seed in settings.simulation_seeds]
        jobs += [(_curve_point, point) for point in curve_jobs(len(train), settings.shares, settings.seeds)]
        done = fork_map(_call, jobs, workers)
        paths, points = done[: len(settings.simulation_seeds)], done[len(settings.simulation_seeds) :]
    finally:
        _JOB_STATE.clear()  # the corpora and the featurizer are not kept alive after the analysis
    for point in points:
        log(f"learning curve: {point.size:,} labelled tweets (seed {point.seed}): dev entity F1 {point.dev_f1:.4f}")
    rounds = [r for path in paths for r in path]
    most = max(r.labelled for r in rounds)
    for last in (r for r in rounds if r.labelled == most):
        log(f"active learning: {last.strategy}, seed {last.seed}, {last.labelled:,} labelled: dev F1 {last.dev_f1:.4f}")
    law, extrapolated = extrapolate(points, settings.extras)
    on_dev, on_test = compare_with_random(rounds, "dev_f1"), compare_with_random(rounds)
    return {
        "recipe": f"the knowledge CRF alone (c1={template.c1:g} c2={template.c2:g}, {settings.max_iterations} "
        "iterations)",
        "train_tweets": len(train),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()},
        "curve": [asdict(p) for p in points],
        "power_law": {"a": law.a, "b": law.b, "c": law.c},
        "extrapolated": [asdict(e) for e in extrapolated],
        "simulation": [asdict(r) for r in rounds],
        "dev_comparisons": [asdict(c) | {"verdict": c.verdict} for c in on_dev],
        "comparisons": [asdict(c) | {"verdict": c.verdict} for c in on_test],
        "best_strategy": best_strategy(on_dev),
    }


_JOB_STATE: dict[str, Any] = {}
"""What the forked workers read (the template, each split's token and tag lists, the settings): set before the
pool starts, so nothing large is pickled per job."""


def _fit(indices: list[int]) -> Tagger:
    template, settings = _JOB_STATE["template"], _JOB_STATE["settings"]
    tokens, tags = _JOB_STATE["lists"]["train"]
    model = CrfTagger(
        c1=template.c1, c2=template.c2, max_iterations=settings.max_iterations, featurizer=template.featurizer
    )
    return model.fit([tokens[i] for i in indices], [tags[i] for i in indices])


def _score(model: Tagger) -> tuple[float, float]:
    (dev_tokens, dev_tags), (test_tokens, test_tags) = _JOB_STATE["lists"]["dev"], _JOB_STATE["lists"]["test"]
    return (
        entity_scores(dev_tags, model.predict(dev_tokens)).overall.f1,
        entity_scores(test_tags, model.predict(test_tokens)).overall.f1,
    )


def _call(job: tuple[Callable[[Any], T], Any]) -> T:
    """One job of either kind (one pool serves both, so no worker waits for the other kind)."""
    function, argument = job
    return function(argument)


def _curve_point(job: tuple[int, int]) -> CurvePoint:
    size, seed = job
    return CurvePoint(size, seed, *_score(_fit(subsample(len(_JOB_STATE["lists"]["train"][0]), size, seed))))


def _seed_paths(seed: int) -> list[RoundScore]:
    settings = _JOB_STATE["settings"]
    tokens = _JOB_STATE["lists"]["train"][0]
    return seed_paths(
        _fit, _score, tokens, settings.start, settings.batch, settings.rounds, seed, log=lambda line: None
    )
