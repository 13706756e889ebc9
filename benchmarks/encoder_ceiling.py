"""How fast the strong model's transformer member could run on this machine at best.

    python benchmarks/encoder_ceiling.py [--models-dir models] [--data-dir DIR] [--target 1000]

The leading model is an ensemble whose fine-tuned MiniLM member does most of the work.
This script asks whether any runtime could make the ensemble tag ``--target`` tweets a
second here, by comparing the arithmetic the encoder must do with the fastest matrix
products this machine does:

- the multiply-adds of the encoder on the WNUT16 test tweets, counted from its
  configuration (layers, hidden and feed-forward sizes) and each tweet's word pieces
  (projections, feed-forward, attention scores and weighted sums, the label head);
- the machine's matrix-product rate in the encoder's own shapes and precision (bfloat16
  where the CPU has it, as ``tweetner predict`` runs it), the best of several trials: an
  upper bound, not a typical figure;
- each member's first pass over the test tweets in this process (``predict_proba``), so
  the time left for the encoder at the target rate is known.

Prints the figures, then one JSON line. If the encoder needs more than the measured rate
even with everything but its matrix products free, no runtime (ONNX Runtime, int8 at the
same F1) reaches the target on this machine: a cheaper model would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import load_split  # noqa: E402
from tweetner_utils.models.ensemble import EnsembleTagger  # noqa: E402
from tweetner_utils.models.transformer import TransformerTagger  # noqa: E402
from tweetner_utils.serving.api import load_tagger  # noqa: E402


def encoder_flops(tagger: TransformerTagger, pieces: list[int]) -> float:
    """Floating-point operations (2 per multiply-add) of one forward pass over tweets of these word-piece counts."""
    config = tagger.network.encoder.config
    hidden, inner, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    labels = len(tagger.labels)
    total = 0.0
    for n in pieces:
        per_layer = n * (4 * hidden * hidden + 2 * hidden * inner) + 2 * n * n * hidden
        total += 2 * (layers * per_layer + n * hidden * labels)
    return total


def matmul_rate(tagger: TransformerTagger, rows: int = 2048, trials: int = 20) -> float:
    """The best floating-point operations per second of the encoder's feed-forward product
    (``rows`` word pieces at once) in the precision the tagger runs, over ``trials``."""
    config = tagger.network.encoder.config
    a = torch.randn(rows, config.hidden_size)
    b = torch.randn(config.hidden_size, config.intermediate_size)
    best = float("inf")
    with torch.no_grad(), tagger._autocast():
        for _ in range(trials):
            started = time.perf_counter()
            for _ in range(10):
                torch.matmul(a, b)
            best = min(best, (time.perf_counter() - started) / 10)
    return 2 * rows * config.hidden_size * config.intermediate_size / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--target", type=float, default=1000.0, help="ensemble tweets per second asked for")
    args = parser.parse_args(argv)
    ensemble = load_tagger(args.models_dir, args.data_dir, workers=1).model
    if not isinstance(ensemble, EnsembleTagger):
        print(f"{args.models_dir}: the preferred model is not an ensemble; run `make reports` first", file=sys.stderr)
        return 1
    encoders = [m for m in ensemble.members if isinstance(m, TransformerTagger)]
    if not encoders:
        print(f"{args.models_dir}: the ensemble has no transformer member", file=sys.stderr)
        return 1
    encoder = encoders[0]
    test = load_split("test", args.data_dir or None)
    seconds = {}
    for member in ensemble.members:
        started = time.perf_counter()
        member.predict_proba(test.tokens)
        seconds[type(member).__name__] = time.perf_counter() - started
    pieces = [len(encoder._encode(words, None)["input_ids"]) for words in test.tokens]
    flops = encoder_flops(encoder, pieces) / len(test)
    rate = matmul_rate(encoder)
    others = sum(s for name, s in seconds.items() if name != type(encoder).__name__) / len(test)
    budget = 1 / args.target - others
    needed = flops / budget if budget > 0 else float("inf")
    result = {
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "precision": encoder.precision,
        "test_tweets": len(test),
        "word_pieces_per_tweet": round(sum(pieces) / len(pieces), 1),
        "encoder_gflop_per_tweet": round(flops / 1e9, 3),
        "members_tweets_per_s": {name: round(len(test) / s, 1) for name, s in seconds.items()},
        "encoder_achieved_gflop_per_s": round(flops * len(test) / seconds[type(encoder).__name__] / 1e9, 1),
        "matmul_best_gflop_per_s": round(rate / 1e9, 1),
        "target_tweets_per_s": args.target,
        "ms_per_tweet_left_for_the_encoder": round(1000 * budget, 3),
        "encoder_gflop_per_s_needed": round(needed / 1e9, 1),
        "encoder_gflop_per_s_needed_if_the_others_were_free": round(flops * args.target / 1e9, 1),
        "encoder_ceiling_tweets_per_s": round(rate / flops, 1),
        "ensemble_ceiling_tweets_per_s": round(1 / (others + flops / rate), 1),
    }
    for key, value in result.items():
        print(f"{key:52s} {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
