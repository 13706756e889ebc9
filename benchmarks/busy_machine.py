"""MiniLM tagging on a quiet and on a busy machine, with OpenBLAS on two threads and on one.

    python benchmarks/busy_machine.py [--models-dir models] [--data-dir DIR] [--tweets 100] [--repeats 2]

Under portable numerics MiniLM's linear layers multiply on OpenBLAS, one product per tweet
when tagging (``portable_ops``), with the two threads the package pins. Each product is
small, so its two threads meet many times per tweet; when another program holds one of the
two cores, each meeting waits for the scheduler. This script shows what that costs: it tags
the first ``--tweets`` WNUT16 dev tweets with the saved ``strong_transformer`` (cold, a fresh
process per repeat) in four variants: OpenBLAS on 2 threads (the package's default) or on 1,
on a quiet machine or beside one busy-looping process (what any other program does to a
2-core laptop). Prints one line per variant, median and range of tweets per second and the
SHA-256 prefix of the probabilities (equal prefixes: equal bits), then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TAG = """
import hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
import tweetner_utils as tu  # fixes the kernel paths first
import numpy as np
from threadpoolctl import threadpool_limits
from tweetner_utils.serving.api import load_tagger

folder, data_dir, n, threads = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
model = load_tagger(folder, data_dir=data_dir).model
tokens = tu.load_corpora(False, 42, data_dir)["dev"].tokens[:n]
with threadpool_limits(threads, user_api="blas"):
    start = time.perf_counter()
    rows = model.predict_proba(tokens)
    seconds = time.perf_counter() - start
digest = hashlib.sha256(b"".join(np.ascontiguousarray(r, dtype=np.float32).tobytes() for r in rows)).hexdigest()
print(json.dumps({"tweets_per_s": n / seconds, "digest": digest}))
"""

BUSY = "while True: pass"


def tag_once(args: argparse.Namespace, threads: int, busy: bool) -> dict:
    """One cold pass in a fresh process, beside a busy-looping process when ``busy``."""
    burner = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
    try:
        command = [sys.executable, "-c", TAG, str(ROOT), str(args.models_dir / "strong_transformer")]
        done = subprocess.run(
            [*command, args.data_dir, str(args.tweets), str(threads)], capture_output=True, text=True, check=False
        )
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    if done.returncode != 0:
        raise SystemExit(f"tagging failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--tweets", type=int, default=100, help="WNUT16 dev tweets tagged per pass (default 100)")
    parser.add_argument("--repeats", type=int, default=2, help="fresh processes per variant (default 2)")
    args = parser.parse_args(argv)
    if not (args.models_dir / "strong_transformer").is_dir():
        print(f"no strong_transformer in {args.models_dir}; run `make reports` first", file=sys.stderr)
        return 1
    results = {}
    for busy in (False, True):
        for threads in (2, 1):
            runs = [tag_once(args, threads, busy) for _ in range(args.repeats)]
            rates = [run["tweets_per_s"] for run in runs]
            name = f"{'busy' if busy else 'quiet'}, OpenBLAS {threads} thread{'s' if threads > 1 else ''}"
            results[name] = {
                "tweets_per_s": round(statistics.median(rates), 1),
                "range": [round(min(rates), 1), round(max(rates), 1)],
                "digest": runs[0]["digest"][:16],
                "same_bits_every_run": len({run["digest"] for run in runs}) == 1,
            }
            low, high = results[name]["range"]
            print(f"{name:28} {results[name]['tweets_per_s']:7.1f} tweets/s ({low}-{high})  {results[name]['digest']}")
    print(json.dumps({"tweets": args.tweets, "repeats": args.repeats, "variants": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
