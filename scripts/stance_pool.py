"""The unlabelled pool for distilling the stance classifier (issue 11): quotes that `stance extract`
found, with their organizations and, to widen it, the people each quote names.

    stance extract data/polnear.train.jsonl --targets eval/stance_labels/us-institutions-v2.list \
        -o out/pool/polnear.train.jsonl
    python scripts/stance_pool.py out/pool/polnear.train.jsonl -o out/pool/polnear.train.people.jsonl

The teacher scores every (quote, target) pair of the output and the student learns those scores
(`stance train stance --pool`). Stance toward a person is the same judgement the classifier makes
of an organization (NewsMTSC, one of its training sets, labels persons), and political quotes name
people far more often than organizations, so people multiply the in-domain pool. A person is a
spaCy PERSON entity inside the quote's content whose surname is not the speaker's; the entities of
one surname in a quote are one target ('Clinton' and 'Hillary Clinton'). No labels are made.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.evaluation.metrics import _norm_name
from stance.io import ArticleWriter, read_records
from stance.nlp import load_spacy, parse
from stance.records import Article, Target
from stance.speakers import clean_name


def _surname(name: str) -> str:
    words = _norm_name(clean_name(name)).split()
    return words[-1] if words else ""


def add_people(article: Article, people: list[tuple[int, int]]) -> int:
    """Add each quote's people (PERSON entity offsets into the text) as targets, one per surname
    (its longest form as the name, every mention of it inside the content), leaving out the
    speaker and anyone already a target; how many added."""
    added = 0
    for quote in article.quotes:
        named: dict[str, list[tuple[int, int]]] = {}
        longest: dict[str, str] = {}
        for s, e in people:
            key = _surname(article.text[s:e])
            if key and any(cs <= s and e <= ce for cs, ce in quote.content):
                named.setdefault(key, []).append((s, e))
                longest[key] = max(longest.get(key, ""), clean_name(article.text[s:e]), key=len)
        have = {_surname(quote.speaker or "")} | {_surname(t.name) for t in quote.targets}
        for key, mentions in named.items():
            if key not in have:
                quote.targets.append(Target(longest[key], mentions))
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
