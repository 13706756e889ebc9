"""HTML reports: executed notebooks rendered self-contained, and the index page.

Reports go to people who never read code and may open them offline, so images are
embedded, nothing is loaded from the network, and every string that came from data
(tweets, entity names, file names) is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .tables import readable_as

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
_REMOTE = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class PageStamp:
    """What every report page says about itself: which report, from which run, where the index is."""

    title: str
    run_date: str
    commit: str
    index: str = "index.html"

    def banner(self) -> str:
        return (
            f'<nav class="report-stamp" style="font-family: system-ui, sans-serif; font-size: .9rem; '
            f'padding: .5rem 1rem; background: #f4f4f4; border-bottom: 1px solid #ddd;">'
            f'<a href="{_e(self.index)}">&larr; All reports</a> &middot; <b>{_e(self.title)}</b> &middot; '
            f"generated {_e(self.run_date)} from commit <code>{_e(self.commit)}</code></nav>"
        )


_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def render_html(notebook: str | Path, *, hide_code: bool, stamp: PageStamp | None = None) -> str:
    """A self-contained HTML page of an executed notebook.

    Args:
        notebook: the executed ``.ipynb``.
        hide_code: leave out code cells' input and prompts (the stakeholder version).
        stamp: the page's title (instead of nbconvert's "Notebook"), and a line at the top
            with the run's date and commit and a link back to the index.
    """
    exporter = HTMLExporter(
        template_name="lab",
        embed_images=True,
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
    )
    resources = {"metadata": {"name": stamp.title}} if stamp else None
    book = nbformat.read(str(notebook), as_version=4)
    if hide_code:
        _drop_streams(book)
    body, _ = exporter.from_notebook_node(book, resources=resources)
    if stamp:
        body = _BODY.sub(lambda m: m.group(0) + stamp.banner(), body, count=1)
    return strip_external_scripts(body)


RESEARCH_ONLY = "research-only"
"""The cell tag of what only analysts read (feature weights, epoch logs, saved-file details,
the recorded numbers): left out of the stakeholder version."""


def _drop_streams(book: nbformat.NotebookNode) -> None:
    """Leave research-only cells and printed text out of the stakeholder version: printed text
    is training logs, progress lines and library warnings (with the machine's paths), never a
    finding; findings are displayed."""
    book.cells = [c for c in book.cells if RESEARCH_ONLY not in c.get("metadata", {}).get("tags", [])]
    for cell in book.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "stream"]


def strip_external_scripts(page: str) -> str:
    """Remove every ``<script>`` block that names a remote URL (MathJax, Mermaid loaders).

    The reports use no maths, diagrams or widgets, and a page that calls out to the
    network is neither self-contained nor private.
    """
    return _SCRIPT.sub(lambda m: "" if _REMOTE.search(m.group(0)) else m.group(0), page)


@dataclass(frozen=True)
class IndexEntry:
    """One report on the index page."""

    step: str
    title: str
    report: str
    stakeholder_report: str
    headline: Mapping[str, object]
    wall_seconds: float | None
    status: str
    note: str = ""
    """Where its outputs come from when this run did not execute it ("reused from the run of ...")."""


def index_page(entries: Sequence[IndexEntry], manifest: Mapping[str, object], title: str, lead: str = "") -> str:
    """The index page: ``lead`` (the decision box, trusted HTML), every report with its headline
    numbers, then the run manifest folded away (for whoever checks provenance)."""
    rows = "\n".join(_entry_row(e) for e in entries)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f4f4f4; }} code {{ font-size: .85em; }} .failed {{ color: #b00020; font-weight: bold; }}
.note {{ color: #666; font-size: .85em; }}
ul {{ margin: 0; padding-left: 1.1rem; }}
</style></head><body>
<h1>{_e(title)}</h1>
{lead}
<p>Each report exists in two versions: the full notebook with code, and a stakeholder version
without code. Every number is computed by the code in the repository at the commit below.</p>
{_provenance(manifest)}
<table><thead><tr><th>Report</th><th>Headline numbers</th><th>Wall time</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<details><summary><b>Run manifest</b>: commit, package versions, data SHA-256s, seed, wall time per step</summary>
{_manifest_html(manifest)}
</details>
</body></html>
"""


def _provenance(manifest: Mapping[str, object]) -> str:
    """The results digest and the kernel path, where a reader comparing two runs looks first."""
    numerics = manifest.get("numerics")
    digest = manifest.get("results_digest")
    if not isinstance(numerics, Mapping) or not digest:
        return ""
    if numerics.get("mode") == "portable":
        where = f"portable numerics: the same seed gives the same digest on any {numerics.get('covers')}"
    elif numerics.get("mode") == "fast kernels":
        where = "fast kernels chosen for this CPU: another CPU may give other numbers and another digest"
    else:
        problems = "; ".join(str(p) for p in numerics.get("problems", []))
        where = f"not portable ({problems}): these numbers are specific to this CPU"
    return (
        f'<p class="provenance">Results digest <code>{_e(digest)}</code> (SHA-256 over every results file; '
        f"<code>cd results &amp;&amp; sha256sum *.json | sha256sum</code> gives it). Computed on "
        f"{_e(numerics.get('cpu_model', 'an unknown CPU'))} with {_e(where)}.</p>"
    )


def _entry_row(entry: IndexEntry) -> str:
    links = (
        f'<a href="{_e(entry.stakeholder_report)}">{_e(entry.title)}</a> (<a href="{_e(entry.report)}">with code</a>)'
    )
    if entry.status != "ok":
        links += f' <span class="failed">{_e(entry.status)}</span>'
    if entry.note:
        links += f'<br><span class="note">{_e(entry.note)}</span>'
    headline = "".join(f"<li>{_e(k)}: <b>{_e(readable_as(k, v))}</b></li>" for k, v in entry.headline.items())
    seconds = "" if entry.wall_seconds is None else f"{entry.wall_seconds:.1f} s"
    return f"<tr><td>{links}<br><code>{_e(entry.step)}</code></td><td><ul>{headline}</ul></td><td>{seconds}</td></tr>"


def _manifest_html(manifest: Mapping[str, object]) -> str:
    parts = []
    scalars = {k: v for k, v in manifest.items() if not isinstance(v, Mapping)}
    parts.append(_table(scalars.items(), ("field", "value")))
    for key, value in manifest.items():
        if isinstance(value, Mapping):
            parts.append(f"<h3>{_e(key.replace('_', ' '))}</h3>")
            parts.append(_table(value.items(), ("name", "value")))
    return "\n".join(parts)


def _table(items, header: tuple[str, str]) -> str:
    body = "".join(f"<tr><td>{_e(k)}</td><td><code>{_e(v)}</code></td></tr>" for k, v in items)
    return f"<table><thead><tr><th>{header[0]}</th><th>{header[1]}</th></tr></thead><tbody>{body}</tbody></table>"


def _e(value: object) -> str:
    if isinstance(value, Mapping):
        value = ", ".join(f"{k}: {v}" for k, v in value.items())
    return html.escape(str(value), quote=True)
