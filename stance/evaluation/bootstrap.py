"""Article-level bootstrap: confidence intervals and a paired test between two systems.

Articles, not quotes, are resampled, since quotes of one article are not independent
(Berg-Kirkpatrick et al., 2012; Koehn, 2004 for the paired resampling).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from stance.evaluation.metrics import summarize

HEADLINE = (
    "content.exact.f1",
    "content.overlap.f1",
    "source.exact.f1",
    "cue.exact.f1",
    "speaker.accuracy",
    "targets.f1",
    "stance.macro_f1",
    "stance.e2e.macro_f1",
)


def _matrix(rows: list[Counter]) -> tuple[np.ndarray, list[str]]:
    keys = sorted({k for row in rows for k in row})
    return np.array([[row.get(k, 0) for k in keys] for row in rows], dtype=float), keys


def _resampled(matrix: np.ndarray, keys: list[str], picks: np.ndarray) -> list[dict[str, float]]:
    return [summarize(Counter(dict(zip(keys, matrix[idx].sum(axis=0), strict=True)))) for idx in picks]


def _picks(n_articles: int, samples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n_articles, size=(samples, n_articles))


def confidence_intervals(
    rows: list[Counter], samples: int = 1000, seed: int = 0, level: float = 0.95
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the headline metrics over article resamples."""
    if not rows or samples <= 0:
        return {}
    matrix, keys = _matrix(rows)
    scores = _resampled(matrix, keys, _picks(len(rows), samples, seed))
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    return {m: tuple(np.percentile([s[m] for s in scores], [lo, hi]).tolist()) for m in HEADLINE}


def paired_test(
    rows_a: list[Counter], rows_b: list[Counter], samples: int = 1000, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Difference a - b of each headline metric, and how often resampling reverses its sign.

    ``p`` is the share of resamples in which the difference is not in the observed direction:
    a one-sided p-value for 'a is better than b' (or the reverse, when b is better).
    """
    if not rows_a or samples <= 0:
        return {}
    both = rows_a + rows_b
    matrix, keys = _matrix(both)
    n = len(rows_a)
    picks = _picks(n, samples, seed)
    scores_a = _resampled(matrix[:n], keys, picks)
    scores_b = _resampled(matrix[n:], keys, picks)
    full_a = summarize(Counter(dict(zip(keys, matrix[:n].sum(axis=0), strict=True))))
    full_b = summarize(Counter(dict(zip(keys, matrix[n:].sum(axis=0), strict=True))))
    out = {}
    for m in HEADLINE:
        delta = full_a[m] - full_b[m]
        diffs = np.array([a[m] - b[m] for a, b in zip(scores_a, scores_b, strict=True)])
        reversed_share = float(np.mean(diffs <= 0) if delta > 0 else np.mean(diffs >= 0))
        out[m] = {"delta": delta, "p": reversed_share if delta != 0 else 1.0}
    return out
