"""The fine-tuned MiniLM member under ONNX Runtime against PyTorch: speed and entity F1.

    pip install -e ".[onnx]"        # onnx and onnxruntime, pinned in pyproject.toml
    python benchmarks/onnx_runtime.py [--models-dir models] [--data-dir DIR] [--repeats 2]

Exports the saved strong model's MiniLM network (encoder, casing embedding, label head) to
ONNX in a temporary folder, and makes three ONNX Runtime versions of it: float32, dynamic
int8 (one scale per tensor) and dynamic int8 with one scale per output channel after
ONNX Runtime's transformer graph fusions. Each runs in place of the PyTorch network
(bfloat16 matrix products where the CPU has them, as ``tweetner predict`` runs it) with
the same equal-length batches, and is scored alone and inside the saved ensemble:
tweets per second on the test tweets (the first pass in this process, then the others;
``--repeats`` passes, range quoted) and entity F1 on test and dev. The saved members were
refit on train + dev, so dev F1 here measures agreement, not generalisation; test is the
comparison that counts. Prints a line per runtime, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tweetner_utils import entity_scores, load_split  # noqa: E402
from tweetner_utils.models.ensemble import EnsembleTagger  # noqa: E402
from tweetner_utils.models.transformer import TransformerTagger, _collate  # noqa: E402
from tweetner_utils.serving.api import load_tagger  # noqa: E402

INPUTS = ("input_ids", "attention_mask", "casing_ids")


class _Inputs(torch.nn.Module):
    """The network with its batch dictionary spelled out as tensors, as the exporter needs."""

    def __init__(self, network: torch.nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, casing_ids: torch.Tensor) -> torch.Tensor:
        return self.network({"input_ids": input_ids, "attention_mask": attention_mask, "casing_ids": casing_ids})


def export_variants(tagger: TransformerTagger, folder: Path, tokens: list[list[str]]) -> dict[str, Path]:
    """float32 ONNX, and its dynamic int8 quantizations (per tensor; per channel after fusion)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    batch = _collate([tagger._encode(words, None) for words in tokens[:4]], torch.device("cpu"))
    plain = folder / "minilm.onnx"
    axes = {name: {0: "tweets", 1: "pieces"} for name in (*INPUTS, "logits")}
    torch.onnx.export(
        _Inputs(tagger.network).eval(),
        tuple(batch[name] for name in INPUTS),
        str(plain),
        input_names=list(INPUTS),
        output_names=["logits"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )
    per_tensor = folder / "minilm-int8.onnx"
    quantize_dynamic(str(plain), str(per_tensor), weight_type=QuantType.QInt8)
    config = tagger.network.encoder.config
    fused = folder / "minilm-fused.onnx"
    optimizer.optimize_model(
        str(plain), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size
    ).save_model_to_file(str(fused))
    per_channel = folder / "minilm-fused-int8-per-channel.onnx"
    quantize_dynamic(
        str(fused),
        str(per_channel),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": 1},
    )
    return {"onnx float32": plain, "onnx int8 per tensor": per_tensor, "onnx int8 per channel, fused": per_channel}


def onnx_forward(path: Path, threads: int) -> Callable[[dict[str, torch.Tensor]], torch.Tensor]:
    """A replacement for the network's forward that runs the ONNX file instead."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def forward(batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.from_numpy(session.run(None, {name: batch[name].numpy() for name in INPUTS})[0])

    return forward


def measure(name: str, ensemble: EnsembleTagger, minilm: TransformerTagger, splits: dict, repeats: int) -> dict:
    """Speed (first pass, then the rest) and F1 of MiniLM alone and of the ensemble."""
    test = splits["test"]
    row: dict = {"runtime": name}
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        alone = minilm.predict(test.tokens)
        rates.append(round(len(test) / (time.perf_counter() - started), 1))
    row["minilm_tweets_per_s"] = rates
    row["minilm_test_f1"] = round(entity_scores(test.tags, alone).overall.f1, 4)
    row["minilm_dev_f1"] = round(entity_scores(splits["dev"].tags, minilm.predict(splits["dev"].tokens)).overall.f1, 4)
    rates = []
    for _ in range(repeats):
        ensemble._cache.clear()  # every pass runs every member
        started = time.perf_counter()
        tags, _ = ensemble.tags_and_confidences(test.tokens)
        rates.append(round(len(test) / (time.perf_counter() - started), 1))
    row["ensemble_tweets_per_s"] = rates
    row["ensemble_test_f1"] = round(entity_scores(test.tags, tags).overall.f1, 4)
    print(json.dumps(row), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    tagger = load_tagger(args.models_dir, args.data_dir)
    ensemble = tagger.model
    members = [m for m in getattr(ensemble, "members", []) if isinstance(m, TransformerTagger)]
    if not isinstance(ensemble, EnsembleTagger) or not members:
        print(
            f"{args.models_dir}: the saved strong model has no MiniLM member; run `make reports` first", file=sys.stderr
        )
        return 1
    minilm = members[0]
    splits = {split: load_split(split, args.data_dir or None) for split in ("dev", "test")}
    pytorch = minilm.network.forward
    rows = [measure(f"pytorch ({minilm.precision})", ensemble, minilm, splits, args.repeats)]
    with tempfile.TemporaryDirectory(prefix="tweetner-onnx-") as scratch:
        for name, path in export_variants(minilm, Path(scratch), splits["test"].tokens).items():
            minilm.network.forward = onnx_forward(path, minilm.settings.num_threads)  # type: ignore[method-assign]
            rows.append(measure(name, ensemble, minilm, splits, args.repeats))
    minilm.network.forward = pytorch  # type: ignore[method-assign]
    print(json.dumps({"model": tagger.name, "test_tweets": len(splits["test"]), "runtimes": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
