"""Train the default strong model from scratch on the real data and score it.

    python benchmarks/quality.py [--data-dir DIR] [--no-transformer] [--seed N]

Prints progress and the dev selection table, then, as its last line, one JSON object:
model, dev_f1, test_precision, test_recall, test_f1, per_type_f1, fit_seconds,
predict_tweets_per_s. Test is scored once, after every choice was made on dev.
Takes about 30 minutes on 2 cores with the transformer, about 6 without.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils import entity_scores, load_corpora
from tweetner_utils.models.seeding import Seeded
from tweetner_utils.models.selection import StrongModelSettings, knowledge_resources, train_strong_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="", help="local data folder (default: $TWEETNER_DATA_DIR, then cache)")
    parser.add_argument("--no-transformer", action="store_true", help="knowledge CRF only (no MiniLM ensemble)")
    parser.add_argument("--seed", type=int, default=Seeded.seed)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    corpora = load_corpora(False, args.seed, args.data_dir)
    settings = StrongModelSettings(transformer=not args.no_transformer, seed=args.seed)
    resources = knowledge_resources(settings, quick=False, data_dir=args.data_dir)
    model = train_strong_model(corpora, settings, resources, log=lambda line: print(line, flush=True))
    print("\ndev selection (fit on train, scored on dev):")
    print(model.selection.to_string(index=False, float_format=lambda v: f"{v:.4f}"))

    test = corpora["test"]
    predict_started = time.perf_counter()
    predictions = model.final.predict(test.tokens)
    predict_seconds = time.perf_counter() - predict_started
    scores = entity_scores(test.tags, predictions)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s", flush=True)
    print(
        json.dumps(
            {
                "model": model.label,
                "dev_f1": round(float(model.selection["dev_f1"].max()), 4),
                "test_precision": round(scores.overall.precision, 4),
                "test_recall": round(scores.overall.recall, 4),
                "test_f1": round(scores.overall.f1, 4),
                "per_type_f1": {t: round(p.f1, 4) for t, p in scores.per_type.items()},
                "fit_seconds": round(model.fit_seconds, 1),
                "predict_tweets_per_s": round(len(test) / predict_seconds, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
