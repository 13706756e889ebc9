"""Fast CRF inference in NumPy: the same tags as CRFsuite, thousands of tweets a second.

CRFsuite scores one tweet at a time from feature strings, which costs more than the
features themselves. A linear-chain CRF's per-token label scores are a sum over its
features, so every cached feature *part* (a token's own features, its features as a
neighbour, a gazetteer match; see ``KnowledgeFeaturizer.layout``) is projected onto the
labels once and reused; Viterbi and forward-backward then run on whole batches.

The weights are read exactly (float64) from the CRFsuite model file, and every one is
checked against CRFsuite's own dump of the model, so a format surprise fails loudly.
Tests compare the tags with CRFsuite's on the synthetic corpus; the real-data test
does so on the WNUT16 test set.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path

import numpy as np
import pycrfsuite

from ..atomic_files import atomic_write_bytes
from ..data.access import cache_dir
from ..exceptions import CrfModelFormatError

_FEATURE = np.dtype([("type", "<i4"), ("src", "<i4"), ("dst", "<i4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1
_OFF_FEATURES = 28
"""Byte offset of ``off_features`` in CRFsuite's 48-byte model header."""
CHUNK = 256
"""Tweets decoded together (sorted by length, so padding stays small)."""


@dataclass(frozen=True)
class CrfWeights:
    """A trained linear-chain CRF: state weights per attribute and label, transition weights."""

    labels: tuple[str, ...]
    attributes: dict[str, int]
    state: np.ndarray
    """(attributes x labels)."""
    transitions: np.ndarray
    """(labels x labels), from row label to column label."""

    def project(self, features: dict[str, float]) -> np.ndarray:
        """The label scores a set of weighted features contributes (unknown features add nothing)."""
        rows, values = [], []
        for name, value in features.items():
            row = self.attributes.get(name)
            if row is not None:
                rows.append(row)
                values.append(value)
        return np.asarray(values) @ self.state[rows] if rows else np.zeros(len(self.labels))


def read_weights(model_bytes: bytes, tagger: pycrfsuite.Tagger) -> CrfWeights:
    """Exact weights from the model file's feature table; names from CRFsuite's dump (``tagger.info()``)."""
    info = tagger.info()
    labels = _by_id(info.labels)
    attributes = {name: int(i) for name, i in info.attributes.items()}
    (offset,) = struct.unpack_from("<I", model_bytes, _OFF_FEATURES)
    chunk, _, count = struct.unpack_from("<4sII", model_bytes, offset)
    if chunk != b"FEAT":
        raise CrfModelFormatError(f"expected the FEAT chunk at byte {offset}, found {chunk!r}")
    table = np.frombuffer(model_bytes, dtype=_FEATURE, count=count, offset=offset + 12)
    state = np.zeros((len(attributes), len(labels)))
    transitions = np.zeros((len(labels), len(labels)))
    is_state = table["type"] == _STATE
    state[table["src"][is_state], table["dst"][is_state]] = table["weight"][is_state]
    is_transition = table["type"] == _TRANSITION
    transitions[table["src"][is_transition], table["dst"][is_transition]] = table["weight"][is_transition]
    weights = CrfWeights(tuple(labels), attributes, state, transitions)
    _check_against_dump(weights, info)
    return weights


def cached_weights(model_bytes: bytes, tagger: pycrfsuite.Tagger) -> CrfWeights:
    """:func:`read_weights`, kept compiled in the user cache under the model file's SHA-256.

    Reading CRFsuite's dump was a third of the command's start-up (half a second); the
    compiled form is a NumPy ``.npz`` read without pickle. A damaged file is rebuilt; a
    cache that cannot be written costs only the next start its half second.
    """
    path = cache_dir() / "compiled" / f"crf-weights-{hashlib.sha256(model_bytes).hexdigest()[:32]}.npz"
    with contextlib.suppress(OSError, ValueError, KeyError, zipfile.BadZipFile):
        return _load_weights(path)
    weights = read_weights(model_bytes, tagger)
    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        _save_weights(weights, path)
    return weights


def _save_weights(weights: CrfWeights, path: Path) -> None:
    names = [""] * len(weights.attributes)
    for name, row in weights.attributes.items():
        names[row] = name
    if any("\n" in name for name in [*names, *weights.labels]):
        raise ValueError("a name holds a newline: not cached")
    buffer = io.BytesIO()
    np.savez(
        buffer,
        labels=np.frombuffer("\n".join(weights.labels).encode(), dtype=np.uint8),
        attributes=np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
        state=weights.state,
        transitions=weights.transitions,
    )
    atomic_write_bytes(path, buffer.getvalue())


