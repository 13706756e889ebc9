"""The ``tweetner`` command line: its commands, their options and the help text."""

from __future__ import annotations

import argparse
import os
from typing import Any

from . import evaluate_command, predict_command, review_command

EPILOG = """\
examples:
  echo "Watching the Seahawks at CenturyLink Field" | tweetner predict
  tweetner predict --input-format jsonl -o tagged.jsonl tweets.jsonl
  tweetner predict --model fast --workers 2 tweets.txt > tagged.jsonl
  tweetner predict --input-format conll --output-format conll dev.conll
  tweetner predict --model fast tweets_by_day/ -o tagged_by_day/
  tweetner predict --dask-scheduler tcp://10.0.0.5:8786 tweets_by_day/ -o tagged_by_day/
  tweetner evaluate -o pred.txt gold.conll && perl conlleval.pl < pred.txt
  tweetner review export --format label-studio -o queue.json tweets.txt
  tweetner review import -o reviewed.conll label-studio-export.json

input formats (--input-format):
  text   one tweet per line, raw text (UTF-8); the default
  jsonl  one JSON object per line: {"id": any JSON value (default: the line number),
         "text": "the tweet"}; other fields are ignored
  conll  tokens one per line, a blank line between tweets; a tag column is ignored

output formats (--output-format):
  jsonl  one object per tweet: {"id": ..., "text": ..., "entities": [{"text": "CenturyLink
         Field", "type": "facility", "start": 27, "end": 43, "confidence": 0.91}]};
         start/end are offsets in Unicode code points (Python string indices) into
         "text", end exclusive; normalise text to NFC if another program counts otherwise
  conll  "token tag" lines, a blank line between tweets

models (--model): 'best' (default) the strong model chosen on dev; 'fast' the model dev
chose among those that tag thousands of tweets a second (the knowledge CRF, the BiLSTM-CRF
and their students, which learnt from tweets the best model tagged); 'crf' the knowledge
CRF alone; or a model folder, or a folder of them. The
names look in --models-dir, else $TWEETNER_MODELS_DIR, else the checkout's models/
(written by `make reports`); anything else is a path (./best for a folder named best).
The model's test F1 is printed on stderr.

exit status: 0 done; 1 some input lines could not be tagged (every other line was
written; --skip-invalid makes it 0); 2 nothing could be done (the error is printed);
130 interrupted (Ctrl-C); 141 the reader of standard output went away.
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tweetner")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _workers(value: str) -> int:
    """``--workers``: 1 up to the number of cores."""
    cores = os.cpu_count() or 1
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if not 1 <= number <= cores:
        raise argparse.ArgumentTypeError(f"must be between 1 and {cores} (the cores of this machine), not {number}")
    return number


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="tweetner",
        description="Tag named entities in tweets, or score a model on labelled tweets.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--version", action="version", version=f"tweetner {_version()}")
    commands = command.add_subparsers(required=True, metavar="COMMAND")
    predict = _subcommand(
        commands,
        "predict",
        "tag tweets: text lines, JSONL or CoNLL in; JSONL or CoNLL out",
        "Tag tweets, with the formats and examples below.",
    )
    predict.add_argument(
        "input",
        nargs="?",
        default="-",
        help="input file (default: standard input), or a folder: each .txt/.jsonl/.conll file in it is tagged into "
        "a file of the same name in the -o folder",
    )
    _model_arguments(predict)
    predict.add_argument(
        "--input-format",
        choices=("text", "jsonl", "conll"),
        help="text: a tweet per line (the default; refused when line 1 is JSONL, unless given "
        "explicitly); jsonl: {'id', 'text'} objects; conll: tokens, blank line between tweets",
    )
    predict.add_argument(
        "--output-format",
        choices=("jsonl", "conll"),
        default="jsonl",
        help="jsonl: entities with code-point offsets (default); conll: 'token tag' lines",
    )
    predict.add_argument(
        "-o",
        "--output",
        default="-",
        help="output file, written atomically (default: stdout); a folder when INPUT is a folder",
    )
    predict.add_argument("--skip-invalid", action="store_true", help="warn about bad lines and exit 0")
    predict.add_argument(
        "--workers",
        type=_workers,
        help=f"worker processes, 1 to {os.cpu_count() or 1} (default: every core for a CRF, else 1)",
    )
    predict.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="tag a folder (INPUT a folder, -o a folder) on the Dask cluster whose scheduler is at ADDRESS, "
        "e.g. tcp://10.0.0.5:8786; workers must see the same paths (shared file system)",
    )
    predict.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="progress bar on standard error (default: when it is a terminal)",
    )
    predict.set_defaults(run=predict_command.predict)
    evaluate = _subcommand(
        commands,
        "evaluate",
        "score a model on a labelled CoNLL file",
        "Entity precision, recall and F1 (exact span and type, as conlleval) on a labelled CoNLL file.",
    )
    evaluate.add_argument("gold", help="labelled CoNLL file: 'token<TAB or space>tag' lines, blank line between tweets")
    _model_arguments(evaluate)
    evaluate.add_argument(
        "-o", "--output", help="write 'token gold pred' lines here, single-space separated (conlleval.pl input)"
    )
    evaluate.add_argument(
        "--repair",
        action="store_true",
        help="read IOB1-style gold (an entity starting with I-) as B-, and say how many",
    )
    evaluate.add_argument(
        "--type-map",
        metavar="FILE",
        help="score a corpus whose types differ from the model's: TSV lines 'model_type<TAB>corpus_type' (several "
        "model types may map to one corpus type), or a built-in map: wnut16_to_wnut17, wnut17_to_wnut16; types no "
        "line relates are left out of the score, and said",
    )
    evaluate.set_defaults(run=evaluate_command.evaluate)
    _review_commands(commands)
    return command


def _review_commands(commands: Any) -> None:
    review = commands.add_parser(
        "review",
        help="export uncertain tweets to Label Studio or doccano; import the reviewed annotations as CoNLL",
        description="The human review loop: `review export` writes the tweets people should check, with the "
        "model's entities as pre-annotations; `review import` turns the tool's export into CoNLL for "
        "`run_all.py --extra-train`.",
    )
    steps = review.add_subparsers(required=True, metavar="STEP")
    export = steps.add_parser(
        "export",
        help="tag tweets; write those with an entity below the auto-accept threshold, plus a sample of the rest",
        description="Tag the input (as `predict` reads it) and write the review queue: every tweet holding an "
        "entity below the model's dev-chosen auto-accept threshold, plus a random sample of tweets in which "
        "nothing was found (where the misses are). Beside the output goes the tool's project set-up: "
        "QUEUE.label_config.xml (Label Studio) or QUEUE.labels.json (doccano), for -o QUEUE.json or QUEUE.jsonl.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("input", help="tweets: text lines, JSONL or CoNLL (see `tweetner predict --help`)")
    _model_arguments(export)
    export.add_argument("--input-format", choices=("text", "jsonl", "conll"), default="text")
    export.add_argument("--format", choices=("label-studio", "doccano"), default="label-studio", dest="tool")
    export.add_argument(
        "-o", "--output", required=True, help="the queue file (JSON for Label Studio, JSONL for doccano)"
    )
    export.add_argument(
        "--threshold",
        type=_share,
        help="auto-accept confidence, 0 to 1 (default: the one the model's run chose on dev, from its metadata)",
    )
    export.add_argument(
        "--sample-empty",
        type=_share,
        default=None,
        metavar="SHARE",
        help="share of the tweets with nothing found to add, 0 to 1 (default 0.05)",
    )
    export.add_argument("--all", action="store_true", help="send every tweet (a full annotation pass)")
    export.add_argument(
        "--budget",
        type=_positive,
        metavar="N",
        help="instead of the review queue, the N tweets to label next (active learning; see --strategy)",
    )
    export.add_argument(
        "--strategy",
        choices=LABELLING_STRATEGIES,
        help="with --budget, how the N tweets are chosen: at random, by the review queue's rule (lowest entity"
        " confidence) or by token uncertainty (default: the one the model's run found best, from its metadata)",
    )
    export.add_argument("--skip-invalid", action="store_true", help="warn about unreadable input lines and exit 0")
    export.add_argument("--seed", type=int, default=42, help="seed of the random sample (default 42)")
    export.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, help="progress bar (default: when stderr is a terminal)"
    )
    export.set_defaults(run=review_command.review_export)
    imported = steps.add_parser(
        "import",
        help="read a Label Studio JSON or doccano JSONL export; write strict CoNLL",
        description="Read the reviewed annotations and write CoNLL with a '# id = TWEET' line per tweet. "
        "A span that cuts a token, lies outside its text, overlaps another or has an unknown label is "
        "reported with its task id and nothing is written. Several annotations of one task: Label "
        "Studio's ground-truth one wins, else the one updated last; for doccano (one export file per "
        "annotator) the file named last. Skipped annotations are ignored; unreviewed tasks are left out.",
    )
    imported.add_argument("exports", nargs="+", metavar="EXPORT", help="the tool's export file(s)")
    imported.add_argument(
        "--format",
        choices=("label-studio", "doccano"),
        dest="tool",
        help="default: label-studio for .json, doccano for .jsonl",
    )
    imported.add_argument("-o", "--output", required=True, help="the CoNLL file to write (atomically)")
    imported.add_argument(
        "--model",
        help="the model whose entity types the annotations may use: 'best' (default), 'fast' or a model folder",
    )
    _models_dir_argument(imported)
    imported.set_defaults(run=review_command.review_import)


LABELLING_STRATEGIES = ("random", "confidence", "uncertainty")
"""``evaluation.active_learning.STRATEGIES``, spelled out: importing it would load NumPy at
every start of the command (a test keeps the two equal)."""


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, not {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number


def _subcommand(commands: Any, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A subcommand whose help ends with the examples, formats and exit statuses."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        help="'best' (default), 'fast', a model folder or a folder of them (relative to the current folder)",
    )
    _models_dir_argument(parser)
    parser.add_argument(
        "--data-dir",
        default="",
        help="folder with the gazetteers and clusters the models look up (default: $TWEETNER_DATA_DIR, "
        "then the download cache)",
    )


def _models_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models-dir",
        metavar="DIR",
        help="the folder 'best' and 'fast' name models in (default: $TWEETNER_MODELS_DIR, else the checkout's "
        "models/, which `make reports` writes)",
    )
