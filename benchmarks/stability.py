"""Seed stability of the fine-tuned MiniLM tagger (the costly stochastic model).

    python benchmarks/stability.py [--seeds 11 21 42] [--max-epochs 8] [--data-dir DIR]

Fine-tunes the transformer tagger on ``train`` once per seed, as ``04_strong_models`` does
(early stopping on dev), and scores dev and test (entity F1; test is only reported, nothing
is chosen here). About 4 minutes per seed on 2 cores. The CRF needs no such run: L-BFGS
training has no random start. The SGD and BiLSTM seed runs are part of the reports
(02_baselines, 03_bilstm). Prints one line per seed, then one JSON line with mean,
standard deviation and the instability flag.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils import load_corpora
from tweetner_utils.evaluation.stability import seed_runs, summarise
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger
from tweetner_utils.pipeline.config import HeldOutConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=HeldOutConfig().stability_seeds)
    parser.add_argument("--max-epochs", type=int, default=TransformerSettings.max_epochs)
    parser.add_argument("--data-dir", default="")
    args = parser.parse_args(argv)
    corpora = load_corpora(False, 42, args.data_dir)
    train, dev = corpora["train"], corpora["dev"]

    def fit(seed: int) -> TransformerTagger:
        tagger = TransformerTagger(TransformerSettings(max_epochs=args.max_epochs, seed=seed))
        return tagger.fit(
            train.tokens,
            train.tags,
            validation=(dev.tokens, dev.tags),
            progress=lambda line: print(f"seed {seed}: {line}", flush=True),
        )

    runs = seed_runs(fit, {"dev": corpora["dev"], "test": corpora["test"]}, args.seeds)
    print(runs.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(
        json.dumps(
            {
                "model": "MiniLM fine-tuned on train",
                "runs": runs.to_dict(orient="records"),
                "dev": summarise(runs, "dev_f1"),
                "test": summarise(runs, "test_f1"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
