"""tweetner: tag new tweets (predict), score a model on labelled CoNLL (evaluate), or send
uncertain tweets to people and bring their corrections back (review export / review import).

Bad input lines are reported one by one on stderr with their line number; the good lines
are still tagged and written. Output files are written atomically: after an error or
Ctrl-C the file is absent or keeps its previous content, never half a result.

Only the standard library is imported before ``main`` runs, so that Ctrl-C during start-up
is handled like Ctrl-C at any other moment (one line, exit 130, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .streams import Item, open_input, read_items, tag_items

if TYPE_CHECKING:
    from ..data.type_maps import TypeMap
    from .api import TweetTagger
    from .folders import FileResult

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a Unix tool killed by a closed pipe reports (``yes | head``)."""

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

models (--model): 'best' (default) the strong model chosen on dev; 'fast' the knowledge
CRF alone (thousands of tweets a second); or a model folder, or a folder of them. A
relative path is taken from the current folder; the names refer to the project's models/
(written by `make reports`). The model's test F1 is printed on stderr.

exit status: 0 done; 1 some input lines could not be tagged (every other line was
written; --skip-invalid makes it 0); 2 nothing could be done (the error is printed);
130 interrupted (Ctrl-C); 141 the reader of standard output went away.
"""


@dataclass
class Progress:
    """What has reached the user so far, for an honest message when the run is stopped, and
    whether Ctrl-C came: some libraries swallow ``KeyboardInterrupt`` in their imports
    (``except:`` around an optional import), so the flag is checked again at safe points."""

    stdout_lines: int = 0
    output_path: str | None = None
    output_folder: str | None = None
    files_written: int = 0
    interrupted: bool = False

    def on_interrupt(self, signum: int, frame: object) -> None:
        self.interrupted = True
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C came and was swallowed on the way."""
        if self.interrupted:
            raise KeyboardInterrupt


