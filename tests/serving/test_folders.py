"""Tagging a folder of files: one output per input, here or on a Dask cluster, the same bytes
as tagging each file alone; bad lines and bad files named, nothing half-written."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tweetner_utils.serving import folders
from tweetner_utils.serving.cli import main


@pytest.fixture
def inputs(tmp_path, synthetic) -> Path:
    """Three formats, one bad line, and a file whose suffix names no format."""
    folder = tmp_path / "in"
    folder.mkdir()
    texts = [" ".join(t.tokens) for t in synthetic["test"]]
    (folder / "monday.txt").write_text("\n".join(texts[:30]) + "\n\n" + "\n".join(texts[30:60]) + "\n")
    jsonl = [f'{{"id": "t{k}", "text": "{text}"}}' for k, text in enumerate(texts[60:90])]
    (folder / "tuesday.jsonl").write_text("\n".join(jsonl) + "\n")
    conll = "\n\n".join("\n".join(t.tokens) for t in synthetic["dev"][:20])
    (folder / "wednesday.conll").write_text(conll + "\n")
    (folder / "notes.md").write_text("not tweets\n")
    (folder / ".hidden.txt").write_text("skipped too\n")
    return folder


def single_file_outputs(fast_model: Path, inputs: Path, tmp_path: Path, capsys) -> dict[str, bytes]:
    """Each input tagged alone by ``tweetner predict FILE -o OUT``: what the folder run must match."""
    outputs = {}
    for name, fmt in (("monday.txt", "text"), ("tuesday.jsonl", "jsonl"), ("wednesday.conll", "conll")):
        out = tmp_path / f"single-{name}.jsonl"
        main(["predict", "--model", str(fast_model), "--input-format", fmt, str(inputs / name), "-o", str(out)])
        outputs[Path(name).stem + ".jsonl"] = out.read_bytes()
    capsys.readouterr()
    return outputs


def test_a_folder_is_tagged_file_by_file_with_the_bytes_of_single_runs(
    fast_model, inputs, tmp_path, capsys, cli
) -> None:
    out = tmp_path / "out"
    code, _, err = cli(["predict", "--model", str(fast_model), str(inputs), "-o", str(out)])
    assert code == 1  # the empty line of monday.txt
    assert f"{inputs / 'monday.txt'}: line 31: empty line" in err
    assert f"skipping {inputs / 'notes.md'}" in err and ".hidden" not in err
    assert sorted(p.name for p in out.iterdir()) == ["monday.jsonl", "tuesday.jsonl", "wednesday.jsonl"]
    expected = single_file_outputs(fast_model, inputs, tmp_path, capsys)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == expected
    assert len(expected["monday.jsonl"].splitlines()) == 60 and len(expected["wednesday.jsonl"].splitlines()) == 20
    code, _, _ = cli(["predict", "--model", str(fast_model), "--skip-invalid", str(inputs), "-o", str(out)])
    assert code == 0


@pytest.mark.slow  # a LocalCluster of two worker processes
def test_the_dask_cluster_writes_the_same_bytes_as_this_process(fast_model, inputs, tmp_path, capsys, cli) -> None:
    from distributed import LocalCluster

    here, there = tmp_path / "here", tmp_path / "there"
    cli(["predict", "--model", str(fast_model), str(inputs), "-o", str(here)])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        argv = ["predict", "--model", str(fast_model), "--dask-scheduler", cluster.scheduler_address, str(inputs)]
        code, _, err = cli([*argv, "-o", str(there)])
        workers = len(cluster.workers)
    assert workers == 2
    assert code == 1 and "line 31: empty line" in err and f"model {fast_model.name}" in err
    assert "[3/3]" in err
    assert {p.name: p.read_bytes() for p in there.iterdir()} == {p.name: p.read_bytes() for p in here.iterdir()}


def test_a_file_that_cannot_be_read_is_not_written_and_the_others_are(
    fast_model, inputs, tmp_path, capsys, cli
) -> None:
    (inputs / "broken.conll").write_text("Mara Quill\tB-people\n")  # a space inside the token column
    out = tmp_path / "out"
    out.mkdir()
    (out / "broken.jsonl").write_text("yesterday's good output\n")
    code, _, err = cli(["predict", "--model", str(fast_model), "--skip-invalid", str(inputs), "-o", str(out)])
    assert code == 1  # a whole file failing is an error even with --skip-invalid
    assert f"{inputs / 'broken.conll'}" in err and "-> not written" in err
    assert (out / "broken.jsonl").read_text() == "yesterday's good output\n"  # kept, not half-replaced
    assert (out / "monday.jsonl").stat().st_size > 0 and not list(out.glob(".*tmp"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["IN", "-o", "IN"], "is the input folder"),
        (["IN"], "give -o OUT_DIR"),
        (["IN", "-o", "IN/monday.txt"], "so -o must be a folder too"),
        (["IN/monday.txt", "-o", "OUT", "--dask-scheduler", "tcp://127.0.0.1:1"], "tags a folder of files"),
        (["IN", "-o", "OUT", "--dask-scheduler", "tcp://127.0.0.1:1", "--workers", "1"], "each worker tags"),
        (["IN", "-o", "OUT", "--input-format", "jsonl", "--dask-scheduler", "tcp://127.0.0.1:1"], "cannot reach"),
    ],
)
def test_folder_mistakes_are_clear_errors(
    argv, message, fast_model, inputs, tmp_path, capsys, monkeypatch, cli
) -> None:
    monkeypatch.setattr(folders, "CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    paths = [a.replace("IN", str(inputs)).replace("OUT", str(tmp_path / "out")) for a in argv]
    code, _, err = cli(["predict", "--model", str(fast_model), *paths])
    assert code == 2 and message in err and "Traceback" not in err


def test_without_the_dask_extra_the_scheduler_option_says_what_to_install(
    fast_model, inputs, tmp_path, capsys, monkeypatch, cli
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what the base install leaves out
    argv = ["predict", "--model", str(fast_model), str(inputs), "-o", str(tmp_path / "out")]
    code, _, err = cli([*argv, "--input-format", "jsonl", "--dask-scheduler", "tcp://127.0.0.1:1"])
    assert code == 2 and "pip install 'tweetner[dask]'" in err and not (tmp_path / "out").exists()


def test_two_inputs_that_would_write_one_output_are_refused(fast_model, inputs, tmp_path, capsys, cli) -> None:
    (inputs / "monday.jsonl").write_text('{"text": "hello"}\n')
    code, _, err = cli(["predict", "--model", str(fast_model), str(inputs), "-o", str(tmp_path / "out")])
    assert code == 2 and "would both be written to" in err and not (tmp_path / "out").exists()


def test_an_empty_folder_is_refused(fast_model, tmp_path, capsys, cli) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = cli(["predict", "--model", str(fast_model), str(tmp_path / "empty"), "-o", str(tmp_path / "out")])
    assert code == 2 and "no file to tag" in err


def test_the_command_reports_the_calibrated_confidence_of_the_api(fast_model, tmp_path, capsys) -> None:
    """`tweetner predict` printed the raw mean probability while the API gave the calibrated one."""
    import json

    from tweetner_utils.models.artifacts import read_artifact, write_artifact
    from tweetner_utils.serving.api import load_tagger

    calibrated = tmp_path / "calibrated"
    meta, files = read_artifact(str(fast_model))
    write_artifact(str(calibrated), files, {**meta, "calibration": {"kind": "platt", "a": 0.5, "b": -1.0}})
    text = "just met Mara Quill at Kellan Arena !"
    (tmp_path / "one.txt").write_text(text + "\n")
    main(["predict", "--model", str(calibrated), str(tmp_path / "one.txt"), "-o", str(tmp_path / "one.jsonl")])
    printed = [e["confidence"] for e in json.loads((tmp_path / "one.jsonl").read_text())["entities"]]
    with load_tagger(calibrated) as tagger:
        assert printed == [e.confidence for e in tagger.tag([text])[0]]
        assert printed != [round(c, 4) for c in _raw_confidences(tagger, text)]


def _raw_confidences(tagger, text: str) -> list[float]:
    from tweetner_utils.data.labels import bio_spans
    from tweetner_utils.data.tokenizer import tokenize
    from tweetner_utils.models.protocol import entity_confidence

    tokens = [t.text for t in tokenize(text)]
    (tags,), (conf,) = tagger.tag_tokens([tokens])
    return [entity_confidence(conf, first, last) for _, first, last in bio_spans(tags)]
