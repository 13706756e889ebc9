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
from typing import TYPE_CHECKING

from ..data.conll import Corpus
from ..metrics import entity_scores
from ..models.crf import CrfTagger
from ..models.protocol import Tagger
from .active_learning import best_strategy, compare_with_random, simulate
from .learning_curve import extrapolate, learning_curve

if TYPE_CHECKING:  # the settings import PyTorch's model modules
    from ..models.strong_settings import StrongModelSettings


@dataclass(frozen=True)
class LabellingPlanSettings:
    """How much of the curve and the simulation a run affords."""

    shares: Sequence[float] = (0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
    seeds: Sequence[int] = (1, 2, 3)
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
) -> dict:
    """The curve, its fitted law and extrapolations, the simulation and its verdicts, as the
    results record (``reporting/summary/labelling_text.py`` words it)."""
    train, dev, test = corpora["train"], corpora["dev"], corpora["test"]

    def fit(indices: list[int]) -> Tagger:
        model = CrfTagger(
            c1=template.c1, c2=template.c2, max_iterations=settings.max_iterations, featurizer=template.featurizer
        )
        return model.fit([train.tokens[i] for i in indices], [train.tags[i] for i in indices])

    def score(model: Tagger) -> tuple[float, float]:
        return (
            entity_scores(dev.tags, model.predict(dev.tokens)).overall.f1,
            entity_scores(test.tags, model.predict(test.tokens)).overall.f1,
        )

    points = learning_curve(lambda indices: score(fit(indices)), len(train), settings.shares, settings.seeds, log)
    law, extrapolated = extrapolate(points, settings.extras)
    rounds = simulate(
        fit, score, train.tokens, settings.start, settings.batch, settings.rounds, settings.seeds, log=log
    )
    comparisons = compare_with_random(rounds)
    return {
        "recipe": f"the knowledge CRF alone (c1={template.c1:g} c2={template.c2:g}, {settings.max_iterations} "
        "iterations)",
        "train_tweets": len(train),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()},
        "curve": [asdict(p) for p in points],
        "power_law": {"a": law.a, "b": law.b, "c": law.c},
        "extrapolated": [asdict(e) for e in extrapolated],
        "simulation": [asdict(r) for r in rounds],
        "comparisons": [asdict(c) | {"verdict": c.verdict} for c in comparisons],
        "best_strategy": best_strategy(comparisons),
    }
