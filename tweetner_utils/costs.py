"""Operational cost of a model, measured in the run: training time, throughput, latency.

Timings differ from run to run, so they are kept out of the results JSON (which must be
byte-identical for the same seed) in ``<results_dir>/timings/<step>.json``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .atomic_files import atomic_write_text

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


def latency_ms(tagger, texts: Sequence[str]) -> dict[str, float]:
    """p50 and p99 milliseconds of tagging one raw tweet at a time."""
    times = []
    for text in texts:
        started = time.perf_counter()
        tagger.tag([text])
        times.append(1000 * (time.perf_counter() - started))
    p50, p99 = np.percentile(times, [50, 99])
    return {"latency_ms_p50": round(float(p50), 2), "latency_ms_p99": round(float(p99), 2)}


def tweets_per_second(tagger, texts: Sequence[str]) -> float:
    """Batched tagging of ``texts`` from raw text (tokenization, features and entity spans included)."""
    started = time.perf_counter()
    tagger.tag(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def measure_inference(model: object, texts: Sequence[str], workers: int | None = None) -> dict:
    """Throughput over ``texts`` (after a short warm-up) and single-tweet latency, as the
    ``tweetner`` command would run the model (worker processes for a CRF)."""
    from .tagger_api import Tagger, default_workers

    if workers is None:
        workers = default_workers(model)
    with Tagger(model, "measured", workers) as tagger:
        tagger.tag(list(texts[:50]))
        rate = tweets_per_second(tagger, texts)
        return {
            "tweets_per_s": rate,
            **latency_ms(tagger, texts[:SINGLE_TWEETS]),
            "workers": workers,
            "cpu_count": os.cpu_count(),
        }


def cost_record(fit_seconds: float, model: object, texts: Sequence[str]) -> dict:
    """Training seconds plus :func:`measure_inference`."""
    return {"train_seconds": round(fit_seconds, 1), **measure_inference(model, texts)}


def write_timings(results_dir: str | os.PathLike[str], step: str, costs: dict[str, dict]) -> Path:
    """Record one step's per-model costs beside (not inside) its results."""
    path = Path(results_dir) / "timings" / f"{step}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(costs, indent=2, sort_keys=True) + "\n")
    return path


def read_timings(results_dir: str | os.PathLike[str]) -> dict[str, dict]:
    """Every recorded model cost, keyed by model id (the latest step's record wins)."""
    found: dict[str, dict] = {}
    for path in sorted((Path(results_dir) / "timings").glob("*.json")):
        found.update(json.loads(path.read_text("utf-8")))
    return found