def run() -> None:
    """The ``tweetner`` program: :func:`main`, then exit with its status.

    A Ctrl-C after :func:`main` returned (the output is complete) is ignored: it used to
    interrupt the interpreter's exit with a traceback. After an interrupted run the process
    ends with ``os._exit``: CPython 3.11 remembers a
    KeyboardInterrupt raised inside some C-level imports (numpy, scikit-learn) even once it
    is handled, and would then kill itself with SIGINT at exit (status -2, not 130). The
    output is flushed and every file closed by then.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # main() handles Ctrl-C; once it returns, the work is done
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    progress = Progress()
    previous = signal.signal(signal.SIGINT, progress.on_interrupt)
    try:
        args = _parser().parse_args(argv)
        progress.output_path = None if args.output in (None, "-") else args.output
        return args.run(args, progress)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the message
        print(f"tweetner: interrupted; {_what_was_written(progress)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        from ..exceptions import TweetnerError

        if not isinstance(exc, TweetnerError | OSError | ValueError):
            raise
        print(f"tweetner: error: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGINT, previous)  # callers in Python get their handler back


def _what_was_written(progress: Progress) -> str:
    if progress.output_folder is not None:
        return (
            f"{progress.files_written} file(s) in {progress.output_folder} are complete; "
            "the others were not written (each output file is whole or absent)"
        )
    if progress.output_path is not None:
        return f"{progress.output_path} was not written (an existing file keeps its content)"
    if progress.stdout_lines:
        return f"at least {progress.stdout_lines} tagged line(s) had already been written to standard output"
    return "nothing was written"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tweetner",
        description="Tag named entities in tweets, or score a model on labelled tweets.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tweetner {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
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
    predict.set_defaults(run=_predict)
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
    evaluate.set_defaults(run=_evaluate)
    _review_commands(commands)
    return parser


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
        "OUTPUT.label_config.xml (Label Studio) or OUTPUT.labels.json (doccano).",
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
    export.add_argument("--skip-invalid", action="store_true", help="warn about unreadable input lines and exit 0")
    export.add_argument("--seed", type=int, default=42, help="seed of the random sample (default 42)")
    export.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, help="progress bar (default: when stderr is a terminal)"
    )
    export.set_defaults(run=_review_export)
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
    imported.set_defaults(run=_review_import)


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, not {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number


def _review_export(args: argparse.Namespace, progress: Progress) -> int:
    from ..exceptions import UsageError
    from . import review
    from .api import load_tagger

    if args.all and (args.threshold is not None or args.sample_empty is not None):
        raise UsageError("--all sends every tweet: it takes no --threshold or --sample-empty")
    check_output_path(args.output, [args.input])
    with open_input(args.input, sys.stdin.buffer) as source:
        read = list(read_items(source, args.input_format, args.input))
    bad = [r for r in read if not isinstance(r, Item)]
    for error in bad:
        print(f"tweetner: {'warning' if args.skip_invalid else 'error'}: {args.input}: {error}", file=sys.stderr)
    items = [r for r in read if isinstance(r, Item)]
    if not items:
        raise UsageError(f"{args.input}: no tweet could be read")
    with load_tagger(args.model, args.data_dir) as tagger:
        _announce(tagger)
        threshold = (
            None if args.all else args.threshold if args.threshold is not None else review.model_threshold(tagger)
        )
        share = review.DEFAULT_EMPTY_SHARE if args.sample_empty is None else args.sample_empty
        bar = _progress_bar(args)

        def tagged(done: int) -> None:
            progress.check()
            bar.update(done - bar.n)

        queue, summary = review.review_queue(tagger, items, threshold, share, args.seed, progress=tagged)
        bar.close()
    progress.check()
    setup = review.write_queue(queue, args.tool, args.output, tagger.entity_types, tagger.name)
    print(f"tweetner: {summary.describe()}", file=sys.stderr)
    print(f"tweetner: wrote {len(queue)} tasks to {args.output} and the project set-up to {setup}", file=sys.stderr)
    if bad:
        print(f"tweetner: {len(bad)} input line(s) could not be read and are not in the queue", file=sys.stderr)
    return 1 if bad and not args.skip_invalid else 0


def _review_import(args: argparse.Namespace, progress: Progress) -> int:
    from ..data.annotation_tools import DOCCANO, LABEL_STUDIO, read_doccano_exports, read_label_studio_export
    from ..data.conll import write_conll
    from ..exceptions import UsageError
    from ..models.loading import saved_entity_types
    from .api import model_folder

    check_output_path(args.output, args.exports)
    types = saved_entity_types(model_folder(args.model))
    tool = args.tool or (DOCCANO if all(e.endswith(".jsonl") for e in args.exports) else LABEL_STUDIO)
    if tool == DOCCANO:
        reviewed = read_doccano_exports(args.exports, types)
    elif len(args.exports) > 1:
        raise UsageError("a Label Studio export is one JSON file holding every annotator's annotations: give one")
    else:
        reviewed = read_label_studio_export(args.exports[0], types)
    if not reviewed.tweets:
        raise UsageError(
            f"no reviewed tweets in {', '.join(args.exports)} ({len(reviewed.not_reviewed)} tasks not reviewed yet)"
        )
    progress.check()
    write_conll(args.output, reviewed.tweets)
    print(f"tweetner: wrote {len(reviewed.tweets)} reviewed tweets to {args.output}", file=sys.stderr)
    if reviewed.not_reviewed:
        print(f"tweetner: {len(reviewed.not_reviewed)} task(s) not reviewed yet, left out", file=sys.stderr)
    if reviewed.conflicts:
        shown = ", ".join(reviewed.conflicts[:10]) + (" ..." if len(reviewed.conflicts) > 10 else "")
        print(
            f"tweetner: {len(reviewed.conflicts)} task(s) with disagreeing annotations (the rule chose one): {shown}",
            file=sys.stderr,
        )
    return 0


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
    parser.add_argument(
        "--data-dir",
        default="",
        help="folder with the gazetteers and clusters the models look up (default: $TWEETNER_DATA_DIR, "
        "then the download cache)",
    )


def _predict(args: argparse.Namespace, progress: Progress) -> int:
    from ..exceptions import UsageError
    from .api import load_tagger

    if args.input != "-" and Path(args.input).is_dir():
        return _predict_folder(args, progress)
    if args.dask_scheduler:
        raise UsageError("--dask-scheduler tags a folder of files: give an input folder and -o an output folder")
    check_output_path(args.output, [args.input])
    source = open_input(args.input, sys.stdin.buffer)
    progress.check()
    with source, load_tagger(args.model, args.data_dir, args.workers) as tagger, _output(args.output) as out:
        progress.check()
        _announce(tagger)
        bar = _progress_bar(args)

        def before_each() -> None:
            progress.check()
            bar.update(1)

        def on_error(error: Exception) -> None:
            bar.write(f"tweetner: {'warning' if args.skip_invalid else 'error'}: {error}", file=sys.stderr)

        def on_line() -> None:
            if args.output == "-":
                progress.stdout_lines += 1

        items = read_items(source, args.input_format, args.input)
        errors = tag_items(tagger, items, out, args.output_format, on_error, before_each, on_line)
        bar.close()
        progress.check()  # before the output file is moved into place
    if errors:
        print(f"tweetner: {errors} input line(s) could not be tagged; all other lines were written", file=sys.stderr)
    return 1 if errors and not args.skip_invalid else 0


def _predict_folder(args: argparse.Namespace, progress: Progress) -> int:
    """One output file per input file, tagged here or on the Dask cluster ``--dask-scheduler`` names."""
    from ..exceptions import UsageError
    from .api import load_tagger, model_folder
    from .folders import plan_folder, tag_folder, tag_folder_on_dask

    if args.output == "-":
        raise UsageError(f"{args.input}: is a folder; give -o OUT_DIR, the folder for the tagged files (one per input)")
    if args.dask_scheduler and args.workers:
        raise UsageError("--workers counts processes on this machine; on a Dask cluster each worker tags its own files")
    tasks, skipped = plan_folder(args.input, args.output, args.input_format, args.output_format)
    for path in skipped:
        print(f"tweetner: skipping {path}: its suffix names no input format (see --input-format)", file=sys.stderr)
    progress.output_path, progress.output_folder = None, args.output
    if not args.dask_scheduler:
        with load_tagger(args.model, args.data_dir, args.workers) as tagger:
            _announce(tagger)
            return _report_files(tag_folder(tasks, tagger, args.output_format), len(tasks), args, progress)
    folder = model_folder(args.model).resolve()
    if not folder.is_dir():
        raise UsageError(f"--model {args.model}: no model folder at {folder}")
    data_dir = str(Path(args.data_dir).resolve()) if args.data_dir else ""
    print(f"tweetner: tagging {len(tasks)} file(s) on the Dask cluster at {args.dask_scheduler}", file=sys.stderr)
    found = tag_folder_on_dask(tasks, args.dask_scheduler, args.output_format, str(folder), data_dir, progress.check)
    return _report_files(found, len(tasks), args, progress)


def _report_files(results: Iterator[FileResult], total: int, args: argparse.Namespace, progress: Progress) -> int:
    """A line per file as it is done, its bad lines named; the exit status of the whole folder."""
    line_errors = failed = 0
    announced = not args.dask_scheduler
    for done, result in enumerate(results, start=1):
        progress.check()
        if not announced and result.model:
            print(f"tweetner: model {result.model} (on the cluster)", file=sys.stderr)
            announced = True
        level = "warning" if args.skip_invalid and result.written else "error"
        for error in result.errors:
            print(f"tweetner: {level}: {error}", file=sys.stderr)
        if result.written:
            progress.files_written += 1
            line_errors += len(result.errors)
            outcome = f"{result.task.target}, {result.tweets:,} tweet(s)"
        else:
            failed += 1
            outcome = "not written"
        print(f"tweetner: [{done}/{total}] {result.task.source} -> {outcome}", file=sys.stderr)
    if line_errors or failed:
        print(
            f"tweetner: {line_errors} input line(s) could not be tagged, {failed} file(s) could not be read; "
            "every other line was written",
            file=sys.stderr,
        )
    return 1 if failed or (line_errors and not args.skip_invalid) else 0


def _announce(tagger: TweetTagger) -> None:
    """Which model tags, and how good it was on its corpus's test set, so that no output is anonymous."""
    print(f"tweetner: model {tagger.description}", file=sys.stderr)


