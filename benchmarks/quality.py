"""Train the default strong model from scratch on the real data and score it, as 04_strong_models does.

    python benchmarks/quality.py [--data-dir DIR] [--no-transformer] [--no-bilstm-crf] [--seed N] [--device D]

Uses the notebook's own parameters (``StrongConfig``'s defaults) and the same selection
code, so with the same seed its last line names the same model and the same test F1 as
the report. Prints progress and the selection table (every candidate's dev F1, the test
F1 of its train-only fit, its fit seconds), then, as its last line, one JSON object:
model, chosen, dev_f1, test_precision, test_recall, test_f1, per_type_f1, fit_seconds
(the final refit on train + dev), wall_seconds, predict_tweets_per_s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils import StrongConfig, entity_scores, load_corpora
from tweetner_utils.data.word_vectors import glove_vectors
from tweetner_utils.models import selection
from tweetner_utils.reporting import strong_models


def main(argv: list[str] | None = None) -> int:
    defaults = StrongConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="", help="local data folder (default: $TWEETNER_DATA_DIR, then cache)")
    parser.add_argument("--no-transformer", action="store_true", help="leave the fine-tuned MiniLM out")
    parser.add_argument("--no-bilstm-crf", action="store_true", help="leave the BiLSTM-CRF out")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--device", default=defaults.device, choices=("auto", "cpu", "cuda"))
    args = parser.parse_args(argv)
    config = dataclasses.replace(
        defaults,
        seed=args.seed,
        data_dir=args.data_dir,
        device=args.device,
        transformer=defaults.transformer and not args.no_transformer,
        bilstm_crf=defaults.bilstm_crf and not args.no_bilstm_crf,
    )

    started = time.perf_counter()
    corpora = load_corpora(False, config.seed, config.data_dir)
    resources = selection.knowledge_resources(config, quick=False, data_dir=config.data_dir)
    vectors = glove_vectors() if config.bilstm_crf else None
    model = selection.train_strong_model(corpora, config, resources, vectors, log=lambda line: print(line, flush=True))
    print("\ndev selection (fit on train, scored on dev; test: the same train-only fit, scored once):")
    print(strong_models.selection_frame(model).to_string(float_format=lambda v: f"{v:.4f}"))

    test = corpora["test"]
    predict_started = time.perf_counter()
    predictions = model.final.predict(test.tokens)
    predict_seconds = time.perf_counter() - predict_started
    scores = entity_scores(test.tags, predictions)
    wall = time.perf_counter() - started
    print(f"\ntotal wall time {wall:.0f} s", flush=True)
    record = {
        "model": model.label,
        "chosen": strong_models.describe_choice(model),
        "dev_f1": round(float(model.selection["dev_f1"].max()), 4),
        "test_precision": round(scores.overall.precision, 4),
        "test_recall": round(scores.overall.recall, 4),
        "test_f1": round(scores.overall.f1, 4),
        "per_type_f1": {t: round(p.f1, 4) for t, p in scores.per_type.items()},
        "fit_seconds": round(model.fit_seconds, 1),
        "wall_seconds": round(wall, 1),
        "predict_tweets_per_s": round(len(test) / predict_seconds, 1),
    }
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
