"""What to label next: the (quote, organization) pairs most worth a person's time.

Every pair of a record whose target has stance scores (the calibrated probabilities that
``stance label`` and ``stance classify`` write) is a candidate. Its uncertainty is the entropy of
those scores divided by its largest possible value (``log 3``): 0 for a sure label, 1 when all
three are equally likely. Strategies:

- ``uncertainty``: the ``n`` most uncertain pairs;
- ``diverse``: the same, but a pair's uncertainty is halved for every pair already chosen from
  its article, from its speaker and about its organization, so the batch spreads over the
  collection instead of piling up on one long article or one much-quoted name;
- ``random``: ``n`` pairs drawn uniformly with ``seed`` (the baseline to compare the others
  with; it also takes pairs without scores).

Ties go to the pair that comes first in the input. The batch is written as records holding only
the chosen pairs: each article with its chosen quotes, each quote with its chosen targets, the
model's stance and scores kept as pre-annotations.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from stance.records import STANCES, Article, Quote

STRATEGIES = ("diverse", "uncertainty", "random")
_LOG3 = math.log(3)


def uncertainty(scores: dict[str, float] | None) -> float | None:
    """The normalised entropy of a target's stance scores, or None without usable scores."""
    if not scores:
        return None
    values = [scores.get(label) for label in STANCES]
    if any(not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 for v in values):
        return None
    total = float(sum(values))  # type: ignore[arg-type]
    if total <= 0:
        return None
    h = -sum((v / total) * math.log(v / total) for v in values if v > 0)  # type: ignore[operator]
    return h / _LOG3


@dataclass(frozen=True)
class Pair:
    """One (quote, target) of the input, by position."""

    article: int
    quote: int
    target: int
    article_id: str
    speaker: str | None
    organization: str
    uncertainty: float | None


def pair_key(article_id: str, quote: Quote, name: str) -> tuple:
    """What identifies a pair across files: the article, the quote's content spans, the organization."""
    return (article_id, tuple(quote.content), name)


def pairs(articles: list[Article], exclude: set[tuple] = frozenset()) -> tuple[list[Pair], int]:
    """Every candidate pair, and how many were left out because ``exclude`` holds them."""
    out: list[Pair] = []
    excluded = 0
    for ai, article in enumerate(articles):
        for qi, quote in enumerate(article.quotes):
            for ti, target in enumerate(quote.targets):
                if pair_key(article.id, quote, target.name) in exclude:
                    excluded += 1
                    continue
                out.append(
                    Pair(
                        ai,
                        qi,
                        ti,
                        article.id,
                        quote.speaker,
                        target.name.casefold(),
                        uncertainty(target.scores),
                    )
                )
    return out, excluded


def select(candidates: list[Pair], n: int, strategy: str = "diverse", seed: int = 0) -> list[Pair]:
    """The chosen pairs, best first (``random``: in draw order)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    if n <= 0:
        return []
    if strategy == "random":
        return random.Random(seed).sample(candidates, min(n, len(candidates)))
    scored = [(i, p) for i, p in enumerate(candidates) if p.uncertainty is not None]
    if strategy == "uncertainty":
        scored.sort(key=lambda ip: (-ip[1].uncertainty, ip[0]))  # type: ignore[operator]
        return [p for _, p in scored[:n]]
    return _diverse(scored, n)


def _diverse(scored: list[tuple[int, Pair]], n: int) -> list[Pair]:
    """Greedy choice with repeats discounted. A pair's value only falls as others are chosen, so
    a value recomputed at the top of the heap that still beats the next stored one is the best
    (lazy greedy): the result equals recomputing every value at every step."""
    seen_articles: Counter[int] = Counter()
    seen_speakers: Counter[str] = Counter()
    seen_orgs: Counter[str] = Counter()

    def value(p: Pair) -> float:
        repeats = seen_articles[p.article] + seen_orgs[p.organization]
        if p.speaker is not None:
            repeats += seen_speakers[p.speaker.casefold()]
        return p.uncertainty * 0.5**repeats  # type: ignore[operator]

    heap = [(-value(p), i, p) for i, p in scored]
    heapq.heapify(heap)
    chosen: list[Pair] = []
    while heap and len(chosen) < n:
        stored, i, p = heapq.heappop(heap)
        current = -value(p)
        if heap and (current, i) > heap[0][:2]:
            heapq.heappush(heap, (current, i, p))  # stale: put back with its present value
            continue
        chosen.append(p)
        seen_articles[p.article] += 1
        seen_orgs[p.organization] += 1
        if p.speaker is not None:
            seen_speakers[p.speaker.casefold()] += 1
    return chosen


def batch(articles: list[Article], chosen: Iterable[Pair]) -> list[Article]:
    """Records holding only the chosen pairs, articles in the order of their best pair, quotes
    and targets in their input order."""
    chosen = list(chosen)
    wanted: dict[int, dict[int, set[int]]] = {}
    for p in chosen:
        wanted.setdefault(p.article, {}).setdefault(p.quote, set()).add(p.target)
    out = []
    for ai in dict.fromkeys(p.article for p in chosen):
        article = articles[ai]
        quotes = []
        for qi, quote in enumerate(article.quotes):
            if qi not in wanted[ai]:
                continue
            targets = [t for ti, t in enumerate(quote.targets) if ti in wanted[ai][qi]]
            quotes.append(Quote(quote.content, quote.cue, quote.source, quote.speaker, quote.kind, targets))
        out.append(Article(article.id, article.text, article.meta, quotes))
    return out


@dataclass
class Summary:
    """What a selection holds, for the command's closing lines."""

    pairs: int
    articles: int
    speakers: int
    organizations: int
    mean_uncertainty: float | None


def summary(chosen: list[Pair]) -> Summary:
    values = [p.uncertainty for p in chosen if p.uncertainty is not None]
    return Summary(
        pairs=len(chosen),
        articles=len({p.article for p in chosen}),
        speakers=len({p.speaker.casefold() for p in chosen if p.speaker}),
        organizations=len({p.organization for p in chosen}),
        mean_uncertainty=sum(values) / len(values) if values else None,
    )
