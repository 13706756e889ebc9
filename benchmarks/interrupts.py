"""Ctrl-C at random moments of `tweetner predict` and `tweetner evaluate`: hangs, tracebacks, partial files.

    python benchmarks/interrupts.py [--predict-runs 20] [--evaluate-runs 10] [--lines 50000]
                                    [--model fast] [--data-dir DIR] [--seed 0]

Each command is first run once to the end (its wall time is printed); then each run starts
it in its own process group, waits a random time (seeded) between 0.1 s and 90% of that
wall time, so that start-up, model loading and tagging all get hit,
sends SIGINT to the whole group as a terminal's Ctrl-C does, and checks: the exit status
is 130, stderr has no traceback, the command ends within 60 s (else it counts as a hang
and is killed), and no output file (or temporary file) is left. `predict` tags
``--lines`` lines made of the WNUT16 test tweets' text with every core; `evaluate` scores
the WNUT16 test file. Prints one line per run, then one JSON line with the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tweetner_utils import data_path, load_split


def interrupted_run(argv: list[str], delay: float, output: Path | None) -> dict:
    """One run of ``argv`` stopped by SIGINT after ``delay`` seconds, and what it left."""
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    hang = False
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        hang = True
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    leftovers = [] if output is None else sorted(p.name for p in output.parent.glob(f"*{output.name}*"))
    return {
        "delay_s": round(delay, 2),
        "exit": process.returncode,
        "hang": hang,
        "traceback": "Traceback" in err,
        "left_files": leftovers,
        "finished_first": process.returncode == 0,
        "last_line": err.strip().splitlines()[-1] if err.strip() else "",
    }


def full_run_seconds(argv: list[str]) -> float:
    """Wall time of one uninterrupted run (output discarded)."""
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return round(time.perf_counter() - started, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predict-runs", type=int, default=20)
    parser.add_argument("--evaluate-runs", type=int, default=10)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--model", default="fast")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    test = load_split("test", args.data_dir or None)
    texts = [" ".join(t.tokens) for t in test]
    command = [sys.executable, "-m", "tweetner_utils.serving.cli"]
    model = ["--model", args.model] + (["--data-dir", args.data_dir] if args.data_dir else [])
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "tweets.txt"
        source.write_text("\n".join(texts[i % len(texts)] for i in range(args.lines)) + "\n", "utf-8")
        gold = str(data_path("wnut16/test", args.data_dir or None))
        plan = [("predict", n) for n in range(args.predict_runs)] + [("evaluate", n) for n in range(args.evaluate_runs)]
        inputs = {"predict": [str(source)], "evaluate": [gold]}
        full = {name: full_run_seconds([*command, name, *model, *inputs[name]]) for name in inputs}
        print(json.dumps({"uninterrupted_wall_seconds": full}), flush=True)
        for name, number in plan:
            output = Path(folder) / f"{name}{number}.out"
            argv_run = [*command, name, *model, "-o", str(output), *inputs[name]]
            run = interrupted_run(argv_run, rng.uniform(0.1, 0.9 * full[name]), output)
            runs.append({"command": name, **run})
            print(json.dumps(runs[-1]), flush=True)
    counts = {
        name: {
            "runs": sum(r["command"] == name for r in runs),
            "exit_130": sum(r["command"] == name and r["exit"] == 130 for r in runs),
            "hangs": sum(r["command"] == name and r["hang"] for r in runs),
            "tracebacks": sum(r["command"] == name and r["traceback"] for r in runs),
            "partial_outputs": sum(r["command"] == name and r["exit"] != 0 and bool(r["left_files"]) for r in runs),
            "finished_before_ctrl_c": sum(r["command"] == name and r["finished_first"] for r in runs),
        }
        for name in ("predict", "evaluate")
    }
    print(json.dumps(counts))
    bad = any(
        c["hangs"] or c["tracebacks"] or c["partial_outputs"] or c["exit_130"] + c["finished_before_ctrl_c"] < c["runs"]
        for c in counts.values()
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
