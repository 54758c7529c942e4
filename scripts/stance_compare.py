"""Score several stance models on the same labelled sets, and time them in the same run.

    python scripts/stance_compare.py --model minilm=out/capacity-minilm --model mpnet=out/capacity-mpnet \\
        --dev data/polnear-stance.dev.jsonl --test data/newsmtsc.devtest_rw.jsonl

Every model scores every set with its own decision rule (gold quotes and targets); macro-F1 with
a 95% interval from resampling articles (pairs of one article are not independent). Speed: each
model labels the first `--speed-pairs` dev pairs, the models taking turns, `--repeats` times in
one process; the figures are the median milliseconds a pair and the ratio to the first model.
Prints a Markdown table for eval/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from stance.classifier.inputs import labelled_pairs
from stance.classifier.model import LABEL_ID, StanceClassifier
from stance.classifier.train import macro_f1
from stance.io import read_records


def article_pairs(path: str, classifier: StanceClassifier) -> tuple[list, list[int], list[int]]:
    """The labelled pairs of a file, their gold label ids, and the index of each pair's article."""
    pairs, gold, group = [], [], []
    for i, article in enumerate(read_records(path)):
        for pair, label in labelled_pairs([article], classifier.form):
            pairs.append(pair)
            gold.append(LABEL_ID[label])
            group.append(i)
    return pairs, gold, group


def interval(gold: list[int], pred: list[int], group: list[int], samples: int = 1000) -> tuple[float, float]:
    by_article = defaultdict(list)
    for i, g in enumerate(group):
        by_article[g].append(i)
    articles = list(by_article.values())
    rng = np.random.default_rng(0)
    scores = []
    for picks in rng.integers(0, len(articles), size=(samples, len(articles))):
        idx = [i for a in picks for i in articles[a]]
        scores.append(macro_f1([gold[i] for i in idx], [pred[i] for i in idx]))
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return float(lo), float(hi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", action="append", required=True, help="NAME=FOLDER (the first is the baseline)"
    )
    parser.add_argument("--dev", required=True)
    parser.add_argument("--test", action="append", default=[])
    parser.add_argument("--speed-pairs", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    named = (m.split("=", 1) for m in args.model)
    models = {name: StanceClassifier.load(Path(folder)) for name, folder in named}
    sets = [args.dev, *args.test]

    scores: dict[str, list[str]] = {}
    for name, classifier in models.items():
        cells = []
        for path in sets:
            pairs, gold, group = article_pairs(path, classifier)
            pred = classifier.decide(classifier.scores(pairs))
            lo, hi = interval(gold, pred, group)
            cells.append(f"{100 * macro_f1(gold, pred):.1f} [{100 * lo:.1f}, {100 * hi:.1f}]")
        scores[name] = cells

    first = next(iter(models.values()))
    timed = article_pairs(args.dev, first)[0][: args.speed_pairs]
    seconds: dict[str, list[float]] = {name: [] for name in models}
    for classifier in models.values():
        classifier.logits(timed[:16])  # warm up
    for _ in range(args.repeats):
        for name, classifier in models.items():
            started = time.perf_counter()
            classifier.logits(timed)
            seconds[name].append(time.perf_counter() - started)
    base = statistics.median(seconds[next(iter(models))])

    names = [Path(p).name for p in sets]
    print("| model | " + " | ".join(names) + " | ms a pair | × the first |")
    print("|---|" + "---|" * (len(names) + 2))
    for name in models:
        median = statistics.median(seconds[name])
        cost = f"{1000 * median / len(timed):.1f} | {median / base:.2f}×"
        print(f"| {name} | " + " | ".join(scores[name]) + f" | {cost} |")
    print(f"\nSpeed: {len(timed)} dev pairs, {args.repeats} turns each, median; macro-F1 percent [95% CI].")


if __name__ == "__main__":
    main()
