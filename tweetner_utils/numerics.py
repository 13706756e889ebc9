"""Portable numerics: the same bits from the same seed on any x86-64 CPU with AVX2.

PyTorch, MKL, oneDNN, NumPy and OpenBLAS each pick their kernels by what the CPU offers
(AMX, AVX-512, AVX2; Intel or AMD; its cache sizes), and each path rounds differently. A
difference in the last bit of one matrix product moved the BiLSTM-CRF's early stop and the
dev choice of the ensemble, so the same commit and seed published 54.19 test F1 on one
machine, 53.92 on a second and 53.02 on a third. Before PyTorch or NumPy load, this module
fixes every one of those choices to code that every x86-64 CPU since AVX2 (Intel Haswell
2013, AMD Zen 2017) runs the same way:

- ``MKL_CBWR=COMPATIBLE,STRICT``: MKL's one branch documented to give the same results on
  Intel and non-Intel processors, whatever their thread count. Its ``AVX2`` branch is only
  honoured on Intel: on AMD, MKL falls back to ``AUTO`` (``MKL_VERBOSE=1`` prints
  ``CNR:AUTO``), which follows the CPU. The compatible branch is SSE2 code, 2.7 times slower
  than the CPU's own in MiniLM's training step, so MiniLM's linear layers do not use MKL
  (``models/portable_ops.py``): they multiply with NumPy's OpenBLAS below.
- ``OPENBLAS_CORETYPE=Haswell``: NumPy's and SciPy's OpenBLAS use their AVX2 kernels, the
  same code on every AVX2 CPU, as fast here as MKL's own path. A value the environment had
  is replaced (and kept in the manifest).
- ``ONEDNN_MAX_CPU_ISA=AVX2``, and oneDNN switched off in PyTorch under portable numerics
  (``models/portable_ops.py``): its LSTM chooses its blocking from the CPU's cache sizes.
- ``ATEN_CPU_CAPABILITY=avx2``: PyTorch's own vectorised kernels (exp, tanh, softmax,
  reductions, layer norm) take their AVX2 variant.
- ``NPY_DISABLE_CPU_FEATURES``: NumPy's AVX-512 loops (exp, log and others) are switched off.
- ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 2: work is split over
  the same number of threads on every machine (OpenBLAS's products differ between one thread
  and two; Dask's ``LocalCluster`` sets all three to 1 in the process that starts it, for
  good); ``OMP_WAIT_POLICY=PASSIVE``: with
  two thread pools (PyTorch's and OpenBLAS's) on two cores, spinning threads would take
  turns doubling the step time. ``GOMP_SPINCOUNT=300``: yet a PyTorch thread that sleeps
  the moment its work ends is woken for each of the BiLSTM-CRF's many small operations,
  which made its training about twice as slow; 300 spins (a few microseconds) before
  sleeping give that back at little cost to MiniLM (``benchmarks/thread_waits.py``, Zen 4,
  2 cores, medians of 2 fresh processes, 0 -> 300 spins: a BiLSTM-CRF epoch over 800 train
  tweets 8.8 s -> 4.5-5.3 s, a MiniLM epoch over 480 11.0 s -> 11.3-11.6 s, MiniLM tagging
  300 dev tweets 2.6 s -> 2.8-3.0 s; 100 spins save nothing, 1,000 slow MiniLM down more).
  Waiting changes no number.
- the transformer computes in float32 (``bfloat16`` needs AVX-512 BF16 or AMX to be fast,
  and each of those rounds its own way).

The variables must be in the environment before the libraries first use them, so
``tweetner_utils/__init__.py`` calls :func:`apply` before anything else, and every process
the project starts (notebook kernels, workers, tests' subprocesses) inherits them.
``TWEETNER_FAST_KERNELS=1`` (``run_all.py --fast-kernels``) leaves the libraries their own
choice: faster on CPUs with AVX-512 BF16 or AMX, but the numbers are then this CPU's.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

FAST_KERNELS_ENV = "TWEETNER_FAST_KERNELS"
"""Set to ``1`` to let the libraries pick this CPU's fastest kernels (numbers specific to it)."""

PORTABLE_THREADS = 2

