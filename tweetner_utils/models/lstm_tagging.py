"""The BiLSTM-CRF's tagging arithmetic, rearranged for speed (no gradients, same functions).

Training runs PyTorch's own modules; tagging computes the same functions with fewer, larger
operations, which made the network fast enough to be the fast model
(``benchmarks/predict.py``):

- the character CNN is linear before its max, so each of its three kernel columns is folded
  into the character embedding once (a table per column): a word's convolution becomes three
  table lookups and two additions per position, and stops one position past the word;
- the LSTM's input products are one matrix product over the distinct words of the tweets
  (every input but the gazetteer depends on the word alone) plus one over the distinct rows
  of gazetteer matches, both directions at once; only the recurrent product is left inside
  the loop over positions (PyTorch's packed LSTM multiplies every input position by position);
- the backward direction reads each tweet reversed within its own length, so it starts at
  the tweet's last word, never at the batch's padding (what packing did).

Sums are grouped otherwise than in the modules, so an emission score can differ from the
modules' by rounding (4e-6 of 15 on WNUT16); every operation is elementwise, a table
lookup or a product on pinned kernels (PyTorch's, or OpenBLAS's through NumPy), so it has
the same bits on every AVX2 CPU under portable numerics, like the modules
(``tests/test_numerics.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .portable_ops import product_batched


class WordArrays(NamedTuple):
    """The distinct words of some tweets as a network reads them, one row per word."""

    vectors: torch.Tensor
    """(words, dimensions) word vectors (any row where ``has_vector`` is false)."""
    has_vector: torch.Tensor
    chars: torch.Tensor
    """(words, MAX_WORD_CHARS) character ids."""
    casing: torch.Tensor
    clusters: torch.Tensor
    """(words, cluster prefix lengths) cluster-prefix ids."""


def char_tables(embedding: nn.Embedding, conv: nn.Conv1d) -> tuple[torch.Tensor, torch.Tensor]:
    """Per kernel column k, (characters + 1, filters) = each character's embedding through
    column k; the extra last row is the zero the convolution pads a word with. And the bias."""
    weight = conv.weight.detach()  # (filters, char_dim, width)
    tables = torch.einsum("vc,fck->kvf", embedding.weight.detach(), weight)
    border = torch.zeros((tables.shape[0], 1, tables.shape[2]), dtype=tables.dtype)
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros(weight.shape[0])
    return torch.cat([tables, border], dim=1), bias


WORD_LENGTH_GROUPS = (4, 8, 12)
"""Words are convolved in groups of at most these many characters (then the rest): a word's
positions past its end add nothing but the bias, so a group stops one position past its
longest word; most tweet words have under 9 characters, and convolving all 20 positions
was most of the character CNN's time."""


def char_vectors(words: torch.Tensor, tables: torch.Tensor, bias: torch.Tensor, pad_char: int = 0) -> torch.Tensor:
    """(words, filters): the max over positions of the same-padded convolution of each
    (words, characters) row of character ids, 0-padded, from :func:`char_tables`.

    Exactly the full convolution's values: a window of padding only sums to ``bias`` plus
    zeros (the padding character's embedding is zero, as ``padding_idx`` keeps it), so the
    positions a group leaves out count as ``bias`` in the max."""
    lengths = (words != pad_char).sum(dim=1)
    if bool(tables[:, pad_char].any()):  # a padding embedding that is not zero: every position counts
        return _convolved_max(words, tables, bias)
    out = torch.empty((len(words), tables.shape[2]), dtype=tables.dtype)
    low = -1
    for high in (*WORD_LENGTH_GROUPS, words.shape[1]):
        rows = torch.nonzero((lengths > low) & (lengths <= high)).flatten()
        low = high
        if not len(rows):
            continue
        kept = min(high + 1, words.shape[1])
        found = _convolved_max(words[rows, :kept], tables, bias)
        out[rows] = torch.maximum(found, bias) if kept < words.shape[1] else found
    return out


def _convolved_max(words: torch.Tensor, tables: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """The max over ``words``' positions of the convolution, summed column by column."""
    width = tables.shape[0]
    border = tables.shape[1] - 1
    pad = width // 2
    padded = nn.functional.pad(words, (pad, width - 1 - pad), value=border)
    length = words.shape[1]
    out = bias + tables[0][padded[:, :length]]
    for k in range(1, width):
        out += tables[k][padded[:, k : k + length]]
    return out.max(dim=1).values


def bidirectional_lstm(lstm: nn.LSTM, products: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, 2 x hidden) outputs of a one-layer bidirectional ``lstm`` from its (B, T, 2 x 4 x
    hidden) input products, biases included (forward direction first), for rows of ``lengths``
    real positions (the rest padding, whose outputs are left undefined)."""
    b, t, _ = products.shape
    hidden = lstm.hidden_size
    reverse = _reversal(lengths, t)
    forward, backward = products.view(b, t, 2, 4 * hidden).unbind(dim=2)
    backward = backward.gather(1, reverse[:, :, None].expand(b, t, 4 * hidden))
    steps = torch.stack([forward, backward], dim=2).transpose(0, 1).contiguous()  # (T, B, 2, 4 x hidden)
    recurrent = both_directions(lstm, "weight_hh_l0").transpose(1, 2).contiguous()
    h = torch.zeros((2, b, hidden))
    c = torch.zeros((2, b, hidden))
    outputs = torch.empty((t, 2, b, hidden))
    for step in range(t):
        gates = steps[step].transpose(0, 1) + product_batched(h, recurrent)
        i, f, g, o = _gates(gates, hidden)
        c = f * c + i * g
        h = outputs[step] = o * torch.tanh(c)
    backward_out = outputs[:, 1].transpose(0, 1).gather(1, reverse[:, :, None].expand(b, t, hidden))
    return torch.cat([outputs[:, 0].transpose(0, 1), backward_out], dim=2)


def both_directions(lstm: nn.LSTM, name: str) -> torch.Tensor:
    """(2, ...): the forward and the backward direction's parameter ``name`` (``weight_ih_l0``...)."""
    return torch.stack([lstm.get_parameter(name), lstm.get_parameter(f"{name}_reverse")]).detach()


def _gates(gates: torch.Tensor, hidden: int) -> tuple[torch.Tensor, ...]:
    """PyTorch's gate order (input, forget, cell, output) with their activations."""
    i, f, g, o = gates.split(hidden, dim=2)
    return torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)


def _reversal(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """(B, T) positions that reverse each row within its length and leave its padding in place
    (the map is its own inverse)."""
    positions = torch.arange(steps)[None, :]
    last = lengths[:, None] - 1
    return torch.where(positions <= last, last - positions, positions)
