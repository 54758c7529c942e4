"""An article with its quotes highlighted: content, cue and source in their own styles, each
organization mention coloured by the stance toward it, the speaker and score on hover.

The text is cut into segments at every span boundary, each segment carrying the marks (role,
quote, target) that cover it, so overlapping quotes and mentions inside content need no special
case. The same segments feed ``article_html`` (Jupyter's ``Article._repr_html_``, no script
needed) and the HTML report, whose script only turns them into elements.
"""

from __future__ import annotations

import html
from typing import Any

from stance.records import Article, Quote
from stance.table import shorten

ROLES = ("content", "cue", "source", "mention")
CONTENT, CUE, SOURCE, MENTION = range(len(ROLES))
Mark = tuple[int, int, int]  # (role, quote index, target index; -1 unless a mention)
Segment = tuple[int, int, tuple[Mark, ...]]

# The highlight styles, shared by the notebook view and the report (one definition).
HIGHLIGHT_CSS = """
.hl-content { background: #fff3c4; }
.hl-cue { font-weight: 600; color: #1f4e9c; border-bottom: 2px dotted #1f4e9c; }
.hl-source { font-style: italic; color: #6a2c91; border-bottom: 2px solid #b58bd3; }
.hl-mention { border-radius: 3px; padding: 0 1px; font-weight: 600; }
.hl-mention.st-critical { background: #f4a6a0; color: #7a0f08; }
.hl-mention.st-supportive { background: #a9dfb0; color: #0b5a1f; }
.hl-mention.st-neutral { background: #cfd8e3; color: #26364a; }
.hl-mention.st-unclassified { outline: 1px dashed #888; }
.hl-focus { outline: 2px solid #e08a00; outline-offset: 1px; }
.st-badge { display: inline-block; border-radius: 3px; padding: 0 5px; font-size: 0.85em; }
.st-badge.st-critical { background: #d73027; color: #fff; }
.st-badge.st-supportive { background: #1a9850; color: #fff; }
.st-badge.st-neutral { background: #7b8a9c; color: #fff; }
.st-badge.st-unclassified { background: #ddd; color: #333; }
"""


def _intervals(article: Article) -> list[tuple[int, int, Mark]]:
    out = []
    for qi, quote in enumerate(article.quotes):
        for role, spans in ((CONTENT, quote.content), (CUE, quote.cue), (SOURCE, quote.source)):
            out.extend((s, e, (role, qi, -1)) for s, e in spans if s < e)
        for ti, target in enumerate(quote.targets):
            out.extend((s, e, (MENTION, qi, ti)) for s, e in target.mentions if s < e)
    return out


def segments(article: Article) -> list[Segment]:
    """The marked stretches of the text, in order, without gaps between boundaries of marks:
    (start, end, marks), each mark (role, quote, target). Unmarked text is not listed."""
    intervals = _intervals(article)
    points = sorted({p for s, e, _ in intervals for p in (s, e)})
    starts: dict[int, list[Mark]] = {}
    ends: dict[int, list[Mark]] = {}
    for s, e, mark in intervals:
        starts.setdefault(s, []).append(mark)
        ends.setdefault(e, []).append(mark)
    active: dict[Mark, int] = {}  # a mark may cover a stretch twice (repeated spans)
    out: list[Segment] = []
    for a, b in zip(points, points[1:], strict=False):
        for mark in ends.get(a, []):
            active[mark] -= 1
            if not active[mark]:
                del active[mark]
        for mark in starts.get(a, []):
            active[mark] = active.get(mark, 0) + 1
        if not active:
            continue
        marks = tuple(sorted(active))
        if out and out[-1][1] == a and out[-1][2] == marks:
            out[-1] = (out[-1][0], b, marks)  # touching spans of the same quote: one element
        else:
            out.append((a, b, marks))
    return out


def stance_label(stance: str | None) -> str:
    return stance or "unclassified"


def _score(scores: dict[str, Any] | None, stance: str | None) -> str:
    if not stance or not scores or scores.get(stance) is None:
        return ""
    try:
        return f" {float(scores[stance]):.2f}"
    except (TypeError, ValueError):
        return ""


def quote_title(quote: Quote, index: int) -> str:
    """What hovering a quote says: who, what kind, and the stance toward each organization."""
    who = quote.speaker or "unknown speaker"
    parts = [f"{who} · {quote.kind} quote {index + 1}"]
    parts += [f"{t.name}: {stance_label(t.stance)}{_score(t.scores, t.stance)}" for t in quote.targets]
    return " · ".join(parts)


