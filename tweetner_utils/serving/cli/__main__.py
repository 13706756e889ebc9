"""``python -m tweetner_utils.serving.cli`` is the ``tweetner`` command."""

from .entry import run

run()