def _load_weights(path: Path) -> CrfWeights:
    with np.load(path, allow_pickle=False) as stored:
        labels = tuple(stored["labels"].tobytes().decode().split("\n"))
        names = stored["attributes"].tobytes().decode().split("\n")
        state, transitions = stored["state"], stored["transitions"]
    if state.shape != (len(names), len(labels)) or transitions.shape != (len(labels), len(labels)):
        raise ValueError(f"{path}: arrays do not match the names")
    return CrfWeights(labels, {name: row for row, name in enumerate(names)}, state, transitions)


def _by_id(mapping: dict[str, str]) -> list[str]:
    names = [""] * len(mapping)
    for name, i in mapping.items():
        names[int(i)] = name
    return names


def _check_against_dump(weights: CrfWeights, info) -> None:
    """Every weight must equal CRFsuite's printed (6-decimal) value."""
    label = {name: i for i, name in enumerate(weights.labels)}
    for (attribute, name), value in info.state_features.items():
        if abs(weights.state[weights.attributes[attribute], label[name]] - value) > 1e-6:
            raise CrfModelFormatError(f"state weight ({attribute!r}, {name}) disagrees with CRFsuite's dump")
    for (a, b), value in info.transitions.items():
        if abs(weights.transitions[label[a], label[b]] - value) > 1e-6:
            raise CrfModelFormatError(f"transition weight ({a}, {b}) disagrees with CRFsuite's dump")


