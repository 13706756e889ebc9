"""Portable numerics: the same bits on every CPU's kernel path, and the difference without them.

A second machine is not needed to see a dependence on the kernel path: PyTorch, oneDNN, MKL
and NumPy take their path from environment variables as well as from the CPU, so a
subprocess told what another CPU would offer (no AVX2 in PyTorch's own kernels, SSE4.1 in
oneDNN, another MKL branch) computes as that CPU would, as far as these libraries go.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tweetner_utils import numerics
from tweetner_utils.numerics import FAST_KERNELS_ENV, PORTABLE_SETTINGS, Cpu

ROOT = Path(__file__).resolve().parents[1]

AVX2_CPU = Cpu("Some AVX2 CPU", "x86_64", frozenset({"sse4_2", "avx", "avx2", "fma"}))
OLD_CPU = Cpu("Some older CPU", "x86_64", frozenset({"sse4_2", "avx"}))
ARM_CPU = Cpu("Some Arm CPU", "aarch64", frozenset({"asimd"}))

OTHER_CPU = {
    "ATEN_CPU_CAPABILITY": "default",
    "ONEDNN_MAX_CPU_ISA": "SSE41",
    "MKL_CBWR": "AVX",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3",
}
"""What a CPU without AVX2 would make these libraries do."""

PROBE = """
import hashlib, json
import numpy as np
from tweetner_utils import synthetic_splits
from tweetner_utils.data.labels import LabelSet
from tweetner_utils.data.word_vectors import glove_vectors
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.features.neural import NeuralInputs
from tweetner_utils.models.bilstm import BilstmSettings, BilstmTagger
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger

splits = synthetic_splits(8)
train, test = splits["train"], splits["test"].tokens[:40]
quiet = lambda line: None
resources, vectors = synthetic_knowledge(), glove_vectors()
models = {
    "bilstm": BilstmTagger(BilstmSettings(max_epochs=2, emb_dim=16, hidden_dim=16, seed=5)),
    "bilstm_crf": BilstmCrfTagger(
        BilstmCrfSettings(max_epochs=2, hidden_dim=16, seed=5), lambda chars: NeuralInputs(resources, vectors, chars)
    ),
}
for model in models.values():
    model.fit(train.tokens, train.tags, progress=quiet)
labels = LabelSet.from_tags(train.tags).labels
minilm = TransformerTagger(TransformerSettings(max_epochs=1, batch_size=8, seed=5), labels)
models["minilm"] = minilm.fit(train.tokens[:24], train.tags[:24], progress=quiet)
def digest(model):
    rows = model.predict_proba(test)
    return hashlib.sha256(b"".join(np.ascontiguousarray(p, dtype=np.float32).tobytes() for p in rows)).hexdigest()
digests = {name: digest(model) for name, model in models.items()}
print(json.dumps(digests))
"""


def probe(offered: dict[str, str], *, fast: bool) -> dict[str, str]:
    """The three trainings' probability digests in a fresh process whose environment offers ``offered``."""
    env = {k: v for k, v in os.environ.items() if k not in (*PORTABLE_SETTINGS, numerics.BEFORE_ENV, FAST_KERNELS_ENV)}
    env |= offered | ({FAST_KERNELS_ENV: "1"} if fast else {})
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_short_trainings_give_the_same_bits_on_every_kernel_path_in_portable_mode() -> None:
    assert probe({}, fast=False) == probe(OTHER_CPU, fast=False)


@pytest.mark.slow
def test_with_fast_kernels_every_network_moves_with_the_kernel_path() -> None:
    """Shows the test above can fail: without portable numerics each model's bits differ."""
    here, other = probe({}, fast=True), probe(OTHER_CPU, fast=True)
    assert set(here) == {"bilstm", "bilstm_crf", "minilm"}
    assert all(here[name] != other[name] for name in here), (here, other)


def test_portable_settings_replace_what_the_environment_offered_and_fast_kernels_give_it_back() -> None:
    env = {"MKL_CBWR": "AVX512", "ATEN_CPU_CAPABILITY": "avx512", "OPENBLAS_CORETYPE": "Zen", "PATH": "/bin"}
    numerics.apply(env)
    assert all(env[name] == value for name, value in PORTABLE_SETTINGS.items())
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert numerics.mode(env, AVX2_CPU) == numerics.PORTABLE and numerics.problems(env, AVX2_CPU) == []
    numerics.apply(env)  # a second call (a child process) keeps the first originals
    env[FAST_KERNELS_ENV] = "1"
    numerics.apply(env)
    assert env == {
        "MKL_CBWR": "AVX512",
        "ATEN_CPU_CAPABILITY": "avx512",
        "OPENBLAS_CORETYPE": "Zen",
        "PATH": "/bin",
    } | {FAST_KERNELS_ENV: "1"}
    assert numerics.mode(env, AVX2_CPU) == numerics.FAST


@pytest.mark.parametrize("value, fast", [("1", True), ("yes", True), ("0", False), ("", False), ("false", False)])
def test_fast_kernels_are_asked_for_with_a_true_value(value: str, fast: bool) -> None:
    assert numerics.fast_kernels_requested({FAST_KERNELS_ENV: value}) is fast


def test_a_cpu_without_avx2_or_another_architecture_is_not_called_portable() -> None:
    env: dict[str, str] = {}
    numerics.apply(env)
    assert numerics.mode(env, OLD_CPU) == numerics.NOT_PORTABLE
    assert numerics.problems(env, OLD_CPU)[0] == "this CPU lacks AVX2, FMA"
    assert "x86-64 (this is aarch64)" in numerics.problems(env, ARM_CPU)[0]
    sentence = numerics.describe(env, OLD_CPU)
    assert sentence.startswith("Numerics: not portable (this CPU lacks AVX2, FMA)")
    assert "specific to this CPU (Some older CPU)" in sentence


