"""Operational cost of a model, measured in the run: training time, throughput, latency.

Throughput and latency are measured through :class:`~tweetner_utils.serving.api.TweetTagger`,
exactly as ``tweetner predict`` runs the model (raw text in, entities out, worker
processes for a CRF). Timings differ from run to run, so notebooks keep them out of the
results JSON (``reporting.results.write_timings``), and each is measured more than once so
that the reports can quote a range instead of one lucky or unlucky figure: throughput on
:data:`REPEATS` disjoint parts of the tweets, latency percentiles over :data:`REPEATS`
passes over the same single tweets. A fit is too slow to repeat inside a run; its range
comes from the runs recorded beside the results.

:func:`measure_inference` gives warm figures: the report's process has already tagged the
test tweets to score them, so every word is in the feature caches. What a user meets is
the first pass over tweets nothing has tagged, in a fresh process: :func:`cold_throughput`
measures that from a saved model folder (``benchmarks/predict.py`` too, with latency and
start-up).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..models.protocol import Tagger
from .api import TweetTagger, default_workers

SINGLE_TWEETS = 200
"""Tweets tagged one by one for the latency percentiles."""
REPEATS = 3
"""Measurements behind each throughput and latency range."""


@contextmanager
def stopwatch() -> Iterator[dict]:
    """``with stopwatch() as t: ...`` then ``t["seconds"]``."""
    record: dict = {}
    started = time.perf_counter()
    try:
        yield record
    finally:
        record["seconds"] = time.perf_counter() - started


def latency_ms(tagger: TweetTagger, texts: Sequence[str], repeats: int = REPEATS) -> dict[str, float | list[float]]:
    """p50 and p99 milliseconds of tagging one raw tweet at a time: the median over ``repeats``
    passes over ``texts``, and the range (lowest, highest) of each."""
    passes = []
    for _ in range(repeats):
        times = []
        for text in texts:
            started = time.perf_counter()
            tagger.tag([text])
            times.append(1000 * (time.perf_counter() - started))
        passes.append(np.percentile(times, [50, 99]))
    p50, p99 = np.asarray(passes).T
    return {
        "latency_ms_p50": round(float(np.median(p50)), 2),
        "latency_ms_p50_range": _range(p50, 2),
        "latency_ms_p99": round(float(np.median(p99)), 2),
        "latency_ms_p99_range": _range(p99, 2),
    }


def throughput(tagger: TweetTagger, texts: Sequence[str], repeats: int = REPEATS) -> dict[str, float | list[float]]:
    """Batched tagging from raw text (tokenization, features and entity spans included):
    tweets per second over all of ``texts``, and the range over ``repeats`` disjoint parts of
    them (so the range costs no more time than one pass)."""

    def seconds(part: list[str]) -> float:
        started = time.perf_counter()
        tagger.tag(part)
        return time.perf_counter() - started

    return _rate_over_parts("tweets_per_s", texts, repeats, seconds)


def _rate_over_parts(
    key: str, texts: Sequence[str], repeats: int, seconds: Callable[[list[str]], float]
) -> dict[str, float | list[float]]:
    """``key``: tweets per second over all of ``texts`` (``seconds`` times one part), and
    ``key_range``: the lowest and highest rate of the ``repeats`` disjoint parts."""
    size = -(-len(texts) // repeats)
    rates, total = [], 0.0
    for start in range(0, len(texts), size):
        part = list(texts[start : start + size])
        taken = seconds(part)
        total += taken
        rates.append(len(part) / taken)
    return {key: round(len(texts) / total, 1), f"{key}_range": _range(rates, 1)}


def measure_inference(model: Tagger, texts: Sequence[str], workers: int | None = None) -> dict:
    """Throughput over ``texts`` (after a short warm-up) and single-tweet latency, as the
    ``tweetner`` command would run the model (worker processes for a CRF); each with its range."""
    if workers is None:
        workers = default_workers(model)
    with TweetTagger(model, "measured", workers) as tagger:
        tagger.tag(list(texts[:50]))
        return {
            **throughput(tagger, texts),
            **latency_ms(tagger, texts[:SINGLE_TWEETS]),
            "repeats": REPEATS,
            "workers": workers,
            "cpu_count": os.cpu_count(),
        }


COLD_PASS = """
import json, sys, time
from tweetner_utils.serving.api import load_tagger
texts = json.loads(open(sys.argv[3], encoding="utf-8").read())
with load_tagger(sys.argv[1], sys.argv[2]) as tagger:
    started = time.perf_counter()
    tagger.tag(texts)
    print(json.dumps({"seconds": time.perf_counter() - started}))
"""
"""What each fresh process runs: load the folder, then time the first pass over the texts."""


def cold_throughput(
    folder: str | os.PathLike[str], texts: Sequence[str], data_dir: str = "", repeats: int = REPEATS
) -> dict:
    """Tweets per second of a model folder's first pass over tweets it has never tagged, in a
    fresh process right after loading (tokenization, features and entity spans included; worker
    processes as ``tweetner predict`` starts them): ``repeats`` fresh processes each tag one
    disjoint part of ``texts``; the overall rate and the range over the processes.

    Raises:
        RuntimeError: a process failed; its last lines of standard error are in the message.
    """
    with tempfile.TemporaryDirectory(prefix="tweetner-cold-") as scratch:
        path = Path(scratch) / "texts.json"

        def seconds(part: list[str]) -> float:
            path.write_text(json.dumps(part), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-c", COLD_PASS, str(folder), data_dir, str(path)], capture_output=True, text=True
            )
            if done.returncode != 0:
                tail = "\n".join(done.stderr.strip().splitlines()[-5:])
                raise RuntimeError(f"measuring {folder} in a fresh process failed (exit {done.returncode}): {tail}")
            return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])

        return _rate_over_parts("cold_tweets_per_s", texts, repeats, seconds)


def _range(values: Sequence[float] | np.ndarray, decimals: int) -> list[float]:
    return [round(float(np.min(values)), decimals), round(float(np.max(values)), decimals)]


def cost_record(fit_seconds: float, model: Tagger, texts: Sequence[str]) -> dict:
    """Training seconds plus :func:`measure_inference`."""
    return {"train_seconds": round(fit_seconds, 1), **measure_inference(model, texts)}
