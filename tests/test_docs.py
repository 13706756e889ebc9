"""The user's guide stays a guide: short, undated, and every link in it and in docs/ resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for line in page.read_text("utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return found


def broken_links(page: Path) -> list[str]:
    """Relative links of ``page`` whose file or heading anchor does not exist."""
    broken = []
    for target in LINK.findall(page.read_text("utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Some heading (with parts)\n", "utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#some-heading-with-parts) [gone](missing.md) [bad](other.md#nothing) [web](https://x.org)\n",
        "utf-8",
    )
    assert broken_links(page) == ["missing.md", "other.md#nothing"]


def test_readme_is_a_short_undated_guide() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert len(text.splitlines()) < 200
    assert not re.search(r"20\d\d-\d\d-\d\d", text), "dated history belongs in CHANGELOG.md or docs/benchmarks.md"


def test_readme_figures_link_to_the_measurements() -> None:
    """Each README section that quotes a measured F1 links to docs/benchmarks.md."""
    sections = re.split(r"\n## ", (ROOT / "README.md").read_text("utf-8"))
    measured = [section for section in sections if re.search(r"\b\d\d\.\d\d\b", section)]
    assert measured, "the README quotes the headline results"
    assert all("docs/benchmarks.md" in section for section in measured)
