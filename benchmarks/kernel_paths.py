"""What portable numerics cost: a MiniLM training step and a BiLSTM step on each kernel path.

    python benchmarks/kernel_paths.py [--repeats 3] [--steps 5]

Each variant runs in fresh processes (the kernel paths are fixed when the libraries load):

- ``fast kernels``: the libraries' own choice for this CPU (``TWEETNER_FAST_KERNELS=1``), float32;
- ``fast kernels, bfloat16``: the same with MiniLM's products in bfloat16 (autocast), as the
  reports ran before portable numerics on CPUs with AVX-512 BF16;
- ``portable, MKL only``: the portable settings, but MiniLM's linear layers left on MKL's
  compatible branch (what ``MKL_CBWR=COMPATIBLE`` alone would cost);
- ``portable``: as the package runs by default (linear layers on OpenBLAS's AVX2 kernels);
- ``portable, bfloat16``: the portable settings with bfloat16 autocast.

A MiniLM step is one forward and backward pass and an AdamW update over 32 tweets of 36 word
pieces (the packaged MiniLM, word-piece embeddings frozen, as the tagger trains it); a BiLSTM
step the same over 32 sequences of 25 tokens, 150 inputs, 128 hidden units each way. Prints
one line per variant with the median and range of milliseconds per step over the repeats
(each repeat a fresh process), and the SHA-256 prefix of the step's output (equal prefixes:
equal bits), then one JSON line.
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

STEP = """
import hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
import tweetner_utils  # fixes the kernel paths first
import torch
from tweetner_utils.models.portable_ops import configure_torch, use_portable_linears
from tweetner_utils.models.transformer import default_model_dir
from transformers import AutoModel

model, precision, linears, steps = sys.argv[2], sys.argv[3], sys.argv[4] == "openblas", int(sys.argv[5])
configure_torch()
torch.manual_seed(0)
torch.set_num_threads(2)
if model == "minilm":
    net = AutoModel.from_pretrained(default_model_dir(), local_files_only=True)
    net.get_input_embeddings().weight.requires_grad_(False)
    if linears:
        use_portable_linears(net)
    ids = torch.randint(1000, 20000, (32, 36))
    run = lambda: net(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
else:
    net = torch.nn.LSTM(150, 128, batch_first=True, bidirectional=True)
    x = torch.randn(32, 25, 150)
    run = lambda: net(x)[0]
optimizer = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=1e-5)

def step():
    if precision == "bfloat16":
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = run()
    else:
        out = run()
    loss = out.float().pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return out

step()
started = time.perf_counter()
for _ in range(steps):
    out = step()
seconds = (time.perf_counter() - started) / steps
digest = hashlib.sha256(out.detach().float().numpy().tobytes()).hexdigest()[:12]
print(json.dumps({"ms": 1000 * seconds, "digest": digest}))
"""

VARIANTS = {
    "fast kernels": ({"TWEETNER_FAST_KERNELS": "1"}, "float32", "mkl"),
    "fast kernels, bfloat16": ({"TWEETNER_FAST_KERNELS": "1"}, "bfloat16", "mkl"),
    "portable, MKL only": ({}, "float32", "mkl"),
    "portable": ({}, "float32", "openblas"),
    "portable, bfloat16": ({}, "bfloat16", "openblas"),
}


def original_environment() -> dict[str, str]:
    """This process's environment as it was before importing ``tweetner_utils`` fixed the kernel
    paths: a variant's child starts from it, so that fast kernels really are the libraries' own
    choice (keeping the portable values, as the first version of this script did, measured MKL's
    compatible branch under the name "fast kernels")."""
    from tweetner_utils import numerics

    env = dict(os.environ) | {numerics.FAST_KERNELS_ENV: "1"}
    numerics.apply(env)  # gives back the values an earlier apply replaced
    env.pop(numerics.FAST_KERNELS_ENV)
    return env


def measure(model: str, variant: str, repeats: int, steps: int) -> dict:
    """Median and range of ms per step over ``repeats`` fresh processes, and the output's digest."""
    extra, precision, linears = VARIANTS[variant]
    env = original_environment() | extra
    times, digests = [], set()
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", STEP, str(ROOT), model, precision, linears, str(steps)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{model} / {variant} failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(result["ms"])
        digests.add(result["digest"])
    return {
        "model": model,
        "variant": variant,
        "ms_per_step": round(statistics.median(times), 1),
        "ms_range": [round(min(times), 1), round(max(times), 1)],
        "digest": "/".join(sorted(digests)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per variant")
    parser.add_argument("--steps", type=int, default=5, help="timed steps per process (after one untimed)")
    parser.add_argument("--models", nargs="+", default=["minilm", "lstm"], choices=["minilm", "lstm"])
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tweetner_utils import numerics

    rows = []
    for model in args.models:
        for variant in VARIANTS:
            if model == "lstm" and "bfloat16" in variant:
                continue
            row = measure(model, variant, args.repeats, args.steps)
            rows.append(row)
            low, high = row["ms_range"]
            print(f"{model:7} {variant:24} {row['ms_per_step']:8.1f} ms/step ({low}-{high})  output {row['digest']}")
    print(json.dumps({"cpu": numerics.this_cpu().model, "cores": os.cpu_count(), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
