"""`tweetner predict` on long inputs: memory stays flat, every line comes out.

    python benchmarks/predict_stream.py [--lines 100000 1000000] [--model models/strong_crf] [--data-dir DIR]

Builds input files by cycling the WNUT16 test tweets (raw text lines, in a temporary
folder that is deleted afterwards: no tweets are kept), runs the command in a fresh
process for each size, samples the resident memory of its whole process tree (the
command and its workers) every 0.2 s, and checks that the output has one record per
input line. Prints a line per size, then one JSON line: peak memory per size, the ratio
of the largest to the smallest, and end-to-end lines per second.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import load_split  # noqa: E402


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        pending.extend(int(child) for child in children)
    return total / 1024


def run_once(lines: int, texts: list[str], model: str, data_dir: str, folder: Path) -> dict:
    source, target = folder / f"in_{lines}.txt", folder / f"out_{lines}.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for text in itertools.islice(itertools.cycle(texts), lines):
            out.write(text + "\n")
    command = [sys.executable, "-m", "tweetner_utils", "predict", "--model", model, "--no-progress"]
    command += ["--data-dir", data_dir, "-o", str(target), str(source)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    sampler.join()
    with target.open("rb") as written:
        records = sum(1 for _ in written)
    source.unlink()
    target.unlink()
    return {
        "lines": lines,
        "exit_code": code,
        "records_written": records,
        "peak_rss_mb": round(peak[0], 1),
        "seconds": round(seconds, 1),
        "lines_per_s": round(lines / seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--model", default=str(ROOT / "models" / "strong_crf"))
    parser.add_argument("--data-dir", default="")
    args = parser.parse_args(argv)
    texts = [" ".join(tweet.tokens) for tweet in load_split("test", args.data_dir or None)]
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for lines in sorted(args.lines):
            runs.append(run_once(lines, texts, args.model, args.data_dir, Path(folder)))
            print(runs[-1], flush=True)
    complete = all(r["exit_code"] == 0 and r["records_written"] == r["lines"] for r in runs)
    ratio = round(runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"], 3)
    print(json.dumps({"cpu_count": os.cpu_count(), "runs": runs, "peak_rss_ratio": ratio, "complete": complete}))
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
