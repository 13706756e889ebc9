"""Readable definitions of the knowledge features, which the fast code in
``tweetner_utils.features.knowledge`` is tested against (test-only: no model uses them)."""

from __future__ import annotations

from collections.abc import Sequence

from tweetner_utils.data.resources import MAX_PHRASE_TOKENS, normalise_phrase
from tweetner_utils.features.knowledge import KnowledgeResources, cluster_features
from tweetner_utils.features.orthographic import FeatureDict, crf_token_features


def gazetteer_matches(tokens: Sequence[str], resources: KnowledgeResources) -> list[set[str]]:
    """For each token, ``"<list>:B"``/``"<list>:I"`` for every matching window covering it.

    Every window, no pruning; ``PhraseIndex.matches`` computes the same faster.
    """
    normalised = [normalise_phrase(t) for t in tokens]
    found: list[set[str]] = [set() for _ in tokens]
    for start in range(len(tokens)):
        if not normalised[start]:
            continue
        for end in range(start, min(start + MAX_PHRASE_TOKENS, len(tokens))):
            if not normalised[end]:
                continue
            words = [w for w in normalised[start : end + 1] if w]
            if len(words) == 1 and words[0] in resources.stopwords:
                continue
            for name in resources.index.lists.get(" ".join(words), ()):
                found[start].add(f"{name}:B")
                for inside in range(start + 1, end + 1):
                    found[inside].add(f"{name}:I")
    return found


def reference_knowledge_features(tokens: Sequence[str], resources: KnowledgeResources) -> list[FeatureDict]:
    """The knowledge features in their readable form (typed values, one dict per token).

    :class:`KnowledgeFeaturizer` produces exactly ``flatten_features`` of these, faster.
    """
    matches = gazetteer_matches(tokens, resources)
    rows = []
    for i, token in enumerate(tokens):
        features = crf_token_features(tokens, i)
        features.update(cluster_features(token, resources.clusters))
        for offset in (-1, 1):
            if 0 <= i + offset < len(tokens):
                features.update(cluster_features(tokens[i + offset], resources.clusters, f"{offset:+d}:"))
                for match in matches[i + offset]:
                    features[f"{offset:+d}:gaz={match}"] = True
        for match in matches[i]:
            features[f"gaz={match}"] = True
            features[f"gaz={match.rsplit(':', 1)[0]}"] = True
        rows.append(features)
    return rows
