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
from stance.converters.common import SkipCallback, Skips, check_split, require
from stance.kinds import kind_from_marks
from stance.records import STANCES, Article, Quote, Target

SPLITS = ("train",)
LABELS = Path(__file__).resolve().parent.parent.parent / "eval" / "stance_labels"
SETS = {"directed-sentiment": directed_sentiment, "newsmtsc": newsmtsc, "finentity": finentity}


def _spans(value: list[list[int]]) -> list[tuple[int, int]]:
    return [(int(s), int(e)) for s, e in value]


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
                rows = by_article.pop(article.id, [])
                quotes: dict[tuple, Quote] = {}
                for row in rows:
                    if row["stance"] not in STANCES:
                        continue  # 'invalid': not an organization, not a pair to learn or score
                    content = _spans(row["content"])
                    quote = quotes.setdefault(
                        tuple(content),
                        Quote(
                            content=content,
                            cue=_spans(row["cue"]),
                            source=_spans(row["source"]),
                            kind=kind_from_marks(article.text, content),
                        ),
                    )
                    start, end = row["name"]
                    quote.targets.append(
                        Target(article.text[start:end], _spans(row["mentions"]), stance=row["stance"])
                    )
                if quotes:
                    yield Article(article.id, article.text, meta=article.meta, quotes=list(quotes.values()))
            for article_id in by_article:
                skip(f"labelled article not in {name}", article_id)
    finally:
        skip.finish()