def mention_title(quote: Quote, ti: int) -> str:
    target = quote.targets[ti]
    who = quote.speaker or "unknown speaker"
    return f"{target.name}: {stance_label(target.stance)}{_score(target.scores, target.stance)} ({who})"


def segment_classes(article: Article, marks: tuple[Mark, ...]) -> list[str]:
    classes = []
    for role, qi, ti in marks:
        name = f"hl-{ROLES[role]}"
        if name not in classes:
            classes.append(name)
        if role == MENTION:
            stance = f"st-{stance_label(article.quotes[qi].targets[ti].stance)}"
            if stance not in classes:
                classes.append(stance)
    return classes


def highlighted_text(article: Article) -> str:
    """The article's text as HTML, each marked segment a <span> with classes and a hover title."""
    text = article.text
    out: list[str] = []
    pos = 0
    for start, end, marks in segments(article):
        out.append(html.escape(text[pos:start]))
        mention = next(((qi, ti) for role, qi, ti in marks if role == MENTION), None)
        qi = mention[0] if mention else marks[0][1]
        quote = article.quotes[qi]
        title = mention_title(quote, mention[1]) if mention else quote_title(quote, qi)
        classes = " ".join(segment_classes(article, marks))
        out.append(
            f'<span class="{classes}" data-q="{qi}" title="{html.escape(title)}">'
            f"{html.escape(text[start:end])}</span>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


LEGEND = (
    '<span class="hl-content">content</span> <span class="hl-cue">cue</span> '
    '<span class="hl-source">source</span> organization: '
    '<span class="hl-mention st-critical">critical</span> '
    '<span class="hl-mention st-supportive">supportive</span> '
    '<span class="hl-mention st-neutral">neutral</span> '
    '<span class="hl-mention st-unclassified">not classified</span>'
)

_NOTEBOOK_CSS = """
.stance-article { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 60em; }
.stance-article .sa-head { font-size: 0.9em; color: #555; margin-bottom: 0.4em; }
.stance-article .sa-text { white-space: pre-wrap; border-left: 3px solid #ddd; padding-left: 0.8em; }
.stance-article table { border-collapse: collapse; margin-top: 0.6em; font-size: 0.9em; }
.stance-article td, .stance-article th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left;
  vertical-align: top; }
"""


def article_html(article: Article, quotes_table: bool = True) -> str:
    """The article as one self-contained HTML fragment (its <style> scoped to .stance-article):
    a header, the highlighted text, a legend and a table of its quotes."""
    n_pairs = sum(len(q.targets) for q in article.quotes)
    meta = ", ".join(f"{k}: {v}" for k, v in list(article.meta.items())[:6])
    head = (
        f"<b>{html.escape(article.id or '(no id)')}</b> · {len(article.quotes)} quotes · "
        f"{n_pairs} quote–organization pairs" + (f" · {html.escape(meta)}" if meta else "")
    )
    rows = []
    for qi, quote in enumerate(article.quotes):
        targets = "<br>".join(
            f"{html.escape(t.name)} <span class='st-badge st-{stance_label(t.stance)}'>"
            f"{stance_label(t.stance)}{_score(t.scores, t.stance)}</span>"
            for t in quote.targets
        )
        content = html.escape(shorten(article.span_text(quote.content), 140))
        rows.append(
            f"<tr><td>{qi + 1}</td><td>{html.escape(quote.speaker or '?')}</td><td>{quote.kind}</td>"
            f"<td>{targets or '–'}</td><td>{content}</td></tr>"
        )
    table = (
        "<table><tr><th>#</th><th>speaker</th><th>kind</th><th>organizations</th><th>quote</th></tr>"
        + "".join(rows)
        + "</table>"
        if quotes_table and rows
        else ""
    )
    return (
        f'<div class="stance-article"><style>{_NOTEBOOK_CSS}{_scoped(HIGHLIGHT_CSS)}</style>'
        f'<div class="sa-head">{head}</div><div class="sa-text">{highlighted_text(article)}</div>'
        f'<div class="sa-head" style="margin-top:0.5em">{LEGEND}</div>{table}</div>'
    )


def _scoped(css: str) -> str:
    # In a notebook the styles must not reach the rest of the page.
    return "\n".join(f".stance-article {line}" if line.startswith(".") else line for line in css.splitlines())

