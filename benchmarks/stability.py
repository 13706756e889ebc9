"""Seed stability: the leading model over seeds (``--leader``), or the fine-tuned MiniLM alone.

    python benchmarks/stability.py --leader [--seeds 42 7 123] [--corpus wnut16] [--data-dir DIR]
    python benchmarks/stability.py --leader --seeds 7 123 --with-reports reports/results/04_strong_models.json
    python benchmarks/stability.py --leader --with-record benchmarks/results/leader_seeds_wnut16.json
    python benchmarks/stability.py [--seeds 11 21 42] [--max-epochs 8] [--data-dir DIR]

``--leader`` runs the whole strong-model protocol of ``04_strong_models`` once per seed (every
candidate fit on train and scored on dev, the students taught from the unlabelled tweets as 04
teaches them, the ensemble chosen on dev, the choice refit on train + dev) and scores each
final model once on test: how far the seed alone moves the leading model's test F1, dev choice
included. It takes about as long as ``04_strong_models`` per seed (80-110 minutes on 2 cores
since the students; teacher labels come from the cache 04 fills when the seed's teacher is
the same model, which for another seed it is not). Its record goes to
``benchmarks/results/leader_seeds_<corpus>.json``, which the 04 and 05 reports quote next to
this run's F1; under portable numerics the run with the reports' seed reproduces their F1
exactly, which is how the reports know the record is of their configuration.
``--with-reports`` adds the run a ``make reports`` of the same commit recorded (its seed, its
choice, its test F1) instead of training that seed again; ``--with-record`` adds the runs of a
record this benchmark wrote before, so that seeds can be run in several sittings. Without
``--seeds`` it trains the default seeds that neither holds; a seed held twice is an error. A
sitting of one run writes with ``--out-dir benchmarks/results/partial``, which the reports do
not read (a spread needs two runs).

Without ``--leader`` it fine-tunes the transformer tagger on ``train`` once per seed (early
stopping on dev) and scores dev and test, about 4 minutes per seed. The CRF needs no such run:
L-BFGS training has no random start. Prints one line per seed, then one JSON line with mean,
standard deviation and the instability flag.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_corpora, numerics  # noqa: E402
from tweetner_utils.atomic_files import atomic_write_text  # noqa: E402
from tweetner_utils.data.labels import LabelSet  # noqa: E402
from tweetner_utils.data.unlabelled import load_unlabelled  # noqa: E402
from tweetner_utils.data.word_vectors import glove_vectors  # noqa: E402
from tweetner_utils.evaluation.stability import (  # noqa: E402
    FAST_SCORE,
    LEADER_SCORE,
    seed_runs,
    seed_spread_path,
    summarise,
)
from tweetner_utils.models import selection  # noqa: E402
from tweetner_utils.models.teacher_labels import default_cache  # noqa: E402
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger  # noqa: E402
from tweetner_utils.pipeline.config import HeldOutConfig, StrongConfig  # noqa: E402
from tweetner_utils.pipeline.steps import quick_strong_config  # noqa: E402
from tweetner_utils.reporting import strong_models  # noqa: E402

LEADER_SEEDS = [42, 7, 123]
"""The reports' seed first, so that its run checks the record against the reports."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leader", action="store_true", help="the whole 04 protocol per seed (the leading model)")
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--max-epochs", type=int, default=TransformerSettings.max_epochs)
    parser.add_argument("--corpus", default=StrongConfig.corpus)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--quick", action="store_true", help="the synthetic corpus and the quick run's settings")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--with-reports", type=Path, metavar="JSON", help="04_strong_models.json of a run of this commit: its run joins"
    )
    parser.add_argument(
        "--with-record",
        type=Path,
        action="append",
        default=[],
        metavar="JSON",
        help="a record this benchmark wrote before (leader_seeds_<corpus>.json): its runs join, so the seeds "
        "can be run over several sittings",
    )
    args = parser.parse_args(argv)
    if args.leader:
        config = quick_strong_config() if args.quick else StrongConfig(corpus=args.corpus, data_dir=args.data_dir)
        joined = [reported_run(args.with_reports)] if args.with_reports else []
        joined += [run for path in args.with_record for run in recorded_runs(path, recorded_corpus(config))]
        seeds = seeds_to_train(args.seeds, joined)
        command = " ".join(
            ["python benchmarks/stability.py --leader", *(["--seeds", *map(str, seeds)] if seeds else [])]
            + (["--with-reports", args.with_reports.name] if args.with_reports else [])
            + [f"--with-record {path.name}" for path in args.with_record]
        )
        return leader(seeds, config, args.out_dir, joined, command)
    return minilm(args.seeds or HeldOutConfig().stability_seeds, args.max_epochs, args.data_dir)