def test_settings_changed_after_apply_make_a_run_not_portable() -> None:
    env: dict[str, str] = {}
    numerics.apply(env)
    env["ONEDNN_MAX_CPU_ISA"] = "AVX512_CORE_AMX"
    assert numerics.mode(env, AVX2_CPU) == numerics.NOT_PORTABLE
    assert numerics.problems(env, AVX2_CPU)[0] == "ONEDNN_MAX_CPU_ISA is 'AVX512_CORE_AMX', not 'AVX2'"


def test_the_report_sentence_names_the_kernel_path() -> None:
    env: dict[str, str] = {}
    numerics.apply(env)
    portable = numerics.describe(env, AVX2_CPU)
    assert portable.startswith("Numerics: portable (float32; PyTorch's AVX2 kernels, MKL's compatible branch")
    assert "on any x86-64 CPU with AVX2 and FMA" in portable and portable.endswith("run on Some AVX2 CPU.")
    env[FAST_KERNELS_ENV] = "1"
    fast = numerics.describe(env, AVX2_CPU)
    assert fast.startswith("Numerics: fast kernels") and "another CPU may give other numbers" in fast
    assert "portable" not in fast


def test_the_recorded_numerics_hold_nothing_about_the_machine() -> None:
    env: dict[str, str] = {}
    numerics.apply(env)
    record = numerics.recorded(env)
    assert record["settings"]["MKL_CBWR"] == "COMPATIBLE,STRICT"
    assert set(record) == {"mode", "covers", "settings"}
    assert numerics.this_cpu().model not in json.dumps(record)


def test_this_cpu_is_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse4_2 avx2 fma avx512f\n\n")
    cpu = numerics.this_cpu(cpuinfo)
    assert cpu.model == "Test CPU 9000" and {"avx2", "fma", "avx512f"} <= cpu.flags


def test_the_transformer_computes_in_float32_under_portable_numerics_even_where_bfloat16_is_native(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    from tweetner_utils.models.transformer import resolve_precision

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.delenv(FAST_KERNELS_ENV, raising=False)
    assert resolve_precision("auto", torch.device("cpu")) == "float32"
    monkeypatch.setenv(FAST_KERNELS_ENV, "1")
    assert resolve_precision("auto", torch.device("cpu")) == "bfloat16"
    assert resolve_precision("float32", torch.device("cpu")) == "float32"


def test_a_portable_linear_layer_computes_what_torch_computes_and_its_gradients(monkeypatch) -> None:
    import torch

    from tweetner_utils.models.portable_ops import PortableLinear, use_portable_linears

    monkeypatch.delenv(FAST_KERNELS_ENV, raising=False)
    torch.manual_seed(0)
    plain = torch.nn.Sequential(torch.nn.Linear(7, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    portable = use_portable_linears(copy.deepcopy(plain))
    assert all(type(m) is PortableLinear for m in portable if isinstance(m, torch.nn.Linear))
    assert portable.state_dict().keys() == plain.state_dict().keys()
    x = torch.randn(2, 4, 7, requires_grad=True)
    x_copy = x.detach().clone().requires_grad_(True)
    plain(x).square().sum().backward()
    portable(x_copy).square().sum().backward()
    assert torch.allclose(plain(x), portable(x_copy), atol=1e-6)
    assert torch.allclose(x.grad, x_copy.grad, atol=1e-6)
    for a, b in zip(plain.parameters(), portable.parameters()):
        assert torch.allclose(a.grad, b.grad, atol=1e-6)
    monkeypatch.setenv(FAST_KERNELS_ENV, "1")
    untouched = use_portable_linears(copy.deepcopy(plain))
    assert all(type(m) is torch.nn.Linear for m in untouched if isinstance(m, torch.nn.Linear))


def test_run_all_fast_kernels_give_the_kernels_the_users_settings_and_portable_takes_them_back(monkeypatch) -> None:
    from tweetner_utils.pipeline.run import use_kernel_path

    monkeypatch.delenv(FAST_KERNELS_ENV, raising=False)
    monkeypatch.setenv("MKL_CBWR", PORTABLE_SETTINGS["MKL_CBWR"])
    monkeypatch.setenv(numerics.BEFORE_ENV, json.dumps({"MKL_CBWR": "AVX512"}))
    use_kernel_path(fast_kernels=True)
    assert os.environ["MKL_CBWR"] == "AVX512" and os.environ[FAST_KERNELS_ENV] == "1"
    assert numerics.mode() == numerics.FAST
    use_kernel_path(fast_kernels=False)
    assert os.environ["MKL_CBWR"] == PORTABLE_SETTINGS["MKL_CBWR"] and FAST_KERNELS_ENV not in os.environ
    assert json.loads(os.environ[numerics.BEFORE_ENV])["MKL_CBWR"] == "AVX512"  # kept for a later --fast-kernels


def test_a_damaged_record_of_earlier_settings_is_ignored_not_fatal() -> None:
    env = {numerics.BEFORE_ENV: "not json", "MKL_CBWR": "AVX512"}
    numerics.apply(env)
    assert env["MKL_CBWR"] == PORTABLE_SETTINGS["MKL_CBWR"]
    assert json.loads(env[numerics.BEFORE_ENV])["MKL_CBWR"] == "AVX512"
