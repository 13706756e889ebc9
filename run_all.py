"""Regenerate every report (``make reports``): run each notebook with papermill, render HTML,
write the index. ``python run_all.py --help`` lists the options with examples.

The command line is ``tweetner_utils.pipeline.command``, the steps
``tweetner_utils.pipeline.steps``, their parameters ``tweetner_utils.pipeline.config``.
"""

import sys

from tweetner_utils.pipeline.command import main

if __name__ == "__main__":
    sys.exit(main())