def _progress_bar(args: argparse.Namespace) -> Any:
    """Tweets read so far on standard error; shown on a terminal unless --progress/--no-progress says otherwise."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if args.progress is None else args.progress
    return tqdm(desc="tagging", unit=" tweets", file=sys.stderr, disable=not show, mininterval=0.5)


def _evaluate(args: argparse.Namespace, progress: Progress) -> int:
    from ..data.conll import read_conll, tweet_fingerprints
    from ..data.corpora import check_types
    from ..metrics import entity_scores, write_conlleval_file
    from .api import load_tagger

    if args.output:
        check_output_path(args.output, [args.gold])
    progress.check()
    gold = read_conll(args.gold, repair=args.repair)
    if gold.repaired:
        print(f"tweetner: repaired {gold.repaired} tag(s) of {args.gold}: I- starting an entity read as B-")
    with load_tagger(args.model, args.data_dir) as tagger:
        type_map = _type_map(args.type_map, tagger.entity_types) if args.type_map else None
        if type_map is None:
            check_types(gold, tagger.entity_types, "is not one this model tags ({known}); map types with --type-map")
        _announce(tagger)
        progress.check()
        predicted, _ = tagger.tag_tokens(gold.tokens)
    progress.check()
    _warn_about_training_overlap(tagger.metadata, tweet_fingerprints(gold.tokens), args.gold)
    gold_tags, predicted = type_map.apply(gold.tags, predicted) if type_map else (gold.tags, predicted)
    if type_map:
        _describe_type_map(type_map, tagger.entity_types, gold.tags)
    scores = entity_scores(gold_tags, predicted, sorted(type_map.corpus_types) if type_map else tagger.entity_types)
    print(f"model: {tagger.name}; {len(gold)} tweets, {scores.overall.n_gold} gold entities")
    rows = [("overall", scores.overall), *scores.per_type.items()]
    width = max(12, *(len(name) + 1 for name, _ in rows))  # types of any corpus, however long
    print(f"{'type':<{width}} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6}")
    for name, prf in rows:
        print(f"{name:<{width}} {100 * prf.precision:9.2f} {100 * prf.recall:7.2f} {100 * prf.f1:7.2f} {prf.n_gold:6d}")
    if args.output:
        progress.check()
        write_conlleval_file(args.output, gold.tokens, gold_tags, predicted)
        print(f"wrote token/gold/pred lines to {args.output}")
    return 0


def _type_map(value: str, model_types: Sequence[str]) -> TypeMap:
    """A type-map file, or the name of a built-in map between the built-in corpora
    (``wnut16_to_wnut17``, ``wnut17_to_wnut16``) when no file of that name exists."""
    from ..data.type_maps import built_in_type_map, read_type_map

    if not Path(value).exists() and value.count("_to_") == 1:
        try:
            model_corpus, corpus = value.split("_to_")
            return built_in_type_map(model_corpus, corpus, model_types)
        except FileNotFoundError:
            pass
    return read_type_map(value, model_types)


def _describe_type_map(type_map: TypeMap, model_types: Sequence[str], gold: list[list[str]]) -> None:
    """Say what the map leaves out of the score, so that nobody mistakes it for the whole corpus."""
    pairs = ", ".join(f"{m} -> {c}" for m, c in sorted(type_map.mapping.items()))
    print(f"type map {type_map.source}: {pairs}")
    unmapped = type_map.unmapped(model_types)
    if unmapped:
        print(f"  predictions of {', '.join(unmapped)} are dropped (no line maps them)")
    dropped = type_map.dropped_gold(gold)
    if dropped:
        counts = ", ".join(f"{kind} ({n})" for kind, n in sorted(dropped.items()))
        print(f"  gold entities left out of the score (no model type maps onto them): {counts}")


def _warn_about_training_overlap(metadata: dict, fingerprints: list[str], path: str) -> None:
    """Scores on tweets the model was trained on say nothing about new tweets: say so."""
    trained = set(metadata.get("training_tweets", []))
    seen = sum(1 for f in fingerprints if f in trained)
    if seen:
        print(
            f"tweetner: warning: {seen} of {len(fingerprints)} distinct tweets in {path} were in this model's "
            "training data; these scores overstate how it does on new tweets",
            file=sys.stderr,
        )


def check_output_path(output: str, inputs: list[str]) -> None:
    """Refuse, before any work, an output that cannot or must not be written.

    A symbolic link is followed (the file it points to is replaced, the link stays); an
    existing file keeps its permission bits; a read-only file is refused rather than
    replaced.

    Raises:
        UsageError: naming the path as the user gave it.
    """
    from ..exceptions import UsageError

    if output == "-":
        return
    path = Path(output)
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise UsageError(f"-o {output}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {target.parent} does not exist")
    for source in inputs:
        if source != "-" and target.exists() and Path(source).exists() and os.path.samefile(source, target):
            raise UsageError(f"-o {output}: is the input file {source}; choose another name (it would be replaced)")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"-o {output}: the file is read-only; remove it or choose another name")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise UsageError(f"-o {output}: cannot create files in {target.parent} (permission denied)")


class _output:
    """Standard output, or an atomically written file (nothing half-written on failure)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._context: Any = None

    def __enter__(self) -> IO[str]:
        if self.path == "-":
            return sys.stdout
        from ..atomic_files import atomic_writer

        self._context = atomic_writer(self.path, "w")  # follows a symbolic link itself
        return self._context.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


if __name__ == "__main__":
    run()
