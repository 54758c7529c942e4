"""RiQuA (quotations in 19th-century fiction, CofeNet's BIO conversion) → one Article per line.

Source: ``<src>/<split>.txt``, JSON Lines of ``{"tokens": [...], "labels": [...], "id": doc}``;
labels are BIO tags over ``source``, ``cue`` and ``content`` (``tag.txt``). The tokens are
Penn-Treebank style: an opening quotation mark is the token of two backticks, a closing one the
token of two apostrophes.

Mapping:

- id ``riqua:<split>:<line number>`` (1-based); the set's ``id`` (the source novel's file) goes
  to ``meta["document"]``; text = the tokens joined by single spaces, so token ``i`` starts
  right after token ``i-1`` and one space, and offsets are exact;
- spans are BIO runs: ``B-x`` starts a span, ``I-x`` continues a span of the same role and
  otherwise starts one (an ``I-`` without its ``B-``), ``O`` ends it;
- one Quote per content span. With a single content span, every cue and source of the line
  belong to it. With several, each cue and source span goes to the nearest content span, since
  a line can hold several speakers' turns: nearest = fewest sentence-final tokens (``.``, ``!``,
  ``?``) between the two, then fewest characters, ties to the earlier content span. A content
  span that gets none is a floating quote;
- speaker None (RiQuA's conversion keeps no speaker identity), targets empty, kind from
  ``stance.kinds.kind_from_marks`` with ``PTB_MARKS`` (the backtick and apostrophe pairs as well as
  straight and curly double marks);
- a line whose tokens and labels differ in number, or that is not JSON, is skipped and
  reported; a line without content becomes an Article with no quotes (reported).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters.common import SkipCallback, Skips, check_split, jsonl_lines, require
from stance.kinds import PTB_MARKS, kind_from_marks
from stance.records import Article, Quote, Span

SPLITS = ("train", "valid", "test")
ROLES = ("source", "cue", "content")
SENTENCE_ENDS = (".", "!", "?")


def join_tokens(tokens: list[str]) -> tuple[str, list[Span]]:
    """The text (tokens joined by single spaces) and each token's span in it."""
    spans = []
    pos = 0
    for tok in tokens:
        spans.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return " ".join(tokens), spans


def bio_spans(labels: list[str], token_spans: list[Span]) -> dict[str, list[Span]]:
    """Character spans per role from BIO labels; an I- of another role (or after O) starts a span."""
    out: dict[str, list[Span]] = {role: [] for role in ROLES}
    role: str | None = None
    start = end = 0
    for label, (s, e) in zip(labels, token_spans, strict=True):
        tag, _, name = label.partition("-")
        if tag in ("B", "I") and name in out and (tag == "B" or name != role):
            if role is not None:
                out[role].append((start, end))
            role, start, end = name, s, e
        elif tag == "I" and name == role:
            end = e
        else:
            if role is not None:
                out[role].append((start, end))
            role = None
    if role is not None:
        out[role].append((start, end))
    return out


def distance(text: str, a: Span, b: Span) -> tuple[int, int]:
    """(sentence ends, characters) between two spans: crossing a sentence end outweighs any length.

    Without the sentence term, the 'said Ann' of '“Go,” said Ann. “Now!”' would be nearer to
    the second quote than to the one it attributes.
    """
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    if hi <= lo:
        return 0, 0
    return sum(text[lo:hi].split().count(end) for end in SENTENCE_ENDS), hi - lo


def group(text: str, spans: dict[str, list[Span]]) -> list[tuple[Span, list[Span], list[Span]]]:
    """``(content, cues, sources)`` per content span; see the module docstring for the rule."""
    contents = spans["content"]
    if not contents:
        return []
    cues: list[list[Span]] = [[] for _ in contents]
    sources: list[list[Span]] = [[] for _ in contents]
    for role, bins in (("cue", cues), ("source", sources)):
        for span in spans[role]:
            # min() keeps the first of equals, so a tie goes to the earlier content span.
            nearest = min(range(len(contents)), key=lambda i: distance(text, contents[i], span))
            bins[nearest].append(span)
    return list(zip(contents, cues, sources, strict=True))


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one RiQuA split, in file order; see the module docstring."""
    check_split("riqua", split, SPLITS)
    path = require(Path(src) / f"{split}.txt", "RiQuA split file")
    return _articles(path, split, Skips(f"riqua {split}", on_skip))


def _articles(path: Path, split: str, skip: Skips) -> Iterator[Article]:
    try:
        for lineno, line in jsonl_lines(path):
            where = f"{path.name}:{lineno}"
            try:
                row = json.loads(line)
            except ValueError:
                skip("line is not JSON", where)
                continue
            tokens = row.get("tokens") if isinstance(row, dict) else None
            labels = row.get("labels") if isinstance(row, dict) else None
            if (
                not isinstance(tokens, list)
                or not isinstance(labels, list)
                or len(tokens) != len(labels)
                or not all(isinstance(t, str) for t in tokens)
                or not all(isinstance(t, str) for t in labels)
            ):
                skip("tokens and labels missing or of different lengths", where)
                continue
            text, token_spans = join_tokens(tokens)
            grouped = group(text, bio_spans(labels, token_spans))
            if not grouped:
                skip("line without a content span (kept, no quotes)", where)
            quotes = [
                Quote(
                    content=[content],
                    cue=cues,
                    source=sources,
                    speaker=None,
                    kind=kind_from_marks(text, [content], PTB_MARKS),
                    targets=[],
                )
                for content, cues, sources in grouped
            ]
            yield Article(
                id=f"riqua:{split}:{lineno}",
                text=text,
                meta={"document": row.get("id"), "split": split},
                quotes=quotes,
            )
    finally:
        skip.finish()
