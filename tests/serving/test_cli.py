"""The tweetner command: predict and evaluate with a saved model, bad lines reported one by one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tweetner_utils import write_conll
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.serving.api import load_tagger


def test_api_tags_raw_text_with_offsets(models: Path) -> None:
    tagger = load_tagger(models)
    text = "just met Mara Quill at Kellan Arena !"
    (found,) = tagger.tag([text])
    assert [(e.type, e.text) for e in found] == [("people", "Mara Quill"), ("venue", "Kellan Arena")]
    for entity in found:
        assert text[entity.start : entity.end] == entity.text and 0 < entity.confidence <= 1


def test_predict_jsonl_reports_bad_lines_and_keeps_good_ones(models: Path, monkeypatch, capsys, tmp_path, cli) -> None:
    lines = [
        b'{"id": "a", "text": "watching Silent Orbit tonight"}',
        b"",
        b"{not json",
        b'{"id": "b"}',
        b'{"id": "c", "text": "' + b"x" * 100_000 + b'"}',
        b'{"id": "d", "text": "caf\xe9"}',
        b'{"id": "e", "text": "Norvik Rovers won again !"}',
    ]
    out = tmp_path / "out.jsonl"
    code, _, err = cli(
        ["predict", "--model", str(models), "--input-format", "jsonl", "-o", str(out)], b"\n".join(lines) + b"\n"
    )
    assert code == 1
    for number, reason in [
        (2, "empty line"),
        (3, "not a JSON object"),
        (4, "expected"),
        (5, "100000 characters (limit 10000)"),
        (6, "invalid UTF-8"),
    ]:
        assert f"line {number}: {reason}" in err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "e"]
    assert records[1]["entities"][0]["type"] == "club"


def test_skip_invalid_exits_zero(models: Path, monkeypatch, capsys, cli) -> None:
    code, out, err = cli(["predict", "--model", str(models), "--skip-invalid"], b"hello there\n\n")
    assert code == 0 and "warning: line 2: empty line" in err
    assert json.loads(out)["text"] == "hello there"


def test_conll_in_conll_out_and_evaluate(models: Path, monkeypatch, capsys, tmp_path: Path, cli, synthetic) -> None:
    gold = tmp_path / "gold.conll"
    write_conll(gold, synthetic["dev"])
    code, out, _ = cli(
        ["predict", "--model", str(models), "--input-format", "conll", "--output-format", "conll", str(gold)], b""
    )
    assert code == 0
    assert out.count("\n\n") == len(synthetic["dev"])
    pred_file = tmp_path / "pred.txt"
    code, out, _ = cli(["evaluate", "--model", str(models), "-o", str(pred_file), str(gold)], b"")
    assert code == 0 and "overall" in out
    f1 = float(next(line for line in out.splitlines() if line.startswith("overall")).split()[3])
    assert f1 > 90
    assert len(pred_file.read_text().split("\n\n")[0].splitlines()[0].split(" ")) == 3


def test_evaluate_names_the_bad_line_without_traceback(models: Path, monkeypatch, capsys, tmp_path: Path, cli) -> None:
    gold = tmp_path / "bad.conll"
    gold.write_bytes(b"ok\tO\nbad\tB-city\n")
    code, _, err = cli(["evaluate", "--model", str(models), str(gold)], b"")
    assert code == 2 and f"{gold}:2: type 'city' is not one this model tags" in err and "Traceback" not in err
    assert "--type-map" in err


def test_missing_model_is_a_clear_error(monkeypatch, capsys, tmp_path: Path, cli) -> None:
    code, _, err = cli(["predict", "--model", str(tmp_path)], b"hi\n")
    assert code == 2 and "no saved model found" in err


def test_tagging_with_a_crf_never_imports_pytorch(fast_model: Path) -> None:
    """Importing PyTorch takes about a second, longer than a CRF takes to load and tag."""
    code = (
        "import sys; from tweetner_utils.serving.api import load_tagger\n"
        "with load_tagger(sys.argv[1], workers=1) as tagger: found = tagger.tag(['so visiting Paris now'])\n"
        "print(isinstance(found[0], list), 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(fast_model)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"], done.stderr


def test_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "tweetner_utils", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "predict" in result.stdout


def test_progress_bar_and_workers_on_a_large_input(models: Path, monkeypatch, capsys, tmp_path, cli, synthetic) -> None:
    texts = [" ".join(t.tokens) for t in synthetic["test"]] * 60
    lines = ("\n".join(texts) + "\n").encode()
    results = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        argv = ["predict", "--model", str(models), "--progress", "--workers", workers, "-o", str(out)]
        code, _, err = cli(argv, lines)
        assert code == 0 and f"{len(texts)} tweets" in err
        results[workers] = out.read_text()
    assert results["1"] == results["2"] and len(results["1"].splitlines()) == len(texts)


def test_saved_model_tags_identically_in_a_fresh_process(models: Path, tmp_path: Path, synthetic) -> None:
    """Train -> save -> load in another interpreter: the same tags as the model that was trained."""
    trained = CrfTagger(c1=0.1, c2=0.1, max_iterations=40, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    trained.fit(synthetic["train"].tokens, synthetic["train"].tags)  # the fixture's recipe: CRFsuite is deterministic
    expected, _ = trained.tags_and_confidences(synthetic["test"].tokens)
    gold = tmp_path / "test.conll"
    write_conll(gold, synthetic["test"])
    command = [
        sys.executable,
        "-m",
        "tweetner_utils",
        "predict",
        "--model",
        str(models),
        "--input-format",
        "conll",
        "--output-format",
        "conll",
        str(gold),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    tweets = [block.splitlines() for block in done.stdout.strip("\n").split("\n\n")]
    assert [[line.split("\t")[1] for line in tweet] for tweet in tweets] == expected


def test_best_and_fast_name_the_saved_models(models: Path, monkeypatch, capsys, tmp_path: Path) -> None:
    """`--model fast` is the knowledge CRF in models/; no --model (or `best`) is models/strong."""
    from tweetner_utils.models.artifacts import write_artifact
    from tweetner_utils.serving import api

    write_artifact(
        models / "strong",
        {},
        {"kind": "ensemble", "label": "Knowledge CRF", "members": [{"folder": "strong_crf", "weight": 1.0}]},
    )
    monkeypatch.setenv(api.MODELS_DIR_ENV, str(models))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fast").mkdir()  # a folder of that name where you are changes nothing: names are names
    with load_tagger() as best, load_tagger("best") as named, load_tagger("fast") as fast:
        assert best.name == named.name == "strong (Knowledge CRF)" and fast.name == "strong_crf"
        assert best.tag(["Mara Quill is in Norvik"]) == fast.tag(["Mara Quill is in Norvik"])
    with pytest.raises(Exception, match="no saved model found"):
        load_tagger("./fast")  # a path is a path
    monkeypatch.delenv(api.MODELS_DIR_ENV)
    with load_tagger("fast", models=models) as given:
        assert given.name == "strong_crf"


def test_the_models_folder_comes_from_the_flag_the_variable_or_the_checkout(tmp_path: Path, monkeypatch) -> None:
    from tweetner_utils.exceptions import ArtifactError
    from tweetner_utils.serving import api

    monkeypatch.delenv(api.MODELS_DIR_ENV, raising=False)
    assert api.models_dir() == api.CHECKOUT_MODELS_DIR  # this checkout has a pyproject.toml
    monkeypatch.setenv(api.MODELS_DIR_ENV, str(tmp_path / "from-env"))
    assert api.models_dir() == tmp_path / "from-env"
    assert api.models_dir(tmp_path / "flag") == tmp_path / "flag"
    assert api.model_folder("fast", tmp_path) == tmp_path / "strong_crf"
    monkeypatch.delenv(api.MODELS_DIR_ENV)
    monkeypatch.setattr(api, "CHECKOUT_MODELS_DIR", tmp_path / "site-packages" / "models")  # an installed package
    with pytest.raises(ArtifactError, match=r"no models folder: give --models-dir DIR or set \$TWEETNER_MODELS_DIR"):
        api.model_folder("best")


WNUT17_LIKE = (
    b"-DOCSTART- -X- -X- O\n\n"
    b"just\tO\nmet\tO\nMara\tB-person\nQuill\tI-person\nat\tO\nKellan\tB-location\nArena\tI-location\n\t\n"
    b"Norvik\tB-group\nRovers\tI-group\nwon\tO\nagain\tO\n"
)
"""A corpus with another label set, written as WNUT17's files are (a tab-only break, -DOCSTART-)."""


