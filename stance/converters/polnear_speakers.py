"""The project's speaker labels on PolNeAR dev → records whose quotes carry their canonical speaker.

The labels live in the repository (``eval/speaker_labels/polnear.dev.jsonl``) as article ids,
offsets and kinds only; one line per attribution::

    {"article": "<PolNeAR id>", "content": [[s, e], …], "source": [[s, e], …],
     "speaker": [s, e], "kind": "person", "annotator": "S1"}

``speaker`` is where the name that names the speaker best stands in the text (null for kind
``none``); ``kind`` is person, organization, group or none. Each labelled article becomes its
PolNeAR record (the same annotator file as ``stance convert polnear``) with ``speaker`` set on
every labelled quote, so ``stance eval`` scores speakers. Split ``dev`` sets every speaker the
labels name; ``dev-persons`` only those that are one person (the others keep no speaker, so
they are not scored). See ``eval/speaker_labels/README.md`` for how the labels were made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters import polnear
from stance.converters.common import SkipCallback, Skips, check_split, require
from stance.records import Article

SPLITS = ("dev", "dev-persons")
LABELS = Path(__file__).resolve().parent.parent.parent / "eval" / "speaker_labels"


def _key(content: list, source: list) -> tuple:
    return tuple(map(tuple, content)), tuple(map(tuple, source or []))


def _labelled() -> dict[str, dict[tuple, dict]]:
    rows: dict[str, dict[tuple, dict]] = {}
    with open(require(LABELS / "polnear.dev.jsonl", "speaker label file"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows.setdefault(row["article"], {})[_key(row["content"], row["source"])] = row
    return rows


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """The labelled PolNeAR dev articles, in PolNeAR order, with their quotes' speakers set."""
    check_split("polnear-speakers", split, SPLITS)
    skip = Skips(f"polnear-speakers {split}", on_skip)
    kinds = ("person",) if split == "dev-persons" else ("person", "organization", "group")
    by_article = _labelled()
    try:
        for article in polnear.convert(src, "dev"):
            rows = by_article.pop(article.id, None)
            if rows is None:
                continue
            for quote in article.quotes:
                row = rows.pop(_key(quote.content, quote.source), None)
                if row is None:
                    skip("attribution without a speaker label", article.id)
                elif row["kind"] in kinds and row["speaker"] is not None:
                    start, end = row["speaker"]
                    quote.speaker = article.text[start:end]
            for _ in rows:
                skip("speaker label of an attribution not in PolNeAR", article.id)
            yield article
        for article_id in by_article:
            skip("labelled article not in PolNeAR dev", article_id)
    finally:
        skip.finish()
