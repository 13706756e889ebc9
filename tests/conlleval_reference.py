"""An independent reading of conlleval's chunk rules, used only to check metrics.py.

It follows the start-of-chunk and end-of-chunk rules of the reference Perl script
(BIO part) literally, token by token, instead of going through seqeval.
"""

from __future__ import annotations

from collections.abc import Sequence


def _split(tag: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    prefix, _, kind = tag.partition("-")
    return prefix, kind


def _ends(prev_tag: str, tag: str, prev_type: str, kind: str) -> bool:
    if prev_tag in ("B", "I") and tag in ("B", "O"):
        return True
    return prev_tag != "O" and prev_type != kind


def _starts(prev_tag: str, tag: str, prev_type: str, kind: str) -> bool:
    if tag == "B":
        return True
    if prev_tag == "O" and tag == "I":
        return True
    return tag != "O" and prev_type != kind


def chunks(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """Chunks ``(type, first, last)`` as conlleval delimits them."""
    found: set[tuple[str, int, int]] = set()
    prev_tag, prev_type, start = "O", "", None
    for i, raw in enumerate([*tags, "O"]):
        tag, kind = _split(raw)
        if start is not None and _ends(prev_tag, tag, prev_type, kind):
            found.add((prev_type, start, i - 1))
            start = None
        if _starts(prev_tag, tag, prev_type, kind):
            start = i
        prev_tag, prev_type = tag, kind
    return found


def micro_prf(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    """conlleval's overall precision, recall and F1 (as fractions, not percentages)."""
    correct = n_pred = n_gold = 0
    for g, p in zip(gold, pred):
        g_chunks, p_chunks = chunks(g), chunks(p)
        correct += len(g_chunks & p_chunks)
        n_pred += len(p_chunks)
        n_gold += len(g_chunks)
    precision = correct / n_pred if n_pred else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
