"""run_all.py end to end on the synthetic corpus: reports, recorded results, failures."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from quick_runs import quick

from tweetner_utils import Tweet, load_corpora, read_results, tweet_fingerprints, write_conll
from tweetner_utils.data.tokenizer import tokenize
from tweetner_utils.exceptions import StepFailed
from tweetner_utils.pipeline import command
from tweetner_utils.pipeline.config import SummaryConfig
from tweetner_utils.pipeline.run import run
from tweetner_utils.pipeline.steps import STEPS, RunOptions, Step, select_steps
from tweetner_utils.serving.api import load_tagger, model_folder
from tweetner_utils.serving.review import model_threshold, review_queue
from tweetner_utils.serving.streams import Item, tokenize_joined

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parents[1]  # tests/


def test_quick_run_writes_every_report_and_the_index(quick_run: Path) -> None:
    reports = quick_run / "reports"
    for step in STEPS:
        assert (reports / f"{step.name}.html").stat().st_size > 10_000
        stakeholder = (reports / f"{step.name}.stakeholder.html").read_text("utf-8")
        assert "import tweetner_utils" not in stakeholder  # code hidden
        assert 'src="https://' not in stakeholder and "cdnjs" not in stakeholder
        assert (reports / "notebooks" / f"{step.name}.ipynb").is_file()
    index = (reports / "index.html").read_text("utf-8")
    assert "tweetner reports: quick run on synthetic data" in index
    for step in STEPS:
        assert f'href="{step.name}.stakeholder.html"' in index
    manifest = json.loads((reports / "run_manifest.json").read_text())
    assert set(manifest["wall_seconds_per_step"]) == {s.name for s in STEPS}
    assert manifest["seed"] == 42 and manifest["package_versions"]["torch"].startswith("2.13.0")
    assert not (reports / ".build").exists()
    assert (quick_run / "models" / "bilstm" / "SHA256SUMS").is_file()


def test_stakeholder_pages_hold_no_warnings_paths_raw_records_or_nan_and_carry_a_title(quick_run: Path) -> None:
    from html_markup import problems, visible_text

    for step in STEPS:
        page = (quick_run / "reports" / f"{step.name}.stakeholder.html").read_text("utf-8")
        assert problems(page) == [], step.name
        assert f"<title>{step.title}</title>" in page and 'href="index.html"' in page
        assert "from commit" in visible_text(page)


def test_recorded_results_hold_what_the_notebooks_computed(quick_run: Path) -> None:
    results = read_results(quick_run / "reports" / "results")
    assert list(results) == [s.name for s in STEPS]
    eda = results["01_eda"]
    assert eda["overview"]["train"]["tweets"] == 240
    baselines = results["02_baselines"]["models"]
    assert set(baselines) == {"majority", "sgd", "crf_baseline"}
    for record in baselines.values():
        assert set(record["splits"]) == {"validation", "dev", "test"}
    assert baselines["majority"]["splits"]["test"]["entity"]["f1"] == 0.0
    crf_test = baselines["crf_baseline"]["splits"]["test"]["entity"]
    assert crf_test["f1"] > 0.8  # the synthetic pattern is easy to learn
    assert crf_test["ci_low"] <= crf_test["f1"] <= crf_test["ci_high"]
    bilstm = results["03_bilstm"]["models"]["bilstm"]
    assert bilstm["details"]["epochs_run"] == 2
    strong = results["04_strong_models"]["models"]
    assert set(strong) == {"strong", "fast"}
    tried = {row["members"] for row in strong["strong"]["details"]["selection"]}
    assert {"crf", "transformer", "bilstm_crf", "crf+transformer+bilstm_crf"} <= tried
    chosen = max(strong["strong"]["details"]["selection"], key=lambda row: row["dev_f1"])
    assert "+".join(strong["strong"]["details"]["members"]) == chosen["members"]  # chosen on dev
    curve = results["04_strong_models"]["distillation"]["bilstm_crf_students"]["curve"]
    # the quick run fits a soft-label student too (the default reports do not), at the students' width
    assert [(row["soft_labels"], row["lstm_hidden"]) for row in curve] == [(False, 200), (False, 100), (True, 100)]
    corpora = load_corpora(True, 42, "")
    trained_on = tweet_fingerprints(corpora["train"].tokens + corpora["dev"].tokens)
    fast_folder = model_folder("fast", quick_run / "models")  # the folder the descriptor names
    assert fast_folder.name == f"strong_{max(strong['fast']['details']['chosen_among'].items(), key=lambda i: i[1])[0]}"
    for folder, model in ((quick_run / "models" / "strong", "strong"), (fast_folder, "fast")):  # each its own score
        metadata = json.loads((folder / "metadata.json").read_text())
        assert metadata["test_entity_f1"] == pytest.approx(strong[model]["splits"]["test"]["entity"]["f1"], abs=1e-6)
        assert metadata["training_tweets"] == trained_on
    ranking = results["05_business_summary"]["ranking"]
    assert [r["f1"] for r in ranking] == sorted((r["f1"] for r in ranking), reverse=True)
    assert ranking[0]["model"] in results["05_business_summary"]["findings"][0]


WNUT16_ONLY = ("company", "facility", "geo-loc", "movie", "musicartist", "sportsteam", "tvshow", "2016", "WNUT16 test")
"""Words that may appear only when the corpus is WNUT16 (its types, its test year)."""


def test_the_quick_run_speaks_of_its_own_label_set_and_never_of_wnut16s(quick_run: Path) -> None:
    from html_markup import visible_text
    from label_sets import SYNTHETIC

    results = read_results(quick_run / "reports" / "results")
    assert results["01_eda"]["entity_types"] == list(SYNTHETIC.types)
    assert results["01_eda"]["corpus"]["name"] == "synthetic"
    per_type = results["04_strong_models"]["models"]["strong"]["splits"]["test"]["per_type"]
    assert set(per_type) == set(SYNTHETIC.types)
    for folder in ("strong", "strong_crf", "bilstm"):
        metadata = json.loads((quick_run / "models" / folder / "metadata.json").read_text())
        assert metadata["labels"] == list(SYNTHETIC.labels), folder
    for step in STEPS:
        text = visible_text((quick_run / "reports" / f"{step.name}.stakeholder.html").read_text("utf-8"))
        assert [word for word in WNUT16_ONLY if word in text] == [], step.name
    assert "gadget" in visible_text((quick_run / "reports" / "04_strong_models.stakeholder.html").read_text("utf-8"))


def test_the_saved_best_model_routes_test_tweets_as_the_report_says(quick_run: Path) -> None:
    """`tweetner review export` with the saved model queues what the report's routing figure counts."""
    routing = read_results(quick_run / "reports" / "results")["04_strong_models"]["models"]["strong"]["details"]
    tagger = load_tagger(quick_run / "models" / "strong")
    assert model_threshold(tagger) == pytest.approx(routing["routing"]["threshold"], abs=1e-6)
    test = load_corpora(True, 42, "")["test"]
    items = [Item(n, " ".join(t.tokens), tokenize_joined(t.tokens)) for n, t in enumerate(test, start=1)]
    _, summary = review_queue(tagger, items, model_threshold(tagger), 0.0)
    assert summary.review_items_per_1000 == pytest.approx(
        routing["routing"]["test"]["review_per_1000_tweets"], abs=1e-3
    )
    assert tokenize(items[0].text)  # the items are real tweets


