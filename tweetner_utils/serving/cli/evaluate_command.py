"""``tweetner evaluate``: entity scores of a model on a labelled CoNLL file, as conlleval counts them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...output_paths import check_output_path
from .progress import Progress
from .terminal import announce

if TYPE_CHECKING:
    from ...data.type_maps import TypeMap


def evaluate(args: argparse.Namespace, progress: Progress) -> int:
    from ...data.conll import read_conll, tweet_fingerprints
    from ...data.corpora import check_types
    from ...data.type_maps import resolve_type_map
    from ...metrics import entity_scores, write_conlleval_file
    from ..api import load_tagger

    if args.output:
        check_output_path(args.output, [args.gold])
    progress.check()
    gold = read_conll(args.gold, repair=args.repair)
    if gold.repaired:
        print(f"tweetner: repaired {gold.repaired} tag(s) of {args.gold}: I- starting an entity read as B-")
    with progress.deferred():
        tagger = load_tagger(args.model, args.data_dir, models=args.models_dir)
    with tagger:
        type_map = resolve_type_map(args.type_map, tagger.entity_types) if args.type_map else None
        if type_map is None:
            check_types(gold, tagger.entity_types, "is not one this model tags ({known}); map types with --type-map")
        announce(tagger)
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
