"""The evaluation harness: gold and predicted records paired by id, scored, resampled."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from stance.evaluation.bootstrap import confidence_intervals, paired_test
from stance.evaluation.metrics import article_counts, summarize, total_counts
from stance.records import Article


class EvaluationError(ValueError):
    """Gold and predictions that cannot be compared (missing ids, different texts)."""


@dataclass
class Evaluation:
    """Scores of one prediction file, with the per-article counts behind them."""

    name: str
    rows: list[Counter]
    scores: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    convention: str = "quotes"  # how span layers were counted (metrics.CONVENTIONS)

    @property
    def counts(self) -> Counter:
        return total_counts(self.rows)


def pair_articles(
    gold: list[Article], pred: list[Article], name: str = "predictions"
) -> list[tuple[Article, Article]]:
    """Gold and predicted articles side by side, in gold order; EvaluationError when they differ."""
    by_id: dict[str, Article] = {}
    for art in pred:
        if art.id in by_id:
            raise EvaluationError(f"{name}: id {art.id!r} appears twice")
        by_id[art.id] = art
    gold_ids = [a.id for a in gold]
    if len(set(gold_ids)) != len(gold_ids):
        dup = next(i for i in gold_ids if gold_ids.count(i) > 1)
        raise EvaluationError(f"gold: id {dup!r} appears twice")
    missing = [i for i in gold_ids if i not in by_id]
    extra = sorted(set(by_id) - set(gold_ids))
    for ids, side in ((missing, f"gold ids missing from {name}"), (extra, f"{name} ids missing from gold")):
        if ids:
            shown = ", ".join(repr(i) for i in ids[:3]) + (" …" if len(ids) > 3 else "")
            raise EvaluationError(f"{len(ids)} {side}: {shown}")
    pairs = []
    for g in gold:
        p = by_id[g.id]
        if p.text != g.text:
            at = next(
                (i for i, (a, b) in enumerate(zip(g.text, p.text, strict=False)) if a != b),
                min(len(g.text), len(p.text)),
            )
            raise EvaluationError(f"{name}: text of {g.id!r} differs from gold (first at offset {at})")
        pairs.append((g, p))
    return pairs


def evaluate(
    gold: list[Article],
    pred: list[Article],
    name: str = "predictions",
    samples: int = 1000,
    seed: int = 0,
    convention: str = "quotes",
) -> Evaluation:
    """Score predictions against gold, with bootstrap intervals over articles (samples=0: none);
    ``convention`` ("quotes" or "spans") says how span layers are counted (docs/evaluation.md)."""
    rows = [article_counts(g, p, convention) for g, p in pair_articles(gold, pred, name)]
    result = Evaluation(name, rows, summarize(total_counts(rows)), convention=convention)
    result.intervals = confidence_intervals(rows, samples, seed)
    return result


def compare(a: Evaluation, b: Evaluation, samples: int = 1000, seed: int = 0) -> dict[str, dict[str, float]]:
    """Paired bootstrap of two evaluations on the same gold."""
    return paired_test(a.rows, b.rows, samples, seed)


def _records(side: str | Path | list[Article]) -> tuple[str, str, list[Article]]:
    """(what messages call it, its name in reports, its articles)."""
    if isinstance(side, (str, Path)):
        from stance.io import read_records

        return str(side), Path(side).name, read_records(side)
    return "predictions", "predictions", list(side)


def run(
    gold: str | Path | list[Article],
    predictions: list[str | Path | list[Article]],
    samples: int = 1000,
    seed: int = 0,
    convention: str = "quotes",
) -> tuple[list[Evaluation], dict[str, dict[str, float]] | None]:
    """What `stance eval` computes: each prediction (a .jsonl path or Articles; one or two) scored
    against gold, and the paired test when there are two. RecordError for an empty or unreadable
    file, EvaluationError for sides that cannot be compared."""
    from stance.records import RecordError

    gold_label, _, gold_articles = _records(gold)
    if not gold_articles:
        raise RecordError(f"{gold_label}: no records to score against")
    sides = [_records(p) for p in predictions]
    if not sides or not any(articles for _, _, articles in sides):
        raise RecordError(f"{sides[0][0] if sides else 'predictions'}: no records to score")
    evaluations = [
        evaluate(gold_articles, articles, name, samples, seed, convention) for _, name, articles in sides
    ]
    paired = compare(*evaluations, samples, seed) if len(evaluations) == 2 else None
    return evaluations, paired


__all__ = ["Evaluation", "EvaluationError", "compare", "evaluate", "pair_articles", "run"]