PORTABLE_SETTINGS: dict[str, str] = {
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "OPENBLAS_CORETYPE": "Haswell",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OMP_NUM_THREADS": str(PORTABLE_THREADS),
    "OPENBLAS_NUM_THREADS": str(PORTABLE_THREADS),
    "MKL_NUM_THREADS": str(PORTABLE_THREADS),
    "OMP_WAIT_POLICY": "PASSIVE",
    "GOMP_SPINCOUNT": "300",
}
"""Environment variables that fix the kernel paths; set over any value the environment had."""

REQUIRED_FLAGS = ("avx2", "fma")
"""What a CPU must offer for the portable path."""

COVERS = "x86-64 CPU with AVX2 and FMA (Intel since Haswell, 2013; AMD since Zen, 2017)"

PORTABLE, FAST, NOT_PORTABLE = "portable", "fast kernels", "not portable"

BEFORE_ENV = "TWEETNER_KERNEL_ENV_BEFORE"
"""Where :func:`apply` keeps (as JSON) the values it replaced, so that fast kernels asked for
later, here or in a child process, get the user's own settings back."""

_LOADED_EARLY: list[str] = []
"""Libraries already loaded, under other settings, when :func:`apply` first ran."""


def portable(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether this process computes on the portable path (the default), so that the models
    take the portable operations too (``models/portable_ops.py``)."""
    return not fast_kernels_requested(environ)


def fast_kernels_requested(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether the user traded portability for speed (``TWEETNER_FAST_KERNELS=1``)."""
    value = (os.environ if environ is None else environ).get(FAST_KERNELS_ENV, "")
    return value.strip().lower() not in ("", "0", "false", "no")


def apply(environ: MutableMapping[str, str] | None = None) -> None:
    """Fix the kernel paths in ``environ`` (this process's environment by default), or, with
    fast kernels requested, give back the values it had before an earlier call.

    Child processes inherit the result, so a notebook kernel or worker started afterwards
    loads its libraries on the same path, whatever it imports first.
    """
    env = os.environ if environ is None else environ
    before = _before(env)
    if fast_kernels_requested(env):
        for name, value in before.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        env.pop(BEFORE_ENV, None)
        return
    if env is os.environ and not _LOADED_EARLY and any(env.get(k) != v for k, v in PORTABLE_SETTINGS.items()):
        _LOADED_EARLY.extend(m for m in ("torch", "numpy") if m in sys.modules)
    for name, value in PORTABLE_SETTINGS.items():
        before.setdefault(name, env.get(name))
        env[name] = value
    env[BEFORE_ENV] = json.dumps(before, sort_keys=True)


def _before(env: MutableMapping[str, str]) -> dict[str, str | None]:
    """The values an earlier :func:`apply` replaced (none when unset or not ours to read)."""
    try:
        before = json.loads(env.get(BEFORE_ENV, "{}"))
    except json.JSONDecodeError:
        return {}
    return before if isinstance(before, dict) else {}


@dataclass(frozen=True)
class Cpu:
    """The processor, as the operating system describes it."""

    model: str
    architecture: str
    flags: frozenset[str]

    @property
    def missing(self) -> list[str]:
        """What the portable path needs and this CPU lacks (empty: covered)."""
        if self.architecture not in ("x86_64", "AMD64"):
            return [f"x86-64 (this is {self.architecture})"]
        return [flag.upper() for flag in REQUIRED_FLAGS if flag not in self.flags]


def this_cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> Cpu:
    """The CPU's model name and flags (Linux's ``/proc/cpuinfo``; elsewhere the model only)."""
    model, flags = platform.processor() or "unknown", frozenset[str]()
    try:
        text = cpuinfo.read_text("utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = frozenset(value.split())
    return Cpu(model, platform.machine(), flags)


def mode(environ: MutableMapping[str, str] | None = None, cpu: Cpu | None = None) -> str:
    """``portable``, ``fast kernels`` (asked for), or ``not portable`` (settings missing,
    libraries loaded before them, or a CPU outside :data:`COVERS`)."""
    env = os.environ if environ is None else environ
    if fast_kernels_requested(env):
        return FAST
    return PORTABLE if not problems(env, cpu) else NOT_PORTABLE


def problems(environ: MutableMapping[str, str] | None = None, cpu: Cpu | None = None) -> list[str]:
    """Why this process's numbers would not be portable (empty: they are)."""
    env = os.environ if environ is None else environ
    found = [
        f"{name} is {env.get(name)!r}, not {value!r}"
        for name, value in PORTABLE_SETTINGS.items()
        if env.get(name) != value
    ]
    missing = (cpu or this_cpu()).missing
    if missing:
        found.append(f"this CPU lacks {', '.join(missing)}")
    if (os.cpu_count() or 1) < PORTABLE_THREADS:
        found.append(f"fewer than {PORTABLE_THREADS} CPUs (OpenBLAS would use fewer threads)")
    if environ is None and _LOADED_EARLY:
        found.append(f"{' and '.join(_LOADED_EARLY)} loaded before tweetner_utils set the kernel paths")
    return found


def recorded(environ: MutableMapping[str, str] | None = None) -> dict:
    """What a results file records about its numerics: the mode and the settings, nothing
    about the machine (a portable run must give the same bytes on every covered CPU)."""
    env = os.environ if environ is None else environ
    names = list(PORTABLE_SETTINGS)
    current = mode(env)
    return {
        "mode": current,
        "covers": COVERS if current == PORTABLE else "this CPU only",
        "settings": {name: env.get(name, "") for name in names} if current != FAST else {},
    }


def kernel_path() -> dict:
    """Everything about this process's numerics for the run manifest: the mode, the
    settings, the CPU's model and flags, and the libraries' versions and chosen paths."""
    cpu = this_cpu()
    relevant = sorted(f for f in cpu.flags if f.startswith(("avx", "amx", "fma", "sse4")))
    return recorded() | {
        "problems": problems(),
        "environment_before": os.environ.get(BEFORE_ENV, "{}"),
        "cpu_model": cpu.model,
        "cpu_flags": " ".join(relevant),
        "libraries": _library_paths(),
    }


def configure_torch() -> None:
    """Switch oneDNN off in PyTorch under portable numerics (its LSTM blocks by the CPU's cache
    sizes), on with fast kernels. Loads torch: call it where a network is about to run."""
    import torch

    torch.backends.mkldnn.enabled = not portable()  # type: ignore[assignment]  # a module property


def _library_paths() -> dict[str, str]:
    """Versions and the kernel paths the libraries report (loads torch and numpy)."""
    import numpy as np
    import torch

    configure_torch()
    paths = {
        "torch": torch.__version__,
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_threads": str(torch.get_num_threads()),
        "torch_onednn_enabled": str(torch.backends.mkldnn.enabled),
        "numpy": np.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        paths["blas"] = ", ".join(sorted({f"{i['internal_api']} {i.get('architecture', '')}".strip() for i in blas}))
    except ImportError:
        paths["blas"] = "unknown"
    return paths


def describe(environ: MutableMapping[str, str] | None = None, cpu: Cpu | None = None) -> str:
    """One sentence for a report: which kernel path the numbers came from, and what it means.

    >>> describe({FAST_KERNELS_ENV: "1"}, Cpu("Some CPU", "x86_64", frozenset({"avx2", "fma"})))[:60]
    'Numerics: fast kernels, chosen by the libraries for this CPU'
    """
    env = os.environ if environ is None else environ
    cpu = cpu or this_cpu()
    current = mode(env, cpu)
    if current == PORTABLE:
        return (
            f"Numerics: portable (float32; PyTorch's AVX2 kernels, MKL's compatible branch, OpenBLAS's AVX2 kernels "
            f"for MiniLM's linear layers, no oneDNN, {PORTABLE_THREADS} threads): the same seed gives the same "
            f"numbers on any {COVERS}; run on {cpu.model}."
        )
    if current == FAST:
        return (
            f"Numerics: fast kernels, chosen by the libraries for this CPU ({cpu.model}): another CPU may give "
            "other numbers from the same seed."
        )
    return (
        f"Numerics: not portable ({'; '.join(problems(env, cpu))}): these numbers are specific to this CPU "
        f"({cpu.model})."
    )
