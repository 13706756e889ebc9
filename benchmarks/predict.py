"""Throughput, latency and reproducibility of each saved model on the WNUT16 test tweets.

    python benchmarks/predict.py [--models-dir models] [--data-dir DIR] [--single 500] [--workers N]
                                 [--only strong strong_bilstm_crf_student]

For every model folder found (bilstm, strong_crf, strong_transformer) and the default
choice of ``load_tagger`` on the folder (the ensemble when its members exist):

- batched tagging of all 3,850 test tweets from raw text, tokenization, features and
  entity spans included: cold first (``cold_tweets_per_s``: the first pass in a fresh
  process right after loading, nothing tagged before: what a user meets; the median of
  ``--fresh`` processes, with ``cold_tweets_per_s_range``, because one run on a shared
  machine can be a quarter off), then warm (the median of three passes after two warm-up
  passes), with the worker processes used;
- single-tweet latency p50/p99 over ``--single`` tweets, one call per tweet;
- test entity F1 of the tags (CoNLL tokens), and, for a CRF, whether the NumPy
  decoding gives exactly CRFsuite's own tags;
- whether a fresh Python process loading the same folder gives identical tags;
- start-up: ``echo "one tweet" | tweetner predict --model FOLDER`` in a fresh process,
  median of 5 (after one run that may compile the phrase index into the user cache).

Prints a line per model, then one JSON line with every figure and the core count
(``cold_tweets_per_s``, ``warm_tweets_per_s``, ``p50_ms``, ``p99_ms`` per model).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_split  # noqa: E402
from tweetner_utils.models.artifacts import METADATA  # noqa: E402
from tweetner_utils.models.crf import CrfTagger  # noqa: E402
from tweetner_utils.serving.api import load_tagger  # noqa: E402
from tweetner_utils.serving.costs import latency_ms  # noqa: E402
from tweetner_utils.serving.costs import throughput as passes  # noqa: E402

FRESH_PROCESS = """
import hashlib, json, sys, time
from tweetner_utils import load_split
from tweetner_utils.serving.api import load_tagger
test = load_split("test", sys.argv[2] or None)
texts = [" ".join(tweet.tokens) for tweet in test]
with load_tagger(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]) if sys.argv[3] else None) as tagger:
    started = time.perf_counter()
    tagger.tag(texts)
    cold = len(texts) / (time.perf_counter() - started)
    tags, _ = tagger.tag_tokens(test.tokens)
print(json.dumps({"digest": hashlib.sha256(json.dumps(tags).encode()).hexdigest(), "cold": round(cold, 1)}))
"""


def candidates(models_dir: Path) -> list[tuple[str, Path]]:
    """Each saved model folder, plus the folder itself (its preferred model, e.g. the ensemble)."""
    found = [(p.name, p) for p in sorted(models_dir.iterdir()) if (p / METADATA).is_file()]
    return [*found, ("default (load_tagger on the folder)", models_dir)] if found else []


def throughput(tagger, texts: list[str]) -> tuple[float, float]:
    """Tweets per second of the first pass after loading, and the median of three passes
    after two more warm-up passes (each worker process keeps its own feature cache, and
    which worker gets which half of the tweets varies from pass to pass).

    Each pass starts the list at another tweet: the ensemble keeps the distributions of
    the last few identical inputs (for the notebooks' analyses), and a repeated list would
    time that cache (9,363 tweets/s) instead of the members."""
    shift = len(texts) // 6
    rates = [passes(tagger, texts[k * shift :] + texts[: k * shift], repeats=1)["tweets_per_s"] for k in range(6)]
    return rates[0], round(statistics.median(rates[3:]), 1)


def fresh_process(folder: Path, data_dir: str, workers: int | None) -> dict:
    """In a new Python process: the first pass over the test tweets from raw text right after
    loading (nothing tagged before, every cache empty: what a user meets), and the digest
    of the tags of the CoNLL tokens (for the identity check)."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(folder), data_dir, str(workers or "")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup_seconds(folder: Path, data_dir: str, runs: int = 5) -> dict:
    """Wall time of ``echo "one tweet" | tweetner predict --model FOLDER`` in a fresh
    process: imports, model and gazetteer loading, one tweet (median and range of ``runs``;
    the first run may build the compiled phrase index in the user cache, so it is reported
    apart)."""
    argv = [sys.executable, "-m", "tweetner_utils", "predict", "--model", str(folder)]
    argv += ["--data-dir", data_dir] if data_dir else []
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(argv, input=b"Watching the Seahawks at CenturyLink Field\n", capture_output=True, check=True)
        times.append(round(time.perf_counter() - started, 2))
    return {"startup_s_first": times[0], "startup_s_median": statistics.median(times[1:]), "startup_s_range": times[1:]}


def measure(name: str, folder: Path, args: argparse.Namespace, test) -> dict:
    started = time.perf_counter()
    tagger = load_tagger(folder, args.data_dir, workers=args.workers)
    load_seconds = time.perf_counter() - started
    texts = [" ".join(tweet.tokens) for tweet in test]
    fresh = [fresh_process(folder, args.data_dir, args.workers) for _ in range(args.fresh)]
    cold = [run["cold"] for run in fresh]
    with tagger:
        first, warm = throughput(tagger, texts)
        latency = latency_ms(tagger, texts[: args.single])
        row = {
            "model": tagger.name,
            "workers": tagger.workers,
            "load_s": round(load_seconds, 1),
            "cold_tweets_per_s": round(statistics.median(cold), 1),
            "cold_tweets_per_s_range": [min(cold), max(cold)],
            "warm_tweets_per_s": warm,
            "p50_ms": latency["latency_ms_p50"],
            "p99_ms": latency["latency_ms_p99"],
            "first_pass_in_this_process_tweets_per_s": first,
        }
        tags, _ = tagger.tag_tokens(test.tokens)
    row["test_f1"] = round(entity_scores(test.tags, tags).overall.f1, 4)
    if isinstance(tagger.model, CrfTagger):
        row["same_tags_as_crfsuite"] = tags == tagger.model._crfsuite_tags(test.tokens, False)[0]
    digest = hashlib.sha256(json.dumps(tags).encode()).hexdigest()
    row["fresh_process_identical"] = all(run["digest"] == digest for run in fresh)
    row.update(startup_seconds(folder, args.data_dir))
    print(f"{name:36s} {row}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--single", type=int, default=500, help="tweets timed one by one (default 500)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: load_tagger's choice)")
    parser.add_argument("--fresh", type=int, default=3, help="fresh processes timed for the cold figure (default 3)")
    parser.add_argument(
        "--only", nargs="+", metavar="FOLDER", help="measure only these model folders of --models-dir, in one run"
    )
    args = parser.parse_args(argv)
    found = candidates(args.models_dir)
    unknown = sorted(set(args.only or ()) - {name for name, _ in found})
    if unknown:
        print(f"no saved model {', '.join(unknown)} in {args.models_dir}", file=sys.stderr)
        return 2
    test = load_split("test", args.data_dir or None)
    chosen = [(name, folder) for name, folder in found if not args.only or name in args.only]
    results = {name: measure(name, folder, args, test) for name, folder in chosen}
    if not results:
        print(f"no saved models in {args.models_dir}; run `make reports` first", file=sys.stderr)
        return 1
    print(json.dumps({"cpu_count": os.cpu_count(), "test_tweets": len(test), "models": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