def test_reviewed_tweets_are_added_refused_by_id_and_what_they_changed_reported(
    quick_run: Path, tmp_path: Path
) -> None:
    corpora = load_corpora(True, 42, "")
    held_out = {t.tokens for split in ("dev", "test") for t in corpora[split]}
    reviewed = [Tweet(t.tokens, t.tags, id=f"task-{n}") for n, t in enumerate(corpora["extra"].tweets[:30])]
    copied = Tweet(corpora["test"][3].tokens, corpora["test"][3].tags, id="copied")
    write_conll(tmp_path / "reviewed.conll", [*reviewed, copied])
    assert quick(tmp_path, "--extra-train", str(tmp_path / "reviewed.conll")) == 0
    results = read_results(tmp_path / "reports" / "results")
    record = results["04_strong_models"]["reviewed"]
    assert record["added"] == sum(t.tokens not in held_out for t in reviewed)
    assert any(
        line.startswith("reviewed.conll: tweet copied (line ") and line.endswith("in test")
        for line in record["refused"]
    )
    assert len(record["refused"]) == len(reviewed) + 1 - record["added"]
    baseline = read_results(quick_run / "reports" / "results")["04_strong_models"]["models"]["strong"]
    assert results["04_strong_models"]["models"]["strong"]["details"]["members"] == baseline["details"]["members"]
    assert record["before"]["test_entity_f1"] == pytest.approx(baseline["splits"]["test"]["entity"]["f1"], abs=1e-6)
    assert record["before"]["routing"] == baseline["details"]["routing"]
    assert results["02_baselines"]["config"]["extra_train"] == ["reviewed.conll"]
    summary = (tmp_path / "reports" / "05_business_summary.stakeholder.html").read_text("utf-8")
    assert f"{record['added']} reviewed tweets were added to the training data of every model" in summary
    manifest = json.loads((tmp_path / "reports" / "run_manifest.json").read_text())
    assert "extra train: reviewed.conll" in manifest["data_sha256"]


