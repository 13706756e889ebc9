"""The learning curve beyond what ``make reports`` affords: students trained on the gold tweets
plus N unlabelled tweets tagged by a saved teacher, up to every unlabelled tweet.

    python benchmarks/distillation.py [--teacher models/strong] [--fast models/strong_crf]
        [--sizes 0 10000 20000 50000 all] [--min-confidence 0.0] [--gold-copies 1]
        [--bilstm-crf models/strong_bilstm_crf] [--transformer models/strong_transformer]
        [--transformer-epochs 1] [--transformer-order mixed] [--data-dir DIR] [--corpus wnut16] [--seed 42]

The teacher (a saved model folder, by default the leading model of ``make reports``) tags
the unlabelled TweetEval tweets, cleaned as in the reports (repeats and every tweet of the
labelled corpus dropped) and shuffled with ``--seed`` as the reports shuffle them, so the
first N are the reports' first N; its labels are cached like the reports' (a second run
tags nothing). Each knowledge-CRF student is the saved CRF's recipe (c1, c2, iterations,
knowledge features) fit on train + dev gold plus the first N teacher-tagged tweets
(``models/distillation.py``: the same code as the reports' students), scored on test. With
``--bilstm-crf FOLDER`` a BiLSTM-CRF student is trained too per N, for the saved one's
number of epochs. With ``--transformer FOLDER`` (a saved fine-tuned MiniLM) a MiniLM student is
trained too per N: the saved MiniLM continued ``--transformer-epochs`` over the same gold and
teacher tweets, mixed or the teacher's first (``--transformer-order``: the reports' refit of a
chosen MiniLM student, ``models/transformer_students.py``); at N = 0 it is the saved MiniLM
itself. Prints one JSON line per student, then one with the teacher's speed.

The saved teacher was refit on train + dev, so a student's dev score would be flattered:
only test is reported, and nothing here is chosen. ``04_strong_models`` chooses on dev with
a teacher fit on train only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_corpora  # noqa: E402
from tweetner_utils.data.conll import Corpus, TagLists, TokenLists  # noqa: E402
from tweetner_utils.data.unlabelled import load_unlabelled  # noqa: E402
from tweetner_utils.data.word_vectors import glove_vectors  # noqa: E402
from tweetner_utils.features.knowledge import load_knowledge  # noqa: E402
from tweetner_utils.features.neural import NeuralInputs  # noqa: E402
from tweetner_utils.models.artifacts import read_artifact  # noqa: E402
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger  # noqa: E402
from tweetner_utils.models.crf import CrfTagger  # noqa: E402
from tweetner_utils.models.distillation import StudentRecipe, fit_student, shuffled  # noqa: E402
from tweetner_utils.models.protocol import ProbabilisticTagger  # noqa: E402
from tweetner_utils.models.teacher_labels import (  # noqa: E402
    TeacherLabels,
    default_cache,
    model_digest,
    teacher_key,
    teacher_labels,
    tweets_digest,
)
from tweetner_utils.models.transformer import TransformerTagger  # noqa: E402
from tweetner_utils.models.transformer_students import MIXED, ORDERS, continue_on_teacher_tweets  # noqa: E402
from tweetner_utils.serving.api import load_tagger  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", default=str(ROOT / "models" / "strong"), help="saved teacher model folder")
    parser.add_argument("--fast", default=str(ROOT / "models" / "strong_crf"), help="saved knowledge CRF (the recipe)")
    parser.add_argument("--sizes", nargs="+", default=["0", "10000", "20000", "50000", "all"])
    parser.add_argument("--min-confidence", type=float, default=0.0, help="leave out less confident teacher tweets")
    parser.add_argument("--gold-copies", type=int, default=1, help="times each gold tweet is seen")
    parser.add_argument("--bilstm-crf", default="", help="a saved BiLSTM-CRF: also train BiLSTM-CRF students")
    parser.add_argument("--transformer", default="", help="a saved fine-tuned MiniLM: also train MiniLM students")
    parser.add_argument("--transformer-epochs", type=int, default=1, help="epochs a MiniLM student continues")
    parser.add_argument("--transformer-order", choices=ORDERS, default=MIXED, help="how it meets the teacher's tweets")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--corpus", default="wnut16")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    corpora = load_corpora(False, args.seed, args.data_dir, args.corpus, "")
    unlabelled = load_unlabelled(False, args.seed, args.data_dir, {s: c.tokens for s, c in corpora.items()})
    sizes = sorted({len(unlabelled) if size == "all" else min(int(size), len(unlabelled)) for size in args.sizes})
    tweets = shuffled(unlabelled.tokens, args.seed, max(sizes))
    with load_tagger(args.teacher, args.data_dir or None, workers=1) as teacher:
        model = teacher.model
        if not isinstance(model, ProbabilisticTagger):
            sys.exit(f"{args.teacher}: this model gives no probabilities, so it cannot teach")
        started = time.perf_counter()
        key = teacher_key(model_digest(model), tweets_digest(tweets))
        taught, cached = teacher_labels(model, tweets, default_cache(), key, progress)
        teacher_seconds = time.perf_counter() - started
    print(file=sys.stderr)
    gold = corpora["train"].tokens + corpora["dev"].tokens, corpora["train"].tags + corpora["dev"].tags
    test = corpora["test"]
    recipe_crf = CrfTagger.load(args.fast, args.data_dir)
    for size in sizes:
        recipe = StudentRecipe(size, args.min_confidence, args.gold_copies)
        started = time.perf_counter()
        crf, used = fit_student(recipe, recipe_crf, gold, tweets, taught)
        report("knowledge CRF", recipe, used, entity_scores(test.tags, crf.predict(test.tokens)).overall.f1, started)
        if args.bilstm_crf:
            started = time.perf_counter()
            tokens, tags, used = recipe.training_data(gold, tweets, taught)
            network = bilstm_crf(args.bilstm_crf, args.data_dir).fit(tokens, tags, progress=lambda line: None)
            f1 = entity_scores(test.tags, network.predict(test.tokens)).overall.f1
            report("BiLSTM-CRF", recipe, used, f1, started)
        if args.transformer:
            minilm = args.transformer, args.transformer_epochs, args.transformer_order
            report_transformer_student(*minilm, recipe, gold, tweets, taught, test)
    speed = len(tweets) / teacher_seconds if not cached else None
    line = {"teacher": args.teacher, "tagged": len(tweets), "from_cache": cached, "tweets_per_s": speed}
    print(json.dumps(line | {"unlabelled": unlabelled.total()}))


def bilstm_crf(folder: str, data_dir: str) -> BilstmCrfTagger:
    """An untrained BiLSTM-CRF with the saved one's settings and inputs, for its number of epochs."""
    meta, _ = read_artifact(folder)
    resources = load_knowledge(data_dir, wikidata=bool(meta["features"].get("wikidata")))
    vectors = glove_vectors() if meta["features"].get("vectors") else None
    settings = BilstmCrfSettings(**meta["settings"])
    return BilstmCrfTagger(settings, lambda chars: NeuralInputs(resources, vectors, chars))


