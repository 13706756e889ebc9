"""The original analysis's BiLSTM token tagger, trained deterministically on CPU.

Architecture and training follow the original (embedding 128, BiLSTM 2x96, dropout 0.3,
AdamW 2e-3 with weight decay 1e-2, gradient clipping 1.0, batches of 24, early stopping
on validation non-O token macro F1 with patience 3); what changed is that every source
of randomness is seeded and the run is single-process, so a seed gives one result.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Self

import numpy as np
import torch
from torch import nn

from ..data.conll import TagLists, TokenLists
from ..data.labels import OUTSIDE, LabelSet, repair_bio
from ..metrics import token_macro_non_o
from .artifacts import read_artifact, write_artifact
from .portable_ops import configure_torch
from .protocol import Confidences
from .seeding import Seeded, seed_everything

configure_torch()  # oneDNN off under portable numerics, before any network runs

PAD, UNK = "<PAD>", "<UNK>"
IGNORE = -100
WEIGHTS = "weights.pt"


@dataclass(frozen=True)
class BilstmSettings(Seeded):
    """Hyperparameters of the original BiLSTM run (``03_bilstm``'s parameters inherit them)."""

    min_count: int = 2
    emb_dim: int = 128
    hidden_dim: int = 192
    dropout: float = 0.3
    lr: float = 2e-3
    weight_decay: float = 1e-2
    batch_size: int = 24
    max_epochs: int = 12
    patience: int = 3
    num_threads: int = 2

    @classmethod
    def of(cls, config: BilstmSettings) -> Self:
        """Just these settings, out of a notebook config that extends them (it carries folders too)."""
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})