class PartScorer:
    """Label scores of tweets from a featurizer's cached parts, each part projected once.

    A token met for the first time is scored from its own features alone: what an offset
    sees of a token is a subset of its own features under the offset's prefix (the
    featurizer's ``views``), and a name outside that subset was never generated in
    training, so it has no weight. The model's few tens of thousands of weighted names are
    grouped at load time by the feature they view (:meth:`_name_table`); a new token then
    costs one lookup per own feature, and no string for any neighbour.
    """

    LIMIT = 300_000
    """Rows (projected parts and tokens) kept before starting afresh (bounds memory
    on endless input; a chunk of tweets adds at most a few tens of thousands)."""

    def __init__(self, weights: CrfWeights, featurizer) -> None:
        self.weights, self.featurizer = weights, featurizer
        self.views = len(featurizer.views)
        """A token's own part, then the part each neighbour offset sees."""
        self._names, self._table = self._name_table()
        self._reset()

    def _reset(self) -> None:
        labels = len(self.weights.labels)
        self._rows: dict[int, int] = {}
        self._keep: list[dict] = []  # holds the parts alive, so no other object can take their id()
        self._pending: list[tuple[int, dict]] = []
        """(matrix row, part) registered but not projected yet."""
        self._matrix = np.zeros((1 << 16, labels))  # zero pages cost nothing until written: grown rarely
        self._used = 0
        self._tokens: dict[str, tuple[str, int]] = {}
        """Per distinct token: its normalised form and the row of its own part, followed by the
        row of the part each neighbour offset sees (in the featurizer's ``views`` order)."""
        self._gazetteer: dict[int, tuple] = {}
        """Per gazetteer part (by id): the part, kept alive, and its own row and the rows its
        neighbours at -1 and +1 see."""

    @property
    def size(self) -> int:
        """Rows held (parts and tokens): what :data:`LIMIT` bounds."""
        return self._used

    def emissions(self, tokens: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Per tweet, the (tokens x labels) state scores."""
        out: list[np.ndarray] = []
        for k in range(0, len(tokens), CHUNK):
            if self.size > self.LIMIT:
                self._reset()
            out.extend(self._emissions(tokens[k : k + CHUNK]))
        return out

    def _emissions(self, tokens: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """The featurizer's ``layout``, summed with array indexing: per position its own part
        and each neighbour's part for that offset (a boundary mark past either end), the
        first/last marks and the gazetteer parts. Per-part Python work happens once per
        distinct token; the assembly is NumPy."""
        lengths = np.fromiter(map(len, tokens), np.int64, len(tokens))
        total = int(lengths.sum())
        if total == 0:
            return [np.zeros((0, len(self.weights.labels))) for _ in tokens]
        flat = [token for sentence in tokens for token in sentence]
        self._add_tokens([token for token in dict.fromkeys(flat) if token not in self._tokens])
        table = [self._tokens[token] for token in flat]
        first = np.fromiter(map(itemgetter(1), table), np.int64, total)  # own part; view v is row first + v
        position = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        length = np.repeat(lengths, lengths)
        rows = [first]
        for view, offset in enumerate(self.featurizer.offsets, start=1):
            inside = (position + offset >= 0) & (position + offset < length)
            neighbour = first[np.clip(np.arange(total) + offset, 0, total - 1)] + view
            rows.append(np.where(inside, neighbour, self._row(self.featurizer.boundary_part(offset))))
        extra_at, extra_rows = self._marks_and_gazetteer(tokens, table, position, length)
        self._project_parts()
        summed = self._matrix[np.stack(rows)].sum(axis=0)
        np.add.at(summed, extra_at, self._matrix[extra_rows])
        return np.split(summed, np.cumsum(lengths)[:-1])

    def _name_table(self) -> tuple[dict[str, int], np.ndarray]:
        """Each own feature name the model weighs in some view, and a (names + 1, views,
        labels) table of its label scores per view (row 0: zeros, for names it does not know)."""
        prefixes = [(view, prefix) for view, prefix in enumerate(self.featurizer.views) if prefix]
        names: dict[str, int] = {}
        at: list[tuple[int, int, int]] = []  # (name, view, attribute row)
        for attribute, row in self.weights.attributes.items():
            view, name = next(
                ((v, attribute[len(prefix) :]) for v, prefix in prefixes if attribute.startswith(prefix)),
                (0, attribute),
            )
            at.append((names.setdefault(name, len(names) + 1), view, row))
        table = np.zeros((len(names) + 1, self.views, len(self.weights.labels)))
        if at:
            index, view, row = np.array(at).T
            table[index, view] = self.weights.state[row]
        return names, table

    def _add_tokens(self, tokens: list[str]) -> None:
        """Rows for tokens not met before: per view, the weighted sum of their own features' scores."""
        if not tokens:
            return
        described = [self.featurizer.token_features(token) for token in tokens]
        owns = [own for _, own in described]
        names = list(chain.from_iterable(owns))
        index = np.fromiter(map(self._names.get, names, repeat(0)), np.int64, len(names))
        values = np.fromiter(chain.from_iterable(own.values() for own in owns), float, len(names))
        owner = np.repeat(np.arange(len(tokens)), [len(own) for own in owns])
        known = index > 0
        counts = np.bincount(owner[known], minlength=len(tokens))
        summed = np.zeros((len(tokens), self.views, len(self.weights.labels)))
        if known.any():  # per token, the sum of its run of rows (``np.add.at`` was 8 times slower)
            scores = self._table[index[known]]
            weight = values[known]
            scaled = weight != 1.0  # most features weigh 1: multiplying only the others halves the time
            scores[scaled] *= weight[scaled][:, None, None]
            summed[counts > 0] = np.add.reduceat(scores, (np.cumsum(counts) - counts)[counts > 0], axis=0)
        first = self._allocate(len(tokens) * self.views)
        self._matrix[first : first + len(tokens) * self.views] = summed.reshape(-1, summed.shape[2])
        for k, (token, (normalised, _)) in enumerate(zip(tokens, described)):
            self._tokens[token] = (normalised, first + k * self.views)

    def _marks_and_gazetteer(
        self, tokens: Sequence[Sequence[str]], table: list[tuple], position: np.ndarray, length: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, rows) of the parts only some positions have: first/last marks, a
        token's own gazetteer matches and the matches its neighbours see."""
        first_row, last_row = self._row(self.featurizer.first_part), self._row(self.featurizer.last_part)
        at = [np.flatnonzero(position == 0), np.flatnonzero(position == length - 1)]
        rows = [np.full(len(at[0]), first_row), np.full(len(at[1]), last_row)]
        gazetteer_at: list[int] = []
        gazetteer_rows: list[int] = []
        normalised = [entry[0] for entry in table]
        start = 0
        for sentence in tokens:
            n = len(sentence)
            found = self.featurizer.gazetteer_parts(normalised[start : start + n])
            for j, parts in enumerate(found):
                if parts is None:
                    continue
                _, own, seen_at = self._gazetteer_rows(parts)
                gazetteer_at.append(start + j)
                gazetteer_rows.append(own)
                for offset, row in seen_at:  # position j - offset sees j at ``offset``
                    if 0 <= j - offset < n:
                        gazetteer_at.append(start + j - offset)
                        gazetteer_rows.append(row)
            start += n
        at.append(np.asarray(gazetteer_at, dtype=np.int64))
        rows.append(np.asarray(gazetteer_rows, dtype=np.int64))
        return np.concatenate(at), np.concatenate(rows)

    def _gazetteer_rows(self, parts: tuple) -> tuple:
        """(parts, own row, ((-1, row), (1, row))) of a token's gazetteer parts."""
        hit = self._gazetteer.get(id(parts))
        if hit is None:
            own, seen = parts
            hit = (parts, self._row(own), tuple((offset, self._row(seen[offset])) for offset in (-1, 1)))
            self._gazetteer[id(parts)] = hit
        return hit

    def _row(self, part: dict) -> int:
        """The matrix row of a part, registered (to be projected) the first time it is seen."""
        row = self._rows.get(id(part))
        if row is None:
            row = self._rows[id(part)] = self._allocate(1)
            self._keep.append(part)
            self._pending.append((row, part))
        return row

    def _allocate(self, count: int) -> int:
        """The first of ``count`` fresh (zero) matrix rows."""
        first = self._used
        self._used += count
        while len(self._matrix) < self._used:
            self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        return first

    def _project_parts(self) -> None:
        """Fill the matrix rows of the parts registered since the last call (one NumPy call).

        Feature names are looked up in C-level loops, and the parts' label scores added up in
        one NumPy call (SciPy's sparse product is no faster and would add 0.12 s to every start)."""
        if not self._pending:
            return
        targets, parts = zip(*self._pending)
        self._pending = []
        names = list(chain.from_iterable(parts))
        values = np.fromiter(chain.from_iterable(p.values() for p in parts), float, len(names))
        columns = np.fromiter(map(self.weights.attributes.get, names, repeat(-1)), np.int64, len(names))
        owner = np.repeat(np.asarray(targets, dtype=np.int64), [len(p) for p in parts])
        known = columns >= 0
        np.add.at(self._matrix, owner[known], self.weights.state[columns[known]] * values[known][:, None])


def viterbi(emissions: list[np.ndarray], transitions: np.ndarray) -> list[np.ndarray]:
    """Best label index sequence per tweet (ties broken towards the lower label id, as CRFsuite does)."""
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(emissions)
    into = np.ascontiguousarray(transitions.T)
    for chunk in _chunks(emissions):
        scores, lengths = _pad([emissions[i] for i in chunk])
        batch, steps, _ = scores.shape
        best = scores[:, 0]
        back = np.zeros(scores.shape, dtype=np.int64)
        for t in range(1, steps):
            # (tweet, to, from): reducing over the last, contiguous axis, and reading the maximum
            # at the argmax, takes half the time of argmax and max over the middle axis
            candidates = best[:, None, :] + into[None]
            back[:, t] = candidates.argmax(axis=2)
            step = np.take_along_axis(candidates, back[:, t, :, None], axis=2)[:, :, 0] + scores[:, t]
            best = step if t < lengths.min() else np.where((t < lengths)[:, None], step, best)
        current = best.argmax(axis=1)
        path = np.zeros((batch, steps), dtype=np.int64)
        everyone = np.arange(batch)
        for t in range(steps - 1, -1, -1):
            if t < steps - 1:
                current = np.where(t < lengths - 1, back[everyone, t + 1, current], current)
            path[:, t] = current
        for k, i in enumerate(chunk):
            out[i] = path[k, : lengths[k]]
    return out


def marginals(emissions: list[np.ndarray], transitions: np.ndarray) -> list[np.ndarray]:
    """Per tweet, the (tokens x labels) marginal probabilities (scaled forward-backward).

    ``einsum`` rather than matrix products: BLAS threads woken for 21x21 products made
    single-tweet latency spike on a busy machine, and NumPy's own ``einsum`` loop is four
    times faster than the broadcast sums that avoided them before.
    """
    out: list[np.ndarray] = [np.zeros((0, transitions.shape[0]))] * len(emissions)
    move = np.exp(transitions)
    for chunk in _chunks(emissions):
        scores, lengths = _pad([emissions[i] for i in chunk])
        steps = scores.shape[1]
        local = np.exp(scores - scores.max(axis=2, keepdims=True))
        alpha = np.zeros(scores.shape)
        beta = np.ones(scores.shape)
        alpha[:, 0] = local[:, 0] / local[:, 0].sum(axis=1, keepdims=True)
        for t in range(1, steps):
            step = np.einsum("bi,ij->bj", alpha[:, t - 1], move) * local[:, t]
            alpha[:, t] = step / step.sum(axis=1, keepdims=True)
        for t in range(steps - 2, -1, -1):
            step = np.einsum("ij,bj->bi", move, local[:, t + 1] * beta[:, t + 1])
            step /= step.sum(axis=1, keepdims=True)
            beta[:, t] = np.where((t < lengths - 1)[:, None], step, 1.0)
        joint = alpha * beta
        joint /= joint.sum(axis=2, keepdims=True)
        for k, i in enumerate(chunk):
            out[i] = joint[k, : lengths[k]]
    return out


def _chunks(emissions: list[np.ndarray]) -> list[list[int]]:
    """Indices of non-empty tweets, sorted by length, cut into groups of :data:`CHUNK`."""
    order = sorted((i for i, e in enumerate(emissions) if len(e)), key=lambda i: len(emissions[i]))
    return [order[k : k + CHUNK] for k in range(0, len(order), CHUNK)]


def _pad(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(a) for a in arrays])
    padded = np.zeros((len(arrays), int(lengths.max()), arrays[0].shape[1]))
    for k, a in enumerate(arrays):
        padded[k, : len(a)] = a
    return padded, lengths
