"""Label Studio and doccano files: the review queue out in their import formats, the reviewed
annotations back as tweets with BIO tags.

Both tools annotate character spans of a text; the models tag tokens. Going out, each task
carries the text, its tokens (so that the way back uses the very same token boundaries, not
a re-tokenization) and the model's entities as pre-annotations. Coming back, every reviewed
span must start and end on token boundaries: a span that cuts a token is reported with its
task id, never moved to the nearest token. Whitespace an annotator swept into a span's edges
is trimmed (it belongs to no token).

Offsets are Python string indices (code points). Label Studio's regions also carry the
span's text; when the offsets do not find that text but would as UTF-16 code units (how
JavaScript counts, so an emoji counts twice: some Label Studio versions export so), they
are converted, exactly; when neither finds it, the task is reported.

When a task has several annotations (several reviewers), one is used, by a stated rule: the
annotation Label Studio marks as ground truth, else the one updated last; in doccano, whose
per-reviewer export files carry no times, the file named last. Skipped (cancelled)
annotations are ignored; a task with no annotation left is counted as not reviewed and
writes nothing. Tasks whose annotations disagree are counted and named.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..exceptions import AnnotationError
from .conll import Tweet
from .labels import OUTSIDE
from .tokenizer import tokenize

LABEL_STUDIO = "label-studio"
DOCCANO = "doccano"
FORMATS: tuple[str, ...] = (LABEL_STUDIO, DOCCANO)
FROM_NAME, TO_NAME = "label", "text"
"""The names the Label Studio labelling config gives its span control and its text."""


@dataclass(frozen=True)
class Span:
    """An entity as annotation tools see it: ``[start, end)`` characters of the text, a type,
    and the model's confidence when it is a prediction."""

    start: int
    end: int
    type: str
    score: float | None = None


@dataclass(frozen=True)
class QueuedTweet:
    """One tweet sent for review: what the reviewer sees and why it was sent."""

    id: str
    """The tweet's id in the input (its record id, or ``line N``), kept through the tool."""
    text: str
    tokens: tuple[str, ...]
    spans: tuple[Span, ...]
    """The model's entities, offered as pre-annotations."""
    reason: str


@dataclass
class ReviewedTweets:
    """What an export gave back: the tweets, and what could not be used."""

    tweets: list[Tweet] = field(default_factory=list)
    not_reviewed: list[str] = field(default_factory=list)
    """Tasks with no (or only skipped) annotations: nothing is written for them."""
    conflicts: list[str] = field(default_factory=list)
    """Tasks whose annotations disagree (the rule above chose one)."""


def label_studio_config(types: Sequence[str]) -> str:
    """The labelling config (XML) for a Label Studio project of these entity types."""
    labels = "\n".join(f"    <Label value={quoteattr(kind)}/>" for kind in types)
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{labels}\n  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        "</View>\n"
    )


def label_studio_tasks(queue: Iterable[QueuedTweet], model_version: str) -> list[dict]:
    """Label Studio import JSON: one task per tweet, the model's entities as a prediction."""
    tasks = []
    for tweet in queue:
        result = [
            {
                "id": f"e{number}",
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {"start": s.start, "end": s.end, "text": tweet.text[s.start : s.end], "labels": [s.type]},
                **({"score": s.score} if s.score is not None else {}),
            }
            for number, s in enumerate(tweet.spans)
        ]
        scores = [s.score for s in tweet.spans if s.score is not None]
        prediction = {"model_version": model_version, "result": result, **({"score": min(scores)} if scores else {})}
        tasks.append({"data": _task_data(tweet), "predictions": [prediction]})
    return tasks


def doccano_records(queue: Iterable[QueuedTweet]) -> list[dict]:
    """doccano JSONL records (sequence labelling): ``text``, ``label`` as ``[start, end, type]``,
    and the rest as metadata (doccano keeps it and exports it back)."""
    return [{**_task_data(t), "label": [[s.start, s.end, s.type] for s in t.spans]} for t in queue]


def _task_data(tweet: QueuedTweet) -> dict:
    return {"text": tweet.text, "tweet_id": tweet.id, "tokens": list(tweet.tokens), "review_reason": tweet.reason}


@dataclass(frozen=True)
class _Annotation:
    """One reviewer's spans of one task, and what the conflict rule orders them by."""

    spans: tuple[Span, ...]
    rank: tuple


@dataclass(frozen=True)
class _Task:
    name: str
    """How messages name the task (the tool's id, and the tweet id when there is one)."""
    tweet_id: str
    text: str
    tokens: tuple[str, ...] | None
    annotations: tuple[_Annotation, ...]


def read_label_studio_export(path: str | os.PathLike[str], types: Sequence[str]) -> ReviewedTweets:
    """The reviewed tweets of a Label Studio JSON export (``Export`` → ``JSON``).

    Raises:
        AnnotationError: the file is not such an export, or tasks cannot be turned into tags
            (every such task named with what is wrong); nothing is returned then.
    """
    data = _load_json(path)
    if not isinstance(data, list):
        raise AnnotationError(str(path), ["expected a JSON list of tasks (Label Studio's JSON export)"])
    problems: list[str] = []
    tasks = [task for number, item in enumerate(data) if (task := _label_studio_task(item, number, problems))]
    return _reviewed(str(path), tasks, types, problems)


