"""Label sets the tests use: WNUT16's (for hand-written tag tables) and the synthetic corpus's.

The package itself names no corpus's types; tests may, to check behaviour on tags as the
real corpora write them.
"""

from tweetner_utils.data.labels import LabelSet
from tweetner_utils.data.synthetic import NAMES

WNUT16 = LabelSet.of(
    ["company", "facility", "geo-loc", "movie", "musicartist", "other", "person", "product", "sportsteam", "tvshow"]
)
ENTITY_TYPES = WNUT16.types
LABELS = WNUT16.labels
"""WNUT16's 21 tags, sorted: the column order of a model trained on WNUT16."""
SYNTHETIC = LabelSet.of(NAMES)
"""The synthetic corpus's types: none of them WNUT16's."""
