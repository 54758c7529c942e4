"""Time the stance step: article by article in batches of 64 pairs (how the pipeline ran it before)
against many articles at once in length-sorted batches of 8 pairs (how it runs now).

    python scripts/stance_speed.py data/polnear-stance.dev.jsonl data/newsmtsc.devtest_rw.jsonl

Each file's articles are classified both ways, alternately, `--repeats` times in the same process;
the figure is the median ratio of the times (machines are noisy; the ratio is the measurement).
"""

from __future__ import annotations

import argparse
import statistics
import time

from stance.classifier.inputs import pair_text
from stance.classifier.model import StanceClassifier
from stance.io import read_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", help="records with quotes and targets")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--articles", type=int, default=300, help="the first N articles of each file")
    parser.add_argument("--group", type=int, default=8, help="articles per call now (the pipeline's batch)")
    args = parser.parse_args()
    classifier = StanceClassifier.load()

    def pairs(articles):
        return [pair_text(a, q, t, classifier.form) for a in articles for q in a.quotes for t in q.targets]

    print(
        "| records | articles | pairs | one article a call, batches of 64 (s) | "
        f"{args.group} articles a call, batches of 8 (s) | speed-up (median) |"
    )
    print("|---|---|---|---|---|---|")
    for path in args.records:
        articles = read_records(path)[: args.articles]
        classifier.logits(pairs(articles[:4]))  # warm up
        before, after = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            for article in articles:
                classifier.logits(pairs([article]), batch_size=64)
            before.append(time.perf_counter() - started)
            started = time.perf_counter()
            for i in range(0, len(articles), args.group):
                classifier.logits(pairs(articles[i : i + args.group]), batch_size=8)
            after.append(time.perf_counter() - started)
        ratio = statistics.median(b / a for b, a in zip(before, after, strict=True))
        print(
            f"| {path} | {len(articles)} | {len(pairs(articles))} | {statistics.median(before):.1f} "
            f"| {statistics.median(after):.1f} | {ratio:.2f}× |"
        )


if __name__ == "__main__":
    main()
