"""Collect the annotators' stance labels into eval/stance_labels/ and measure their agreement.

    python scripts/stance_labels.py --candidates /tmp/cand.dev /tmp/cand.train /tmp/cand.dev2 \\
        /tmp/cand.train2 /tmp/cand.dev3 /tmp/cand.dev4 /tmp/cand.train4 \\
        --sheets /tmp/anno --gold data/polnear.dev.jsonl data/polnear.train.jsonl

A later round is added to the files already there with ``--append`` (round 5:
``--candidates /tmp/cand.train5 /tmp/cand.dev5 --sheets /tmp/anno5 --gold data/polnear.train.jsonl
--append``); its agreement is printed for the round alone and for all pairs labelled twice.

Inputs: the candidate folders written by scripts/stance_candidates.py (pairs.jsonl, sheet.md), and
the annotation folder with sheet_<k>.md and labels_<k>.jsonl per annotator k. A pair belongs to
the annotator whose sheet holds it first; a pair that also closes another annotator's sheet is
labelled twice, and those pairs give Cohen's kappa. The first annotator's label is kept.
Writes eval/stance_labels/polnear.<split>.jsonl (ids, offsets and labels only) and prints the
figures for eval/stance_labels/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from stance.io import read_records

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("critical", "supportive", "neutral", "invalid")
# Pair id prefixes by round: D/T (1), E/U (2), F (3), G/V (4), Y/X (5). The file a pair goes to
# is the PolNeAR split of its article; dev also takes the train articles of dev-slice.list (the
# `polnear-stance` converter does that, so a label never moves between files).
SPLIT_OF_PREFIX = {
    "D": "dev", "E": "dev", "F": "dev", "G": "dev", "Y": "train",
    "T": "train", "U": "train", "V": "train", "X": "train", "W": "train", "Z": "train",
    # Round 5, quotes found in the other sets' train texts: directed-sentiment, NewsMTSC, FinEntity.
    "S": "news", "N": "news", "K": "news",
}  # fmt: skip
FILES = {"dev": "polnear.dev.jsonl", "train": "polnear.train.jsonl", "news": "news.train.jsonl"}


def cohen_kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in set(a) | set(b)) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def sheet_ids(path: Path) -> list[str]:
    return re.findall(r"^### (\S+)", path.read_text(encoding="utf-8"), flags=re.M)


def sheet_labels(folder: Path) -> Iterator[tuple[str, dict]]:
    """(pair, label) for every pair of every sheet in `folder`, sheets in annotator order, pairs in
    sheet order: sheet_<k>.md's pairs labelled in labels_<k>.jsonl by annotator A<k>, with their
    confidence where given. A pair without a valid label stops the collection."""
    for sheet in sorted(folder.glob("sheet_*.md"), key=lambda p: int(p.stem.split("_")[1])):
        k = sheet.stem.split("_")[1]
        labels = {}
        for line in open(folder / f"labels_{k}.jsonl", encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                labels[row["pair"]] = {
                    "stance": row["label"].strip().lower(),
                    "annotator": f"A{k}",
                    **({"confidence": float(row["confidence"])} if "confidence" in row else {}),
                }
        for pid in sheet_ids(sheet):
            if pid not in labels or labels[pid]["stance"] not in LABELS:
                raise SystemExit(f"annotator {k}: pair {pid} has no valid label ({labels.get(pid)!r})")
            yield pid, labels[pid]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", type=Path, required=True)
    parser.add_argument("--sheets", type=Path, required=True)
    parser.add_argument("--gold", nargs="+", required=True)
    parser.add_argument("--append", action="store_true", help="add to the label files already there")
    args = parser.parse_args()

    pairs, names = {}, {}
    for folder in args.candidates:
        for line in open(folder / "pairs.jsonl", encoding="utf-8"):
            row = json.loads(line)
            pairs[row["pair"]] = row
        sheet = (folder / "sheet.md").read_text(encoding="utf-8")
        # The source line may itself hold a line break (a source span across lines).
        for pid, name in re.findall(r"^### (\S+)\n(?:(?!### ).*\n)*?target: ([^\n]*)", sheet, re.M):
            names[pid] = name
    articles = {a.id: a for path in args.gold for a in read_records(path)}

    first: dict[str, tuple[str, str]] = {}  # pair -> (annotator, label)
    second: dict[str, tuple[str, str]] = {}
    confidence: dict[tuple[str, str], float] = {}  # (pair, annotator) -> the annotator's confidence
    for pid, label in sheet_labels(args.sheets):
        if "confidence" in label:
            confidence[(pid, label["annotator"])] = label["confidence"]
        (second if pid in first else first)[pid] = (label["annotator"], label["stance"])
    new_first, new_second = dict(first), dict(second)

    out: dict[str, list[dict]] = {split: [] for split in FILES}
    for pid, (annotator, label) in sorted(first.items()):
        pair = pairs[pid]
        article = articles[pair["article"]]
        quote = article.quotes[pair["quote"]]
        name = names[pid]
        at = article.text.find(name)
        name_span = [at, at + len(name)] if at >= 0 else pair["mentions"][0]
        row = {
            "pair": pid,
            **({"set": pair["set"]} if "set" in pair else {}),
            "article": pair["article"],
            "content": pair["content"],
            "cue": [list(s) for s in quote.cue],
            "source": pair["source"],
            "name": name_span,
            "mentions": pair["mentions"],
            "stance": label,
            "annotator": annotator,
        }
        if (pid, annotator) in confidence:
            row["confidence"] = confidence[(pid, annotator)]
        out[SPLIT_OF_PREFIX[pid[0]]].append(row)
    folder = ROOT / "eval" / "stance_labels"
    folder.mkdir(parents=True, exist_ok=True)
    if args.append:  # earlier rounds first, as they were; a pair is never labelled in two rounds
        for split in out:
            path = folder / FILES[split]
            old = [json.loads(line) for line in open(path, encoding="utf-8")] if path.exists() else []
            clash = {r["pair"] for r in old} & {r["pair"] for r in out[split]}
            if clash:
                raise SystemExit(f"pairs already labelled: {', '.join(sorted(clash)[:5])}")
            for r in old:
                first[r["pair"]] = (r["annotator"], r["stance"])
            out[split] = old + out[split]
        for line in open(folder / "second_labels.jsonl", encoding="utf-8"):
            r = json.loads(line)
            second[r["pair"]] = (r["annotator"], r["stance"])
            if "confidence" in r:
                confidence[(r["pair"], r["annotator"])] = r["confidence"]
    for split, rows in out.items():
        if not rows:
            continue
        with open(folder / FILES[split], "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        counts = Counter(r["stance"] for r in rows)
        print(f"{split}: {len(rows)} pairs, " + ", ".join(f"{label} {counts[label]}" for label in LABELS))

    both = sorted(set(first) & set(second))
    # The second labels, so the agreement below can be recomputed from the repository alone.
    with open(folder / "second_labels.jsonl", "w", encoding="utf-8") as f:
        for pid in both:
            row = {"pair": pid, "stance": second[pid][1], "annotator": second[pid][0]}
            if (pid, second[pid][0]) in confidence:
                row["confidence"] = confidence[(pid, second[pid][0])]
            f.write(json.dumps(row) + "\n")
    if not both:
        print("no pair labelled twice: no agreement figures")
        return
    if args.append:
        print("this round:")
        agreement(sorted(set(new_first) & set(new_second)), new_first, new_second)
        print("all rounds:")
    agreement(both, first, second)


def agreement(both: list[str], first: dict[str, tuple[str, str]], second: dict[str, tuple[str, str]]) -> None:
    """Print raw agreement, Cohen's kappa and the confusion of the pairs labelled twice."""
    if not both:
        print("no pair labelled twice")
        return
    a = [first[p][1] for p in both]
    b = [second[p][1] for p in both]
    valid = [i for i in range(len(both)) if a[i] != "invalid" and b[i] != "invalid"]
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    print(f"labelled twice: {len(both)} pairs, raw agreement {agree}/{len(both)}")
    print(f"Cohen's kappa, four labels: {cohen_kappa(a, b):.3f}")
    print(
        f"Cohen's kappa, three stances on the {len(valid)} pairs both call valid: "
        f"{cohen_kappa([a[i] for i in valid], [b[i] for i in valid]):.3f}"
    )
    confusion = Counter(zip(a, b, strict=True))
    shown = ", ".join(f"{x}/{y} {n}" for (x, y), n in sorted(confusion.items()))
    print(f"confusion (first/second): {shown}")


if __name__ == "__main__":
    main()
