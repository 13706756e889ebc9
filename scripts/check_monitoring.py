"""Check the business summary's weekly false-alarm rates against an independent simulation.

    python scripts/check_monitoring.py reports/results/04_strong_models.json

Reads the strong model's recorded weekly plan (its alert levels and the per-tweet counts of
its dev and test predictions), draws fresh 200-tweet weeks with another seed, and prints,
for test-like and dev-like weeks, the share alerting on any labelled row next to what the
page states. The issue's bar: within 2 points.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from tweetner_utils.evaluation.monitoring import METRICS, alerts, metric_values, simulated_weeks


def simulated_rate(plan: dict, split: str, weeks: int, seed: int) -> float:
    drawn = simulated_weeks(plan["per_tweet"][split], weeks, plan["week_tweets"], seed)
    fired = np.zeros(weeks, dtype=bool)
    for metric, row in zip(METRICS, plan["rows"]):
        fired |= alerts(metric, metric_values(metric, drawn), row["level"])
    return float(fired.mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, help="04_strong_models.json")
    parser.add_argument("--weeks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    plan = json.loads(args.results.read_text())["models"]["strong"]["details"]["weekly_plan"]
    worst = 0.0
    for split in ("test", "dev"):
        stated, measured = plan["any_row_false_alarm"][split], simulated_rate(plan, split, args.weeks, args.seed)
        worst = max(worst, abs(stated - measured))
        print(
            f"{split}-like weeks of {plan['week_tweets']} tweets: page says {100 * stated:.1f}%, "
            f"independent simulation ({args.weeks:,} weeks) {100 * measured:.1f}%"
        )
    print(f"largest difference: {100 * worst:.2f} points ({'within' if worst < 0.02 else 'NOT within'} 2 points)")
    return 0 if worst < 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
