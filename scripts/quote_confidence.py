"""Fit the quote tagger's confidence on PolNeAR dev, store it in its config, and show what each
threshold of `--min-confidence` keeps.

    python scripts/quote_confidence.py --dev data/polnear.dev.jsonl --test data/polnear.test.jsonl

A quote's raw score is the tagger's mean probability that the word pieces of its content are
content (`QuoteTagger.tag_scored`; the rules' quotes in tagger+rules get it too). A quote is
*right* when at least half of its content's word tokens lie in one gold quote's content. A
logistic map from raw score to P(right) is fitted on dev (two parameters, Newton's method) and
written to `models/extractor/stance_tagger.json` under "confidence"; `stance extract` and `stance
label` then print it as each quote's `confidence`. The tables: expected calibration error before
and after on dev, and content P/R/F1 (exact and overlap, `stance eval`'s) of the quotes kept at
each threshold, on dev and on test.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy

from stance.evaluation import evaluate
from stance.evaluation.spans import Tokens
from stance.io import read_records
from stance.pipeline import Extractor
from stance.records import Article
from stance.tagger.model import CONFIG_NAME, DEFAULT_EXTRACTOR_MODEL

THRESHOLDS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9)


def predictions(extractor: Extractor, gold: list[Article]) -> list[Article]:
    copies = [Article(a.id, a.text, dict(a.meta)) for a in gold]
    return list(extractor(copies))


def right(gold: Article, pred: Article) -> list[tuple[float, bool]]:
    """(raw confidence, right) of each predicted quote."""
    tokens = Tokens(gold.text)
    golds = [tokens.of(q.content) for q in gold.quotes]
    out = []
    for q in pred.quotes:
        own = tokens.of(q.content)
        best = max((len(own & g) for g in golds), default=0)
        if q.confidence is not None and own:
            out.append((q.confidence, best >= len(own) / 2))
    return out


def fit(x: numpy.ndarray, y: numpy.ndarray) -> tuple[float, float]:
    """Logistic regression of y on x (no penalty), by Newton's method."""
    a, b = 0.0, 0.0
    X = numpy.stack([x, numpy.ones_like(x)], axis=1)
    for _ in range(50):
        p = 1 / (1 + numpy.exp(-(a * x + b)))
        grad = X.T @ (y - p)
        hess = -(X.T * (p * (1 - p))) @ X
        step = numpy.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if numpy.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def ece(p: numpy.ndarray, y: numpy.ndarray, bins: int = 10) -> float:
    edges = numpy.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= lo) & ((p < hi) | (hi == 1))
        if inside.any():
            total += inside.sum() * abs(p[inside].mean() - y[inside].mean())
    return total / len(p)


def kept(pred: list[Article], threshold: float) -> list[Article]:
    def sure(quotes: list) -> list:
        return [q for q in quotes if (q.confidence or 0.0) >= threshold]

    return [Article(a.id, a.text, a.meta, sure(a.quotes)) for a in pred]


def prf(scores: dict, kind: str) -> str:
    return " / ".join(f"{100 * scores[f'content.{kind}.{m}']:.1f}" for m in ("p", "r", "f1"))


def threshold_table(name: str, gold: list[Article], pred: list[Article]) -> list[str]:
    lines = [
        f"| {name}: --min-confidence | quotes kept | content exact P / R / F1 | content overlap P / R / F1 |",
        "|---|---|---|---|",
    ]
    for t in THRESHOLDS:
        chosen = kept(pred, t)
        s = evaluate(gold, chosen, samples=0).scores
        n = sum(len(a.quotes) for a in chosen)
        lines.append(f"| {t:.1f} | {n} | {prf(s, 'exact')} | {prf(s, 'overlap')} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--test", type=Path)
    parser.add_argument("--model", type=Path, default=DEFAULT_EXTRACTOR_MODEL)
    args = parser.parse_args()
    extractor = Extractor(extractor="tagger+rules", model=args.model)
    tagger = extractor.find.tagger
    tagger.calibration = None  # raw scores to fit on
    dev = list(read_records(args.dev))
    dev_pred = predictions(extractor, dev)
    pairs = [p for g, q in zip(dev, dev_pred, strict=True) for p in right(g, q)]
    x = numpy.array([c for c, _ in pairs])
    y = numpy.array([r for _, r in pairs], dtype=float)
    a, b = fit(x, y)
    calibrated = 1 / (1 + numpy.exp(-(a * x + b)))
    config_path = args.model / CONFIG_NAME
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["confidence"] = {
        "a": round(a, 6),
        "b": round(b, 6),
        "fitted_on": str(args.dev),
        "quotes": len(pairs),
        "right": "at least half of the quote's content tokens in one gold quote's content",
        "ece_before": round(ece(x, y), 4),
        "ece_after": round(ece(calibrated, y), 4),
    }
    config_path.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    print(
        f"fitted on {len(pairs)} dev quotes ({int(y.sum())} right): P(right) = 1 / (1 + exp(-({a:.3f} x "
        f"{b:+.3f}))); expected calibration error {ece(x, y):.3f} -> {ece(calibrated, y):.3f}\n"
    )
    tagger.calibration = config["confidence"]
    for q in (q for art in dev_pred for q in art.quotes if q.confidence is not None):
        q.confidence = tagger.confidence(q.confidence)
    print("\n".join(threshold_table("PolNeAR dev", dev, dev_pred)))
    if args.test:
        test = list(read_records(args.test))
        print()
        print("\n".join(threshold_table("PolNeAR test", test, predictions(extractor, test))))


if __name__ == "__main__":
    main()
