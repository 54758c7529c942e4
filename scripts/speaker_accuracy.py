"""Speaker resolution alone: the gold attributions' source spans, resolved, against the gold speakers.

    stance convert polnear-speakers --split dev -o data/polnear-speakers.dev.jsonl
    python scripts/speaker_accuracy.py data/polnear-speakers.dev.jsonl [--errors]

`stance eval` scores the speakers of the quotes an extractor found, so its figure mixes
extraction errors in. This script gives `stance.speakers` the gold quotes' own source spans
(PolNeAR's) and scores what it makes of them, by the kind of speaker the labels name
(`eval/speaker_labels/`): person, organization, group. Names are compared as `stance eval` does
(case, punctuation and a leading 'the' ignored).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from stance.evaluation.metrics import _norm_name
from stance.extraction.rules import Attribution
from stance.io import read_records
from stance.nlp import load_spacy, parse
from stance.speakers import SpeakerResolver
from stance.targets import OrganizationIndex

LABELS = Path(__file__).resolve().parent.parent / "eval" / "speaker_labels" / "polnear.dev.jsonl"


def kinds() -> dict[tuple, str]:
    """The labelled kind of each attribution, by (article, content, source)."""
    out = {}
    for line in open(LABELS, encoding="utf-8"):
        row = json.loads(line)
        key = (row["article"], tuple(map(tuple, row["content"])), tuple(map(tuple, row["source"] or [])))
        out[key] = row["kind"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("gold", type=Path)
    parser.add_argument("--errors", action="store_true", help="print every wrong speaker")
    args = parser.parse_args()
    kind_of = kinds()
    articles = list(read_records(args.gold))
    docs = parse(load_spacy(), [a.text for a in articles])
    counts: Counter = Counter()
    for article, doc in zip(articles, docs, strict=True):
        atts, golds = [], []
        for q in article.quotes:
            key = (article.id, tuple(map(tuple, q.content)), tuple(map(tuple, q.source)))
            kind = kind_of.get(key)
            if kind in (None, "none") or not q.speaker:
                continue
            tokens = [t for s, e in q.source for t in doc.char_span(s, e, alignment_mode="expand") or []]
            atts.append(Attribution(content=q.content, kind=q.kind, source_tokens=tokens))
            golds.append((kind, q.speaker, article.span_text(q.source)))
        resolved = SpeakerResolver(doc, OrganizationIndex(doc)).resolve(atts)
        for (kind, gold, source), pred in zip(golds, resolved, strict=True):
            right = _norm_name(gold) == _norm_name(pred)
            counts[kind, "n"] += 1
            counts[kind, "right"] += right
            counts[kind, "none"] += pred is None
            if args.errors and not right:
                print(f"{kind:12} {article.id[:40]:40} {source!r:30} gold {gold!r:28} got {pred!r}")
    total_n = total_right = 0
    print("| speaker kind | attributions | right | accuracy | resolved to nothing |")
    print("|---|---|---|---|---|")
    for kind in ("person", "organization", "group"):
        n, right = counts[kind, "n"], counts[kind, "right"]
        total_n, total_right = total_n + n, total_right + right
        if n:
            print(f"| {kind} | {n} | {right} | {100 * right / n:.1f} | {counts[kind, 'none']} |")
    if total_n:
        print(f"| all | {total_n} | {total_right} | {100 * total_right / total_n:.1f} | |")


if __name__ == "__main__":
    main()
