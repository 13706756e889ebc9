"""``python -m tweetner_utils`` is the ``tweetner`` command."""

import sys

from .cli import main

sys.exit(main())
