"""From tagged spans to quotes: contents joined to their cue, and the source of that cue.

The tagger says which characters are a source, a cue or a content; which of them belong together
is decided here, by position: a content takes the nearest cue in its paragraph with no other
content between them, and a cue takes the nearest source. Contents interrupted only by their own
attribution ('"A," he said, "B."') are one quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from stance.records import Span

_CLAUSE_END = re.compile(r"[.!?;:\"“”\n]")
_WORD = re.compile(r"\S+")

# How far (characters) a cue may stand from its content, and a source from its cue.
CUE_REACH = 120
SOURCE_REACH = 80


@dataclass
class TaggedQuote:
    content: list[Span]
    cue: list[Span] = field(default_factory=list)
    source: list[Span] = field(default_factory=list)


def _gap(a: Span, b: Span) -> int:
    return max(b[0] - a[1], a[0] - b[1], 0)


def _paragraph_break(text: str, a: Span, b: Span) -> bool:
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    return "\n" in text[lo:hi]


def without_fragments(text: str, contents: list[Span]) -> list[Span]:
    """Drop a content of one or two words that runs into the next content within a few words of
    the same clause: the addressee of 'told reporters (in Moscow) that …' tagged as content,
    which would cut the real content from its cue."""
    out = []
    for i, (start, end) in enumerate(contents):
        nxt = contents[i + 1] if i + 1 < len(contents) else None
        if nxt is not None and _at_most_words(text, start, end, 2):
            gap = text[end : nxt[0]]
            if len(gap.split()) <= 3 and not _CLAUSE_END.search(gap):
                continue
        out.append((start, end))
    return out


def _at_most_words(text: str, start: int, end: int, n: int) -> bool:
    """Whether text[start:end] has n words or fewer, read no further than word n + 1: contents
    may nest, so reading each whole would not be linear in the text."""
    for count, _ in enumerate(_WORD.finditer(text, start, end), 1):
        if count > n:
            return False
    return True


def group_spans(text: str, spans: list[tuple[str, Span]]) -> list[TaggedQuote]:
    """Quotes from the tagger's role spans, in text order."""
    contents = without_fragments(text, sorted(s for r, s in spans if r == "CONTENT"))
    cues = sorted(s for r, s in spans if r == "CUE")
    sources = sorted(s for r, s in spans if r == "SOURCE")

    content_starts = [c[0] for c in contents]
    cue_starts = [c[0] for c in cues]
    source_starts = [c[0] for c in sources]
    longest_cue = max((e - s for s, e in cues), default=0)
    longest_source = max((e - s for s, e in sources), default=0)

    def nearest(
        target: Span, candidates: list[Span], starts: list[int], longest: int, reach: int
    ) -> Span | None:
        # Only candidates within reach are read: they start at most reach + their length before
        # the target and at most reach after its end (bisect over the starts, in text order).
        best = None
        lo_i = bisect_left(starts, target[0] - reach - longest)
        hi_i = bisect_right(starts, target[1] + reach)
        for c in candidates[lo_i:hi_i]:
            if _gap(target, c) > reach or _paragraph_break(text, target, c):
                continue
            lo, hi = min(target[1], c[1]), max(target[0], c[0])
            # A content standing between them starts at or after lo: read from there up to hi.
            between = contents[bisect_left(content_starts, lo) : bisect_right(content_starts, hi)]
            if any(b[1] <= hi for b in between if b not in (target, c)):
                continue  # another content stands between them
            if best is None or _gap(target, c) < _gap(target, best):
                best = c
        return best

    quotes: list[TaggedQuote] = []
    cue_of: dict[Span, TaggedQuote] = {}
    for content in contents:
        cue = nearest(content, cues, cue_starts, longest_cue, CUE_REACH)
        if cue is not None and cue in cue_of:
            cue_of[cue].content.append(content)  # the same attribution, interrupted
            continue
        quote = TaggedQuote([content])
        if cue is not None:
            quote.cue = [cue]
            cue_of[cue] = quote
            source = nearest(cue, sources, source_starts, longest_source, SOURCE_REACH)
            if source is not None:
                quote.source = [source]
        quotes.append(quote)
    return quotes
