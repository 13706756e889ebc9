"""Operational cost of a model, measured in the run: training time, throughput, latency.

Throughput and latency are measured through :class:`~tweetner_utils.serving.api.TweetTagger`,
exactly as ``tweetner predict`` runs the model (raw text in, entities out, worker
processes for a CRF). Timings differ from run to run, so notebooks keep them out of the
results JSON (``reporting.results.write_timings``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from ..models.protocol import Tagger
from .api import TweetTagger, default_workers

SINGLE_TWEETS = 200
"""Tweets tagged one by one for the latency percentiles."""


@contextmanager
def stopwatch() -> Iterator[dict]:
    """``with stopwatch() as t: ...`` then ``t["seconds"]``."""
    record: dict = {}
    started = time.perf_counter()
    try:
        yield record
    finally:
        record["seconds"] = time.perf_counter() - started


def latency_ms(tagger: TweetTagger, texts: Sequence[str]) -> dict[str, float]:
    """p50 and p99 milliseconds of tagging one raw tweet at a time."""
    times = []
    for text in texts:
        started = time.perf_counter()
        tagger.tag([text])
        times.append(1000 * (time.perf_counter() - started))
    p50, p99 = np.percentile(times, [50, 99])
    return {"latency_ms_p50": round(float(p50), 2), "latency_ms_p99": round(float(p99), 2)}


def tweets_per_second(tagger: TweetTagger, texts: Sequence[str]) -> float:
    """Batched tagging of ``texts`` from raw text (tokenization, features and entity spans included)."""
    started = time.perf_counter()
    tagger.tag(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def measure_inference(model: Tagger, texts: Sequence[str], workers: int | None = None) -> dict:
    """Throughput over ``texts`` (after a short warm-up) and single-tweet latency, as the
    ``tweetner`` command would run the model (worker processes for a CRF)."""
    if workers is None:
        workers = default_workers(model)
    with TweetTagger(model, "measured", workers) as tagger:
        tagger.tag(list(texts[:50]))
        rate = tweets_per_second(tagger, texts)
        return {
            "tweets_per_s": rate,
            **latency_ms(tagger, texts[:SINGLE_TWEETS]),
            "workers": workers,
            "cpu_count": os.cpu_count(),
        }


def cost_record(fit_seconds: float, model: Tagger, texts: Sequence[str]) -> dict:
    """Training seconds plus :func:`measure_inference`."""
    return {"train_seconds": round(fit_seconds, 1), **measure_inference(model, texts)}
