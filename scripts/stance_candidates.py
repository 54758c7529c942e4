"""Candidate (quote, organization) pairs for the team's stance annotation of PolNeAR.

    python scripts/stance_candidates.py data/polnear.train.jsonl --n 1650 --out /tmp/cand.train

For every gold quote of the given PolNeAR split (converted by `stance convert polnear`), or every
quote `stance extract` found in another set's texts (`--set`), the
organizations that `stance.targets.OrganizationIndex` finds inside its content, as the tool would
find them; at most --per-article pairs per article so the sample spreads over many stories. Writes
`pairs.jsonl` (ids and offsets only: what goes into git once labelled) and `sheet.md`, the
annotator's view with the text (never committed).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from stance.io import read_records
from stance.nlp import load_spacy
from stance.targets import OrganizationIndex, TargetList

# A gold source that is missing or only a relative pronoun: annotators found these mostly invalid.
RELATIVE_PRONOUNS = frozenset(["", "that", "which", "who", "whose", "whom"])


def marked(text: str, start: int, end: int, mentions: list[tuple[int, int]]) -> str:
    """text[start:end] with the target's mentions wrapped in [[ ]]."""
    out, at = [], start
    for s, e in sorted(mentions):
        if start <= s and e <= end:
            out += [text[at:s], "[[", text[s:e], "]]"]
            at = e
    out.append(text[at:end])
    return "".join(out).replace("\n", " ")


def context(text: str, start: int, end: int, width: int = 500) -> str:
    left = text.rfind("\n\n", 0, max(0, start - width))
    right = text.find("\n\n", min(len(text), end + width))
    left = max(0, start - width) if left < 0 else left
    right = min(len(text), end + width) if right < 0 else right
    left = max(left, start - 2 * width)
    right = min(right, end + 2 * width)
    return text[left:start].replace("\n", " ") + " ⟦QUOTE⟧ " + text[end:right].replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold")
    parser.add_argument("--n", type=int, required=True, help="pairs to sample")
    parser.add_argument("--per-article", type=int, default=4, help="at most N pairs an article (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prefix", default="P")
    parser.add_argument("--out", required=True)
    parser.add_argument("--targets", help="a target list ('Name | alias | alias' per line) as for stance")
    parser.add_argument("--exclude", nargs="*", default=[], help="pairs.jsonl files of earlier rounds")
    parser.add_argument(
        "--exclude-labelled",
        nargs="*",
        default=[],
        help="label files (eval/stance_labels/*.jsonl): leave out every mention already labelled there",
    )
    parser.add_argument("--only-articles", help="a file of article ids, one per line: only these")
    parser.add_argument(
        "--set",
        help="the converted set the records come from (directed-sentiment, newsmtsc, finentity), "
        "stored with each pair so the text can be found again; default PolNeAR",
    )
    parser.add_argument("--skip-articles", help="a file of article ids, one per line: not these")
    parser.add_argument(
        "--need-source",
        action="store_true",
        help="only quotes whose source is a mention, not missing or a relative pronoun",
    )
    args = parser.parse_args()
    taken = set()
    for path in args.exclude:
        for line in open(path, encoding="utf-8"):
            row = json.loads(line)
            taken.add((row["article"], row["quote"], tuple(row["mentions"][0])))

    # A mention already labelled in any quote is not asked again (another annotator's version of
    # the same quote would only repeat it).
    labelled = set()
    for path in args.exclude_labelled:
        for line in open(path, encoding="utf-8"):
            row = json.loads(line)
            labelled.update((row.get("set"), row["article"], tuple(m)) for m in row["mentions"])

    def ids(path: str | None) -> set[str] | None:
        return None if path is None else {x.strip() for x in open(path, encoding="utf-8") if x.strip()}

    only, skip = ids(args.only_articles), ids(args.skip_articles)
    nlp = load_spacy()
    targets = TargetList.read(args.targets) if args.targets else None
    articles = [
        a
        for a in read_records(args.gold)
        if (only is None or a.id in only) and (skip is None or a.id not in skip)
    ]
    pairs = []
    for doc, article in zip(nlp.pipe(a.text for a in articles), articles, strict=True):
        orgs = OrganizationIndex(doc, targets)
        found = []
        for qi, quote in enumerate(article.quotes):
            source = " ".join(article.text[s:e] for s, e in quote.source).strip().lower()
            if args.need_source and source in RELATIVE_PRONOUNS:
                continue
            for name, mentions in orgs.within(quote.content).items():
                key = (args.set, article.id, tuple(mentions[0]))
                if (article.id, qi, tuple(mentions[0])) not in taken and key not in labelled:
                    labelled.add(key)  # once per mention, whichever quote holds it first
                    found.append((qi, name, mentions))
        rng = random.Random(f"{args.seed}:{article.id}")
        per_article = args.per_article or len(found)
        for qi, name, mentions in rng.sample(found, min(per_article, len(found))):
            quote = article.quotes[qi]
            pairs.append((article, qi, quote, name, mentions))
    random.Random(args.seed).shuffle(pairs)
    pairs = pairs[: args.n]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "pairs.jsonl", "w", encoding="utf-8") as ids,
        open(out / "sheet.md", "w", encoding="utf-8") as sheet,
    ):
        for i, (article, qi, quote, name, mentions) in enumerate(pairs):
            pid = f"{args.prefix}{i:04d}"
            record = {
                "pair": pid,
                **({"set": args.set} if args.set else {}),
                "article": article.id,
                "quote": qi,
                "content": [list(s) for s in quote.content],
                "source": [list(s) for s in quote.source],
                "mentions": [list(m) for m in mentions],
            }
            ids.write(json.dumps(record) + "\n")
            text = article.text
            source = " … ".join(text[s:e] for s, e in quote.source) or "(none)"
            content = " … ".join(marked(text, s, e, mentions) for s, e in quote.content)
            sheet.write(
                f"### {pid}\nsource: {source}\ntarget: {name}\nquote: {content}\n"
                f"context: {context(text, quote.start, quote.end)}\n\n"
            )
    print(f"{len(pairs)} pairs from {len(articles)} articles -> {out}")


if __name__ == "__main__":
    main()
