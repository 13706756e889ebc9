"""Serving: tag new tweets with a saved model (``load_tagger``), the ``tweetner`` command, measured cost."""
