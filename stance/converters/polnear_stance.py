"""The project's own stance labels on PolNeAR quotes → records with labelled targets.

The labels live in the repository (``eval/stance_labels/polnear.<split>.jsonl``) as article ids,
character offsets and labels only; the text comes from PolNeAR at conversion time. One line per
(quote, organization) pair::

    {"pair": "T0001", "article": "<PolNeAR id>", "content": [[s, e], …], "cue": [[s, e], …],
     "source": [[s, e], …], "name": [s, e], "mentions": [[s, e], …], "stance": "critical"}

``name`` is where the organization's canonical name stands in the text; ``stance`` is critical,
supportive, neutral or invalid (not an organization: left out here). Each article becomes one
record holding its labelled quotes, each quote with its labelled targets, ``kind`` from quote marks.
Dev is PolNeAR dev plus a fixed slice of PolNeAR train articles (``dev-slice.list``), which the
train split leaves out, so dev has enough pairs and nothing in it is ever trained on.
See ``eval/stance_labels/README.md`` for how the labels were made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters import polnear
from stance.converters.common import SkipCallback, Skips, check_split, labelled_article, require
from stance.records import Article

SPLITS = ("train", "dev")
LABELS = Path(__file__).resolve().parent.parent.parent / "eval" / "stance_labels"


def dev_slice() -> set[str]:
    """The PolNeAR train articles whose labels belong to dev."""
    path = LABELS / "dev-slice.list"
    if not path.exists():
        return set()
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip()}


def _labelled(split: str) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    with open(require(LABELS / f"polnear.{split}.jsonl", "stance label file"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows.setdefault(row["article"], []).append(row)
    return rows


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one split that carry labelled pairs, in PolNeAR order (dev: PolNeAR dev, then
    the dev slice of train)."""
    check_split("polnear-stance", split, SPLITS)
    skip = Skips(f"polnear-stance {split}", on_skip)
    held = dev_slice()
    train = {a: rows for a, rows in _labelled("train").items() if (a in held) == (split == "dev")}
    sources = [("train", train)] if split == "train" else [("dev", _labelled("dev")), ("train", train)]
    try:
        for polnear_split, by_article in sources:
            yield from _articles(src, polnear_split, by_article, skip)
    finally:
        skip.finish()


def _articles(src: Path, split: str, by_article: dict[str, list[dict]], skip: Skips) -> Iterator[Article]:
    if not by_article:
        return
    for article in polnear.convert(src, split):
        labelled = labelled_article(article, by_article.pop(article.id, []))
        if labelled is not None:
            yield labelled
    for article_id in by_article:
        skip("labelled article not in PolNeAR", article_id)
