"""The run manifest: what produced a set of reports (commit, versions, data hashes, timings).

A reader of a report must be able to trace every number to the code, the package
versions and the exact data bytes that produced it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .. import numerics
from ..data.access import data_path, sha256_of
from ..data.corpora import corpus_spec
from ..models.transformer import TransformerSettings, resolve_device, resolve_precision
from .steps import ROOT, RunOptions

MANIFEST = "run_manifest.json"
"""The manifest's file name in the reports folder."""


def read_manifest(path: Path) -> dict:
    """The previous run's manifest, or an empty one (first run, or an unreadable file)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def run_manifest(
    options: RunOptions, timings: dict[str, float], reused: dict[str, str], previous: dict, total: float, digest: str
) -> dict:
    """This run's manifest; steps not run keep their previous wall times, and ``reused`` says
    which run each unchanged step's outputs come from. ``digest``: the results digest
    (``reporting.results.results_digest``) of the reports this run leaves."""
    per_step = dict(previous.get("wall_seconds_per_step", {}))
    per_step.update({k: round(v, 1) for k, v in timings.items()})
    return {
        "finished_at_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "git_commit": git_commit(),
        "results_digest": digest,
        "numerics": numerics.kernel_path(),
        "seed": options.seed,
        "quick": options.quick,
        "corpus": "synthetic" if options.quick else corpus_spec(options.corpus, options.corpus_dir).name,
        "transformer": options.transformer,
        "device": options.device,
        "transformer_device_and_precision": transformer_hardware(options.device),
        "torch_threads": TransformerSettings.num_threads,
        "unverified_splits": options.unverified_splits,
        "steps_run": ", ".join(timings) or "none (every step's inputs were unchanged)",
        "steps_reused": reused,
        "wall_seconds_total": round(total, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds_per_step": per_step,
        "package_versions": package_versions(),
        "data_sha256": data_hashes(options),
    }


def data_hashes(options: RunOptions) -> dict[str, str]:
    """The SHA-256 of every data file the run reads as a corpus or as reviewed tweets."""
    splits = {"synthetic corpus": "generated, seed above"} if options.quick else _split_hashes(options)
    return splits | {f"extra train: {path.name}": sha256_of(path) for path in options.extra_train}


def transformer_hardware(device: str) -> str:
    """Where and at what precision the transformer ran: results depend on both."""
    resolved = resolve_device(device)
    return f"{resolved.type}, {resolve_precision(TransformerSettings.precision, resolved)}"


def _split_hashes(options: RunOptions) -> dict[str, str]:
    """The SHA-256 of each split actually read (the pinned ones unless unverified splits were
    allowed, or the corpus is a folder of your own)."""
    spec = corpus_spec(options.corpus, options.corpus_dir)
    if spec.folder:
        return {f"{spec.name}/{Path(path).name}": sha256_of(path) for path in spec.files.values()}
    return {f"{spec.name}/{s}": sha256_of(data_path(f"{spec.name}/{s}", options.data_dir or None)) for s in spec.splits}


def package_versions() -> dict[str, str]:
    """The installed version of every requirement of tweetner (results depend on them)."""
    versions = {}
    for requirement in metadata.requires("tweetner") or []:
        name = requirement.split("==")[0].split(";")[0].strip()
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" (with uncommitted changes)" if dirty.strip() else "")
