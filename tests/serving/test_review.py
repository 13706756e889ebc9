"""The review loop: `tweetner review export` (queue out, checked against Label Studio's own
code), `tweetner review import` (annotations back as CoNLL), and their edge cases."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from label_sets import ENTITY_TYPES, SYNTHETIC
from label_studio_sdk.converter import Converter
from label_studio_sdk.label_interface import LabelInterface

from scripts.simulated_review import simulated_export
from tweetner_utils import load_split, synthetic_splits, write_conll
from tweetner_utils.data.annotation_tools import (
    QueuedTweet,
    Span,
    label_studio_config,
    read_doccano_exports,
    read_label_studio_export,
)
from tweetner_utils.data.conll import read_conll
from tweetner_utils.data.labels import bio_spans
from tweetner_utils.evaluation.active_learning import STRATEGIES, choose, priorities
from tweetner_utils.exceptions import AnnotationError
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.serving.api import load_tagger
from tweetner_utils.serving.cli import main
from tweetner_utils.serving.cli.arguments import LABELLING_STRATEGIES
from tweetner_utils.serving.review import LABEL_NEXT, LOW_CONFIDENCE, NOTHING_FOUND

SPLITS = synthetic_splits(8)
THRESHOLD = 0.9


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """A small knowledge CRF whose folder records a routing threshold, as `make reports` saves it."""
    folder = tmp_path_factory.mktemp("models") / "strong_crf"
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=15, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(SPLITS["train"].tokens, SPLITS["train"].tags)
    crf.save(str(folder), {"test_entity_f1": 0.5, "routing_threshold": THRESHOLD})
    return folder


@pytest.fixture(scope="module")
def test_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "test.conll"
    write_conll(path, SPLITS["test"])
    return path


def cli(*argv: object, monkeypatch=None) -> tuple[int, str]:
    err = io.StringIO()
    previous, sys.stderr = sys.stderr, err
    try:
        code = main([str(a) for a in argv])
    finally:
        sys.stderr = previous
    return code, err.getvalue()


def export(model: Path, source: Path, output: Path, *extra: object) -> list:
    code, err = cli("review", "export", "--model", model, "--input-format", "conll", "-o", output, source, *extra)
    assert code == 0, err
    text = output.read_text(encoding="utf-8")
    return json.loads(text) if output.suffix == ".json" else [json.loads(line) for line in text.splitlines()]


def model_spans(model: Path, tokens: list[list[str]]) -> list[list[tuple[str, int, int]]]:
    tags, _ = load_tagger(model).tag_tokens(tokens)
    return [bio_spans(t) for t in tags]


def test_queue_is_every_tweet_with_an_entity_below_the_threshold_plus_a_sample(model, test_file, tmp_path):
    queue = export(model, test_file, tmp_path / "q.json", "--sample-empty", "0.5")
    tags, confidences = load_tagger(model).tag_tokens(SPLITS["test"].tokens)
    low, empty = set(), []
    for number, (tweet_tags, conf) in enumerate(zip(tags, confidences), start=1):
        found = bio_spans(tweet_tags)
        if any(sum(conf[a : b + 1]) / (b + 1 - a) < THRESHOLD for _, a, b in found):
            low.add(str(number))
        if not found:
            empty.append(str(number))
    by_reason: dict[str, set] = {LOW_CONFIDENCE: set(), NOTHING_FOUND: set()}
    for task in queue:
        by_reason[task["data"]["review_reason"]].add(task["data"]["tweet_id"])
    assert low and by_reason[LOW_CONFIDENCE] == low
    assert by_reason[NOTHING_FOUND] <= set(empty) and len(by_reason[NOTHING_FOUND]) == round(0.5 * len(empty))
    ids = [int(task["data"]["tweet_id"]) for task in queue]
    assert ids == sorted(ids)  # input order


def test_the_sample_is_seeded(model, test_file, tmp_path):
    first = export(model, test_file, tmp_path / "a.json", "--sample-empty", "0.3", "--seed", "1")
    again = export(model, test_file, tmp_path / "b.json", "--sample-empty", "0.3", "--seed", "1")
    other = export(model, test_file, tmp_path / "c.json", "--sample-empty", "0.3", "--seed", "2")
    assert first == again != other


def test_a_model_without_a_recorded_threshold_is_refused_before_anything_is_written(test_file, tmp_path):
    folder = tmp_path / "old_model"
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=5, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(SPLITS["train"].tokens[:40], SPLITS["train"].tags[:40]).save(str(folder), {})
    code, err = cli(
        "review", "export", "--model", folder, "--input-format", "conll", "-o", tmp_path / "q.json", test_file
    )
    assert code == 2 and "--threshold" in err and "routing_threshold" in err
    assert not (tmp_path / "q.json").exists() and not (tmp_path / "q.label_config.xml").exists()


def test_label_studio_accepts_our_labelling_config_and_every_prediction(model, test_file, tmp_path):
    queue = export(model, test_file, tmp_path / "q.json", "--all")
    config = (tmp_path / "q.label_config.xml").read_text()
    interface = LabelInterface(config)
    interface.validate()  # raises on a bad config
    assert len(queue) == len(SPLITS["test"])
    assert all(task["data"]["text"] for task in queue)
    for task in queue:
        assert interface.validate_prediction(task["predictions"][0], return_errors=True) == []
    wrong = json.loads(json.dumps(next(t["predictions"][0] for t in queue if t["predictions"][0]["result"])))
    wrong["result"] = [{**wrong["result"][0], "value": {**wrong["result"][0]["value"], "labels": ["not-a-type"]}}]
    assert interface.validate_prediction(wrong, return_errors=True)  # the check can fail


def test_label_studio_reads_the_same_spans_from_an_export_as_we_do(model, test_file, tmp_path):
    queue = export(model, test_file, tmp_path / "q.json", "--all")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(simulated_export(queue, None)))
    theirs = {
        item["input"]["tweet_id"]: sorted(
            (v["start"], v["end"], v["labels"][0]) for v in item["output"].get("label", [])
        )
        for item in Converter(label_studio_config(SYNTHETIC.types), project_dir=None).iter_from_json_file(str(path))
    }
    ours = read_label_studio_export(path, SYNTHETIC.types)
    tokens = {task["data"]["tweet_id"]: task["data"]["tokens"] for task in queue}
    texts = {task["data"]["tweet_id"]: task["data"]["text"] for task in queue}
    assert len(theirs) == len(ours.tweets) == len(queue)
    for tweet in ours.tweets:
        starts = [sum(len(t) + 1 for t in tokens[tweet.id][:i]) for i in range(len(tweet.tokens))]
        spans = sorted(
            (starts[a], starts[b] + len(tweet.tokens[b]), kind) for kind, a, b in bio_spans(list(tweet.tags))
        )
        assert spans == theirs[tweet.id], texts[tweet.id]


def test_accepting_every_prediction_gives_back_exactly_the_models_tags(model, test_file, tmp_path):
    queue = export(model, test_file, tmp_path / "q.json", "--sample-empty", "1")
    (tmp_path / "export.json").write_text(json.dumps(simulated_export(queue, None)))
    code, err = cli("review", "import", "--model", model, "-o", tmp_path / "back.conll", tmp_path / "export.json")
    assert code == 0, err
    back = read_conll(tmp_path / "back.conll")
    assert [t.id for t in back] == [task["data"]["tweet_id"] for task in queue]
    assert [bio_spans(list(t.tags)) for t in back] == model_spans(model, back.tokens)
    assert any(t.tags.count("O") < len(t.tags) for t in back)


def test_gold_annotations_of_every_tweet_come_back_as_the_gold_file(model, test_file, tmp_path):
    queue = export(model, test_file, tmp_path / "q.json", "--all")
    (tmp_path / "export.json").write_text(json.dumps(simulated_export(queue, test_file)))
    assert cli("review", "import", "--model", model, "-o", tmp_path / "back.conll", tmp_path / "export.json")[0] == 0
    assert read_conll(tmp_path / "back.conll") == SPLITS["test"]  # the hostile tweet included


def test_doccano_round_trip_and_the_last_annotator_file_wins(model, test_file, tmp_path):
    records = export(model, test_file, tmp_path / "q.jsonl", "--all", "--format", "doccano")
    assert json.loads((tmp_path / "q.labels.json").read_text()) == [{"text": kind} for kind in SYNTHETIC.types]
    assert all(set(r) >= {"text", "label", "tweet_id", "tokens"} for r in records)
    exported = [{"id": n, **r} for n, r in enumerate(records, start=1)]  # doccano adds its example id
    first = tmp_path / "alice.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in exported))
    changed = next(r for r in exported if r["label"])
    second = tmp_path / "bob.jsonl"
    second.write_text(json.dumps({**changed, "label": []}) + "\n")
    reviewed = read_doccano_exports([first, second], SYNTHETIC.types)
    assert reviewed.conflicts == [f"record {changed['id']} (tweet {changed['tweet_id']})"]
    tags = {t.id: t.tags for t in reviewed.tweets}
    assert set(tags[changed["tweet_id"]]) == {"O"}
    accepted = read_doccano_exports([first], SYNTHETIC.types).tweets
    assert [bio_spans(list(t.tags)) for t in accepted] == model_spans(model, [list(t.tokens) for t in accepted])


# Hand-written Label Studio exports: one task, "annotations" as the tool writes them.
EMOJI_TEXT = "🎉🎉 Obama visits Paris"


def ls_export(path: Path, text: str, *annotations: list[dict], tokens: list[str] | None = None, **task: object) -> Path:
    data = {"text": text, "tweet_id": "t1", **({"tokens": tokens} if tokens else {})}
    entries = [
        {"id": n, "result": result, "was_cancelled": False, "ground_truth": False, "updated_at": f"2026-11-0{n}"}
        for n, result in enumerate(annotations, start=1)
    ]
    path.write_text(json.dumps([{"id": 7, "data": data, "annotations": entries, **task}]))
    return path


def region(start: int, end: int, label: str, text: str | None = None) -> dict:
    value = {"start": start, "end": end, "labels": [label], **({"text": text} if text is not None else {})}
    return {"from_name": "label", "to_name": "text", "type": "labels", "value": value}


def tags_of(path: Path) -> list[str]:
    return list(read_label_studio_export(path, ENTITY_TYPES).tweets[0].tags)


def test_offsets_after_emoji_are_code_points_or_utf16_units(tmp_path):
    start = EMOJI_TEXT.index("Obama")
    as_code_points = ls_export(tmp_path / "a.json", EMOJI_TEXT, [region(start, start + 5, "person", "Obama")])
    as_utf16 = ls_export(tmp_path / "b.json", EMOJI_TEXT, [region(start + 2, start + 7, "person", "Obama")])
    expected = ["O", "B-person", "O", "O"]  # "🎉🎉" is one token
    assert tags_of(as_code_points) == tags_of(as_utf16) == expected


def test_a_span_whose_text_is_not_there_in_any_counting_is_reported(tmp_path):
    path = ls_export(tmp_path / "a.json", EMOJI_TEXT, [region(3, 8, "person", "Paris")])
    with pytest.raises(AnnotationError, match=r"task 7 \(tweet t1\): span \[3, 8\) is labelled 'Paris'"):
        read_label_studio_export(path, ENTITY_TYPES)


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([region(0, 3, "person")], r"'Oba' cuts the token 'Obama'"),
        ([region(0, 5, "person"), region(0, 12, "person")], "overlaps another span"),
        ([region(0, 5, "brand")], r"label 'brand' is not one of the model's types"),
        ([region(20, 40, "person")], r"lies outside the text \(24 characters\)"),
        (
            [{"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 5}}],
            "without labels",
        ),
    ],
)
def test_spans_that_cannot_become_bio_tags_name_the_task(tmp_path, regions, message):
    path = ls_export(tmp_path / "a.json", "Obama visits Paris today", regions)
    with pytest.raises(AnnotationError, match=message) as error:
        read_label_studio_export(path, ENTITY_TYPES)
    assert "task 7 (tweet t1)" in str(error.value)


def test_whitespace_swept_into_a_span_is_trimmed_and_an_empty_annotation_is_all_outside(tmp_path):
    text = "Obama visits Paris today"
    assert tags_of(ls_export(tmp_path / "a.json", text, [region(12, 19, "geo-loc")])) == ["O", "O", "B-geo-loc", "O"]
    assert tags_of(ls_export(tmp_path / "b.json", text, [])) == ["O"] * 4


def test_ground_truth_wins_else_the_latest_update_and_conflicts_are_counted(tmp_path):
    text = "Obama visits Paris today"
    person, place = [region(0, 5, "person")], [region(13, 18, "geo-loc")]
    path = ls_export(tmp_path / "a.json", text, person, place)
    reviewed = read_label_studio_export(path, ENTITY_TYPES)
    assert list(reviewed.tweets[0].tags) == ["O", "O", "B-geo-loc", "O"]  # updated last
    assert reviewed.conflicts == ["task 7 (tweet t1)"]
    data = json.loads(path.read_text())
    data[0]["annotations"][0]["ground_truth"] = True
    path.write_text(json.dumps(data))
    assert tags_of(path) == ["B-person", "O", "O", "O"]


def test_skipped_or_missing_annotations_leave_the_task_out(tmp_path):
    path = ls_export(tmp_path / "a.json", "Obama visits Paris", [region(0, 5, "person")])
    data = json.loads(path.read_text())
    data[0]["annotations"][0]["was_cancelled"] = True
    data.append({"id": 8, "data": {"text": "hello there"}, "annotations": []})
    path.write_text(json.dumps(data))
    reviewed = read_label_studio_export(path, ENTITY_TYPES)
    assert reviewed.tweets == [] and reviewed.not_reviewed == ["task 7 (tweet t1)", "task 8"]


def test_exported_tokens_are_kept_and_an_edited_text_is_reported(tmp_path):
    tokens = ["Obama", "'s", "visit"]
    assert tags_of(ls_export(tmp_path / "a.json", "Obama 's visit", [region(0, 5, "person")], tokens=tokens)) == [
        "B-person",
        "O",
        "O",
    ]
    edited = ls_export(tmp_path / "b.json", "Obama's big visit", [], tokens=tokens)
    with pytest.raises(AnnotationError, match="was the text edited"):
        read_label_studio_export(edited, ENTITY_TYPES)


def test_bad_files_are_clear_errors_and_leave_the_output_untouched(model, test_file, tmp_path):
    out = tmp_path / "reviewed.conll"
    out.write_text("keep\tO\n\n")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": 1, "data": {"text": "x"}')
    code, err = cli("review", "import", "--model", model, "-o", out, broken)
    assert code == 2 and "broken.json" in err and "not JSON" in err
    queue_only = tmp_path / "q.json"
    export(model, test_file, queue_only)
    code, err = cli("review", "import", "--model", model, "-o", out, queue_only)
    assert code == 2 and "looks like the file `review export` wrote" in err
    bad_span = ls_export(tmp_path / "bad.json", "Obama visits Paris", [region(0, 3, "person")])
    code, err = cli("review", "import", "--model", model, "-o", out, bad_span)
    assert code == 2 and "task 7 (tweet t1)" in err
    assert out.read_text() == "keep\tO\n\n"


def test_doccano_lines_that_are_not_records_name_the_line(tmp_path):
    path = tmp_path / "admin.jsonl"
    path.write_text('{"id": 1, "text": "Obama", "label": [[0, 5, "person"]]}\n{"id": 2, "text": \n')
    with pytest.raises(AnnotationError, match=r"admin.jsonl:2: not JSON"):
        read_doccano_exports([path], ENTITY_TYPES)
    path.write_text('{"id": 1, "text": "Obama", "label": [[0, "5", "person"]]}\n')
    with pytest.raises(AnnotationError, match=r"record 1: label entry .* is not \[start, end, type\]"):
        read_doccano_exports([path], ENTITY_TYPES)


def test_queued_tweets_keep_the_models_scores_as_label_studio_scores():
    from tweetner_utils.data.annotation_tools import label_studio_tasks

    tweet = QueuedTweet("5", "Obama now", ("Obama", "now"), (Span(0, 5, "person", 0.4),), LOW_CONFIDENCE)
    (task,) = label_studio_tasks([tweet], "v1")
    assert task["predictions"][0]["score"] == 0.4 and task["predictions"][0]["result"][0]["score"] == 0.4
    assert task["predictions"][0]["result"][0]["value"]["text"] == "Obama"


def test_unreadable_input_lines_are_named_and_the_rest_is_queued(model, tmp_path):
    source = tmp_path / "tweets.txt"
    source.write_text("Obama visits Paris today\n\nBob loves Arkwell\n")
    code, err = cli("review", "export", "--model", model, "--all", "-o", tmp_path / "q.json", source)
    assert code == 1 and "tweets.txt: line 2: empty line" in err
    assert [t["data"]["tweet_id"] for t in json.loads((tmp_path / "q.json").read_text())] == ["1", "3"]
    code, err = cli("review", "export", "--model", model, "--all", "--skip-invalid", "-o", tmp_path / "q.json", source)
    assert code == 0 and "warning" in err


def test_the_summary_line_speaks_in_the_reports_units(model, test_file, tmp_path):
    code, err = cli(
        "review", "export", "--model", model, "--input-format", "conll", "-o", tmp_path / "q.json", test_file
    )
    assert code == 0 and "review items per 1,000 tweets" in err and f"{len(SPLITS['test'])} tweets tagged" in err
    code, err = cli(
        "review", "export", "--model", model, "--all", "--input-format", "conll", "-o", tmp_path / "a.json", test_file
    )
    assert code == 0 and "every tweet sent for review (--all)" in err and "below the threshold" not in err


def budget_export(model: Path, source: Path, output: Path, *extra: object) -> list:
    return export(model, source, output, "--budget", *extra)


def test_the_budget_is_the_tweets_the_strategy_ranks_first_in_input_order(model, test_file, tmp_path):
    tags, confidences = load_tagger(model).tag_tokens(SPLITS["test"].tokens)
    for strategy in STRATEGIES:
        queue = budget_export(model, test_file, tmp_path / f"{strategy}.json", 7, "--strategy", strategy)
        expected = choose(priorities(strategy, tags, confidences), 7, seed=42)
        assert [int(task["data"]["tweet_id"]) - 1 for task in queue] == expected
        assert {task["data"]["review_reason"] for task in queue} == {LABEL_NEXT.format(strategy=strategy)}
    assert budget_export(model, test_file, tmp_path / "r.json", 7, "--strategy", "random", "--seed", "3") != queue


def test_the_models_recorded_strategy_is_the_default_and_a_model_without_one_is_refused(model, test_file, tmp_path):
    folder = tmp_path / "with_strategy"
    crf = CrfTagger.load(str(model))
    crf.save(str(folder), {"routing_threshold": THRESHOLD, "labelling_strategy": "confidence"})
    code, err = cli(
        "review",
        "export",
        "--model",
        folder,
        "--input-format",
        "conll",
        "-o",
        tmp_path / "a.json",
        test_file,
        "--budget",
        5,
    )
    assert code == 0 and "5 of " in err and "(confidence)" in err
    code, err = cli(
        "review",
        "export",
        "--model",
        model,
        "--input-format",
        "conll",
        "-o",
        tmp_path / "b.json",
        test_file,
        "--budget",
        5,
    )
    assert code == 2 and "--strategy" in err and "labelling_strategy" in err
    assert not (tmp_path / "b.json").exists() and not (tmp_path / "b.label_config.xml").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--budget", "5", "--all"], "takes no --all"),
        (["--budget", "5", "--threshold", "0.5"], "takes no --all, --threshold"),
        (["--strategy", "random"], "say how many with --budget N"),
    ],
)
def test_budget_misuse_is_refused_before_anything_is_written(model, test_file, tmp_path, extra, message):
    code, err = cli(
        "review", "export", "--model", model, "--input-format", "conll", "-o", tmp_path / "q.json", test_file, *extra
    )
    assert code == 2 and message in err and not (tmp_path / "q.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--budget", "0"], "must be at least 1"), (["--budget", "5", "--strategy", "loudest"], "invalid choice")],
)
def test_bad_budget_values_are_refused_by_the_parser(model, test_file, tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as stopped:
        main(["review", "export", "--model", str(model), "-o", str(tmp_path / "q.json"), str(test_file), *extra])
    assert stopped.value.code == 2 and message in capsys.readouterr().err and not (tmp_path / "q.json").exists()


def test_a_budget_above_the_tweets_sends_them_all(model, test_file, tmp_path):
    queue = budget_export(model, test_file, tmp_path / "q.json", 10_000, "--strategy", "uncertainty")
    assert len(queue) == len(SPLITS["test"])


def test_the_commands_strategies_are_the_simulations():
    assert LABELLING_STRATEGIES == STRATEGIES


@pytest.mark.real_data
def test_200_wnut16_test_tweets_by_uncertainty_come_back_as_their_gold(real_data, tmp_path):
    train, test = load_split("train"), load_split("test")
    folder = tmp_path / "crf"
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=20).fit(train.tokens, train.tags)
    crf.save(str(folder), {"routing_threshold": 0.9})
    source = tmp_path / "test.conll"
    write_conll(source, test)
    queue = budget_export(folder, source, tmp_path / "q.json", 200, "--strategy", "uncertainty")
    assert len(queue) == 200
    (tmp_path / "export.json").write_text(json.dumps(simulated_export(queue, source)))
    code, err = cli("review", "import", "--model", folder, "-o", tmp_path / "back.conll", tmp_path / "export.json")
    assert code == 0, err
    back = read_conll(tmp_path / "back.conll")
    chosen = {task["data"]["tweet_id"] for task in queue}
    assert len(back) == 200 and {t.id for t in back} == chosen
    assert [t.tags for t in back] == [test.tweets[int(t.id) - 1].tags for t in back]
