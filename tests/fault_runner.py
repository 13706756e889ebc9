"""Run the pipeline on one test notebook in its own process (faults use signals and kill kernels).

    python tests/fault_runner.py NOTEBOOK REPORTS_DIR MODELS_DIR [STEP_TIMEOUT]

Exits with ``command.execute``'s code and prints its messages, exactly as ``run_all.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tweetner_utils.pipeline import command  # noqa: E402
from tweetner_utils.pipeline.config import SummaryConfig  # noqa: E402
from tweetner_utils.pipeline.steps import RunOptions, Step  # noqa: E402


def fault_step(notebook: str) -> Step:
    """A pipeline step running ``tests/notebooks/<notebook>.ipynb``."""
    path = HERE / "notebooks" / f"{notebook}.ipynb"
    return Step(f"99_{notebook}", notebook, SummaryConfig(), SummaryConfig(quick=True), path)


if __name__ == "__main__":
    notebook, reports, models = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else None
    options = RunOptions(
        quick=True,
        reports_dir=Path(reports),
        models_dir=Path(models),
        kernel="python3",
        steps=(fault_step(notebook),),
        step_timeout=timeout,
    )
    sys.exit(command.execute(options))