def reported_run(path: Path) -> dict:
    """The leading model's run as ``04_strong_models`` recorded it (its seed, choice and test F1)."""
    try:
        results = json.loads(path.read_text("utf-8"))
        strong, fast = results["models"]["strong"], results["models"]["fast"]
        return {
            "seed": int(results["config"]["seed"]),
            "chosen": results["headline"]["chosen on dev"],
            LEADER_SCORE: float(strong["splits"]["test"]["entity"]["f1"]),
            FAST_SCORE: float(fast["splits"]["test"]["entity"]["f1"]),
            "source": f"{path.name} of make reports",
        }
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"stability.py: {path}: not a 04_strong_models results file ({_named(error)})") from None


def recorded_runs(path: Path, corpus: str) -> list[dict]:
    """The runs of a record this benchmark wrote before, each saying where it came from."""
    try:
        record = json.loads(path.read_text("utf-8"))
        found, commit = record["corpus"], str(record.get("commit", "unknown"))
        runs = [{**run, "seed": int(run["seed"]), LEADER_SCORE: float(run[LEADER_SCORE])} for run in record["runs"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"stability.py: {path}: not a seed-spread record ({_named(error)})") from None
    if found != corpus:
        raise SystemExit(f"stability.py: {path} records the leading model on {found}, not on {corpus}")
    return [{"source": f"{path.name} at commit {commit[:10]}", **run} for run in runs]


def seeds_to_train(asked: list[int] | None, joined: list[dict]) -> list[int]:
    """The seeds asked for, else the default seeds that no joined run has; a seed counts once,
    so one that two sources hold is an error, not a second vote."""
    done = [int(run["seed"]) for run in joined]
    twice = sorted({seed for seed in done if done.count(seed) > 1} | (set(done) & set(asked or [])))
    if twice:
        raise SystemExit(f"stability.py: seed(s) {twice} recorded more than once: a seed counts once in a spread")
    return list(asked) if asked else [seed for seed in LEADER_SEEDS if seed not in done]


def _named(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def recorded_corpus(config: StrongConfig) -> str:
    """The corpus a record names: the quick run's settings keep WNUT16's name but train on the
    synthetic corpus, and a record must not pass for a real one."""
    return "synthetic" if config.quick else config.corpus


def leader(seeds: list[int], config: StrongConfig, out_dir: Path, joined: list[dict], command: str) -> int:
    """The 04 protocol once per seed; records every run (``joined`` first) and the spread of test F1."""
    corpora = load_corpora(config.quick, config.seed, config.data_dir, config.corpus)
    corpus = recorded_corpus(config)
    resources = selection.knowledge_resources(config, quick=config.quick, data_dir=config.data_dir)
    vectors = glove_vectors() if config.bilstm_crf else None
    held_out = {split: tweets.tokens for split, tweets in corpora.items()}
    runs = list(joined)
    for seed in seeds:
        started = time.perf_counter()
        seeded = replace(config, seed=seed)
        unlabelled = load_unlabelled(seeded.quick, seed, seeded.data_dir, held_out) if seeded.unlabelled_sizes else None
        model = selection.train_strong_model(
            corpora,
            seeded,
            resources,
            vectors,
            log=lambda line, s=seed: print(f"seed {s}: {line}", flush=True),
            unlabelled=unlabelled,
            teacher_cache=default_cache(seeded.teacher_cache_dir),
        )
        test = corpora["test"]
        runs.append(
            {
                "seed": seed,
                "chosen": strong_models.describe_choice(model),
                LEADER_SCORE: entity_scores(test.tags, model.final.predict(test.tokens)).overall.f1,
                FAST_SCORE: entity_scores(test.tags, model.fast.predict(test.tokens)).overall.f1,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        print(json.dumps(runs[-1]), flush=True)
    import pandas as pd

    record = {
        "model": "the leading model of 04_strong_models, chosen on dev anew for each seed",
        "corpus": corpus,
        "command": command,
        "commit": _commit(),
        "finished_at_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "cpu": numerics.this_cpu().model,
        "numerics": numerics.recorded(),
        "runs": runs,
        "test": summarise(pd.DataFrame(runs), LEADER_SCORE),
    }
    path = seed_spread_path(out_dir, corpus)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(json.dumps({"written": str(path), **record["test"]}))
    return 0


def minilm(seeds: list[int], max_epochs: int, data_dir: str) -> int:
    """The transformer tagger alone, fine-tuned on train once per seed."""
    corpora = load_corpora(False, 42, data_dir)
    train, dev = corpora["train"], corpora["dev"]
    labels = LabelSet.from_tags(train.tags).labels

    def fit(seed: int) -> TransformerTagger:
        tagger = TransformerTagger(TransformerSettings(max_epochs=max_epochs, seed=seed), labels)
        return tagger.fit(
            train.tokens,
            train.tags,
            validation=(dev.tokens, dev.tags),
            progress=lambda line: print(f"seed {seed}: {line}", flush=True),
        )

    runs = seed_runs(fit, {"dev": corpora["dev"], "test": corpora["test"]}, seeds)
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


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