def execute_where_it_lies(notebook: Path, output: Path) -> None:
    """Run a notebook as `jupyter nbconvert --execute` does: in its own folder, the project kernel."""
    import nbclient
    import nbformat

    book = nbformat.read(str(notebook), as_version=4)
    nbclient.NotebookClient(
        book, kernel_name=command.default_kernel(), resources={"metadata": {"path": str(notebook.parent)}}
    ).execute()
    nbformat.write(book, str(output))


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_notebooks_run_by_hand_write_to_a_scratch_folder_and_executed_copies_run_again(
    quick_run: Path, tmp_path: Path
) -> None:
    reports = quick_run / "reports"
    published, models = snapshot(reports / "results"), snapshot(quick_run / "models")
    executed = reports / "notebooks" / "05_business_summary.ipynb"
    assert "/.build/" not in executed.read_text("utf-8")  # its parameters no longer name the vanished build folder
    execute_where_it_lies(executed, tmp_path / "rerun.ipynb")
    assert (reports / "interactive" / "results" / "05_business_summary.json").is_file()
    project = tmp_path / "project"  # a checkout: the committed notebook beside published results
    (project / "notebooks").mkdir(parents=True)
    (project / "notebooks" / "05_business_summary.ipynb").write_bytes(
        (HERE.parent / "notebooks" / "05_business_summary.ipynb").read_bytes()
    )
    shutil.copytree(reports / "results", project / "reports" / "results")
    execute_where_it_lies(project / "notebooks" / "05_business_summary.ipynb", tmp_path / "by_hand.ipynb")
    assert (project / "reports" / "interactive" / "results" / "05_business_summary.json").is_file()
    assert snapshot(project / "reports" / "results") == {
        project / "reports" / "results" / p.relative_to(reports / "results"): b for p, b in published.items()
    }
    assert snapshot(reports / "results") == published and snapshot(quick_run / "models") == models


def test_same_seed_gives_byte_identical_results(quick_run: Path, tmp_path: Path) -> None:
    assert quick(tmp_path) == 0
    first = sorted((quick_run / "reports" / "results").glob("*.json"))
    second = sorted((tmp_path / "reports" / "results").glob("*.json"))
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_only_reruns_one_step_and_keeps_the_others(quick_run: Path) -> None:
    reports = quick_run / "reports"
    before = (reports / "02_baselines.html").read_bytes()
    assert quick(quick_run, "--only", "01_eda") == 0
    assert (reports / "02_baselines.html").read_bytes() == before
    index = (reports / "index.html").read_text("utf-8")
    assert "not run yet" not in index


def test_failing_notebook_names_step_and_cell_and_keeps_reports(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "results").mkdir(parents=True)
    (reports / "index.html").write_text("previous good index")
    (reports / "results" / "01_eda.json").write_text('{"step": "01_eda"}\n')
    broken = Step(
        "99_broken", "Broken", SummaryConfig(), SummaryConfig(quick=True), HERE / "notebooks" / "broken.ipynb"
    )
    options = RunOptions(
        quick=True, reports_dir=reports, models_dir=tmp_path / "models", kernel="python3", steps=(broken,)
    )
    with pytest.raises(StepFailed) as caught:
        run(options, log=lambda _: None)
    error = caught.value
    assert error.step == "99_broken"
    assert "cell 3 of the executed notebook" in error.detail  # papermill's injected parameters count
    assert "`raise ValueError(" in error.detail and "ValueError: deliberate failure" in error.detail
    assert error.partial is not None and error.partial.is_file()
    assert "about to fail" in error.partial.read_text()
    assert (reports / "index.html").read_text() == "previous good index"
    assert (reports / "results" / "01_eda.json").read_text() == '{"step": "01_eda"}\n'


def test_cli_reports_failure_with_non_zero_exit(monkeypatch, capsys, tmp_path: Path) -> None:
    def failing(options, log=print):
        raise StepFailed("02_baselines", "cell 5 raised KeyError: 'x'", tmp_path / "02_baselines.ipynb")

    monkeypatch.setattr(command, "run", failing)
    assert quick(tmp_path) == 1
    err = capsys.readouterr().err
    assert "02_baselines" in err and "cell 5" in err and "unchanged" in err


def test_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="known steps: 01_eda"):
        select_steps(RunOptions(only=("05_nope",)))
    with pytest.raises(SystemExit):
        command.parse_args(["--only", "05_nope"])


