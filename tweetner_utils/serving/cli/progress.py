"""What a run has shown the user so far, for an honest last line when it is stopped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Progress:
    """What has reached the user so far, for an honest message when the run is stopped, and
    whether Ctrl-C came: some libraries swallow ``KeyboardInterrupt`` in their imports
    (``except:`` around an optional import), so the flag is checked again at safe points."""

    stdout_lines: int = 0
    output_path: str | None = None
    output_folder: str | None = None
    files_written: int = 0
    interrupted: bool = False
    deferring: bool = False

    def on_interrupt(self, signum: int, frame: object) -> None:
        self.interrupted = True
        if not self.deferring:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Ctrl-C only noted inside, raised at the end: loading a model imports PyTorch, and a
        ``KeyboardInterrupt`` raised inside one of its C++ start-up callbacks aborted the
        process ("terminate called", no exit 130) instead of stopping it."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        self.check()

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C came and was swallowed on the way."""
        if self.interrupted:
            raise KeyboardInterrupt
