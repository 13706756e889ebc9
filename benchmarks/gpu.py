"""The transformer member on a CUDA GPU against the CPU, on the same machine and data.

    python benchmarks/gpu.py [--data-dir DIR] [--model-dir DIR] [--max-epochs 8] [--cpu-threads 2]

Fine-tunes MiniLM on ``train`` with early stopping on ``dev`` on the GPU (as
``04_strong_models`` does with ``--device auto`` where PyTorch sees one), then one epoch
of the same schedule on the CPU with ``--cpu-threads`` threads (the laptop the reports are
sized for has 2 cores), and tags ``test`` with both. Prints one line per epoch, then one
JSON line: seconds per epoch (dev scoring included) and tweets per second on each device, the speed-ups, and the
GPU model's dev and test entity F1 (GPU kernels are not bit-identical to the CPU's, so its
F1 is reported, not compared byte for byte). Exits with status 2 when PyTorch sees no GPU.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils.data.access import load_split
from tweetner_utils.data.conll import Corpus
from tweetner_utils.metrics import entity_scores
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger


def tweets_per_second(tagger: TransformerTagger, corpus: Corpus) -> float:
    """Tagging throughput over ``corpus`` (distributions and constrained decoding)."""
    started = time.perf_counter()
    tagger.predict(corpus.tokens)
    return len(corpus) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--model-dir", default="", help="a Hugging Face folder; default the packaged MiniLM")
    parser.add_argument("--max-epochs", type=int, default=TransformerSettings.max_epochs)
    parser.add_argument("--cpu-threads", type=int, default=2)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("PyTorch sees no CUDA GPU: nothing to compare", file=sys.stderr)
        return 2
    train, dev, test = (load_split(name, args.data_dir or None) for name in ("train", "dev", "test"))
    base = TransformerSettings(model_dir=args.model_dir, max_epochs=args.max_epochs)

    gpu = TransformerTagger(replace(base, device="cuda"))
    started = time.perf_counter()
    gpu.fit(train.tokens, train.tags, validation=(dev.tokens, dev.tags), progress=lambda line: print("gpu", line))
    gpu_fit = time.perf_counter() - started
    gpu_rate = tweets_per_second(gpu, test)
    scores = {
        name: entity_scores(c.tags, gpu.predict(c.tokens)).overall.f1 for name, c in (("dev", dev), ("test", test))
    }

    cpu = TransformerTagger(replace(base, device="cpu", num_threads=args.cpu_threads))
    cpu.fit(
        train.tokens, train.tags, validation=(dev.tokens, dev.tags), epochs=1, progress=lambda line: print("cpu", line)
    )
    cpu_rate = tweets_per_second(cpu, test)

    gpu_epoch = statistics.median(row["seconds"] for row in gpu.history)
    cpu_epoch = cpu.history[0]["seconds"]
    print(
        json.dumps(
            {
                "gpu": torch.cuda.get_device_name(0),
                "gpu_precision": gpu.precision,
                "cpu_threads": args.cpu_threads,
                "cpu_precision": cpu.precision,
                "gpu_epochs_run": len(gpu.history),
                "gpu_best_epoch": gpu.best_epoch,
                "gpu_fit_seconds": round(gpu_fit, 1),
                "gpu_epoch_seconds_median": round(gpu_epoch, 2),
                "cpu_epoch_seconds": round(cpu_epoch, 2),
                "epoch_speedup": round(cpu_epoch / gpu_epoch, 1),
                "gpu_tweets_per_s": round(gpu_rate),
                "cpu_tweets_per_s": round(cpu_rate),
                "predict_speedup": round(gpu_rate / cpu_rate, 1),
                "gpu_dev_f1": round(scores["dev"], 4),
                "gpu_test_f1": round(scores["test"], 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
