"""tweetner: tag new tweets (predict), score a model on labelled CoNLL (evaluate), or send
uncertain tweets to people and bring their corrections back (review export / review import).

Bad input lines are reported one by one on stderr with their line number; the good lines
are still tagged and written. Output files are written atomically: after an error or
Ctrl-C the file is absent or keeps its previous content, never half a result.

One module per command (``predict_command``, ``evaluate_command``, ``review_command``), the
options in ``arguments``, the exit and signal policy in ``entry``. Only the standard library
is imported before ``main`` runs, so that Ctrl-C during start-up is handled like Ctrl-C at any
other moment (one line, exit 130, no traceback).
"""

from __future__ import annotations

from .entry import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, main, run

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "main", "run"]