class BiLstmNetwork(nn.Module):
    """Embedding -> one BiLSTM layer -> dropout -> per-token linear scores."""

    def __init__(self, vocab_size: int, num_tags: int, emb_dim: int, hidden_dim: int, dropout: float) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=0)
        self.lstm = nn.LSTM(emb_dim, hidden_dim // 2, num_layers=1, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(hidden_dim, num_tags)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z, _ = self.lstm(self.emb(x))
        return self.fc(self.drop(z))


@dataclass
class TrainingHistory:
    """One row per epoch: losses, validation scores and seconds taken."""

    rows: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False

    def describe(self) -> str:
        """One sentence on how training ended."""
        ending = (
            f"stopped early after epoch {len(self.rows)}" if self.stopped_early else f"ran all {len(self.rows)} epochs"
        )
        return f"Training {ending}; the best epoch on validation was **{self.best_epoch}**."


class BilstmTagger:
    """Fit, predict, save and load the original BiLSTM."""

    def __init__(self, settings: BilstmSettings) -> None:
        self.settings = BilstmSettings.of(settings)
        self.vocab: dict[str, int] = {}
        self.tag2id: dict[str, int] = {}
        self.network: BiLstmNetwork | None = None
        self.history = TrainingHistory()

    @property
    def labels(self) -> list[str]:
        """Column order of :meth:`predict_proba`."""
        return list(self.tag2id)

    def fit(
        self,
        tokens: TokenLists,
        tags: TokenLists,
        *,
        validation: tuple[TokenLists, TokenLists] | None = None,
        progress: Callable[[str], None] = print,
    ) -> Self:
        """Train; with ``validation`` (tokens, tags), stop early on its token macro F1 and keep
        the best epoch, else train every epoch. ``history`` records each epoch."""
        s = self.settings
        seed_everything(s.seed, s.num_threads)
        self.vocab = build_vocab(tokens, s.min_count)
        self.tag2id = {tag: i for i, tag in enumerate(LabelSet.from_tags(tags).labels)}
        self.network = BiLstmNetwork(len(self.vocab), len(self.tag2id), s.emb_dim, s.hidden_dim, s.dropout)
        optimizer = torch.optim.AdamW(self.network.parameters(), lr=s.lr, weight_decay=s.weight_decay)
        criterion = nn.CrossEntropyLoss(ignore_index=IGNORE)
        encoded = [(self._encode(x), self._encode_tags(y)) for x, y in zip(tokens, tags)]
        self.history, best_f1, best_state, wait = TrainingHistory(), -1.0, None, 0
        for epoch in range(1, s.max_epochs + 1):
            row = self._epoch(epoch, encoded, optimizer, criterion, validation)
            progress(_epoch_line(row, s.max_epochs))
            score = row.get("val_f1_non_o_macro")
            if score is None or score > best_f1 + 1e-4:
                best_f1, wait, self.history.best_epoch = score or 0.0, 0, epoch
                best_state = {k: v.detach().clone() for k, v in self.network.state_dict().items()}
                continue
            wait += 1
            if wait >= s.patience:
                self.history.stopped_early = True
                progress(f"early stopping at epoch {epoch}; best epoch {self.history.best_epoch}")
                break
        if best_state is not None:
            self.network.load_state_dict(best_state)
        return self

    def _epoch(self, epoch: int, encoded, optimizer, criterion, validation) -> dict:
        """Train one epoch, score validation if given; the history row of the epoch."""
        started = time.perf_counter()
        row: dict = {"epoch": epoch, "train_loss": self._train_epoch(encoded, optimizer, criterion)}
        if validation is not None:
            val_tokens, val_tags = validation
            entity_labels = [label for label in self.tag2id if label != OUTSIDE]
            scores = token_macro_non_o(val_tags, self.predict(val_tokens), entity_labels)
            row.update({f"val_{k}": v for k, v in scores.items()})
        row["seconds"] = time.perf_counter() - started
        self.history.rows.append(row)
        return row

    def predict(self, tokens: TokenLists) -> TagLists:
        """Most likely tag per token (independent per token, as in the original, so an ``I-``
        may follow ``O``; conlleval reads it as starting an entity)."""
        labels = list(self.tag2id)
        return [[labels[i] for i in p.argmax(axis=1)] for p in self.predict_proba(tokens)]

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """:meth:`predict`'s tags (valid BIO, same entities) and each tag's probability."""
        labels = list(self.tag2id)
        tags, confidences = [], []
        for p in self.predict_proba(tokens):
            best = p.argmax(axis=1)
            tags.append(repair_bio([labels[i] for i in best]))
            confidences.append(p[np.arange(len(best)), best].tolist())
        return tags, confidences

    def predict_proba(self, tokens: TokenLists, batch_size: int = 256) -> list[np.ndarray]:
        """Per tweet, a (tokens x labels) array of softmax probabilities (``tag2id`` order)."""
        if self.network is None:
            raise RuntimeError("BilstmTagger used before fit or load")
        self.network.eval()
        out: list[np.ndarray] = []
        with torch.no_grad():
            for start in range(0, len(tokens), batch_size):
                chunk = [s for s in tokens[start : start + batch_size]]
                nonempty = [s if s else ["<PAD>"] for s in chunk]
                x, _ = _pad([self._encode(s) for s in nonempty], [[0] * len(s) for s in nonempty])
                probs = torch.softmax(self.network(x), -1).numpy()
                out.extend(probs[row, : len(sent)] for row, sent in enumerate(chunk))
        return out

    def save(self, folder: str, metadata: dict) -> None:
        """Save weights (``state_dict``), vocabulary and settings as a verified folder."""
        if self.network is None:
            raise RuntimeError("nothing to save: the tagger is not trained")
        buffer = io.BytesIO()
        torch.save(self.network.state_dict(), buffer)
        meta = {
            "kind": "bilstm",
            "labels": list(self.tag2id),
            "settings": self.settings.__dict__,
            "vocab": list(self.vocab),
            **metadata,
        }
        write_artifact(folder, {WEIGHTS: buffer.getvalue()}, meta)

    @classmethod
    def load(cls, folder: str) -> Self:
        """Load a saved tagger; weights are read with ``weights_only=True`` (no code runs)."""
        meta, files = read_artifact(folder)
        tagger = cls(BilstmSettings(**meta["settings"]))
        tagger.vocab = {w: i for i, w in enumerate(meta["vocab"])}
        tagger.tag2id = {t: i for i, t in enumerate(meta["labels"])}
        s = tagger.settings
        tagger.network = BiLstmNetwork(len(tagger.vocab), len(tagger.tag2id), s.emb_dim, s.hidden_dim, s.dropout)
        state = torch.load(io.BytesIO(files[WEIGHTS]), weights_only=True)
        tagger.network.load_state_dict(state)
        tagger.network.eval()
        return tagger

    def _train_epoch(self, encoded, optimizer, criterion) -> float:
        assert self.network is not None
        self.network.train()
        # Shuffle from torch's seeded generator, after weight initialisation, as the
        # original's DataLoader(shuffle=True) did.
        order = torch.randperm(len(encoded)).tolist()
        total, batches = 0.0, 0
        for start in range(0, len(order), self.settings.batch_size):
            batch = [encoded[i] for i in order[start : start + self.settings.batch_size]]
            x, y = _pad([b[0] for b in batch], [b[1] for b in batch])
            optimizer.zero_grad(set_to_none=True)
            logits = self.network(x)
            loss = criterion(logits.view(-1, logits.size(-1)), y.view(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(self.network.parameters(), max_norm=1.0)
            optimizer.step()
            total += loss.item()
            batches += 1
        return total / max(1, batches)

    def _encode(self, sentence: Sequence[str]) -> list[int]:
        unk = self.vocab[UNK]
        return [self.vocab.get(tok.lower(), unk) for tok in sentence]

    def _encode_tags(self, tags: Sequence[str]) -> list[int]:
        return [self.tag2id[t] for t in tags]


def build_vocab(tokens: TokenLists, min_count: int) -> dict[str, int]:
    """Lowercased words seen at least ``min_count`` times, after ``<PAD>`` (0) and ``<UNK>`` (1)."""
    counts = Counter(tok.lower() for sent in tokens for tok in sent)
    vocab = {PAD: 0, UNK: 1}
    for word, count in counts.items():
        if count >= min_count:
            vocab[word] = len(vocab)
    return vocab


def _epoch_line(row: dict, max_epochs: int) -> str:
    line = f"epoch {row['epoch']:2d}/{max_epochs}  train loss {row['train_loss']:.4f}  "
    if "val_f1_non_o_macro" in row:
        line += f"val non-O macro F1 {row['val_f1_non_o_macro']:.4f}  "
    return line + f"({row['seconds']:.1f}s)"


def _pad(xs: list[list[int]], ys: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(x) for x in xs)
    x_pad = torch.zeros((len(xs), width), dtype=torch.long)
    y_pad = torch.full((len(xs), width), IGNORE, dtype=torch.long)
    for i, (x, y) in enumerate(zip(xs, ys)):
        x_pad[i, : len(x)] = torch.tensor(x, dtype=torch.long)
        y_pad[i, : len(y)] = torch.tensor(y, dtype=torch.long)
    return x_pad, y_pad
