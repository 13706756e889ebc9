"""Results JSON: what each notebook records and the summary and index read back.

Files are written with sorted keys, fixed float precision and atomically, so two runs
with the same seed give byte-identical files and a crash never leaves half a file.
Timings differ from run to run, so they go beside the results, in
``<results_dir>/timings/<step>.json``, never inside them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

from ..atomic_files import atomic_write_text
from ..exceptions import ResultsError

FLOAT_DIGITS = 6


def normalise(value: object) -> object:
    """Plain JSON data with floats rounded to ``FLOAT_DIGITS`` and NaN/inf as None."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return normalise(value.item())
    raise TypeError(f"cannot record {type(value).__name__} in results JSON: {value!r}")


def write_results(results_dir: str | os.PathLike[str], step: str, payload: dict) -> Path:
    """Record ``payload`` as ``<results_dir>/<step>.json`` and return the path."""
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{step}.json"
    text = json.dumps(normalise({"step": step, **payload}), sort_keys=True, indent=2, ensure_ascii=False)
    atomic_write_text(path, text + "\n")
    return path


def results_digest(results_dir: str | os.PathLike[str]) -> str:
    """One SHA-256 over every results file of ``results_dir`` (timings, in their own folder, are
    left out), so anyone can see at a glance whether a regeneration equals a published run.

    It is the SHA-256 of what ``sha256sum *.json`` prints in that folder (one ``<sha256>  <name>``
    line per file, by name), so ``cd reports/results && sha256sum *.json | sha256sum`` gives the
    same value without the package.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "01_eda.json").write_text("{}" + chr(10))
    ...     results_digest(folder)[:12]
    'cac1e8c40e07'
    """
    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
        for path in sorted(Path(results_dir).glob("*.json"))
    ]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def read_results(results_dir: str | os.PathLike[str]) -> dict[str, dict]:
    """Every results file in ``results_dir``, keyed by step name, in step order.

    Raises:
        ResultsError: the folder is missing or holds no results (an executed notebook
            opened where its build folder is gone used to fail later with a ``KeyError``),
            or a file cannot be read.
    """
    folder = Path(results_dir)
    if not folder.is_dir() or not any(folder.glob("*.json")):
        raise ResultsError(
            f"no results in {folder}: run `make reports` (or `run_all.py`) first, or point results_dir at "
            "a folder that holds them (reports/results)"
        )
    found: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            found[path.stem] = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ResultsError(f"{path}: unreadable results file ({exc})") from None
    return found


def collect_models(results: dict[str, dict]) -> dict[str, dict]:
    """All model records of all steps, keyed by model id, each with its ``step`` added."""
    models: dict[str, dict] = {}
    for step, payload in results.items():
        for model_id, record in payload.get("models", {}).items():
            models[model_id] = {**record, "step": step}
    return models


TRAIN_RUNS_KEPT = 5
"""Runs whose fit seconds a model's timings keep, for the range the reports quote."""


def write_timings(results_dir: str | os.PathLike[str], step: str, costs: dict[str, dict]) -> dict[str, dict]:
    """Record one step's per-model costs beside (not inside) its results; returns what was
    recorded (``costs`` with each model's fit seconds over the recorded runs).

    A fit cannot be repeated inside a run, so each model's ``train_seconds_runs`` keeps its
    fit seconds from the last :data:`TRAIN_RUNS_KEPT` runs into this folder (this run last):
    the reports quote their range. An unreadable earlier file starts the list afresh.
    """
    path = Path(results_dir) / "timings" / f"{step}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_timings(path)
    recorded = {}
    for model_id, cost in costs.items():
        runs = earlier.get(model_id, {}).get("train_seconds_runs", [])
        if "train_seconds" in cost:
            runs = [*[r for r in runs if isinstance(r, int | float)], cost["train_seconds"]][-TRAIN_RUNS_KEPT:]
        recorded[model_id] = {**cost, "train_seconds_runs": runs} if runs else cost
    atomic_write_text(path, json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    return recorded


def _earlier_timings(path: Path) -> dict[str, dict]:
    try:
        earlier = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return {k: v for k, v in earlier.items() if isinstance(v, dict)} if isinstance(earlier, dict) else {}


def read_timings(results_dir: str | os.PathLike[str]) -> dict[str, dict]:
    """Every recorded model cost, keyed by model id (the latest step's record wins)."""
    found: dict[str, dict] = {}
    for path in sorted((Path(results_dir) / "timings").glob("*.json")):
        found.update(json.loads(path.read_text("utf-8")))
    return found
