"""Rehearse the review loop without reviewers: answer a Label Studio review queue as if
people had reviewed it, and write what Label Studio's JSON export would then hold.

    tweetner review export --all --input-format conll -o queue.json dev_2015
    python scripts/simulated_review.py --gold dev_2015 queue.json export.json   # reviewers type the gold tags
    python scripts/simulated_review.py queue.json export.json                   # reviewers accept every prediction
    tweetner review import -o reviewed.conll export.json

With ``--gold`` (the CoNLL file the queue was exported from, ``--input-format conll``), each
task is annotated with that file's tags for the tweet (tasks name their tweet by its number
in the file); without it, each task's prediction is accepted unchanged, as a reviewer
clicking "accept" would.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tweetner_utils.atomic_files import atomic_write_text
from tweetner_utils.data.annotation_tools import FROM_NAME, TO_NAME
from tweetner_utils.data.conll import read_conll
from tweetner_utils.data.labels import bio_spans

ANNOTATED_AT = "2026-11-26T12:00:00.000000Z"


def gold_result(tokens: list[str], tags: list[str], text: str) -> list[dict]:
    """Label Studio regions for the gold entities of a tweet whose text is its tokens joined by spaces."""
    if text != " ".join(tokens):
        raise ValueError(f"the task text {text[:40]!r} is not the gold tweet's tokens joined by spaces")
    starts = [sum(len(t) + 1 for t in tokens[:i]) for i in range(len(tokens))]
    regions = []
    for number, (kind, first, last) in enumerate(bio_spans(tags)):
        start, end = starts[first], starts[last] + len(tokens[last])
        value = {"start": start, "end": end, "text": text[start:end], "labels": [kind]}
        regions.append(
            {"id": f"g{number}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels", "value": value}
        )
    return regions


def simulated_export(queue: list[dict], gold: Path | None) -> list[dict]:
    """The queue's tasks with one completed annotation each, ids as Label Studio assigns them."""
    tweets = read_conll(gold).tweets if gold is not None else ()
    export = []
    for number, task in enumerate(queue, start=1):
        data = task["data"]
        if gold is not None:
            tweet = tweets[int(data["tweet_id"]) - 1]
            result = gold_result(list(tweet.tokens), list(tweet.tags), data["text"])
        else:
            result = task["predictions"][0]["result"]
        annotation = {
            "id": number,
            "completed_by": 1,
            "result": result,
            "was_cancelled": False,
            "ground_truth": False,
            "created_at": ANNOTATED_AT,
            "updated_at": ANNOTATED_AT,
            "lead_time": 1.0,
        }
        export.append({"id": number, "data": data, "annotations": [annotation], "predictions": task["predictions"]})
    return export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queue", type=Path, help="the JSON `tweetner review export --format label-studio` wrote")
    parser.add_argument("output", type=Path, help="where the simulated Label Studio export goes")
    parser.add_argument("--gold", type=Path, help="the CoNLL file the queue came from: annotate with its tags")
    args = parser.parse_args(argv)
    export = simulated_export(json.loads(args.queue.read_text(encoding="utf-8")), args.gold)
    atomic_write_text(args.output, json.dumps(export, ensure_ascii=False, indent=1))
    print(f"wrote {len(export)} annotated tasks to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
