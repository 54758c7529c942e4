"""The unlabelled pool for distilling the stance classifier (issue 11): quotes that `stance extract`
found, with their organizations and, to widen it, the people each quote names.

    stance extract data/polnear.train.jsonl --targets eval/stance_labels/us-institutions-v2.list \
        -o out/pool/polnear.train.jsonl
    python scripts/stance_pool.py out/pool/polnear.train.jsonl -o out/pool/polnear.train.people.jsonl

The teacher scores every (quote, target) pair of the output and the student learns those scores
(`stance train stance --pool`). Stance toward a person is the same judgement the classifier makes
of an organization (NewsMTSC, one of its training sets, labels persons), and political quotes name
people far more often than organizations, so people multiply the in-domain pool. A person is a
spaCy PERSON entity inside the quote's content that is not the quote's speaker; its mentions are
every occurrence of that name inside the content. No labels are made or kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.evaluation.metrics import _norm_name
from stance.io import ArticleWriter, read_records
from stance.nlp import load_spacy, parse
from stance.records import Article, Target


def add_people(article: Article, people: list[tuple[int, int]]) -> int:
    """Add each quote's people (PERSON entity offsets into the text) as targets; how many added."""
    added = 0
    for quote in article.quotes:
        named: dict[str, list[tuple[int, int]]] = {}
        for s, e in people:
            if any(cs <= s and e <= ce for cs, ce in quote.content):
                named.setdefault(article.text[s:e], []).append((s, e))
        speaker = _norm_name(quote.speaker or "")
        have = {_norm_name(t.name) for t in quote.targets}
        for name, mentions in named.items():
            key = _norm_name(name)
            if key and key != speaker and key not in have and not (speaker and key in speaker.split()):
                quote.targets.append(Target(name, mentions))
                have.add(key)
                added += 1
    return added


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("records", type=Path, help="`stance extract` output (.jsonl)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    articles = read_records(args.records)
    docs = parse(load_spacy(), [a.text for a in articles])
    added = 0
    with ArticleWriter(args.output) as writer:
        for article, doc in zip(articles, docs, strict=True):
            people = [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"]
            added += add_people(article, people)
            writer.write(article)
    print(f"wrote {len(articles)} articles to {args.output}: {added} person targets added", file=sys.stderr)


if __name__ == "__main__":
    main()
