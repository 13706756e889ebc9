"""Business-summary text comes from the numbers; reports escape whatever data holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_markup import ALLOWED_TAGS, parse
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sets import ENTITY_TYPES

from tweetner_utils import read_results, write_results
from tweetner_utils.data.corpora import CorpusSpec, corpus_spec
from tweetner_utils.exceptions import ResultsError
from tweetner_utils.reporting.html import IndexEntry, index_page, strip_external_scripts
from tweetner_utils.reporting.results import normalise
from tweetner_utils.reporting.summary.comparison import (
    comparison_table,
    findings,
    per_type_table,
    risks_and_recommendations,
)

WNUT16 = corpus_spec("wnut16")


def block(p: float, r: float, f: float, low: float, high: float, weak: str = "movie") -> dict:
    per_type = {
        t: {"precision": p, "recall": r, "f1": f, "n_gold": 50, "n_pred": 50, "n_correct": 25} for t in ENTITY_TYPES
    }
    per_type[weak] = {**per_type[weak], "recall": 0.01}
    return {
        "entity": {"precision": p, "recall": r, "f1": f, "ci_low": low, "ci_high": high},
        "per_type": per_type,
        "token_macro": {"f1_non_o_macro": f / 2},
    }


MODELS = {
    "a": {
        "label": "Model A",
        "splits": {"test": block(0.6, 0.3, 0.40, 0.37, 0.43), "dev": block(0.7, 0.5, 0.55, 0.5, 0.6)},
    },
    "b": {"label": "Model B", "splits": {"test": block(0.5, 0.2, 0.30, 0.27, 0.33, weak="person")}},
}


def test_comparison_ranks_by_entity_f1() -> None:
    table = comparison_table(MODELS)
    assert list(table.index) == ["Model A", "Model B"]
    assert table.loc["Model A", "dev_f1"] == 0.55


def test_findings_name_leader_margin_certainty_weak_types_and_drift() -> None:
    lines = findings(MODELS, corpus=WNUT16)
    assert "**Model A**" in lines[0] and "40.0%" in lines[0]
    assert "by 10.0 F1 points" in lines[1] and "do not overlap" in lines[1]
    assert lines[2].startswith("Recall fails most on movie (1.0% found)")
    assert "a drop of 15.0 points, the cost of language drift between the two years" in lines[3]
    assert "on dev (2015 dev tweets)" in lines[3] and "on test (2016 test tweets)" in lines[3]
    own = findings(MODELS, corpus=CorpusSpec("mine", "Mine", {"dev": "March tweets", "test": "April tweets"}))
    assert "on dev (March tweets)" in own[3] and "the cost of the difference between the dev and the test" in own[3]
    assert "2016" not in " ".join(own)


def test_overlapping_intervals_are_called_uncertain() -> None:
    close = {**MODELS, "b": {"label": "Model B", "splits": {"test": block(0.5, 0.3, 0.39, 0.36, 0.42)}}}
    assert "overlap, so the lead is not yet certain" in findings(close, corpus=WNUT16)[1]


def test_risks_follow_thresholds() -> None:
    advice = risks_and_recommendations(MODELS, corpus=WNUT16)
    assert any("misses 70.0%" in r for r in advice["risks"])
    assert any("Model A" in r for r in advice["recommendations"])
    assert any("movie" in r for r in advice["recommendations"])


def test_no_results_gives_a_clear_sentence() -> None:
    assert findings({}, corpus=WNUT16) == ["No model results were recorded, so nothing can be compared yet."]


def test_per_type_table_has_support_column() -> None:
    table = per_type_table(MODELS)
    assert list(table.columns) == ["gold entities", "Model A", "Model B"]
    assert table.loc["movie", "gold entities"] == 50
    from tweetner_utils.reporting.tables import frame_html

    shown = frame_html(table.round(3))  # model columns are F1 shares: percentages; the count is not
    assert "%" in shown and "5,000%" not in shown and ">50<" in shown


def test_results_are_rounded_sorted_and_read_back(tmp_path: Path) -> None:
    path = write_results(tmp_path, "x", {"b": 1 / 3, "a": [float("nan"), 2]})
    assert path.read_text() == '{\n  "a": [\n    null,\n    2\n  ],\n  "b": 0.333333,\n  "step": "x"\n}\n'
    assert read_results(tmp_path) == {"x": {"a": [None, 2], "b": 0.333333, "step": "x"}}
    (tmp_path / "y.json").write_text("{broken")
    with pytest.raises(ResultsError, match=r"y\.json"):
        read_results(tmp_path)
    with pytest.raises(TypeError, match="cannot record"):
        normalise({"x": object()})


def test_a_missing_or_empty_results_folder_is_a_clear_error(tmp_path: Path) -> None:
    for folder in (tmp_path / "gone", tmp_path):
        with pytest.raises(ResultsError, match=r"no results in .*make reports"):
            read_results(folder)


def test_remote_scripts_are_removed_and_local_ones_kept() -> None:
    page = '<script src="https://cdn.x/m.js"></script><script>var a = 1;</script><script type="module">import("http://x")</script>'
    assert strip_external_scripts(page) == "<script>var a = 1;</script>"


HOSTILE = st.text(alphabet=st.sampled_from(list("<>&\"'/=ab ")), min_size=1, max_size=30)


@settings(max_examples=80)
@given(title=HOSTILE, key=HOSTILE, value=HOSTILE)
def test_index_page_escapes_everything(title: str, key: str, value: str) -> None:
    entry = IndexEntry("step", title, "r.html", "s.html", {key: value}, 1.0, "ok")
    parser = parse(index_page([entry], {"commit": value, "data_sha256": {key: value}}, "tweetner"))
    assert set(parser.tags) <= ALLOWED_TAGS
    assert set(parser.attributes) <= {"lang", "charset", "href", "class"}
    text = "".join(parser.text)
    for hostile in (title, key, value):
        assert hostile in text


def test_index_page_escapes_a_known_attack() -> None:
    attack = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    entry = IndexEntry("s", attack, "s.html", "s.s.html", {attack: attack}, None, "ok")
    page = index_page([entry], {"file": attack}, "t")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_stability_lines_come_from_recorded_summaries() -> None:
    from tweetner_utils.reporting.summary.stability_text import stability_lines

    summary = {"seeds": 3, "mean": 0.4, "std": 0.03, "min": 0.37, "max": 0.43, "unstable": True}
    models = {**MODELS, "c": {"label": "Model C", "splits": {}, "details": {"stability": summary}}}
    (line,) = stability_lines(models)
    assert line.startswith("Model C over 3 seeds: test entity F1 40.0 ± 3.0") and "unstable" in line


def test_drift_is_judged_only_on_models_scored_on_dev_and_test_after_one_fit() -> None:
    refit = {
        "label": "Refit",
        "splits": {"test": block(0.9, 0.8, 0.85, 0.8, 0.9)},
        "details": {"selection_dev_f1": 0.5},
    }
    lines = findings({**MODELS, "r": refit}, corpus=WNUT16)
    assert "**Refit**" in lines[0]
    drift = [line for line in lines if "dev (2015 dev tweets)" in line]
    assert len(drift) == 1 and drift[0].startswith("Model A, the best model scored on dev and test after the same fit")


def test_the_results_digest_moves_with_any_results_byte_but_not_with_timings(tmp_path: Path) -> None:
    import subprocess

    from tweetner_utils.reporting.results import results_digest, write_results, write_timings

    write_results(tmp_path, "01_eda", {"headline": {"tweets": 10}})
    write_results(tmp_path, "02_baselines", {"models": {}})
    first = results_digest(tmp_path)
    write_timings(tmp_path, "02_baselines", {"sgd": {"train_seconds": 1.0}})
    assert results_digest(tmp_path) == first
    by_shell = subprocess.run("sha256sum *.json | sha256sum", shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert by_shell.stdout.split()[0] == first
    write_results(tmp_path, "01_eda", {"headline": {"tweets": 11}})
    assert results_digest(tmp_path) != first


def test_the_index_shows_the_digest_and_whether_the_numbers_are_portable() -> None:
    numerics = {"mode": "portable", "covers": "x86-64 CPU with AVX2 and FMA", "cpu_model": "Test CPU"}
    portable = index_page([], {"results_digest": "abc123", "numerics": numerics}, "t")
    assert "Results digest <code>abc123</code>" in portable
    assert (
        "Computed on Test CPU with portable numerics: the same seed gives the same digest on any x86-64 CPU" in portable
    )
    fast = index_page([], {"results_digest": "abc123", "numerics": numerics | {"mode": "fast kernels"}}, "t")
    assert "another CPU may give other numbers and another digest" in fast and "portable numerics" not in fast
    broken = numerics | {"mode": "not portable", "problems": ["this CPU lacks AVX2"]}
    assert "not portable (this CPU lacks AVX2)" in index_page([], {"results_digest": "x", "numerics": broken}, "t")