def report_transformer_student(
    folder: str,
    epochs: int,
    order: str,
    recipe: StudentRecipe,
    gold: tuple[TokenLists, TagLists],
    tweets: TokenLists,
    taught: TeacherLabels,
    test: Corpus,
) -> None:
    """The saved MiniLM continued over the recipe's gold and teacher tweets, as the BiLSTM-CRF
    students learn them (at N = 0, the saved MiniLM as it is: continuing it on gold alone would
    be another model than the reports' point 0)."""
    started = time.perf_counter()
    model = TransformerTagger.load(folder)
    used = 0
    if recipe.unlabelled:
        used = len(recipe.kept(tweets, taught))
        model = continue_on_teacher_tweets(model, gold, tweets, taught, recipe, epochs, lambda line: None, order)
    f1 = entity_scores(test.tags, model.predict(test.tokens)).overall.f1
    report(f"MiniLM ({order}, {epochs} epoch(s) per pass)" if used else "MiniLM", recipe, used, f1, started)


def report(student: str, recipe: StudentRecipe, used: int, test_f1: float, started: float) -> None:
    line = {
        "student": student,
        "unlabelled": recipe.unlabelled,
        "teacher_tweets_used": used,
        "min_confidence": recipe.min_confidence,
        "gold_copies": recipe.gold_copies,
        "test_f1": round(test_f1, 4),
        "fit_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(line), flush=True)


def progress(done: int, total: int) -> None:
    print(f"teacher: {done:,} of {total:,} tweets", file=sys.stderr, end="\r")


if __name__ == "__main__":
    main()
