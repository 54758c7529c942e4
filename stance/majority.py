"""The majority-class stance baseline, for evaluation only: what a model has to beat, never a
default. The stance model itself is `stance.classifier`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from stance.records import STANCES, Article


def label_priors(articles: Iterable[Article]) -> dict[str, float]:
    """The share of each stance among the labelled targets of a collection."""
    counts = Counter(t.stance for a in articles for q in a.quotes for t in q.targets if t.stance is not None)
    total = sum(counts.values())
    if not total:
        raise ValueError("no target carries a stance label")
    return {label: counts[label] / total for label in STANCES}


def fill_majority(article: Article, priors: dict[str, float]) -> Article:
    """The majority-class baseline: every target gets the most frequent training label, and the
    training label shares as its scores."""
    majority = max(STANCES, key=lambda label: priors[label])
    for quote in article.quotes:
        for target in quote.targets:
            target.stance, target.scores = majority, dict(priors)
    return article
