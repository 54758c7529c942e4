"""Relabel earlier rounds' stance pairs under the current guidelines, blind to their old labels.

    python scripts/stance_relabel.py sheets --prefixes D E F G T U V --annotators 8 --first 29 \\
        --gold data/polnear.dev.jsonl data/polnear.train.jsonl --out /tmp/relabel
    # each annotator k labels /tmp/relabel/sheet_<k>.md into labels_<k>.jsonl, then:
    python scripts/stance_relabel.py collect --sheets /tmp/relabel

Rounds 1-4 were labelled before issue 11 aligned the definitions in `eval/guidelines.md` (what
counts as an organization, attacks on members, demands, balanced quotes). `sheets` writes the
chosen pairs (by id prefix) into shuffled sheets with no label on them; the first tenth of every
sheet is put again at the end of the next one, so those pairs are labelled twice, independently.
`collect` makes the new label the pair's label, keeps every old label of it under `previous`
(nothing is lost), replaces the pair's old second label with the new one, and prints the new
agreement and how the labels moved.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from stance_candidates import context, marked
from stance_labels import FILES, LABELS, agreement, sheet_labels

from stance.io import read_records

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "eval" / "stance_labels"
SECOND = FOLDER / "second_labels.jsonl"


def label_rows() -> dict[str, list[dict]]:
    return {
        name: [json.loads(line) for line in open(FOLDER / name, encoding="utf-8")]
        for name in FILES.values()
        if (FOLDER / name).exists()
    }


def sheets(args: argparse.Namespace) -> None:
    prefixes = tuple(args.prefixes)
    rows = [r for file in label_rows().values() for r in file if r["pair"].startswith(prefixes)]
    articles = {a.id: a for path in args.gold for a in read_records(path)}
    random.Random(args.seed).shuffle(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    size = -(-len(rows) // args.annotators)
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    overlap = max(1, size // 10)
    for i, chunk in enumerate(chunks):
        # the next sheet's first tenth closes this one (the last sheet takes the first's)
        again = chunks[(i + 1) % len(chunks)][:overlap]
        with open(out / f"sheet_{args.first + i}.md", "w", encoding="utf-8") as sheet:
            for row in chunk + again:
                text = articles[row["article"]].text
                start = min(s for s, _ in row["content"])
                end = max(e for _, e in row["content"])
                name = text[row["name"][0] : row["name"][1]]
                source = " … ".join(text[s:e] for s, e in row["source"]) or "(none)"
                quote = " … ".join(marked(text, s, e, row["mentions"]) for s, e in row["content"])
                sheet.write(
                    f"### {row['pair']}\nsource: {source}\ntarget: {name}\nquote: {quote}\n"
                    f"context: {context(text, start, end)}\n\n"
                )
    print(f"{len(rows)} pairs in {len(chunks)} sheets of {size} (+{overlap} labelled twice) -> {out}")


def collect(args: argparse.Namespace) -> None:
    first: dict[str, dict] = {}
    second: dict[str, dict] = {}
    for pid, label in sheet_labels(args.sheets):
        (second if pid in first else first)[pid] = label

    old_second = {}
    for line in open(SECOND, encoding="utf-8"):
        row = json.loads(line)
        old_second[row["pair"]] = row
    moves: Counter[tuple[str, str]] = Counter()
    for name, rows in label_rows().items():
        for row in rows:
            new = first.get(row["pair"])
            if new is None:
                continue
            old = {k: row.pop(k) for k in ("stance", "annotator", "confidence") if k in row}
            previous = [old] + (
                [{k: v for k, v in old_second[row["pair"]].items() if k != "pair"}]
                if row["pair"] in old_second
                else []
            )
            moves[(old["stance"], new["stance"])] += 1
            row.update(new)
            row["previous"] = row.get("previous", []) + previous
        with open(FOLDER / name, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    # Second labels: the new ones for relabelled pairs, the old ones for every other pair.
    kept = [r for pid, r in old_second.items() if pid not in first]
    with open(SECOND, "w", encoding="utf-8") as f:
        for row in kept + [{"pair": pid, **second[pid]} for pid in sorted(second)]:
            f.write(json.dumps(row) + "\n")

    print(f"relabelled {len(first)} pairs; {len(second)} labelled twice")
    both = sorted(set(first) & set(second))
    agreement(
        both,
        {p: (first[p]["annotator"], first[p]["stance"]) for p in both},
        {p: (second[p]["annotator"], second[p]["stance"]) for p in both},
    )
    same = sum(n for (a, b), n in moves.items() if a == b)
    print(f"old label kept: {same}/{sum(moves.values())}")
    print("moved (old -> new): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in moves.most_common() if a != b))
    counts = Counter(first[p]["stance"] for p in first)
    print("new labels: " + ", ".join(f"{label} {counts[label]}" for label in LABELS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("sheets", help="write blind sheets for the pairs with these id prefixes")
    make.add_argument("--prefixes", nargs="+", required=True)
    make.add_argument("--annotators", type=int, required=True)
    make.add_argument("--first", type=int, required=True, help="number of the first annotator")
    make.add_argument("--gold", nargs="+", required=True, help="converted PolNeAR records (the texts)")
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--out", required=True)
    take = sub.add_parser("collect", help="make the new labels the pairs' labels")
    take.add_argument("--sheets", type=Path, required=True)
    args = parser.parse_args()
    (sheets if args.command == "sheets" else collect)(args)


if __name__ == "__main__":
    main()
