"""Span normalisation and token sets shared by the metrics.

Exact match compares spans after trimming whitespace, punctuation and quotation marks at both ends
(annotators differ on whether a closing comma or the marks belong to a quote). Overlap match
counts word tokens, so it needs no trimming.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from stance.records import Span

_WORD = re.compile(r"\w+")


def _is_trimmable(ch: str) -> bool:
    # Unicode punctuation covers straight, curly and angle quote marks alike.
    return ch.isspace() or unicodedata.category(ch).startswith("P") or ch in "`´"


def trim(text: str, span: Span) -> Span | None:
    """The span without whitespace, punctuation or quote marks at its ends; None when nothing is left."""
    start, end = span
    while start < end and _is_trimmable(text[start]):
        start += 1
    while end > start and _is_trimmable(text[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def exact_key(text: str, spans: list[Span]) -> tuple[Span, ...] | None:
    """A hashable identity of a (possibly discontinuous) span list for exact match.

    Spans are trimmed, and spans with only spaces, punctuation or quote marks between them are
    joined: a quote annotated sentence by sentence is the same quote as one span over them.
    """
    merged: list[Span] = []
    for start, end in sorted({t for t in (trim(text, s) for s in spans) if t is not None}):
        if merged and all(_is_trimmable(c) for c in text[merged[-1][1] : start]):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged) or None


class Tokens:
    """Word tokens of one text, to turn character spans into sets of token indices."""

    def __init__(self, text: str):
        found = list(_WORD.finditer(text))
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]

    def of(self, spans: list[Span]) -> frozenset[int]:
        out: set[int] = set()
        for start, end in spans:
            # Tokens that overlap the span at all: a span cutting a word still owns that word.
            i = bisect.bisect_right(self.ends, start)
            while i < len(self.starts) and self.starts[i] < end:
                out.add(i)
                i += 1
        return frozenset(out)
