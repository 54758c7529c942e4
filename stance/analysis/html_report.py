"""`stance report`: one self-contained HTML page for a labelled collection.

The page holds, inline, its styles, its script (``report.js`` and ``report.css`` beside this
module) and its data: the tally (``StanceTally``, the same numbers as `stance summary`), one
entry per (quote, organization) pair, and each article's text with its highlight segments in a
``<script type="application/json">`` element of its own. The browser parses an article's JSON
only when it is shown, so a collection of 10,000 articles opens without building 10,000 DOM
trees; the map, the lists and the articles are paginated.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from stance.analysis.aggregate import (
    STANCE_COLUMNS,
    Cell,
    GroupBy,
    Grouping,
    StanceTally,
    TallyStats,
    ranked,
    rounded,
    scores_of,
)
from stance.analysis.highlight import HIGHLIGHT_CSS, segments
from stance.io import replaced_atomically
from stance.records import STANCES, Article


def _json(value: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' as such (they are escaped inside
    strings, and JSON has them nowhere else), so no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _meta_preview(meta: dict[str, Any], fields: int = 8, width: int = 80) -> dict[str, str]:
    """A few meta fields as short text, for the article list (the full meta stays in the .jsonl)."""
    out = {}
    for key, value in list(meta.items())[:fields]:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        out[str(key)] = text if len(text) <= width else text[: width - 1] + "…"
    return out


def _article_chunk(article: Article) -> dict[str, Any]:
    """An article as the page's script reads it: text, quotes, and highlight segments."""
    quotes = []
    for quote in article.quotes:
        targets = []
        for target in quote.targets:
            scores = scores_of(target.scores)  # None unless all three are numbers
            score = scores[STANCES.index(target.stance)] if scores and target.stance in STANCES else None
            targets.append([target.name, target.stance, rounded(score)])
        quotes.append([quote.speaker, quote.kind, [list(s) for s in quote.content], targets])
    segs = [[s, e, *[x for mark in marks for x in mark]] for s, e, marks in segments(article)]
    return {"id": article.id, "text": article.text, "q": quotes, "seg": segs}


def _cell_row(cell: Cell) -> list[Any]:
    return [*cell.counts, len(cell.articles), rounded(cell.balance), *[rounded(m) for m in cell.means()]]


def _group_order(by: GroupBy, totals: dict[str | None, int]) -> list[str | None]:
    """Dates in time order; other values by pairs, most first; missing last."""
    if by.unit is not None:
        return sorted(totals, key=lambda g: (g is None, g or ""))
    return ranked(totals)


def write_report(
    articles: Iterable[Article],
    path: str | Path,
    by: Sequence[str | GroupBy] = (),
    title: str | None = None,
) -> TallyStats:
    """Write the HTML report of the articles to ``path`` (through a temporary file, renamed into
    place when complete; ValueError, and nothing written, when a ``by`` field is in no article).

    ``by`` gives one breakdown each (``meta.outlet``, ``meta.date:month``)."""
    path = Path(path)
    breakdowns = tuple(b if isinstance(b, GroupBy) else GroupBy.parse(b) for b in by)
    groupings: list[Grouping] = [(), *((b,) for b in breakdowns)]
    tally = StanceTally(groupings)
    speakers: dict[str | None, int] = {}
    organizations: dict[str, int] = {}
    index: list[list[Any]] = []
    pairs: list[list[Any]] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    # Article elements go to a scratch file as they are read: the collection is never held whole.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as chunks:
        for article in articles:
            i = tally.articles
            groups = tally.groups_of(article)
            found = tally.add(article, groups)
            for p in found:
                sp = speakers.setdefault(p.speaker, len(speakers))
                org = organizations.setdefault(p.organization, len(organizations))
                pairs.append([p.article, p.quote, p.target, sp, org, p.stance, rounded(p.score)])
            index.append(
                [article.id, len(article.quotes), len(found), _meta_preview(article.meta),
                 [groups[b] for b in breakdowns]]
            )  # fmt: skip
            chunk = _json(_article_chunk(article))
            chunks.write(f'<script type="application/json" id="a{i}">{chunk}</script>\n')
        tally.check_fields()
        data = {
            "title": title or "stance report",
            "stances": list(STANCE_COLUMNS),
            "counts": {
                "articles": tally.articles,
                "quotes": tally.quotes,
                "pairs": tally.n_pairs,
                "untargeted": tally.quotes_without_targets,
            },
            "speakers": list(speakers),
            "organizations": list(organizations),
            "articles": index,
            "pairs": pairs,
            "cells": [
                [speakers[sp], organizations[org], *_cell_row(cell)] for (_, sp, org), cell in tally.rows(())
            ],
            "breakdowns": [_breakdown(tally, b, speakers, organizations) for b in breakdowns],
        }
        chunks.seek(0)
        with replaced_atomically(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(_head(data["title"]))
            out.write(f'<script type="application/json" id="stance-data">{_json(data)}</script>\n')
            shutil.copyfileobj(chunks, out)
            out.write(f"<script>{_asset('report.js')}</script>\n</body>\n</html>\n")
    stats = tally.stats()
    stats.bytes = path.stat().st_size
    return stats


def _breakdown(
    tally: StanceTally, by: GroupBy, speakers: dict[str | None, int], organizations: dict[str, int]
) -> dict[str, Any]:
    rows = tally.rows((by,))
    totals: dict[str | None, int] = {}
    for (groups, _, _), cell in rows:
        totals[groups[0]] = totals.get(groups[0], 0) + cell.quotes
    values = _group_order(by, totals)
    position = {v: i for i, v in enumerate(values)}
    return {
        "by": by.spec,
        "values": values,
        "cells": [
            [position[groups[0]], speakers[sp], organizations[org], *_cell_row(cell)]
            for (groups, sp, org), cell in rows
        ],
    }


def _asset(name: str) -> str:
    return resources.files("stance.analysis").joinpath(name).read_text(encoding="utf-8")


def _head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_asset('report.css')}{HIGHLIGHT_CSS}</style>\n"
        "</head>\n<body>\n"
        "<noscript><p>This report draws its map and articles with JavaScript: allow scripts for this "
        "file to see them.</p></noscript>\n"
        '<div id="app"></div>\n'
    )
