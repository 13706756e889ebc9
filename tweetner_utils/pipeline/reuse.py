"""Reuse a step whose inputs are unchanged: its key, the outputs recorded with it, the checks.

An analyst who edits a sentence of the business summary should not wait for 04 again, but
a reused report must be the one a full run would write. So a step's key hashes everything
its output depends on (notebook, parameters, package source, locked environment, kernel
path, and the data, benchmark records, models and earlier results it reads); its outputs
are recorded with their SHA-256 and checked before they are reused. The records live in
the reports folder and are swapped in with a complete run only (``pipeline.run``), so an
interrupted run leaves the last complete run's keys, and the next run redoes what it did not
finish.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import numerics
from ..data.access import sha256_of
from .build import owned_folders
from .manifest import data_hashes, package_versions, transformer_hardware
from .steps import BENCHMARKS, DATA, EVERY_STEP, ROOT, SEED_SPREAD, TRANSFER_MODELS, RunOptions, Step, key_parameters

KEYS = "step_keys.json"
"""The file in the reports folder that records each step's key and outputs."""
PACKAGE = Path(__file__).resolve().parents[1]
"""The package's source: any change to it re-runs every step (the first answer the issue allows)."""
KEY_FORMAT = 1
"""Bumped when what a key covers changes, so that older records are never matched."""


@dataclass(frozen=True)
class StepRecord:
    """What the run that executed a step recorded: its key, when it ran, and the SHA-256 of
    each file it wrote (paths under the reports folder and under the models folder)."""

    key: str
    ran_at_utc: str
    reports: Mapping[str, str]
    models: Mapping[str, str]

    def reused_line(self) -> str:
        """What the run manifest and the index say of a step that was not executed."""
        return f"reused from the run of {self.ran_at_utc} (key {self.key[:12]})"


def read_records(path: Path) -> dict[str, StepRecord]:
    """The recorded steps of the reports in ``path``'s folder; none when the file is missing,
    unreadable or of another format (every step then runs)."""
    try:
        raw = json.loads(path.read_text("utf-8"))
        if raw.get("format") != KEY_FORMAT:
            return {}
        return {name: StepRecord(**entry) for name, entry in raw["steps"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def records_text(records: Mapping[str, StepRecord]) -> str:
    """``records`` as the JSON text of :data:`KEYS`."""
    steps = {name: asdict(record) for name, record in sorted(records.items())}
    return json.dumps({"format": KEY_FORMAT, "steps": steps}, indent=2, sort_keys=True) + "\n"


def shared_inputs(options: RunOptions) -> dict[str, object]:
    """What the keys of this run's steps share, hashed once per run."""
    kernels = numerics.recorded()
    if kernels["mode"] != numerics.PORTABLE:  # the numbers are then this CPU's
        kernels = numerics.kernel_path()
    return {
        "package": tree_digest(PACKAGE),
        "environment": {
            "pyproject.toml": tree_digest(ROOT / "pyproject.toml"),
            "python": sys.version.split()[0],
            "packages": package_versions(),
            "transformer": transformer_hardware(options.device),
        },
        "numerics": kernels,
        DATA: data_hashes(options),
        SEED_SPREAD: tree_digest(BENCHMARKS),
        TRANSFER_MODELS: tree_digest(Path(options.transfer_models_dir)) if options.transfer_models_dir else "",
    }


def step_key(step: Step, options: RunOptions, shared: Mapping[str, object], results: Path) -> str:
    """The SHA-256 of everything ``step``'s output depends on; ``results``: the folder holding
    the results of the steps before it, as this run left them."""
    inputs = {
        "format": KEY_FORMAT,
        "step": step.name,
        "notebook": sha256_of(step.notebook),
        "parameters": key_parameters(step, options),
        "package": shared["package"],
        "environment": shared["environment"],
        "numerics": shared["numerics"],
        "reads": {read: shared[read] if read in shared else _step_results(results, read) for read in step.reads},
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _step_results(results: Path, step: str) -> dict[str, str]:
    """The SHA-256 of an earlier step's results and timings (a later step reads both)."""
    files = {"results": results / f"{step}.json", "timings": results / "timings" / f"{step}.json"}
    return {kind: sha256_of(path) if path.is_file() else "absent" for kind, path in files.items()}


def tree_digest(path: Path) -> str:
    """One SHA-256 over the relative paths and contents of every file under ``path`` (or of the
    file itself), bytecode caches left out; "absent" when there is nothing there."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and _is_source(p))
    if not files:
        return "absent"
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.relative_to(path) if file != path else file.name}\0{sha256_of(file)}\n".encode())
    return digest.hexdigest()


def _is_source(path: Path) -> bool:
    return "__pycache__" not in path.parts and path.suffix != ".pyc"


def step_outputs(step: Step, build: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The SHA-256 of each file ``step`` wrote into the build folder: its reports, executed
    notebook, results and timings (paths under the reports folder), and its model folders
    (paths under the models folder). The kernel's log is not an output."""
    reports = {
        path.relative_to(build).as_posix(): sha256_of(path)
        for path in sorted(build.rglob(f"{step.name}*"))
        if path.is_file() and path.relative_to(build).parts[0] not in ("logs", "models")
    }
    models_root = build / "models"
    models = {
        path.relative_to(models_root).as_posix(): sha256_of(path)
        for folder in owned_folders(models_root, step.models)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return reports, models


def why_not_reused(record: StepRecord | None, key: str, reports: Path, models: Path) -> str:
    """Why a step must run ("" when its recorded outputs can be reused): no record, another
    key, or a recorded output missing or changed since (a damaged file is never reused)."""
    if record is None:
        return "no earlier run of it recorded"
    if record.key != key:
        return "its inputs changed"
    for root, files in ((reports, record.reports), (models, record.models)):
        for name, sha in files.items():
            path = root / name
            if not path.is_file():
                return f"{path} is missing"
            if sha256_of(path) != sha:
                return f"{path} changed since that run wrote it"
    return ""


def forced_steps(force: Sequence[str], steps: Sequence[Step]) -> set[str]:
    """The steps ``--force`` runs: those named (all for :data:`EVERY_STEP`) and every step that
    reads one of them, directly or through another.

    Raises:
        ValueError: a name is not a step of the pipeline (lists the known ones).
    """
    known = [step.name for step in steps]
    unknown = [name for name in force if name not in known and name != EVERY_STEP]
    if unknown:
        raise ValueError(f"unknown step(s) to force {', '.join(unknown)}; known steps: {', '.join(known)}")
    if EVERY_STEP in force:
        return set(known)
    chosen = set(force)
    for step in steps:  # in pipeline order: a reader comes after what it reads
        if chosen.intersection(step.reads):
            chosen.add(step.name)
    return chosen
