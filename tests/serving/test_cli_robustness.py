"""`tweetner` under misuse: odd text, bad model folders, dangerous paths (Ctrl-C and closed
pipes: ``test_cli_signals.py``).

Each test here failed before the change it guards (issue 17's list, one case per test).
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from pathlib import Path

import pytest

import tweetner_utils
from tweetner_utils import tweet_fingerprints, write_conll
from tweetner_utils.data import access
from tweetner_utils.data.tokenizer import tokenize
from tweetner_utils.exceptions import ArtifactError, DataNotFoundError
from tweetner_utils.models.artifacts import CHECKSUMS, METADATA, read_artifact, write_artifact
from tweetner_utils.serving.api import load_tagger
from tweetner_utils.serving.cli import main

CORES = os.cpu_count() or 1


# Odd text -------------------------------------------------------------------------------


def test_a_lone_surrogate_fails_its_line_and_every_good_line_is_written(
    models: Path, monkeypatch, capsys, tmp_path, cli
):
    lines = [json.dumps({"id": n, "text": f"watching Silent Orbit {n}"}) for n in range(1, 3000)]
    lines.insert(1, '{"id": "cut", "text": "truncated tweet \\ud83d"}')
    lines.insert(5, '{"id": "\\udc00", "text": "a bad id"}')
    out = tmp_path / "out.jsonl"
    argv = ["predict", "--model", str(models), "--input-format", "jsonl", "-o", str(out)]
    code, _, err = cli(argv, ("\n".join(lines) + "\n").encode())
    assert code == 1
    assert "line 2: text has a lone surrogate U+D83D at character 16" in err
    assert "line 6: id has a lone surrogate" in err
    assert len(out.read_text("utf-8").splitlines()) == 2999
    code, _, _ = cli([*argv, "--skip-invalid"], ("\n".join(lines) + "\n").encode())
    assert code == 0


def test_a_bom_is_a_bom(models: Path, monkeypatch, capsys, cli) -> None:
    line = b'\xef\xbb\xbf{"id": "a", "text": "Norvik Rovers won again !"}\n'
    code, out, err = cli(["predict", "--model", str(models), "--input-format", "jsonl"], line)
    assert code == 0, err
    assert json.loads(out)["id"] == "a"


def test_jsonl_without_its_format_is_refused_unless_text_is_asked_for(models: Path, monkeypatch, capsys, cli) -> None:
    line = b'{"id": "a", "text": "Norvik Rovers won again !"}\n'
    code, out, err = cli(["predict", "--model", str(models)], line)
    assert code == 2 and "--input-format jsonl" in err and out == ""
    code, out, _ = cli(["predict", "--model", str(models), "--input-format", "text"], line)
    assert code == 0 and json.loads(out)["text"] == line.decode().strip()


def test_decomposed_accents_stay_in_the_token_and_tag_like_composed_text(models: Path) -> None:
    composed, decomposed = "Mara Quillé is moving to Mirel next week", "Mara Quille\u0301 is moving to Mirel next week"
    assert [t.text for t in tokenize(decomposed)][1] == "Quille\u0301"
    tagger = load_tagger(models)
    (nfc,), (nfd,) = tagger.tag([composed]), tagger.tag([decomposed])
    assert [(e.type, e.text) for e in nfc] == [(e.type, unicodedata.normalize("NFC", e.text)) for e in nfd]
    person = next(e for e in nfd if e.type == "people")
    assert person.text == "Mara Quille\u0301" and decomposed[person.start : person.end] == person.text


# Model folders --------------------------------------------------------------------------


def _with_metadata_bytes(source: Path, target: Path, data: bytes) -> Path:
    """A copy of ``source`` whose metadata.json is ``data``, checksums made to match."""
    _, files = read_artifact(source)
    target.mkdir()
    for name, content in {**files, METADATA: data}.items():
        (target / name).write_bytes(content)
    sums = "".join(f"{hashlib.sha256((target / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(files))
    (target / CHECKSUMS).write_text(sums)
    return target


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not valid UTF-8 JSON"),
        (b"[1, 2]", "expected a JSON object, found list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid UTF-8 JSON"),
        (b'{"label": "x"}', "no 'kind' field"),
        (b'{"kind": "ensemble", "members": [{"folder": "../x", "weight": 1}]}', "member 1 must be"),
    ],
)
def test_bad_metadata_is_one_clear_line(models: Path, tmp_path: Path, monkeypatch, capsys, data, reason, cli) -> None:
    folder = _with_metadata_bytes(models / "strong_crf", tmp_path / "bad", data)
    code, _, err = cli(["predict", "--model", str(folder)], b"hi\n")
    assert code == 2 and reason in err and "metadata.json" in err and "Traceback" not in err


def test_metadata_is_verified_before_it_is_parsed(models: Path, tmp_path: Path) -> None:
    folder = _with_metadata_bytes(models / "strong_crf", tmp_path / "bad", b"{not json")
    (folder / METADATA).write_bytes(b"[1, 2]")  # now also altered after its checksum was taken
    with pytest.raises(ArtifactError, match="SHA-256 mismatch"):
        load_tagger(folder)


def test_a_model_without_its_gazetteers_says_how_to_point_at_them(models: Path, tmp_path: Path, monkeypatch) -> None:
    meta, files = read_artifact(models / "strong_crf")
    features = {"kind": "knowledge", "wnut": True, "wikidata": False, "clusters": False}
    write_artifact(tmp_path / "real", {k: v for k, v in files.items() if k != METADATA}, {**meta, "features": features})
    monkeypatch.delenv(access.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(access.CACHE_DIR_ENV, str(tmp_path / "cache"))

    def offline(entry, searched):
        raise DataNotFoundError(f"{entry.path} not found (offline)")

    monkeypatch.setattr(access, "_download", offline)
    with pytest.raises(DataNotFoundError, match=r"gazetteers.*TWEETNER_DATA_DIR or --data-dir"):
        load_tagger(tmp_path / "real")


# Paths ----------------------------------------------------------------------------------


def test_output_equal_to_the_input_is_refused_and_the_input_kept(
    models: Path, monkeypatch, capsys, tmp_path, cli, synthetic
):
    gold = tmp_path / "gold.conll"
    write_conll(gold, synthetic["dev"])
    before = gold.read_bytes()
    for command in (["evaluate", "-o", str(gold), str(gold)], ["predict", "-o", str(gold), str(gold)]):
        code, _, err = cli([*command, "--model", str(models)], b"")
        assert code == 2 and f"-o {gold}: is the input file" in err
    link = tmp_path / "link.conll"
    link.symlink_to(gold)
    code, _, err = cli(["evaluate", "--model", str(models), "-o", str(link), str(gold)], b"")
    assert code == 2 and "is the input file" in err and gold.read_bytes() == before


def test_bad_output_paths_are_refused_before_the_model_loads(monkeypatch, capsys, tmp_path: Path, cli) -> None:
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    missing_model = str(tmp_path / "no-model-here")
    for output, reason in [
        (str(tmp_path), "is a folder"),
        (str(tmp_path / "missing" / "out.jsonl"), "does not exist"),
        (str(afile / "out.jsonl"), "does not exist"),
    ]:
        code, _, err = cli(["predict", "--model", missing_model, "-o", output], b"hi\n")
        assert code == 2 and f"-o {output}: " in err and reason in err and "no saved model" not in err
        assert ".tmp" not in err


def test_a_read_only_output_is_refused(models: Path, monkeypatch, capsys, tmp_path: Path, cli) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("keep me")
    out.chmod(0o444)
    code, _, err = cli(["predict", "--model", str(models), "-o", str(out)], b"hi\n")
    if os.access(out, os.W_OK) and code == 0:  # root may write anyway: then the bits must survive
        assert out.stat().st_mode & 0o777 == 0o444
    else:
        assert code == 2 and "read-only" in err and out.read_text() == "keep me"


def test_a_symlinked_output_keeps_the_link_and_the_mode(models: Path, monkeypatch, capsys, tmp_path: Path, cli) -> None:
    target, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link.symlink_to(target)
    code, _, _ = cli(["predict", "--model", str(models), "-o", str(link)], b"Norvik Rovers won\n")
    assert code == 0 and link.is_symlink()
    assert json.loads(target.read_text())["text"] == "Norvik Rovers won"
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("workers", ["0", "-1", str(CORES + 1), "two"])
def test_workers_outside_one_to_the_cores_are_refused(models: Path, monkeypatch, capsys, workers: str, cli) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli(["predict", "--model", str(models), "--workers", workers], b"hi\n")
    assert stopped.value.code == 2
    assert "--workers" in capsys.readouterr().err


# The Python API -------------------------------------------------------------------------


def test_the_api_is_exported_and_refuses_a_plain_string(models: Path) -> None:
    assert tweetner_utils.load_tagger is load_tagger and tweetner_utils.Tagger is not None
    tagger = load_tagger(models)
    with pytest.raises(TypeError, match=r"tag\(\[text\]\)"):
        tagger.tag("Norvik Rovers won")
    with pytest.raises(TypeError, match="list of tweets"):
        tagger.tag_tokens(["Norvik", "Rovers"])
    with pytest.raises(ValueError, match="workers must be between 1"):
        load_tagger(models, workers=0)


# Honest scoring -------------------------------------------------------------------------


def test_evaluate_warns_when_the_gold_tweets_were_training_data(
    models: Path, monkeypatch, capsys, tmp_path, cli, synthetic
):
    trained = set(tweet_fingerprints(synthetic["train"].tokens))
    unseen = [t for t in synthetic["test"] if tweet_fingerprints([t.tokens])[0] not in trained]
    seen_in_test = len(set(tweet_fingerprints(synthetic["test"].tokens)) & trained)
    assert unseen and seen_in_test  # the synthetic test split repeats some short training tweets
    for name, tweets, warning in (
        ("train", list(synthetic["train"]), f"{len(trained)} of {len(trained)} distinct tweets"),
        ("test", list(synthetic["test"]), f"{seen_in_test} of "),
        ("unseen", unseen, None),
    ):
        gold = tmp_path / f"{name}.conll"
        write_conll(gold, tweets)
        code, _, err = cli(["evaluate", "--model", str(models), str(gold)], b"")
        assert code == 0
        if warning is None:
            assert "training data" not in err
        else:
            assert warning in err and "were in this model's training data" in err


def test_evaluate_output_is_what_conlleval_pl_reads(
    models: Path, monkeypatch, capsys, tmp_path: Path, cli, synthetic
) -> None:
    """conlleval.pl: ``split(/ /, $line)``, the last two fields gold and guess, blank line between tweets."""
    gold = tmp_path / "gold.conll"
    write_conll(gold, synthetic["test"])
    pred = tmp_path / "pred.txt"
    code, _, _ = cli(["evaluate", "--model", str(models), "-o", str(pred), str(gold)], b"")
    assert code == 0
    tweets = pred.read_text().split("\n\n")[:-1]
    assert len(tweets) == len(synthetic["test"])
    for lines, tweet in zip(tweets, synthetic["test"]):
        fields = [line.split(" ") for line in lines.split("\n")]
        assert all(len(f) == 3 for f in fields)
        assert [f[0] for f in fields] == list(tweet.tokens) and [f[1] for f in fields] == list(tweet.tags)


def test_evaluate_repair_reads_iob1_gold(models: Path, monkeypatch, capsys, tmp_path: Path, cli) -> None:
    gold = tmp_path / "iob1.conll"
    gold.write_text("Norvik\tI-club\nRovers\tI-club\nwon\tO\n\n")
    code, _, err = cli(["evaluate", "--model", str(models), str(gold)], b"")
    assert code == 2 and "--repair" in err
    code, out, _ = cli(["evaluate", "--model", str(models), "--repair", str(gold)], b"")
    assert code == 0 and "repaired 1 tag(s)" in out


# Help -----------------------------------------------------------------------------------


def test_help_teaches_and_version_answers(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    text = capsys.readouterr().out
    for needed in ("examples:", '"text": "the tweet"', "code points", "--input-format", "exit status"):
        assert needed in text
    assert "``" not in text
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("tweetner ")


def test_predict_names_its_model_and_score_on_stderr(models: Path, monkeypatch, capsys, cli, synthetic) -> None:
    code, _, err = cli(["predict", "--model", str(models)], b"Norvik Rovers won\n")
    assert code == 0 and "tweetner: model strong_crf, synthetic test entity F1 50.00" in err
