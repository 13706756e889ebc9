"""How many epochs the BiLSTM-CRF student's refit on train + dev should train, measured on dev alone.

The refit trains the chosen student for a fixed number of epochs, by default the epochs early
stopping kept in its train-only fit (``bilstm_crf_student_refit_epochs = 0``): a count that moves
with the seed, read off a dev set the refit then trains on. This study mimics the refit where
its outcome can be scored without test: dev is split in two seeded halves; the student trains
on train + one half + the first ``--size`` teacher-labelled tweets for ``--epochs`` epochs, as
the refit would, and the other half is scored after every epoch; then per student seed, and
with the halves swapped. Test is never read.

The teacher labels are the ones a run's train-only teacher left in the cache: 04's log names
the file on its "train-only teacher:" line (``teacher-….npz``). A teacher refit on
train + dev would hand the held-out half its own answers, so the saved leading model cannot
stand in for it. ``--run-seed`` is that run's seed: it shuffled the unlabelled tweets.

    python benchmarks/refit_epochs.py --teacher-labels FILE [--run-seed 42] [--seeds 42 7 123]
        [--epochs 10] [--held-out a b] [--size N] [--data-dir DIR] [--corpus wnut16] [--quick]

Prints one JSON line per (held-out half, student seed, epoch) with the half's entity F1, then
one per epoch with the mean and range over the seeds, per half and over both halves.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_corpora  # noqa: E402
from tweetner_utils.data.conll import Corpus, TagLists, TokenLists  # noqa: E402
from tweetner_utils.data.unlabelled import load_unlabelled  # noqa: E402
from tweetner_utils.data.word_vectors import glove_vectors  # noqa: E402
from tweetner_utils.exceptions import UsageError  # noqa: E402
from tweetner_utils.features.neural import NeuralInputs  # noqa: E402
from tweetner_utils.models import selection  # noqa: E402
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger  # noqa: E402
from tweetner_utils.models.bilstm_crf_students import student_data  # noqa: E402
from tweetner_utils.models.distillation import shuffled  # noqa: E402
from tweetner_utils.models.teacher_labels import read_teacher_labels  # noqa: E402
from tweetner_utils.pipeline.config import StrongConfig  # noqa: E402
from tweetner_utils.pipeline.steps import quick_strong_config  # noqa: E402

HALVES = ("a", "b")
SPLIT_SEED = 0
"""Seeds dev's split into halves: fixed, so that every run scores the same tweets."""


@dataclass(frozen=True)
class HeldOutSplit:
    """Gold tweets to train on (train + one half of dev) and the other half of dev to score."""

    held_out: str
    gold: tuple[TokenLists, TagLists]
    scored: tuple[TokenLists, TagLists]


