"""``python -m tweetner_utils`` is the ``tweetner`` command."""

import sys

from .serving.cli import main

sys.exit(main())
