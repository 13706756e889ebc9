"""tweetner_utils: the tested package behind the tweetner notebooks.

The public surface is re-exported here so notebooks import from one place.
"""

from . import data_access
from .atomic_files import atomic_write_bytes, atomic_write_text, atomic_writer
from .config import recorded_settings
from .conll import ConllFormatError, Corpus, Tweet, parse_conll_bytes, read_conll, write_conll
from .corpora import describe_source, load_corpora, validation_split
from .data_access import (
    CACHE_DIR_ENV,
    DATA_DIR_ENV,
    SPLITS,
    ChecksumMismatchError,
    DataError,
    DataNotFoundError,
    data_path,
    load_split,
    manifest,
)
from .evaluation import evaluate_splits, evaluation_block, model_record, scores_table
from .labels import ENTITY_LABELS, ENTITY_TYPES, LABELS, is_valid_tag
from .metrics import (
    PRF,
    EntityScores,
    bootstrap_f1_ci,
    entities,
    entity_scores,
    token_macro_non_o,
    write_conlleval_file,
)
from .results import collect_models, read_results, write_results
from .synthetic import make_synthetic_corpus, synthetic_splits

__version__ = "0.1.0"

__all__ = [
    "CACHE_DIR_ENV",
    "DATA_DIR_ENV",
    "ENTITY_LABELS",
    "ENTITY_TYPES",
    "LABELS",
    "PRF",
    "SPLITS",
    "ChecksumMismatchError",
    "ConllFormatError",
    "Corpus",
    "DataError",
    "DataNotFoundError",
    "EntityScores",
    "Tweet",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_writer",
    "bootstrap_f1_ci",
    "collect_models",
    "data_access",
    "data_path",
    "describe_source",
    "entities",
    "entity_scores",
    "evaluate_splits",
    "evaluation_block",
    "is_valid_tag",
    "load_corpora",
    "load_split",
    "make_synthetic_corpus",
    "manifest",
    "model_record",
    "parse_conll_bytes",
    "read_conll",
    "read_results",
    "recorded_settings",
    "scores_table",
    "synthetic_splits",
    "token_macro_non_o",
    "validation_split",
    "write_conll",
    "write_conlleval_file",
    "write_results",
]
