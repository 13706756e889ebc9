"""The epoch loop the neural taggers share: early stopping on dev, best epoch kept, one log line per epoch.

The BiLSTM-CRF and the fine-tuned transformer train the same way; only what an epoch does
and how dev is scored differ, so those come in as functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from torch import nn

from ..data.conll import TagLists, TokenLists
from ..metrics import entity_scores


def train_epochs(
    network: nn.Module,
    train_epoch: Callable[[], float],
    predict: Callable[[TokenLists], TagLists],
    validation: tuple[TokenLists, TokenLists] | None,
    *,
    epochs: int,
    max_epochs: int,
    patience: int,
    progress: Callable[[str], None],
    after_epoch: Callable[[int], None] | None = None,
) -> tuple[list[dict], int]:
    """Run up to ``epochs`` epochs; with ``validation`` (dev tokens, tags), score ``predict``'s
    entity F1 after each, stop after ``patience`` epochs without a better one and put the
    best epoch's weights back into ``network``. ``after_epoch`` hears each epoch's number
    while ``network`` still holds that epoch's weights (a study scoring every epoch).

    Returns:
        One row per epoch (``epoch``, ``train_loss``, ``dev_f1`` when scored, ``seconds``)
        and the epoch whose weights ``network`` holds.
    """
    history: list[dict] = []
    best, best_state, wait, best_epoch = -1.0, None, 0, 0
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        row: dict = {"epoch": epoch, "train_loss": train_epoch()}
        if validation is not None:
            row["dev_f1"] = entity_scores(validation[1], predict(validation[0])).overall.f1
        row["seconds"] = time.perf_counter() - started
        history.append(row)
        progress(epoch_line(row, max_epochs))
        if after_epoch is not None:
            after_epoch(epoch)
        if validation is None:
            best_epoch = epoch
        elif row["dev_f1"] > best:
            best, wait, best_epoch = row["dev_f1"], 0, epoch
            best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
        else:
            wait += 1
            if wait >= patience:
                break
    if best_state is not None and best_epoch != len(history):
        network.load_state_dict(best_state)
    return history, best_epoch


def epoch_line(row: dict, max_epochs: int) -> str:
    """``epoch  3/8  train loss 0.1026  dev entity F1 0.4049  (29.6s)``."""
    line = f"epoch {row['epoch']:2d}/{max_epochs}  train loss {row['train_loss']:.4f}  "
    if "dev_f1" in row:
        line += f"dev entity F1 {row['dev_f1']:.4f}  "
    return line + f"({row['seconds']:.1f}s)"


def length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices in batches of similar length (padding costs more CPU time than anything else)."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[k : k + size] for k in range(0, len(order), size)]


def equal_length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices grouped by equal length, in batches of at most ``size`` (shortest first).

    >>> equal_length_batches([3, 5, 3, 3, 5], 2)
    [[0, 2], [3], [1, 4]]
    """
    groups: dict[int, list[int]] = {}
    for index in sorted(range(len(lengths)), key=lambda i: (lengths[i], i)):
        groups.setdefault(lengths[index], []).append(index)
    return [group[k : k + size] for group in groups.values() for k in range(0, len(group), size)]
