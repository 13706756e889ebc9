"""A linear-chain CRF output layer in PyTorch, restricted to valid BIO sequences.

Scores whole tag sequences instead of tokens one by one, so a network learns that an
``I-x`` follows ``B-x``; transitions BIO forbids are fixed at a large negative score, so
neither training nor decoding ever considers them (a constrained CRF). Batched over
tweets of different lengths with a mask.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .bio_decoding import allowed_starts, allowed_transitions

_FORBIDDEN = -1e4
"""Score of a forbidden transition: large enough to never win, finite so sums stay finite."""


class CrfLayer(nn.Module):
    """Transition scores plus the forward algorithm, Viterbi and forward-backward marginals."""

    forbidden: torch.Tensor
    forbidden_start: torch.Tensor

    def __init__(self, labels: Sequence[str]) -> None:
        super().__init__()
        n = len(labels)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        forbidden = torch.tensor(~allowed_transitions(labels), dtype=torch.bool)
        self.register_buffer("forbidden", forbidden)
        self.register_buffer("forbidden_start", torch.tensor(~allowed_starts(labels), dtype=torch.bool))

    def _transitions(self) -> tuple[torch.Tensor, torch.Tensor]:
        moves = self.transitions.masked_fill(self.forbidden, _FORBIDDEN)
        return moves, self.start.masked_fill(self.forbidden_start, _FORBIDDEN)

    def neg_log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean over tweets of -log p(tags | emissions); ``emissions`` (B, T, K), ``tags``/``mask`` (B, T)."""
        return (self._log_partition(emissions, mask) - self._score(emissions, tags, mask)).mean()

    def soft_neg_log_likelihood(
        self, emissions: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Mean over tweets of the expected -log p(y | emissions) when each position's label is
        drawn from ``targets`` (B, T, K), a distribution per position (a teacher's marginals),
        positions independently: log Z - E[score(y)]. It learns how sure the teacher was, not
        only its best tags; one-hot targets of valid tags give :meth:`neg_log_likelihood`.

        A pair of labels BIO forbids scores 0 in the expectation, not the forbidden score:
        independent positions give such pairs some mass. Their forbidden score is fixed, so
        leaving it out changes the loss by a constant and its gradient not at all; the value
        is the cross-entropy less that constant, and can fall below zero as training goes."""
        weights = targets * mask.unsqueeze(2).to(targets.dtype)  # padding draws nothing
        moves = self.transitions.masked_fill(self.forbidden, 0.0)
        start = self.start.masked_fill(self.forbidden_start, 0.0)
        batch = torch.arange(emissions.shape[0])
        last = weights[batch, mask.sum(dim=1) - 1]
        expected = (
            (weights * emissions).sum(dim=(1, 2))
            + weights[:, 0] @ start
            + torch.einsum("btj,jk,btk->b", weights[:, :-1], moves, weights[:, 1:])
            + last @ self.end
        )
        return (self._log_partition(emissions, mask) - expected).mean()

    def _score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        moves, start = self._transitions()
        batch = torch.arange(emissions.shape[0])
        score = start[tags[:, 0]] + emissions[batch, 0, tags[:, 0]]
        for t in range(1, emissions.shape[1]):
            step = moves[tags[:, t - 1], tags[:, t]] + emissions[batch, t, tags[:, t]]
            score = score + step * mask[:, t]
        last = tags[batch, mask.sum(dim=1) - 1]
        return score + self.end[last]

    def _log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        alphas = self._forward(emissions, mask)
        return torch.logsumexp(alphas[-1] + self.end, dim=1)

    def _forward(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        """Log forward scores per position; a finished tweet keeps its last column."""
        moves, start = self._transitions()
        alphas = [start + emissions[:, 0]]
        for t in range(1, emissions.shape[1]):
            step = torch.logsumexp(alphas[-1].unsqueeze(2) + moves, dim=1) + emissions[:, t]
            alphas.append(torch.where(mask[:, t : t + 1], step, alphas[-1]))
        return alphas

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """The best valid label sequence of each tweet (Viterbi)."""
        moves, start = self._transitions()
        best = start + emissions[:, 0]
        back = []
        for t in range(1, emissions.shape[1]):
            candidates = best.unsqueeze(2) + moves
            step, pointer = candidates.max(dim=1)
            back.append(pointer)
            best = torch.where(mask[:, t : t + 1], step + emissions[:, t], best)
        best = best + self.end
        pointers = torch.stack(back, dim=1).numpy() if back else np.zeros((len(best), 0, best.shape[1]), np.int64)
        return _backtrack(best.argmax(dim=1).numpy(), pointers, mask.sum(dim=1).numpy())

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B, T, K) float64 probability of each label at each position; padding rows undefined.

        Forward-backward in probability space, each step rescaled to sum to one (float64, so
        no step underflows): a small product per position instead of a log-sum-exp over
        B x K x K, four times faster; the same probabilities as in log space up to rounding."""
        moves, start = (x.detach().double() for x in self._transitions())
        scores = emissions.detach().double()
        moves_exp = (moves - moves.max()).exp()
        emitted = (scores - scores.max(dim=2, keepdim=True).values).exp()
        steps = scores.shape[1]
        alpha = _normalised((start - start.max()).exp() * emitted[:, 0])
        alphas = [alpha]
        for t in range(1, steps):
            step = _normalised((alphas[-1] @ moves_exp) * emitted[:, t])
            alphas.append(torch.where(mask[:, t : t + 1], step, alphas[-1]))
        end = self.end.detach().double()
        betas = [_normalised((end - end.max()).exp().expand_as(alpha))]
        for t in range(steps - 2, -1, -1):
            step = _normalised((emitted[:, t + 1] * betas[0]) @ moves_exp.T)
            betas.insert(0, torch.where(mask[:, t + 1 : t + 2], step, betas[0]))
        return _normalised(torch.stack(alphas, dim=1) * torch.stack(betas, dim=1))


def _normalised(scores: torch.Tensor) -> torch.Tensor:
    """``scores`` divided by their sum over the last dimension."""
    return scores / scores.sum(dim=-1, keepdim=True)


def _backtrack(last: np.ndarray, pointers: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
    """Viterbi paths from each row's best last label and the (B, T - 1, K) back pointers, all
    rows at once; a row's positions past its length are not read."""
    steps = pointers.shape[1] + 1
    rows = np.arange(len(last))
    paths = np.zeros((len(last), steps), dtype=np.int64)
    label = last.copy()
    for t in range(steps - 1, -1, -1):
        active = lengths > t
        paths[active, t] = label[active]
        if t:
            label = np.where(active, pointers[rows, t - 1, label], label)
    return [paths[row, :n].tolist() for row, n in enumerate(lengths.tolist())]