def test_predict_reads_tokens_of_a_corpus_with_other_types(models: Path, monkeypatch, capsys, tmp_path, cli) -> None:
    gold = tmp_path / "other.conll"
    gold.write_bytes(WNUT17_LIKE)
    code, out, err = cli(
        ["predict", "--model", str(models), "--input-format", "conll", "--output-format", "conll", str(gold)], b""
    )
    assert code == 0, err
    tokens = [line.split("\t")[0] for line in out.splitlines() if line]
    assert tokens == ["just", "met", "Mara", "Quill", "at", "Kellan", "Arena", "Norvik", "Rovers", "won", "again"]


def test_evaluate_with_a_type_map_scores_the_mapped_types_and_says_what_it_left_out(
    models: Path, monkeypatch, capsys, tmp_path, cli
) -> None:
    gold = tmp_path / "other.conll"
    gold.write_bytes(WNUT17_LIKE)
    code, _, err = cli(["evaluate", "--model", str(models), str(gold)], b"")
    assert code == 2 and "type 'person' is not one this model tags" in err and "--type-map" in err
    mapping = tmp_path / "map.tsv"
    mapping.write_text("people\tperson\nvenue\tlocation\nplace\tlocation\n")
    code, out, err = cli(["evaluate", "--model", str(models), "--type-map", str(mapping), str(gold)], b"")
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line and line.split()[0] != "type"}
    assert set(rows) >= {"overall", "person", "location"} and "group" not in rows
    assert float(rows["person"][2]) == 100.0 and float(rows["location"][2]) == 100.0
    assert "gold entities left out of the score (no model type maps onto them): group (1)" in out
    assert "predictions of band, brand, club, event, film, gadget, series are dropped" in out
    mapping.write_text("people\tperson\nhuman\tperson\n")
    code, _, err = cli(["evaluate", "--model", str(models), "--type-map", str(mapping), str(gold)], b"")
    assert code == 2 and f"{mapping}:2: " in err and "the model tags no type 'human'" in err