def read_doccano_exports(paths: Sequence[str | os.PathLike[str]], types: Sequence[str]) -> ReviewedTweets:
    """The reviewed tweets of doccano JSONL exports (sequence labelling; one file per reviewer
    when the project does not annotate collaboratively; a later file wins a conflict).

    Raises:
        AnnotationError: as :func:`read_label_studio_export`.
    """
    problems: list[str] = []
    merged: dict[str, _Task] = {}
    for order, path in enumerate(paths):
        for number, line in enumerate(_read_text(path).splitlines(), start=1):
            if not line.strip():
                continue
            task = _doccano_task(line, f"{path}:{number}", order, problems)
            if task is None:
                continue
            if task.name in merged:
                task = _Task(
                    task.name, task.tweet_id, task.text, task.tokens, merged[task.name].annotations + task.annotations
                )
            merged[task.name] = task
    return _reviewed(", ".join(map(str, paths)), list(merged.values()), types, problems)


def _reviewed(source: str, tasks: list[_Task], types: Sequence[str], problems: list[str]) -> ReviewedTweets:
    out = ReviewedTweets()
    known = set(types)
    for task in tasks:
        if not task.annotations:
            out.not_reviewed.append(task.name)
            continue
        chosen = max(task.annotations, key=lambda a: a.rank)
        if len({frozenset((s.start, s.end, s.type) for s in a.spans) for a in task.annotations}) > 1:
            out.conflicts.append(task.name)
        tweet = _tweet(task, chosen.spans, known, problems)
        if tweet is not None:
            out.tweets.append(tweet)
    if problems:
        raise AnnotationError(source, problems)
    return out


def _tweet(task: _Task, spans: Sequence[Span], known: set[str], problems: list[str]) -> Tweet | None:
    """The task's tokens with BIO tags from ``spans``; None (and the reasons in ``problems``) if impossible."""
    offsets = _token_offsets(task, problems)
    if offsets is None:
        return None
    tags = [OUTSIDE] * len(offsets)
    starts = {start: i for i, (start, _) in enumerate(offsets)}
    ends = {end: i for i, (_, end) in enumerate(offsets)}
    before = len(problems)
    for span in sorted(set(spans), key=lambda s: (s.start, s.end, s.type)):
        start, end = _trimmed(task.text, span.start, span.end)
        where = f"{task.name}: span [{span.start}, {span.end})"
        if span.type not in known:
            problems.append(
                f"{where}: label {span.type!r} is not one of the model's types ({', '.join(sorted(known))})"
            )
        elif not 0 <= span.start < span.end <= len(task.text):
            problems.append(f"{where} lies outside the text ({len(task.text)} characters)")
        elif start >= end:
            problems.append(f"{where} holds only whitespace")
        elif start not in starts or end not in ends:
            cut = next(task.text[a:b] for a, b in offsets if a < start < b or a < end < b)
            problems.append(f"{where} {task.text[start:end]!r} cuts the token {cut!r}: make it cover whole tokens")
        elif any(tag != OUTSIDE for tag in tags[starts[start] : ends[end] + 1]):
            problems.append(f"{where} {task.text[start:end]!r} overlaps another span: entities cannot nest in BIO")
        else:
            first, last = starts[start], ends[end]
            tags[first : last + 1] = [f"B-{span.type}"] + [f"I-{span.type}"] * (last - first)
    if len(problems) > before:
        return None
    tokens = tuple(task.tokens) if task.tokens is not None else tuple(task.text[a:b] for a, b in offsets)
    return Tweet(tokens, tuple(tags), id=task.tweet_id)


def _token_offsets(task: _Task, problems: list[str]) -> list[tuple[int, int]] | None:
    """Each token's ``[start, end)`` in the text: the exported tokens found in order (the same
    boundaries the model tagged), or the tweet tokenizer's when the task has none."""
    if task.tokens is None:
        return [(t.start, t.end) for t in tokenize(task.text)]
    offsets, position = [], 0
    for token in task.tokens:
        start = task.text.find(token, position)
        if start < 0 or task.text[position:start].strip():
            problems.append(f"{task.name}: token {token!r} is not where the text has it: was the text edited?")
            return None
        offsets.append((start, start + len(token)))
        position = start + len(token)
    if task.text[position:].strip():
        problems.append(f"{task.name}: the text goes on after its last token: was the text edited?")
        return None
    return offsets


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and start < len(text) and text[start].isspace():
        start += 1
    while end > start and end <= len(text) and text[end - 1].isspace():
        end -= 1
    return start, end