def test_without_the_reports_extra_the_run_says_what_to_install(monkeypatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "papermill" else real(name, *a))
    with pytest.raises(SystemExit, match=r"papermill not installed\): pip install 'tweetner\[reports\]'"):
        quick(tmp_path)
    assert not (tmp_path / "reports").exists()


def png_images(html: str) -> list[str]:
    return re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)


def test_charts_are_byte_identical_across_runs(quick_run: Path, tmp_path: Path) -> None:
    """PNGs carry no version or time stamp, so two runs' reports diff only where numbers do."""
    assert quick(tmp_path, "--only", "01_eda") == 0
    first = png_images((quick_run / "reports" / "01_eda.html").read_text("utf-8"))
    second = png_images((tmp_path / "reports" / "01_eda.html").read_text("utf-8"))
    assert first and first == second
    assert b"Matplotlib" not in base64.b64decode(first[0])


def test_a_different_seed_changes_the_stochastic_models(quick_run: Path, tmp_path: Path) -> None:
    assert quick(tmp_path, "--only", "02_baselines", "--only", "03_bilstm", "--seed", "7") == 0
    for step in ("02_baselines", "03_bilstm"):
        ours = json.loads((tmp_path / "reports" / "results" / f"{step}.json").read_text())
        theirs = json.loads((quick_run / "reports" / "results" / f"{step}.json").read_text())
        assert ours["models"] != theirs["models"], step


def test_hostile_tweet_text_is_escaped_in_every_report(quick_run: Path) -> None:
    """The synthetic test split ends with a tweet full of markup (HOSTILE_TWEET)."""
    pages = {p.name: p.read_text("utf-8") for p in (quick_run / "reports").glob("*.html")}
    assert len(pages) == 2 * len(STEPS) + 1
    for name, page in pages.items():
        assert "<script>alert(1)" not in page and "<img src=x" not in page, name
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages.values())


def test_a_member_this_run_did_not_save_is_removed_and_other_steps_models_kept(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for name in ("strong_bilstm_crf_from_last_run", "bilstm", "someone_elses"):
        (models / name).mkdir(parents=True)
        (models / name / "metadata.json").write_text("{}")
    assert quick(tmp_path, "--only", "04_strong_models", "--no-transformer") == 0  # MiniLM would show nothing more
    left = {p.name for p in models.iterdir()}
    assert "strong_bilstm_crf_from_last_run" not in left and {"bilstm", "someone_elses", "strong", "strong_crf"} <= left
    assert (models / "bilstm" / "metadata.json").read_text() == "{}"  # 03 did not run: its folder is untouched


def test_models_are_swapped_in_only_after_success(quick_run: Path) -> None:
    models = quick_run / "models"
    assert (models / "strong_crf" / "metadata.json").is_file() and (models / "bilstm" / "metadata.json").is_file()
    from tweetner_utils import load_tagger

    with load_tagger(models) as tagger:  # what `tweetner predict` uses with no --model
        assert tagger.name.startswith("strong (")
    assert not [p for p in models.iterdir() if p.name.startswith(".")]
    assert not (quick_run / "reports" / ".build").exists()


def test_each_corpus_writes_to_its_own_folders_and_a_colliding_name_is_refused(tmp_path: Path) -> None:
    assert command.output_subfolder(command.parse_args([])) == ""
    assert command.output_subfolder(command.parse_args(["--corpus", "wnut17"])) == "wnut17"
    assert command.output_subfolder(command.parse_args(["--quick", "--corpus", "wnut17"])) == "quick"
    mine = tmp_path / "brand_tweets"
    assert command.output_subfolder(command.parse_args(["--corpus-dir", str(mine)])) == "brand_tweets"
    with pytest.raises(SystemExit, match="would collide with reports/results"):
        command.output_subfolder(command.parse_args(["--corpus-dir", str(tmp_path / "results")]))


def test_a_corpus_folder_with_a_type_train_lacks_is_rejected_before_anything_runs(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "brand_tweets"
    corpus.mkdir()
    (corpus / "train").write_text("IKEA\tB-corporation\nsale\tO\n")
    (corpus / "dev").write_text("IKEA\tB-corporation\n")
    (corpus / "test").write_text("ok\tO\nCanada\tB-location\n")
    code = command.main(["--corpus-dir", str(corpus), "--reports-dir", str(tmp_path / "r"), "--kernel", "python3"])
    err = capsys.readouterr().err
    assert code == 2 and f"{corpus / 'test'}:2: type 'location' is not in train" in err
    assert not (tmp_path / "r").exists()
