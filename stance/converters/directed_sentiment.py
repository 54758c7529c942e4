"""Directed sentiment between entities (Park et al. 2021, TSV) → one Article per line.

Source: ``<src>/<split>.txt``, tab-separated, CSV-style quoting (a field holding ``"`` is wrapped
in ``"…"`` with inner marks doubled): the sentence with the two entities in ``[brackets]``,
entity p, entity q, and a label: 0 neutral, 1 p positive toward q, 2 q positive toward p,
3 p negative toward q, 4 q negative toward p. Entity spans are noisy: a bracket may cut a word
(``[Acme Cor]p``) or hold padding spaces.

Mapping:

- id ``directed-sentiment:<split>:<line number>`` (1-based); each line is parsed on its own, so
  a stray quote mark cannot swallow the following lines;
- the two bracket pairs are found by matching their insides against p and q (whitespace-
  insensitively, in either order); only those four bracket characters are removed to make the
  text, other brackets stay as text. A line whose entities cannot both be found in distinct
  bracket pairs, or with an unknown label, is skipped and reported;
- a mention is its bracket's inside without surrounding spaces, at its offset after removal,
  widened to whole words where the bracket cut one (``[Acme Cor]p`` → ``Acme Corp``);
- one Quote covering the whole sentence, kind from ``stance.kinds.kind_from_marks``; the sentiment's
  holder is the speaker: labels 0, 1, 3 → holder p, target q; labels 2, 4 → holder q, target p.
  ``source`` = the holder's mention, ``speaker`` = its text; one Target named by the other
  entity's text with its mention; stance positive → supportive, negative → critical,
  0 → neutral. The raw label goes to ``meta["label"]``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from stance.converters.common import SkipCallback, Skips, check_split, one_quote_over, require
from stance.records import Article, Quote, Span, Target

SPLITS = ("train", "valid", "test")
# label -> (holder is p?, stance)
LABELS = {
    "0": (True, "neutral"),
    "1": (True, "supportive"),
    "2": (False, "supportive"),
    "3": (True, "critical"),
    "4": (False, "critical"),
}
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()


def _pick(pairs: list[re.Match[str]], p: str, q: str) -> tuple[re.Match[str], re.Match[str]] | None:
    """The bracket pairs holding p and q, distinct; the first match wins for each."""
    for mp in pairs:
        if not _same(mp.group(1), p):
            continue
        for mq in pairs:
            if mq is not mp and _same(mq.group(1), q):
                return mp, mq
    return None


def unbracket(sentence: str, p: str, q: str) -> tuple[str, Span, Span] | None:
    """The sentence without the brackets around p and q, and their spans in it; None if not found."""
    found = _pick(list(_BRACKETED.finditer(sentence)), p, q)
    if found is None:
        return None
    mp, mq = found
    removed = sorted([mp.start(), mp.end() - 1, mq.start(), mq.end() - 1])
    text = "".join(ch for i, ch in enumerate(sentence) if i not in removed)

    def span(m: re.Match[str]) -> Span:
        inner = m.group(1)
        start = m.start(1) + (len(inner) - len(inner.lstrip()))
        end = m.end(1) - (len(inner) - len(inner.rstrip()))
        start -= sum(1 for r in removed if r < start)
        end -= sum(1 for r in removed if r < end)
        if start == end:
            return start, end
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
            end += 1
        return start, end

    return text, span(mp), span(mq)


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one directed-sentiment split, in file order; see the module docstring."""
    check_split("directed-sentiment", split, SPLITS)
    path = require(Path(src) / f"{split}.txt", "directed-sentiment split file")
    return _articles(path, split, Skips(f"directed-sentiment {split}", on_skip))


def _articles(path: Path, split: str, skip: Skips) -> Iterator[Article]:
    try:
        with open(path, "rb") as f:
            for lineno, raw in enumerate(f, start=1):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if not line.strip():
                    continue
                where = f"{path.name}:{lineno}"
                try:
                    fields = next(csv.reader([line], delimiter="\t"))
                except csv.Error:
                    skip("line is not valid tab-separated text", where)
                    continue
                if len(fields) != 4:
                    skip("line does not have 4 fields", where)
                    continue
                sentence, p, q, label = fields
                if label.strip() not in LABELS:
                    skip("unknown label", where)
                    continue
                found = unbracket(sentence, p, q)
                if found is None:
                    skip("entities not found in distinct [brackets]", where)
                    continue
                text, p_span, q_span = found
                if p_span[0] == p_span[1] or q_span[0] == q_span[1]:
                    skip("an entity is empty", where)
                    continue
                p_holds, stance = LABELS[label.strip()]
                holder, other = (p_span, q_span) if p_holds else (q_span, p_span)
                content, kind = one_quote_over(text)
                quote = Quote(
                    content=content,
                    source=[holder],
                    speaker=text[holder[0] : holder[1]],
                    kind=kind,
                    targets=[Target(name=text[other[0] : other[1]], mentions=[other], stance=stance)],
                )
                yield Article(
                    id=f"directed-sentiment:{split}:{lineno}",
                    text=text,
                    meta={"label": int(label.strip()), "split": split},
                    quotes=[quote],
                )
    finally:
        skip.finish()
