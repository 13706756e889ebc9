"""How long PyTorch's idle threads spin before they sleep (``GOMP_SPINCOUNT``), and what it
does to training the BiLSTM-CRF and MiniLM, under portable numerics.

    python benchmarks/thread_waits.py [--data-dir DIR] [--tweets 800] [--spins 0 300 1000 3000] [--repeats 2]

``OMP_WAIT_POLICY=PASSIVE`` keeps PyTorch's threads from spinning while MiniLM's products
run on OpenBLAS's own threads (two spinning pools on two cores take turns). With no spinning
at all, each of the BiLSTM-CRF's many small operations wakes a sleeping thread, which is
most of its training time. For each spin count this script trains, in a fresh process per
repeat (libgomp reads the variable when it loads): a BiLSTM-CRF (the reports' settings,
GloVe and the knowledge resources) for one epoch over the first ``--tweets`` WNUT16 train
tweets, and MiniLM for one epoch over ``--tweets`` x 0.6 of them,
then tags 300 dev tweets with MiniLM. Prints one line per spin count (median and range of
each time, and SHA-256 prefixes of the trained weights: equal prefixes, equal bits), then
one JSON line. The package ships the count in ``numerics.PORTABLE_SETTINGS``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TRAIN = """
import hashlib, io, json, os, sys, time
sys.path.insert(0, sys.argv[1])
import tweetner_utils as tu  # fixes the kernel paths first; PyTorch is not loaded yet
os.environ["GOMP_SPINCOUNT"] = sys.argv[4]  # read by libgomp when PyTorch loads it, below
import torch
from tweetner_utils.data.labels import LabelSet
from tweetner_utils.data.word_vectors import glove_vectors
from tweetner_utils.features.knowledge import load_knowledge
from tweetner_utils.features.neural import NeuralInputs
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger

data_dir, n = sys.argv[2], int(sys.argv[3])
corpora = tu.load_corpora(False, 42, data_dir)
train, dev = corpora["train"], corpora["dev"]
tokens, tags = train.tokens[:n], train.tags[:n]
resources, vectors = load_knowledge(data_dir, wikidata=True), glove_vectors()

def digest(module):
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()[:12]

bilstm = BilstmCrfTagger(BilstmCrfSettings(max_epochs=1), lambda chars: NeuralInputs(resources, vectors, chars))
started = time.perf_counter()
bilstm.fit(tokens, tags, progress=lambda line: None)
bilstm_s = time.perf_counter() - started
k = int(n * 0.6)
minilm = TransformerTagger(TransformerSettings(max_epochs=1, seed=3), LabelSet.from_tags(tags).labels)
started = time.perf_counter()
minilm.fit(tokens[:k], tags[:k], progress=lambda line: None)
minilm_s = time.perf_counter() - started
started = time.perf_counter()
minilm.predict_proba(dev.tokens[:300])
tag_s = time.perf_counter() - started
print(json.dumps({"bilstm_crf_epoch_s": bilstm_s, "minilm_epoch_s": minilm_s, "minilm_tag_300_s": tag_s,
                  "bilstm_crf_weights": digest(bilstm.network), "minilm_weights": digest(minilm.network)}))
"""


def run(spins: int, args: argparse.Namespace) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", TRAIN, str(ROOT), args.data_dir, str(args.tweets), str(spins)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if done.returncode:
        sys.exit(f"spin count {spins}: the training process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> dict:
    row: dict = {}
    for key in ("bilstm_crf_epoch_s", "minilm_epoch_s", "minilm_tag_300_s"):
        values = [r[key] for r in runs]
        row[key] = round(statistics.median(values), 2)
        row[key + "_range"] = [round(min(values), 2), round(max(values), 2)]
    for key in ("bilstm_crf_weights", "minilm_weights"):
        row[key] = sorted({r[key] for r in runs})
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--tweets", type=int, default=800, help="train tweets of the BiLSTM-CRF epoch (default 800)")
    parser.add_argument("--spins", type=int, nargs="+", default=[0, 300, 1000, 3000])
    parser.add_argument("--repeats", type=int, default=2, help="fresh processes per spin count (default 2)")
    args = parser.parse_args()
    results = {}
    for spins in args.spins:
        results[spins] = summary([run(spins, args) for _ in range(args.repeats)])
        print(f"GOMP_SPINCOUNT={spins:<6d} {results[spins]}", flush=True)
    print(json.dumps({"cpu_count": os.cpu_count(), "tweets": args.tweets, "spin_counts": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
