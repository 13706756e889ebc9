"""tweetner_utils: the tested package behind the tweetner notebooks.

The public surface is re-exported here so notebooks import from one place.
"""

from . import data_access
from .atomic_files import atomic_write_bytes, atomic_write_text, atomic_writer
from .conll import ConllFormatError, Corpus, Tweet, parse_conll_bytes, read_conll, write_conll
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
    "data_access",
    "data_path",
    "entities",
    "entity_scores",
    "is_valid_tag",
    "load_split",
    "make_synthetic_corpus",
    "manifest",
    "parse_conll_bytes",
    "read_conll",
    "synthetic_splits",
    "token_macro_non_o",
    "write_conll",
    "write_conlleval_file",
]
