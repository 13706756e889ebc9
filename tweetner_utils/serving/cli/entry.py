"""The ``tweetner`` program's exit and signal policy: one line and a status for every way a
run ends (done, bad lines, an error, Ctrl-C, a closed pipe), never a traceback for those.

Only the standard library is imported before :func:`main` runs, so that Ctrl-C during
start-up is handled like Ctrl-C at any other moment (one line, exit 130, no traceback).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from .progress import Progress

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a Unix tool killed by a closed pipe reports (``yes | head``)."""


def run() -> None:
    """The ``tweetner`` program: :func:`main`, then exit with its status.

    A Ctrl-C after :func:`main` returned (the output is complete) is ignored: it used to
    interrupt the interpreter's exit with a traceback. After an interrupted run the process
    ends with ``os._exit``: CPython 3.11 remembers a
    KeyboardInterrupt raised inside some C-level imports (numpy, scikit-learn) even once it
    is handled, and would then kill itself with SIGINT at exit (status -2, not 130). The
    output is flushed and every file closed by then.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # main() handles Ctrl-C; once it returns, the work is done
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    progress = Progress()
    previous = signal.signal(signal.SIGINT, progress.on_interrupt)
    try:
        from .arguments import parser

        args = parser().parse_args(argv)
        progress.output_path = None if args.output in (None, "-") else args.output
        return args.run(args, progress)
    except KeyboardInterrupt:
        return _interrupted(progress)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        from ...exceptions import TweetnerError

        if progress.interrupted:  # e.g. "ImportError: initialization failed" from Ctrl-C in a C extension's import
            return _interrupted(progress)
        if not isinstance(exc, TweetnerError | OSError | ValueError):
            raise
        print(f"tweetner: error: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGINT, previous)  # callers in Python get their handler back


def _interrupted(progress: Progress) -> int:
    """Ctrl-C came: one line, exit 130. Also for any exception raised after it, because a
    ``KeyboardInterrupt`` raised while a C extension initialises (scipy's HiGHS module, under
    scikit-learn's import) comes out as ``ImportError: initialization failed``: a traceback
    for a Ctrl-C that the user meant."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the message
    print(f"tweetner: interrupted; {_what_was_written(progress)}", file=sys.stderr)
    return EXIT_INTERRUPTED


def _what_was_written(progress: Progress) -> str:
    if progress.output_folder is not None:
        return (
            f"{progress.files_written} file(s) in {progress.output_folder} are complete; "
            "the others were not written (each output file is whole or absent)"
        )
    if progress.output_path is not None:
        return f"{progress.output_path} was not written (an existing file keeps its content)"
    if progress.stdout_lines:
        return f"at least {progress.stdout_lines} tagged line(s) had already been written to standard output"
    return "nothing was written"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
