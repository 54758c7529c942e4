"""The project's own stance labels on quotes found in the other sets' news texts → records.

Quotes that `stance extract` finds in the sentences of directed-sentiment, NewsMTSC and FinEntity
(train splits only), with an organization inside, labelled by the team like the PolNeAR pairs
(``eval/stance_labels/news.train.jsonl``: ids, offsets and labels only, plus the ``set`` each
article comes from). The text comes from that set's converter at conversion time; ``src`` is the
data folder that holds the sets. Pairs labelled ``invalid`` are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters import directed_sentiment, finentity, newsmtsc
from stance.converters.common import SkipCallback, Skips, check_split, labelled_article, require
from stance.records import Article

SPLITS = ("train",)
LABELS = Path(__file__).resolve().parent.parent.parent / "eval" / "stance_labels"
SETS = {"directed-sentiment": directed_sentiment, "newsmtsc": newsmtsc, "finentity": finentity}


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles that carry labelled pairs, set by set in the sets' own order."""
    check_split("news-stance", split, SPLITS)
    skip = Skips(f"news-stance {split}", on_skip)
    by_set: dict[str, dict[str, list[dict]]] = {}
    with open(require(LABELS / f"news.{split}.jsonl", "stance label file"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                by_set.setdefault(row["set"], {}).setdefault(row["article"], []).append(row)
    try:
        for name, by_article in by_set.items():
            if name not in SETS:
                skip("labels of an unknown set", name)
                continue
            for article in SETS[name].convert(Path(src) / name, split):
                labelled = labelled_article(article, by_article.pop(article.id, []))
                if labelled is not None:
                    yield labelled
            for article_id in by_article:
                skip(f"labelled article not in {name}", article_id)
    finally:
        skip.finish()
