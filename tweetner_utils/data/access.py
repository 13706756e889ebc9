"""The one place that knows where data files live and what their bytes must be.

Everyone must score the same bytes, so every file is checked against the SHA-256 pinned
in ``manifest.tsv`` before it is used, wherever it was found. Resolution order for
a file: the ``data_dir`` argument, then the ``TWEETNER_DATA_DIR`` environment variable,
then the user cache folder, then a download from the pinned URL into that cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..exceptions import ChecksumMismatchError, DataError, DataNotFoundError
from .conll import Corpus, read_conll

DATA_DIR_ENV = "TWEETNER_DATA_DIR"
"""Environment variable naming a local data folder laid out as ``manifest.tsv`` lists the files."""

CACHE_DIR_ENV = "TWEETNER_CACHE_DIR"
"""Environment variable overriding the download cache folder."""

UNVERIFIED_ENV = "TWEETNER_UNVERIFIED_SPLITS"
"""Set to 1 to accept split files that differ from the pinned ones (your own annotations
in the same layout) from a local folder; the strict reader still checks every line, and
reports say the data was not the pinned data."""

DEFAULT_CORPUS = "wnut16"
"""The corpus a run analyses unless told otherwise (``run_all.py --corpus``)."""

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class DataFile:
    """One manifest entry: where the file sits under a data root, its URL and hash."""

    path: str
    url: str
    sha256: str


@functools.cache
def manifest() -> dict[str, DataFile]:
    """Every data file the project may read, keyed by its path under the data root."""
    text = resources.files(__package__).joinpath("manifest.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    header, *entries = rows
    if header != ["path", "url", "sha256"]:
        raise DataError(f"manifest.tsv: unexpected header {header}")
    return {path: DataFile(path, url, sha) for path, url, sha in entries}


@functools.cache
def catalogue() -> dict[str, dict]:
    """The built-in corpora (``corpora.json``): per corpus, its title, its splits (each with
    the words reports use for its tweets) and what separates its dev from its test tweets."""
    return json.loads(resources.files(__package__).joinpath("corpora.json").read_text("utf-8"))


def corpus_splits(corpus: str = DEFAULT_CORPUS) -> tuple[str, ...]:
    """The splits of a built-in corpus, as ``corpora.json`` lists them (WNUT16: train, dev,
    dev_2015, test)."""
    return tuple(catalogue()[corpus]["splits"])


SPLITS: tuple[str, ...] = corpus_splits()
"""The default corpus's splits (other corpora: :func:`corpus_splits`)."""


def cache_dir() -> Path:
    """The download cache: ``TWEETNER_CACHE_DIR`` or the platform's user cache folder."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tweetner"))


def data_path(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The verified local path of the manifest file ``name`` (e.g. ``"wnut16/train"``).

    Args:
        name: a key of :func:`manifest`.
        data_dir: a folder laid out as ``manifest.tsv`` lists the files; tried before
            ``TWEETNER_DATA_DIR`` and the cache.

    Returns:
        A path whose content matches the pinned SHA-256.

    Raises:
        KeyError: ``name`` is not in the manifest.
        ChecksumMismatchError: the first copy found has other bytes than pinned.
        DataNotFoundError: no copy is found and the download fails.
    """
    entry = manifest().get(name)
    if entry is None:
        raise KeyError(f"{name!r} is not in the data manifest; known: {sorted(manifest())}")
    searched: list[str] = []
    for label, root in _search_roots(data_dir):
        candidate = root / entry.path
        if candidate.exists() and _unverified(name, label):
            return candidate  # the reader reports what is wrong with it, line by line
        if candidate.is_file():
            _verify_cached(candidate, entry.sha256, _tamper_hint(label))
            return candidate
        searched.append(f"{label} ({root})")
    return _download(entry, searched)


def unverified_splits_allowed() -> bool:
    """Whether ``$TWEETNER_UNVERIFIED_SPLITS`` asks to accept changed split files."""
    return os.environ.get(UNVERIFIED_ENV, "") == "1"


def _unverified(name: str, label: str) -> bool:
    """Only split files (``<corpus>/<split>``), and never the download cache, may skip verification."""
    corpus, _, split = name.partition("/")
    return (
        unverified_splits_allowed()
        and split in catalogue().get(corpus, {}).get("splits", {})
        and label != "the download cache"
    )


def load_split(
    name: str, data_dir: str | os.PathLike[str] | None = None, *, repair: bool = False, corpus: str = DEFAULT_CORPUS
) -> Corpus:
    """Read one split of a built-in corpus (WNUT16's ``train``, ``dev``, ``dev_2015``, ``test``), verified.

    Example: ``len(load_split("dev"))`` is 1000 tweets.
    """
    if corpus not in catalogue():
        raise ValueError(f"unknown corpus {corpus!r}; built in: {', '.join(catalogue())}")
    known = corpus_splits(corpus)
    if name not in known:
        raise ValueError(f"unknown split {name!r} of {corpus}; expected one of {', '.join(known)}")
    return read_conll(data_path(f"{corpus}/{name}", data_dir), repair=repair)


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: str | os.PathLike[str], expected: str, hint: str = "") -> None:
    """Raise :class:`ChecksumMismatchError` unless ``path`` hashes to ``expected``."""
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumMismatchError(Path(path), expected, actual, hint)


_verified: set[tuple[str, int, int, str]] = set()


def _verify_cached(path: Path, expected: str, hint: str) -> None:
    """Verify once per process while the file's size and mtime stay the same."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, expected)
    if key not in _verified:
        verify_sha256(path, expected, hint)
        _verified.add(key)


def _search_roots(data_dir: str | os.PathLike[str] | None) -> list[tuple[str, Path]]:
    roots: list[tuple[str, Path]] = []
    if data_dir is not None:
        roots.append(("the data_dir argument / --data-dir flag", Path(data_dir).expanduser()))
    env_dir = os.environ.get(DATA_DIR_ENV)
    if env_dir:
        roots.append((f"${DATA_DIR_ENV}", Path(env_dir).expanduser()))
    roots.append(("the download cache", cache_dir()))
    return roots


def _tamper_hint(label: str) -> str:
    if label == "the download cache":
        return "The cached copy is damaged: delete it and it will be downloaded again"
    return f"This copy (found through {label}) is not the pinned file; restore the original"


def _download(entry: DataFile, searched: list[str]) -> Path:
    target = cache_dir() / entry.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        failure = f"cannot write the cache: {exc}"
        raise DataNotFoundError(_not_found_message(entry, searched, failure)) from None
    try:
        _fetch(entry.url, Path(tmp_name))
        verify_sha256(tmp_name, entry.sha256, f"downloaded from {entry.url}; nothing was kept")
        os.replace(tmp_name, target)
    except ChecksumMismatchError:
        raise
    except Exception as exc:  # network errors come in many library-specific classes
        raise DataNotFoundError(_not_found_message(entry, searched, f"{type(exc).__name__}: {exc}")) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return target


def _fetch(url: str, destination: Path) -> None:
    """Download ``url`` to ``destination`` with a progress bar (pooch's HTTP client)."""
    import pooch

    pooch.HTTPDownloader(progressbar=True, timeout=60)(url, str(destination), None)


def _not_found_message(entry: DataFile, searched: list[str], failure: str) -> str:
    return (
        f"data file {entry.path!r} was not found in {', '.join(searched)}, and downloading "
        f"{entry.url} failed ({failure}). Point ${DATA_DIR_ENV} (or the --data-dir flag) at a "
        f"folder holding {entry.path} (laid out as the manifest lists it), or restore network access."
    )
