"""What more labels would buy, as ``04_strong_models`` computes it, on its own and timed.

    python benchmarks/labelling.py [--crf models/strong_crf | --c1 C1 --c2 C2] [--corpus wnut16] [--data-dir DIR]
        [--workers 2] [--seeds 1 2 3] [--simulation-seeds 1 2 3 4 5 6] [--rounds 3]
        [--max-iterations 60]

The learning curve and the active-learning simulation (``tweetner_utils/evaluation/labelling.py``)
with 04's settings, for the saved knowledge CRF's recipe (its c1, c2 and features; the CRF
itself is not reused), or for the recipe ``--c1``/``--c2`` over 04's knowledge features when
no run has saved one yet. Prints what each part took from the log lines' times, then one JSON
line with the seconds, the fitted law, the extrapolations, the dev and test comparisons
with random and the strategy dev chose. More seeds or rounds than the reports afford make
the simulation's verdict firmer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import load_corpora  # noqa: E402
from tweetner_utils.evaluation.labelling import analyse_labelling, plan_settings  # noqa: E402
from tweetner_utils.features.knowledge import KnowledgeFeaturizer  # noqa: E402
from tweetner_utils.models.crf import CrfTagger  # noqa: E402
from tweetner_utils.models.selection import knowledge_resources  # noqa: E402
from tweetner_utils.pipeline.config import StrongConfig  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crf", default=str(ROOT / "models" / "strong_crf"), help="a saved knowledge CRF (the recipe)")
    parser.add_argument("--c1", type=float, help="with --c2: this recipe over 04's knowledge features instead of --crf")
    parser.add_argument("--c2", type=float)
    parser.add_argument("--corpus", default="wnut16")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--workers", type=int, default=2)
    defaults = StrongConfig()
    parser.add_argument("--seeds", type=int, nargs="+", default=defaults.labelling_seeds, help="the curve's")
    parser.add_argument("--simulation-seeds", type=int, nargs="+", default=defaults.labelling_simulation_seeds)
    parser.add_argument("--rounds", type=int, default=defaults.labelling_rounds)
    parser.add_argument("--max-iterations", type=int, default=defaults.labelling_max_iterations)
    return parser.parse_args()


def recipe(args: argparse.Namespace) -> CrfTagger:
    """The CRF whose c1, c2 and features every fit copies."""
    if args.c1 is None and args.c2 is None:
        return CrfTagger.load(args.crf, args.data_dir)
    if args.c1 is None or args.c2 is None:
        sys.exit("--c1 and --c2 go together")
    settings = StrongConfig()
    resources = knowledge_resources(settings, quick=False, data_dir=args.data_dir)
    return CrfTagger(
        c1=args.c1, c2=args.c2, max_iterations=settings.crf_max_iterations, featurizer=KnowledgeFeaturizer(resources)
    )


def main() -> None:
    args = parse_args()
    corpora = load_corpora(False, 42, args.data_dir, args.corpus, "")
    template = recipe(args)
    settings = plan_settings(
        StrongConfig(
            labelling_seeds=args.seeds,
            labelling_simulation_seeds=args.simulation_seeds,
            labelling_rounds=args.rounds,
            labelling_max_iterations=args.max_iterations,
        )
    )
    assert settings is not None, "04's default settings always ask for a curve"
    started = time.perf_counter()
    record = analyse_labelling(
        template,
        corpora,
        settings,
        log=lambda line: print(f"{time.perf_counter() - started:7.1f} s  {line}", file=sys.stderr),
        workers=args.workers,
    )
    seconds = time.perf_counter() - started
    kept = ("power_law", "extrapolated", "dev_comparisons", "comparisons", "best_strategy", "train_tweets")
    print(json.dumps({"seconds": round(seconds, 1), "workers": args.workers, **{k: record[k] for k in kept}}))


if __name__ == "__main__":
    main()
