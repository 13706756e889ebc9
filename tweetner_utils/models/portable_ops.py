"""PyTorch operations that give the same bits on every x86-64 CPU with AVX2 (``numerics``).

Two of PyTorch's CPU back ends follow the machine even with their instruction set fixed:
MKL's fast matrix products (its AVX2 branch is reproducible on Intel CPUs only; on AMD it
follows the CPU) and oneDNN, whose LSTM picks its blocking from the cache sizes. Under
portable numerics oneDNN is switched off (the LSTMs run on PyTorch's own kernels, their
products on MKL's compatible branch), and the linear layers of the transformer, which hold
almost all of its arithmetic, multiply with NumPy's OpenBLAS pinned to its AVX2 (Haswell)
kernels: the same code on every AVX2 CPU, and 2.2 times faster than MKL's compatible branch
(one MiniLM training step of 32 tweets on 2 cores: 0.64 s against 1.48 s; MKL's own path
0.53 s).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from .. import numerics
from ..numerics import configure_torch

__all__ = ["PortableLinear", "configure_torch", "product", "product_batched", "use_portable_linears"]


class _OpenblasLinear(torch.autograd.Function):
    """``x @ weight.T + bias`` and its gradients, each product through NumPy (OpenBLAS)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        rows = _rows(x)
        out = torch.from_numpy(rows @ weight.detach().numpy().T)
        if bias is not None:
            out += bias.detach()
        return out.reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        grad_rows = _rows(grad)
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.from_numpy(grad_rows @ weight.detach().numpy()).reshape(x.shape)
        if ctx.needs_input_grad[1]:
            grad_weight = torch.from_numpy(grad_rows.T @ _rows(x))
        if ctx.needs_input_grad[2]:
            grad_bias = torch.from_numpy(grad_rows).sum(0)
        return grad_x, grad_weight, grad_bias


def _rows(tensor: torch.Tensor) -> np.ndarray:
    """A tensor as a C-contiguous float32 matrix of its last dimension's rows (no copy when it is one)."""
    return np.ascontiguousarray(tensor.detach().reshape(-1, tensor.shape[-1]).numpy())


def product(rows: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``rows @ weight.T`` on OpenBLAS, without gradients (the BiLSTM-CRF's tagging products)."""
    return torch.from_numpy(_rows(rows) @ np.ascontiguousarray(weight.detach().numpy().T))


def product_batched(rows: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """(n, B, out) = (n, B, in) @ (n, in, out) on OpenBLAS, without gradients."""
    return torch.from_numpy(np.matmul(rows.detach().numpy(), weights.detach().numpy()))


class PortableLinear(nn.Linear):
    """An ``nn.Linear`` whose products run on OpenBLAS: the same parameters and state dict."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if input.device.type != "cpu" or input.dtype != torch.float32:
            return super().forward(input)
        if input.dim() == 3 and not torch.is_grad_enabled():
            return self._each_sequence(input)
        return _OpenblasLinear.apply(input, self.weight, self.bias)

    def _each_sequence(self, input: torch.Tensor) -> torch.Tensor:
        """Tagging: one product per tweet, so a tweet's numbers do not depend on the others in
        its batch (a row's rounding in one product depends on how many rows it has)."""
        weight = self.weight.detach().numpy().T
        out = np.empty((*input.shape[:-1], weight.shape[1]), dtype=np.float32)
        for index, sequence in enumerate(input.detach().numpy()):
            np.matmul(np.ascontiguousarray(sequence), weight, out=out[index])
        result = torch.from_numpy(out)
        if self.bias is not None:
            result += self.bias.detach()
        return result


ModuleT = TypeVar("ModuleT", bound=nn.Module)


def use_portable_linears(module: ModuleT) -> ModuleT:
    """Make every plain ``nn.Linear`` inside ``module`` a :class:`PortableLinear` (in place),
    under portable numerics only; returns ``module``."""
    if numerics.portable():
        for child in module.modules():
            if type(child) is nn.Linear:
                child.__class__ = PortableLinear
    return module
