"""``python -m tweetner_utils`` is the ``tweetner`` command."""

from .serving.cli import run

run()
