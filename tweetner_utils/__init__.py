"""tweetner_utils: the tested package behind the tweetner notebooks and the ``tweetner`` command.

Subpackages follow the data flow (``docs/architecture.md``): ``data`` -> ``features`` ->
``models`` -> ``evaluation`` / ``analysis`` -> ``reporting`` -> ``pipeline``, with
``serving`` (tagging new tweets) beside the pipeline, and ``metrics`` shared by models
and evaluation. The names notebooks and users need are re-exported here, so that
``import tweetner_utils as tu`` is enough.

Importing it first fixes the numerical kernel paths (``numerics``), so that a seed gives
the same numbers on every x86-64 CPU with AVX2. The names are loaded on first use:
importing the package costs nothing until a name is used, so ``tweetner predict`` never
pays for pandas, PyTorch or papermill unless the model it loads needs them.
"""

from __future__ import annotations

import importlib

from . import numerics as _numerics

_numerics.apply()  # before anything below can load PyTorch or NumPy: see numerics.py

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "atomic_files": ("atomic_write_bytes", "atomic_write_text", "atomic_writer"),
    "exceptions": (
        "ArtifactError",
        "ChecksumMismatchError",
        "ConllFormatError",
        "DataError",
        "DataNotFoundError",
        "InputLineError",
        "InputRejected",
        "AnnotationError",
        "PipelineError",
        "ReportsNotWritable",
        "ResultsError",
        "StepFailed",
        "TweetnerError",
        "UsageError",
    ),
    "data.access": ("CACHE_DIR_ENV", "DATA_DIR_ENV", "SPLITS", "data_path", "load_split", "manifest"),
    "data.conll": ("Corpus", "Tweet", "parse_conll_bytes", "read_conll", "tweet_fingerprints", "write_conll"),
    "data.corpora": (
        "CorpusSpec",
        "corpus_labels",
        "corpus_spec",
        "describe_source",
        "describe_splits",
        "entity_strings",
        "extra_training",
        "load_corpora",
        "validation_split",
    ),
    "data.labels": ("LabelSet", "entities", "is_bio_tag"),
    "data.synthetic": ("make_synthetic_corpus", "synthetic_splits"),
    "metrics": (
        "PRF",
        "EntityScores",
        "bootstrap_f1_ci",
        "entity_scores",
        "token_macro_non_o",
        "write_conlleval_file",
    ),
    "models.protocol": ("Tagger",),
    "evaluation.blocks": ("evaluate_splits", "evaluation_block", "model_record", "scores_table", "training_data"),
    "reporting.results": ("collect_models", "read_results", "read_timings", "write_results", "write_timings"),
    "pipeline.config": (
        "BaselinesConfig",
        "BilstmConfig",
        "EdaConfig",
        "StrongConfig",
        "SummaryConfig",
        "recorded_settings",
    ),
    "serving.api": ("TweetTagger", "load_tagger"),
}
"""Module (relative to this package) -> the public names it provides."""

_MODULE_ALIASES = {"data_access": "data.access"}
"""Modules re-exported under their earlier names."""

_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_WHERE, *_MODULE_ALIASES])


def __getattr__(name: str) -> object:
    if name in _MODULE_ALIASES:
        value: object = importlib.import_module(f"{__name__}.{_MODULE_ALIASES[name]}")
    elif name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
