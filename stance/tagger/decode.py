"""From tagged spans to quotes: contents joined to their cue, and the source of that cue.

The tagger says which characters are a source, a cue or a content; which of them belong together
is decided here, by position: a content takes the nearest cue in its paragraph with no other
content between them, and a cue takes the nearest source. Contents interrupted only by their own
attribution ('"A," he said, "B."') are one quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stance.records import Span

_CLAUSE_END = re.compile(r"[.!?;:\"“”\n]")

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
        short = len(text[start:end].split()) <= 2
        gap = text[end : nxt[0]] if nxt is not None else ""
        if short and nxt is not None and len(gap.split()) <= 3 and not _CLAUSE_END.search(gap):
            continue
        out.append((start, end))
    return out


def group_spans(text: str, spans: list[tuple[str, Span]]) -> list[TaggedQuote]:
    """Quotes from the tagger's role spans, in text order."""
    contents = without_fragments(text, sorted(s for r, s in spans if r == "CONTENT"))
    cues = sorted(s for r, s in spans if r == "CUE")
    sources = sorted(s for r, s in spans if r == "SOURCE")

    def nearest(target: Span, candidates: list[Span], reach: int, blockers: list[Span]) -> Span | None:
        best = None
        for c in candidates:
            if _gap(target, c) > reach or _paragraph_break(text, target, c):
                continue
            lo, hi = min(target[1], c[1]), max(target[0], c[0])
            if any(lo <= b[0] and b[1] <= hi for b in blockers if b not in (target, c)):
                continue  # another content stands between them
            if best is None or _gap(target, c) < _gap(target, best):
                best = c
        return best

    quotes: list[TaggedQuote] = []
    cue_of: dict[Span, TaggedQuote] = {}
    for content in contents:
        cue = nearest(content, cues, CUE_REACH, contents)
        if cue is not None and cue in cue_of:
            cue_of[cue].content.append(content)  # the same attribution, interrupted
            continue
        quote = TaggedQuote([content])
        if cue is not None:
            quote.cue = [cue]
            cue_of[cue] = quote
            source = nearest(cue, sources, SOURCE_REACH, contents)
            if source is not None:
                quote.source = [source]
        quotes.append(quote)
    return quotes
