"""Saved models as folders of plain files, each verified by SHA-256 on load.

A model folder holds its weights in a format that loads without running code (a torch
``state_dict`` read with ``weights_only=True``, a crfsuite model file, plain arrays),
``metadata.json`` and ``SHA256SUMS``. The folder is written beside its destination and
renamed into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..exceptions import ArtifactError

METADATA = "metadata.json"
CHECKSUMS = "SHA256SUMS"


def write_artifact(folder: str | os.PathLike[str], files: dict[str, bytes], metadata: dict) -> Path:
    """Write ``files`` and ``metadata`` as a verified model folder, replacing any old one.

    Args:
        folder: destination folder; its parent is created if needed.
        files: file name -> content (names without folders).
        metadata: JSON-serialisable description (kind, labels, settings, metrics...).

    Returns:
        The destination path.
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        contents = {**files, METADATA: (json.dumps(metadata, indent=2, sort_keys=True) + "\n").encode()}
        for name, data in contents.items():
            if Path(name).name != name or name == CHECKSUMS:
                raise ValueError(f"artifact file name {name!r} must be a plain name other than {CHECKSUMS}")
            (staging / name).write_bytes(data)
        sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(contents.items()))
        (staging / CHECKSUMS).write_text(sums, "utf-8")
        os.chmod(staging, 0o755)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_artifact(folder: str | os.PathLike[str]) -> tuple[dict, dict[str, bytes]]:
    """Read and verify a model folder.

    Returns:
        ``(metadata, files)`` where ``files`` maps every listed file name to its bytes.

    Raises:
        ArtifactError: the folder or a file is missing, a checksum differs, or a file is
            present that ``SHA256SUMS`` does not list.
    """
    root = Path(folder)
    sums_path = root / CHECKSUMS
    if not sums_path.is_file():
        raise ArtifactError(f"{root}: not a model folder (no {CHECKSUMS})")
    expected = _parse_sums(sums_path)
    unlisted = sorted(p.name for p in root.iterdir() if p.name not in expected and p.name != CHECKSUMS)
    if unlisted:
        raise ArtifactError(f"{root}: files not listed in {CHECKSUMS}: {', '.join(unlisted)}")
    files: dict[str, bytes] = {}
    for name, digest in expected.items():
        path = root / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ArtifactError(f"{path}: cannot read ({exc.strerror})") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            raise ArtifactError(f"{path}: SHA-256 mismatch: expected {digest}, got {actual}; the model was altered")
        files[name] = data
    if METADATA not in files:
        raise ArtifactError(f"{root}: no {METADATA}")
    return parse_metadata(files[METADATA], root / METADATA), files


def read_verified_metadata(folder: str | os.PathLike[str]) -> dict:
    """A model folder's metadata, its checksum verified before a byte of it is parsed (the
    weights are not read: choosing among folders should not load every model twice).

    Raises:
        ArtifactError: no ``SHA256SUMS`` or no metadata listed in it, a checksum differs,
            or the metadata is not valid (see :func:`parse_metadata`).
    """
    root = Path(folder)
    sums_path = root / CHECKSUMS
    if not sums_path.is_file():
        raise ArtifactError(f"{root}: not a model folder (no {CHECKSUMS})")
    digest = _parse_sums(sums_path).get(METADATA)
    if digest is None:
        raise ArtifactError(f"{sums_path}: {METADATA} is not listed")
    path = root / METADATA
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read ({exc.strerror})") from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise ArtifactError(f"{path}: SHA-256 mismatch with {CHECKSUMS}; the model was altered")
    return parse_metadata(data, path)


METADATA_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "label": str,
    "labels": list,
    "members": list,
    "features": dict,
    "calibration": dict,
    "corpus": str,
    "settings": dict,
    "test_entity_f1": (int, float),
    "training_tweets": list,
}
"""The metadata fields the loaders read, and their JSON types (``kind`` is required)."""


def parse_metadata(data: bytes, path: Path) -> dict:
    """``metadata.json`` checked against :data:`METADATA_FIELDS`: a JSON object with a string
    ``kind``; ensemble ``members`` are objects with a ``folder`` name and a numeric ``weight``.

    Raises:
        ArtifactError: one line naming ``path`` and what is wrong.
    """
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid UTF-8 JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ArtifactError(f"{path}: expected a JSON object, found {type(meta).__name__}")
    if "kind" not in meta:
        raise ArtifactError(f"{path}: no 'kind' field")
    for name, expected in METADATA_FIELDS.items():
        if name in meta and not isinstance(meta[name], expected):
            raise ArtifactError(f"{path}: '{name}' must be a JSON {_json_type(expected)}")
    for number, member in enumerate(meta.get("members", []), start=1):
        if not (
            isinstance(member, dict)
            and isinstance(member.get("folder"), str)
            and Path(member["folder"]).name == member["folder"]
            and isinstance(member.get("weight"), int | float)
            and not isinstance(member.get("weight"), bool)
        ):
            raise ArtifactError(f'{path}: member {number} must be {{"folder": a plain name, "weight": a number}}')
    return meta


def _json_type(expected: type | tuple[type, ...]) -> str:
    return {str: "string", list: "array", dict: "object"}.get(expected, "number")  # type: ignore[call-overload]


def _parse_sums(path: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ArtifactError(f"{path}: not a checksum list (not UTF-8 text)") from None
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name or Path(name).name != name:
            raise ArtifactError(f"{path}:{number}: malformed checksum line {line!r}")
        sums[name] = digest
    return sums


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is removed only afterwards."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.replace(target, retired / target.name)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