def _label_studio_task(item: Any, number: int, problems: list[str]) -> _Task | None:
    if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
        problems.append(f"task #{number + 1} in the list: not a task object with 'data'")
        return None
    data = item["data"]
    tweet_id = str(data.get("tweet_id", ""))
    name = f"task {item.get('id', f'#{number + 1}')}" + (f" (tweet {tweet_id})" if tweet_id else "")
    if "annotations" not in item and "completions" not in item:
        problems.append(
            f"{name}: no 'annotations': this looks like the file `review export` wrote, not Label Studio's export"
        )
        return None
    text = data.get("text")
    if not isinstance(text, str):
        problems.append(f"{name}: data.text is missing or not a string")
        return None
    annotations = []
    for annotation in item.get("annotations") or item.get("completions") or []:
        if not isinstance(annotation, dict) or annotation.get("was_cancelled") or annotation.get("skipped"):
            continue
        spans = _label_studio_spans(annotation.get("result") or [], text, name, problems)
        if spans is not None:
            rank = (
                bool(annotation.get("ground_truth")),
                str(annotation.get("updated_at") or annotation.get("created_at") or ""),
                _number(annotation.get("id")),
            )
            annotations.append(_Annotation(spans, rank))
    return _Task(
        name, tweet_id or _plain_id(item.get("id"), number), text, _tokens(data, name, problems), tuple(annotations)
    )


def _label_studio_spans(result: Any, text: str, name: str, problems: list[str]) -> tuple[Span, ...] | None:
    spans = []
    for region in result if isinstance(result, list) else [result]:
        if not isinstance(region, dict) or region.get("type") not in ("labels", None):
            continue  # relations, choices, text areas: nothing to tag
        value = region.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("labels"), list) or not value["labels"]:
            problems.append(f"{name}: a region without labels ({json.dumps(region)[:80]})")
            return None
        if len(value["labels"]) > 1:
            problems.append(f"{name}: a span carries several labels {value['labels']}: one type per entity")
            return None
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            problems.append(f"{name}: a span without integer start and end ({json.dumps(value)[:80]})")
            return None
        said = value.get("text")
        if isinstance(said, str) and text[start:end] != said:
            converted = _from_utf16(text, start, end)
            if converted is None or text[converted[0] : converted[1]] != said:
                problems.append(
                    f"{name}: span [{start}, {end}) is labelled {said!r} but the text there is {text[start:end]!r}"
                )
                return None
            start, end = converted
        spans.append(Span(start, end, str(value["labels"][0])))
    return tuple(spans)


def _from_utf16(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Code-point offsets for UTF-16 code-unit offsets into ``text`` (None if one falls inside a character)."""
    positions, units = {0: 0}, 0
    for index, char in enumerate(text, start=1):
        units += 2 if ord(char) > 0xFFFF else 1
        positions[units] = index
    if start not in positions or end not in positions:
        return None
    return positions[start], positions[end]


def _doccano_task(line: str, where: str, order: int, problems: list[str]) -> _Task | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
        return None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        problems.append(f"{where}: a record needs a 'text' string")
        return None
    tweet_id = str(record.get("tweet_id", ""))
    record_id = record.get("id", where)
    name = f"record {record_id}" + (f" (tweet {tweet_id})" if tweet_id else "")
    raw = record.get("label", record.get("entities", []))
    spans = []
    for entry in raw if isinstance(raw, list) else [raw]:
        if isinstance(entry, dict):
            entry = [entry.get("start_offset"), entry.get("end_offset"), entry.get("label")]
        if not (isinstance(entry, list) and len(entry) == 3 and all(isinstance(v, int) for v in entry[:2])):
            problems.append(f"{name}: label entry {json.dumps(entry)[:60]} is not [start, end, type]")
            return None
        spans.append(Span(entry[0], entry[1], str(entry[2])))
    annotation = _Annotation(tuple(spans), (order,))
    return _Task(
        name, tweet_id or _plain_id(record_id, 0), record["text"], _tokens(record, name, problems), (annotation,)
    )


def _tokens(data: dict, name: str, problems: list[str]) -> tuple[str, ...] | None:
    tokens = data.get("tokens")
    if tokens is None:
        return None
    if not isinstance(tokens, list) or not all(isinstance(t, str) and t and not t.isspace() for t in tokens):
        problems.append(f"{name}: 'tokens' is not a list of non-empty strings")
        return None
    return tuple(tokens)


def one_word_id(text: str) -> str:
    """An id written as one word, as a CoNLL ``# id =`` line needs it (whitespace becomes ``_``).

    >>> one_word_id("task 7"), one_word_id("  ")
    ('task_7', '_')
    """
    return "_".join(text.split()) or "_"


def _plain_id(value: Any, number: int) -> str:
    """A task's own id (or its position) as a CoNLL tweet id."""
    return one_word_id(str(value if value is not None else number + 1))


def _number(value: Any) -> int:
    return value if isinstance(value, int) else -1


def _load_json(path: str | os.PathLike[str]) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise AnnotationError(str(path), [f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from None


def _read_text(path: str | os.PathLike[str]) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AnnotationError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise AnnotationError(str(path), ["is a directory, not an export file"]) from None
    except UnicodeDecodeError as exc:
        raise AnnotationError(str(path), [f"not UTF-8 (byte {exc.start})"]) from None
    except OSError as exc:
        raise AnnotationError(str(path), [f"cannot be read ({exc.strerror})"]) from None
