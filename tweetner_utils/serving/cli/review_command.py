"""``tweetner review export`` / ``import``: the review queue out to Label Studio or doccano, the
reviewed annotations back as CoNLL."""

from __future__ import annotations

import argparse
import sys

from ...output_paths import check_output_path
from ..streams import Item, open_input, read_items
from .progress import Progress
from .terminal import announce, progress_bar


def review_export(args: argparse.Namespace, progress: Progress) -> int:
    from ...exceptions import UsageError
    from .. import review
    from ..api import load_tagger

    if args.all and (args.threshold is not None or args.sample_empty is not None):
        raise UsageError("--all sends every tweet: it takes no --threshold or --sample-empty")
    if args.budget is not None and (args.all or args.threshold is not None or args.sample_empty is not None):
        raise UsageError("--budget picks the tweets to label next: it takes no --all, --threshold or --sample-empty")
    if args.strategy is not None and args.budget is None:
        raise UsageError(f"--strategy {args.strategy} picks --budget tweets: say how many with --budget N")
    check_output_path(args.output, [args.input])
    with open_input(args.input, sys.stdin.buffer) as source:
        read = list(read_items(source, args.input_format, args.input))
    bad = [r for r in read if not isinstance(r, Item)]
    for error in bad:
        print(f"tweetner: {'warning' if args.skip_invalid else 'error'}: {args.input}: {error}", file=sys.stderr)
    items = [r for r in read if isinstance(r, Item)]
    if not items:
        raise UsageError(f"{args.input}: no tweet could be read")
    with progress.deferred():
        tagger = load_tagger(args.model, args.data_dir, models=args.models_dir)
    with tagger:
        announce(tagger)
        bar = progress_bar(args)

        def tagged(done: int) -> None:
            progress.check()
            bar.update(done - bar.n)

        if args.budget is not None:
            strategy = args.strategy or review.model_strategy(tagger)
            queue = review.labelling_queue(tagger, items, strategy, args.budget, args.seed, progress=tagged)
            line = f"{len(queue)} of {len(items)} tweets chosen to label next ({strategy})"
        else:
            threshold = (
                None if args.all else args.threshold if args.threshold is not None else review.model_threshold(tagger)
            )
            share = review.DEFAULT_EMPTY_SHARE if args.sample_empty is None else args.sample_empty
            queue, summary = review.review_queue(tagger, items, threshold, share, args.seed, progress=tagged)
            line = summary.describe()
        bar.close()
    progress.check()
    setup = review.write_queue(queue, args.tool, args.output, tagger.entity_types, tagger.name)
    print(f"tweetner: {line}", file=sys.stderr)
    print(f"tweetner: wrote {len(queue)} tasks to {args.output} and the project set-up to {setup}", file=sys.stderr)
    if bad:
        print(f"tweetner: {len(bad)} input line(s) could not be read and are not in the queue", file=sys.stderr)
    return 1 if bad and not args.skip_invalid else 0


def review_import(args: argparse.Namespace, progress: Progress) -> int:
    from ...data.annotation_tools import DOCCANO, LABEL_STUDIO, read_doccano_exports, read_label_studio_export
    from ...data.conll import write_conll
    from ...exceptions import UsageError
    from ...models.loading import saved_entity_types
    from ..api import model_folder

    check_output_path(args.output, args.exports)
    types = saved_entity_types(model_folder(args.model, args.models_dir))
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
