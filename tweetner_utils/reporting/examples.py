"""An HTML view of example tweets with gold and predicted entities in per-type colours.

Tweets are data from strangers and end up in reports people open in a browser, so
every token, type and colour is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..data.conll import Corpus
from ..data.labels import entities


def html_examples(corpus: Corpus, pred: Sequence[Sequence[str]], colours: dict[str, str], limit: int = 20) -> str:
    """Tweets with gold (underlined) and predicted (highlighted) entities; everything escaped.

    Shows the first ``limit`` tweets where gold and prediction differ.
    """
    rows = []
    for tweet, tags in zip(corpus, pred):
        if list(tweet.tags) == list(tags):
            continue
        rows.append(
            f"<tr><td>{_marked(tweet.tokens, tweet.tags, colours, 'gold')}</td>"
            f"<td>{_marked(tweet.tokens, tags, colours, 'pred')}</td></tr>"
        )
        if len(rows) == limit:
            break
    legend = " ".join(
        f'<span style="background:{html.escape(c)};padding:0 .3em">{html.escape(t)}</span>' for t, c in colours.items()
    )
    return (
        f"<div><p>{legend}</p><table><thead><tr><th>gold</th><th>predicted</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _marked(tokens: Sequence[str], tags: Sequence[str], colours: dict[str, str], side: str) -> str:
    spans = {start: (kind, end) for kind, start, end in entities(tags)}
    out, i = [], 0
    while i < len(tokens):
        if i in spans:
            kind, end = spans[i]
            text = html.escape(" ".join(tokens[i : end + 1]))
            colour = html.escape(colours.get(kind, "#ddd"))
            style = f"border-bottom:3px solid {colour}" if side == "gold" else f"background:{colour}55"
            out.append(f'<span style="{style}" title="{html.escape(kind)}">{text}</span>')
            i = end + 1
        else:
            out.append(html.escape(tokens[i]))
            i += 1
    return " ".join(out)
