"""The quote tagger's forward passes in fp32 and with `--int8`, taking turns in one process.

    python scripts/int8_speed.py data/polnear.dev.jsonl --articles 10

One torch thread; prints each turn's seconds and the median ratio (fp32 / int8).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from stance.io import read_records
from stance.tagger.model import QuoteTagger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records")
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts = [a.text for a in read_records(args.records)[: args.articles]]
    fp32, int8 = QuoteTagger.load(), QuoteTagger.load(int8=True)
    fp32.logits(texts[:1]), int8.logits(texts[:1])  # warm up
    ratios = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        fp32.logits(texts)
        a = time.perf_counter() - started
        started = time.perf_counter()
        int8.logits(texts)
        b = time.perf_counter() - started
        ratios.append(a / b)
        print(f"fp32 {a:.2f} s, int8 {b:.2f} s")
    print(f"median ratio {statistics.median(ratios):.2f}×")


if __name__ == "__main__":
    main()