def test_a_built_in_type_map_is_found_by_name(models: Path, monkeypatch, capsys, tmp_path, cli) -> None:
    gold = tmp_path / "other.conll"
    gold.write_bytes(WNUT17_LIKE)
    argv = ["evaluate", "--model", str(models), "--type-map", "wnut16_to_wnut17", str(gold)]
    code, _, err = cli(argv, b"")
    assert code == 2 and "type_maps/wnut16_to_wnut17.tsv:3: " in err and "the model tags no type 'company'" in err
    code, _, err = cli([*argv[:4], "no_to_such", str(gold)], b"")
    assert code == 2 and "no_to_such" in err and "cannot read the type map" in err


def test_models_that_tag_on_one_core_get_a_process_per_core_by_default(monkeypatch) -> None:
    from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger
    from tweetner_utils.models.ensemble import EnsembleTagger
    from tweetner_utils.serving import api

    monkeypatch.setattr(api.os, "cpu_count", lambda: 2)
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=5)
    network = BilstmCrfTagger(BilstmCrfSettings(), lambda chars: None)  # type: ignore[arg-type,return-value]
    assert api.default_workers(crf) == api.default_workers(network) == 2
    assert api.default_workers(EnsembleTagger([crf, crf], [0.5, 0.5])) == 1  # MiniLM's PyTorch takes every core