def dev_halves(size: int, seed: int = SPLIT_SEED) -> dict[str, list[int]]:
    """Dev's tweet positions in two seeded halves, each in dev's order.

    >>> dev_halves(5)
    {'a': [0, 2], 'b': [1, 3, 4]}
    """
    order = list(range(size))
    random.Random(seed).shuffle(order)
    return {"a": sorted(order[: size // 2]), "b": sorted(order[size // 2 :])}


def held_out_split(train: Corpus, dev: Corpus, held_out: str) -> HeldOutSplit:
    """Train + the other half of dev as gold; ``held_out``'s half scored."""
    halves = dev_halves(len(dev.tokens))
    kept = halves["b" if held_out == "a" else "a"]
    gold = train.tokens + [dev.tokens[i] for i in kept], train.tags + [dev.tags[i] for i in kept]
    scored = [dev.tokens[i] for i in halves[held_out]], [dev.tags[i] for i in halves[held_out]]
    return HeldOutSplit(held_out, gold, scored)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher-labels", required=True, help="a train-only teacher's cache file (04's log names it)")
    parser.add_argument("--run-seed", type=int, default=42, help="the seed of the run whose teacher wrote the file")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 123], help="the students' seeds")
    parser.add_argument("--epochs", type=int, default=10, help="epochs each student trains (every one is scored)")
    parser.add_argument("--held-out", nargs="+", choices=HALVES, default=list(HALVES), help="dev halves to score")
    parser.add_argument("--size", type=int, default=0, help="teacher-labelled tweets (default: the student's curve)")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--corpus", default="wnut16")
    parser.add_argument("--quick", action="store_true", help="the synthetic corpus and the quick run's settings")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs {args.epochs}: expected 1 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = quick_strong_config() if args.quick else StrongConfig(corpus=args.corpus, data_dir=args.data_dir)
    corpora = load_corpora(config.quick, args.run_seed, config.data_dir, config.corpus)
    labelled = {split: corpus.tokens for split, corpus in corpora.items()}
    unlabelled = load_unlabelled(config.quick, args.run_seed, config.data_dir, labelled)
    tweets = shuffled(unlabelled.tokens, args.run_seed, max(config.student_sizes(), default=0))
    try:
        taught = read_teacher_labels(Path(args.teacher_labels), tweets)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    size = args.size or max(config.bilstm_crf_student_sizes)
    resources = selection.knowledge_resources(config, quick=config.quick, data_dir=config.data_dir)
    vectors = glove_vectors()

    def untrained(seed: int) -> BilstmCrfTagger:
        """The student as the reports make it (the member's settings, the students' width)."""
        settings = BilstmCrfSettings(max_epochs=args.epochs, seed=seed, hidden_dim=config.bilstm_crf_student_hidden_dim)
        return BilstmCrfTagger(settings, lambda chars: NeuralInputs(resources, vectors, chars))

    scores: dict[tuple[str, int], list[float]] = {}
    for held_out in args.held_out:
        split = held_out_split(corpora["train"], corpora["dev"], held_out)
        tokens, tags, _ = student_data(split.gold, tweets, taught, size, soft=False)
        log(f"held-out half {held_out}: {len(split.gold[0]):,} gold + {len(tokens) - len(split.gold[0]):,} teacher-"
            f"labelled tweets, {len(split.scored[0]):,} scored")  # fmt: skip
        for seed in args.seeds:
            for epoch, f1 in epoch_scores(untrained(seed), tokens, tags, split, seed).items():
                scores.setdefault((held_out, epoch), []).append(f1)
    for line in summary_lines(scores, args.epochs):
        print(json.dumps(line), flush=True)
    return 0


def epoch_scores(
    tagger: BilstmCrfTagger, tokens: TokenLists, tags: TagLists, split: HeldOutSplit, seed: int
) -> dict[int, float]:
    """Train ``tagger``, printing the held-out half's F1 after every epoch; the F1 per epoch."""
    found: dict[int, float] = {}
    started = [time.perf_counter()]

    def score(epoch: int) -> None:
        f1 = entity_scores(split.scored[1], tagger.predict(split.scored[0])).overall.f1
        found[epoch] = f1
        line = {"held_out": split.held_out, "seed": seed, "epoch": epoch, "f1": round(f1, 4)}
        print(json.dumps(line | {"seconds": round(time.perf_counter() - started[0], 1)}), flush=True)
        started[0] = time.perf_counter()

    tagger.fit(tokens, tags, progress=lambda _: None, after_epoch=score)
    return found


def summary_lines(scores: dict[tuple[str, int], list[float]], epochs: int) -> list[dict]:
    """Per epoch, the mean and range over seeds of each half, then of both halves' means."""
    lines = []
    halves = sorted({half for half, _ in scores})
    for epoch in range(1, epochs + 1):
        for half in halves:
            f1s = scores.get((half, epoch), [])
            lines.append({"summary": half, "epoch": epoch, "seeds": len(f1s), **spread(f1s)})
        means = [sum(scores[(half, epoch)]) / len(scores[(half, epoch)]) for half in halves if (half, epoch) in scores]
        if len(means) > 1:
            lines.append({"summary": "both", "epoch": epoch, "mean": round(sum(means) / len(means), 4)})
    return lines


def spread(f1s: Sequence[float]) -> dict:
    """The mean and range of some F1s (none: nulls)."""
    if not f1s:
        return {"mean": None, "range": None}
    return {"mean": round(sum(f1s) / len(f1s), 4), "range": round(max(f1s) - min(f1s), 4)}


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
