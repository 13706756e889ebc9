"""Cross-corpus transfer: how the other corpus's leading model does on this corpus's test set.

The first question a stakeholder asks is "will it work on our tweets?". Scoring a model
trained on one corpus on another corpus's test tweets, under a documented type map
(``data/type_maps``), next to the model trained on this corpus, answers it. Both are
scored on exactly the same gold entities: those of the types the map relates.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..data.access import catalogue
from ..data.conll import Corpus, TokenLists
from ..data.corpora import CorpusSpec
from ..data.type_maps import TypeMap, built_in_type_map
from ..exceptions import ArtifactError
from ..metrics import entity_scores
from ..models.loading import best_model_folder, load_model, read_metadata, saved_entity_types
from ..models.protocol import Tagger


def other_corpus(corpus: str, known: Mapping[str, object]) -> str:
    """The built-in corpus whose model is scored on ``corpus``'s tweets ("" when there is none:
    a corpus of one's own, or only one built-in corpus).

    >>> other_corpus("wnut16", {"wnut16": {}, "wnut17": {}}), other_corpus("mine", {"wnut16": {}})
    ('wnut17', '')
    """
    others = [name for name in known if name != corpus]
    return others[0] if corpus in known and len(others) == 1 else ""


def transfer_for(
    spec: CorpusSpec, models_dir: str | Path, test: Corpus, own: Tagger, data_dir: str = ""
) -> dict | None:
    """:func:`transfer_record` of the other built-in corpus's model on ``spec``'s test tweets;
    None for a corpus with no built-in counterpart (your own folder, the synthetic corpus).

    ``models_dir`` "" (a notebook opened by hand) reads as "no model saved".
    """
    other = "" if spec.folder else other_corpus(spec.name, catalogue())
    if not other:
        return None
    if not models_dir:
        return {"available": False, "model_corpus": other, "reason": "no models folder given"}
    return transfer_record(models_dir, other, spec.name, test, own, data_dir)


def transfer_record(
    models_dir: str | Path,
    model_corpus: str,
    corpus: str,
    test: Corpus,
    own: Tagger,
    data_dir: str = "",
    type_map: TypeMap | None = None,
) -> dict:
    """Score the leading model saved in ``models_dir`` (trained on ``model_corpus``) and this
    run's leading model ``own`` on ``test`` of ``corpus``, on the types ``type_map`` (by default
    the built-in map between the two corpora) relates.

    Returns:
        ``{"available": False, "reason": ...}`` when no such model is saved (yet), else the map,
        the gold entities it leaves out, and per-type scores of both models.
    """
    try:
        folder = best_model_folder(Path(models_dir))
        types = saved_entity_types(folder)
    except ArtifactError:
        return {"available": False, "model_corpus": model_corpus, "reason": "no saved model"}
    type_map = type_map or built_in_type_map(model_corpus, corpus, types)
    transferred, _ = load_model(folder, data_dir).tags_and_confidences(test.tokens)
    own_tags, _ = own.tags_and_confidences(test.tokens)
    metadata = read_metadata(folder)
    scored = sorted(type_map.corpus_types)
    return {
        "available": True,
        "model_corpus": model_corpus,
        "model": metadata.get("label") or folder.name,
        "model_own_test_f1": metadata.get("test_entity_f1"),
        "mapping": dict(sorted(type_map.mapping.items())),
        "dropped_gold": dict(sorted(type_map.dropped_gold(test.tags).items())),
        "transferred": _scores(type_map.apply(test.tags, transferred), scored),
        "in_corpus": _scores(TypeMap({t: t for t in scored}).apply(test.tags, own_tags), scored),
    }


def _scores(pair: tuple[TokenLists, TokenLists], types: list[str]) -> dict:
    gold, pred = pair
    return entity_scores(gold, pred, types).to_dict()
