"""Does the fast model learn from a teacher's labels? A knowledge CRF trained on the gold
tweets plus N unlabelled tweets tagged by a saved teacher, for several N.

    python benchmarks/distillation.py --teacher models/strong --fast models/strong_crf \
        --sizes 0 5000 10000 20000 [--data-dir DIR] [--corpus wnut16] [--seed 42]

The teacher (a saved model folder, by default the strong model of ``make reports``) tags
the unlabelled TweetEval tweets (``data/unlabelled.py``: repeats and every tweet of the
labelled corpus dropped), shuffled with ``--seed`` so that every N mixes both sources.
Each student is the saved fast model's recipe (its c1, c2, iterations and knowledge
features) fit on train + dev gold plus the first N teacher-tagged tweets (hard tags), and
is scored on test. Prints one JSON line per student, then one with the teacher's speed.

This is an exploration, not a selection: the saved teacher was refit on train + dev, so a
student's dev score would be flattered and only test is reported; ``04_strong_models``
must choose N (and any confidence filter or gold weight) on dev with a teacher that never
saw dev.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_corpora  # noqa: E402
from tweetner_utils.data.unlabelled import read_unlabelled, unlabelled_paths  # noqa: E402
from tweetner_utils.models.crf import CrfTagger  # noqa: E402
from tweetner_utils.serving.api import load_tagger  # noqa: E402

BATCH = 256


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", default=str(ROOT / "models" / "strong"), help="saved teacher model folder")
    parser.add_argument("--fast", default=str(ROOT / "models" / "strong_crf"), help="saved fast model (the recipe)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 5000, 10000, 20000])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--corpus", default="wnut16")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    corpora = load_corpora(False, args.seed, args.data_dir, args.corpus, "")
    unlabelled = read_unlabelled(
        unlabelled_paths(data_dir=args.data_dir or None), {s: corpora[s].tokens for s in ("train", "dev", "test")}
    )
    tweets = [list(t) for t in unlabelled.tokens]
    random.Random(args.seed).shuffle(tweets)
    tweets = tweets[: max(args.sizes)]
    with load_tagger(args.teacher, args.data_dir or None, workers=1) as teacher:
        started = time.perf_counter()
        taught: list[list[str]] = []
        for start in range(0, len(tweets), BATCH):
            tags, _ = teacher.model.tags_and_confidences(tweets[start : start + BATCH])
            taught += tags
            print(f"teacher: {len(taught):,} of {len(tweets):,} tweets", file=sys.stderr, end="\r")
        teacher_seconds = time.perf_counter() - started
    recipe = CrfTagger.load(args.fast, args.data_dir)
    gold = corpora["train"].tokens + corpora["dev"].tokens, corpora["train"].tags + corpora["dev"].tags
    for size in sorted(args.sizes):
        started = time.perf_counter()
        student = CrfTagger(
            c1=recipe.c1, c2=recipe.c2, max_iterations=recipe.max_iterations, featurizer=recipe.featurizer
        )
        student.fit(list(gold[0]) + tweets[:size], list(gold[1]) + taught[:size])
        fit_seconds = time.perf_counter() - started
        test = corpora["test"]
        f1 = entity_scores(test.tags, student.predict(test.tokens)).overall.f1
        line = {"student": "knowledge CRF", "unlabelled": size, "test_f1": round(f1, 4), "fit_s": round(fit_seconds, 1)}
        print(json.dumps(line), flush=True)
    counts = unlabelled.total()
    print(
        json.dumps(
            {
                "teacher": args.teacher,
                "tagged": len(tweets),
                "tweets_per_s": round(len(tweets) / teacher_seconds, 1),
                "unlabelled": counts,
            }
        )
    )


if __name__ == "__main__":
    main()
