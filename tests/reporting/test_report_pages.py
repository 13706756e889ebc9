"""What a stakeholder page may show: titled and stamped pages, readable tables, no logs."""

from __future__ import annotations

import nbformat
import pandas as pd
from html_markup import problems, visible_text

from tweetner_utils.reporting.html import PageStamp, render_html
from tweetner_utils.reporting.tables import MISSING, frame_html, mapping_html


def notebook_with(outputs: list[dict]) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    book.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    return book


def test_tables_show_counts_as_integers_missing_values_as_a_dash_and_records_as_tables():
    frame = pd.DataFrame({"gold": [3018.0, 621.0], "score": [0.44236, float("nan")]}, index=["a", "b"])
    shown = frame_html(frame)
    assert problems(f"<title>T</title>{shown}") == []
    assert "3,018" in shown and "0.442" in shown and MISSING in shown
    record = mapping_html({"score": 12.254160363086234, "missing": None, "nested": {"a": 1.0}})
    assert "{'" not in record and "12.254" in record and "a: 1" in record
    assert problems("<title>T</title><table><tr><td>3018.0</td></tr></table>") == ["count shown as '3018.0'"]


def test_shares_are_shown_as_percentages_only_where_their_name_says_so_and_they_are_fractions():
    frame = pd.DataFrame(
        {
            "test_f1": [0.53362, float("nan")],
            "threshold (dev)": [0.7849, 0.5],
            "recall": [0.5, 12.0],  # not fractions: left as numbers
            "n_gold": [3.0, 4.0],
        },
        index=["a", "b"],
    )
    shown = frame_html(frame)
    assert "53.4%" in shown and MISSING in shown
    assert "0.785" in shown and "78.5%" not in shown
    assert "12" in shown and "50.0%" not in shown
    by_row = frame_html(pd.DataFrame({"dev": [0.415, 447.0]}, index=["auto_accepted_share", "review_per_1000_tweets"]))
    assert "41.5%" in by_row and "447" in by_row and "44700" not in by_row
    record = mapping_html({"strong model test entity F1": 0.5336, "chosen on dev": "x", "seconds": 0.5})
    assert "53.4%" in record and "0.5<" in record


def test_the_stakeholder_page_has_a_title_a_stamp_and_no_printed_logs(tmp_path):
    path = tmp_path / "nb.ipynb"
    warning = "/work/x/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found"
    nbformat.write(
        notebook_with(
            [
                {"output_type": "stream", "name": "stderr", "text": warning},
                {"output_type": "stream", "name": "stdout", "text": "epoch  1/8  train loss 0.1"},
                {
                    "output_type": "display_data",
                    "data": {"text/plain": "finding", "text/markdown": "**a finding**"},
                    "metadata": {},
                },
            ]
        ),
        str(path),
    )
    stamp = PageStamp("Business summary", "2026-11-26 12:00 UTC", "abc123")
    stakeholder = render_html(path, hide_code=True, stamp=stamp)
    assert problems(stakeholder) == [] and "epoch" not in visible_text(stakeholder)
    assert "<title>Business summary</title>" in stakeholder and 'href="index.html"' in stakeholder
    assert "generated 2026-11-26 12:00 UTC from commit abc123" in " ".join(visible_text(stakeholder).split())
    assert "a finding" in visible_text(stakeholder)
    with_code = render_html(path, hide_code=False, stamp=stamp)
    assert "epoch" in visible_text(with_code) and "Warning" in visible_text(with_code)  # kept for analysts
    assert problems(render_html(path, hide_code=True)) == ["untitled page"]  # the check can fail


def test_research_only_cells_are_left_out_of_the_stakeholder_page(tmp_path):
    book = notebook_with([{"output_type": "display_data", "data": {"text/markdown": "kept finding"}, "metadata": {}}])
    weights = nbformat.v4.new_markdown_cell("### feature weights table")
    weights.metadata["tags"] = ["research-only"]
    book.cells.append(weights)
    nbformat.write(book, str(tmp_path / "nb.ipynb"))
    assert "feature weights" not in visible_text(render_html(tmp_path / "nb.ipynb", hide_code=True))
    assert "feature weights" in visible_text(render_html(tmp_path / "nb.ipynb", hide_code=False))


def test_columns_already_in_percent_get_their_sign_and_small_settings_are_not_rounded_to_zero():
    frame = pd.DataFrame({"test_pct": [38.35, float("nan")], "alpha": [1e-05, 0.001], "label": ["a", "b"]})
    shown = frame_html(frame)
    assert "38.4%" in shown and MISSING in shown and "1e-05" in shown and "0.001" in shown
    assert "3835" not in shown and problems(f"<title>T</title>{shown}") == []
