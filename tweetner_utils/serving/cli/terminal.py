"""What every command shows on the terminal: which model tags, a progress bar, and standard
output or an atomically written file."""

from __future__ import annotations

import argparse
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api import TweetTagger


def announce(tagger: TweetTagger) -> None:
    """Which model tags, and how good it was on its corpus's test set, so that no output is anonymous."""
    print(f"tweetner: model {tagger.description}", file=sys.stderr)


def progress_bar(args: argparse.Namespace) -> Any:
    """Tweets read so far on standard error; shown on a terminal unless --progress/--no-progress says otherwise."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if args.progress is None else args.progress
    return tqdm(desc="tagging", unit=" tweets", file=sys.stderr, disable=not show, mininterval=0.5)


class output:
    """Standard output, or an atomically written file (nothing half-written on failure)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._context: Any = None

    def __enter__(self) -> IO[str]:
        if self.path == "-":
            return sys.stdout
        from ...atomic_files import atomic_writer

        self._context = atomic_writer(self.path, "w")  # follows a symbolic link itself
        return self._context.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)
