"""Throughput and latency of each saved model on the WNUT16 test tweets.

    python benchmarks/predict.py [--models-dir models] [--data-dir DIR] [--single 500]

For every model folder found (bilstm, strong_crf, strong_transformer, and the strong
ensemble when its members exist), measures batched tagging of all test tweets from raw
text (tokenization and features included) and single-tweet latency p50/p99. Prints a
table, then one JSON line with the figures and the machine's core count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils import load_split
from tweetner_utils.artifacts import METADATA
from tweetner_utils.tagger_api import load_tagger


def candidates(models_dir: Path) -> list[tuple[str, Path]]:
    """Each saved model folder, plus the folder itself (its preferred model, e.g. the ensemble)."""
    found = [(p.name, p) for p in sorted(models_dir.iterdir()) if (p / METADATA).is_file()]
    return [*found, ("default (load_tagger on the folder)", models_dir)] if found else []


def measure(tagger, texts: list[str], single: int) -> dict:
    started = time.perf_counter()
    tagger.tag(texts)
    batched = time.perf_counter() - started
    latencies = []
    for text in texts[:single]:
        started = time.perf_counter()
        tagger.tag([text])
        latencies.append(1000 * (time.perf_counter() - started))
    return {
        "tweets_per_s": round(len(texts) / batched, 1),
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 2),
        "latency_ms_p99": round(float(np.percentile(latencies, 99)), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=Path(__file__).resolve().parents[1] / "models")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--single", type=int, default=500, help="tweets timed one by one (default 500)")
    args = parser.parse_args(argv)
    texts = [" ".join(tweet.tokens) for tweet in load_split("test", args.data_dir or None)]
    results = {}
    for name, folder in candidates(args.models_dir):
        tagger = load_tagger(folder, args.data_dir)
        tagger.tag(texts[:20])  # warm-up
        results[name] = {"model": tagger.name, **measure(tagger, texts, args.single)}
        print(f"{name:40s} {results[name]}", flush=True)
    if not results:
        print(f"no saved models in {args.models_dir}; run `make reports` first", file=sys.stderr)
        return 1
    print(json.dumps({"cpu_count": os.cpu_count(), "test_tweets": len(texts), "models": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
