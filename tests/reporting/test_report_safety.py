"""Report safety: hostile tweet text, entity strings, type names and file names never become markup."""

from __future__ import annotations

from html_markup import ALLOWED_TAGS, parse
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sets import ENTITY_TYPES

from tweetner_utils.data.conll import Corpus, Tweet
from tweetner_utils.reporting.examples import html_examples
from tweetner_utils.reporting.html import IndexEntry, index_page

HOSTILE = st.sampled_from(
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "'&lt;", "</td></tr>"]
)
TEXT = st.text(min_size=1, max_size=12) | HOSTILE


def assert_inert(page: str, strings: list[str]) -> None:
    markup = parse(page)
    assert set(markup.tags) <= ALLOWED_TAGS, set(markup.tags) - ALLOWED_TAGS
    assert not [a for a in markup.attributes if a.startswith("on")]
    shown = "".join(markup.text)
    for s in strings:  # each string is shown as text, exactly
        assert s.strip() in shown or not s.strip()


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT.filter(lambda t: not any(c.isspace() for c in t)), min_size=1, max_size=6), st.data())
def test_error_view_shows_hostile_tokens_only_as_text(tokens: list[str], data) -> None:
    kind = data.draw(st.sampled_from(ENTITY_TYPES))
    gold = tuple(["B-" + kind] + ["I-" + kind] * (len(tokens) - 1))
    pred = ["O"] * len(tokens)
    page = html_examples(Corpus((Tweet(tuple(tokens), gold),)), [pred], {kind: "#ff0000"})
    assert_inert(page, tokens)


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT, TEXT, TEXT)
def test_index_shows_hostile_titles_file_names_and_values_only_as_text(title, step, key, value) -> None:
    entry = IndexEntry(step, title, f"{step}.html", f"{step}.stakeholder.html", {key: value}, 1.0, "ok")
    page = index_page([entry], {"seed": 42, key: value}, title)
    assert_inert(page, [title, key, value])


@settings(max_examples=50, deadline=None)
@given(TEXT)
def test_the_decision_box_shows_a_hostile_model_name_only_as_text(label) -> None:
    from tweetner_utils.reporting.summary.decision import decide, decision_html

    entity = {"f1": 0.5, "n_pred": 10, "n_correct": 5, "n_gold": 12}
    record = {"label": label, "splits": {"test": {"entity": entity}}, "details": {}}
    page = index_page([], {"seed": 42}, "t", decision_html(decide(record, 100), "05_business_summary.stakeholder.html"))
    assert_inert(page, [label])
