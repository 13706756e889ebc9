"""Every error tweetner raises on purpose, under one base class.

Callers (the ``tweetner`` command, ``run_all.py``, notebooks) catch :class:`TweetnerError`
and show its message as it is: each message names the file, line, record or step at
fault, so no traceback is needed. Anything else that escapes is a bug.
"""

from __future__ import annotations

from pathlib import Path

_SHOWN_CHARS = 80


class TweetnerError(Exception):
    """Base class: raised only through one of the subclasses below."""


class ConllFormatError(TweetnerError, ValueError):
    """Raised when a CoNLL file cannot be read or one of its lines is malformed.

    Attributes:
        path: the file (or a description of the source, such as ``<stdin>``).
        line: the 1-based line number at fault, or None for whole-file problems.
        text: the offending text (shortened), or ``""``.
        reason: what is wrong, in words.
    """

    def __init__(self, path: str, line: int | None, text: str, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.text = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        shown = f": {self.text!r}" if self.text else ""
        super().__init__(f"{where}: {reason}{shown}")


class TweetFileError(TweetnerError, ValueError):
    """Raised when a line of a raw-text tweet file (one tweet per line) cannot be read;
    the message is ``path:line: reason``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{self.path}:{line}: {reason}")


class DataError(TweetnerError, RuntimeError):
    """Raised when a data file cannot be used; the subclasses say why."""


class DataNotFoundError(DataError):
    """Raised when a data file is in no configured folder and cannot be downloaded."""


class ChecksumMismatchError(DataError):
    """Raised when a data file's SHA-256 differs from the pinned one; names both hashes."""

    def __init__(self, path: Path, expected: str, actual: str, hint: str = "") -> None:
        self.path, self.expected, self.actual = path, expected, actual
        message = f"{path}: SHA-256 mismatch: expected {expected}, got {actual}"
        super().__init__(message + (f". {hint}" if hint else ""))


class ArtifactError(TweetnerError, RuntimeError):
    """Raised when a model folder is missing, incomplete or altered; names the file."""


class CrfModelFormatError(ArtifactError, ValueError):
    """Raised when a CRFsuite model file is not laid out as the NumPy decoder expects."""


class ResultsError(TweetnerError, RuntimeError):
    """Raised when a results file is missing or unreadable; names the file."""


class UsageError(TweetnerError, ValueError):
    """Raised when command-line arguments cannot work (an output path that would replace the
    input, a missing folder...), before any work starts."""


class InputLineError(TweetnerError, ValueError):
    """Raised for one input line that cannot be tagged; carries the line number."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {reason}")


class AnnotationError(TweetnerError, ValueError):
    """Raised when an annotation tool's export cannot be turned into tags: the file and, for
    each problem, the task id and what is wrong (every problem found, not just the first)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = str(path), problems
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__(f"{self.path}: " + "\n  ".join([f"{len(problems)} problem(s):", *shown]))


class PipelineError(TweetnerError, RuntimeError):
    """Raised when ``run_all.py`` cannot produce the reports; the subclasses say why."""


class InputRejected(PipelineError):
    """Raised before any notebook runs when a data file is missing, changed or malformed."""


class ReportsNotWritable(PipelineError):
    """Raised when the reports or models folder cannot be written (permissions, full disk)."""


class StepFailed(PipelineError):
    """Raised when a notebook fails; says which step, which cell, and where the partial notebook is."""

    def __init__(self, step: str, detail: str, partial: Path | None) -> None:
        self.step, self.detail, self.partial = step, detail, partial
        where = f"; partially executed notebook: {partial}" if partial else ""
        if partial:
            where += f"; kernel log: {partial.parent.parent / 'logs' / f'{step}.kernel.log'}"
        super().__init__(f"step {step} failed: {detail}{where}")
