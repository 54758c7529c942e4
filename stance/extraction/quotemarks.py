"""Direct-quote detection from quotation marks alone, on the raw text.

Works on characters, not tokens, so offsets are exact and the parse cannot split a mark from its
quote. Single quotes are never treated as quotation marks: they double as apostrophes, and inside
a double-quoted passage they are the nested quote, which belongs to its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening mark -> the closing marks that end it (German „…“ closes with a left double mark).
CLOSERS = {'"': '"”', "“": '”"', "«": "»", "„": '“”"'}
OPENERS = frozenset(CLOSERS)
ALL_MARKS = frozenset('"“”«»„')
DOUBLED = "''"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n|\r\r")


@dataclass(frozen=True)
class QuotedPassage:
    """Text between an opening mark and its closing mark.

    ``open`` is the offset of the opening mark and ``close`` that of the closing mark; ``width``
    is a mark's length (2 for the ``''…''`` of some newswire text). A passage continued over
    paragraphs (an opening mark at each paragraph, a closing mark only at the end) is one passage.
    """

    open: int
    close: int
    width: int = 1

    @property
    def content(self) -> tuple[int, int]:
        return (self.open + self.width, self.close)

    @property
    def end(self) -> int:
        """Offset just past the closing mark."""
        return self.close + self.width


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin (a blank line separates paragraphs)."""
    return [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]


def _is_opening_straight(text: str, i: int) -> bool:
    # A straight mark opens when what follows is a word, not a space or the end of the text.
    return i + 1 < len(text) and not text[i + 1].isspace()


def find_quoted_passages(text: str) -> list[QuotedPassage]:
    """All balanced double-quoted passages, in text order.

    An opening mark that is never closed within its paragraph (and not continued by an opening
    mark at the start of the next one) is dropped, so a stray mark never swallows the article.
    """
    starts = paragraph_starts(text)
    ends = starts[1:] + [len(text) + 1]
    passages: list[QuotedPassage] = []
    open_at: int | None = None
    width = 1
    for p, (p_start, p_end) in enumerate(zip(starts, ends, strict=True)):
        para_end = min(p_end, len(text))
        i = p_start
        if open_at is not None:
            # Continued quote: this paragraph must open with a mark of the same family.
            lead = len(text[p_start:para_end]) - len(text[p_start:para_end].lstrip())
            j = p_start + lead
            if width == 2 and text.startswith(DOUBLED, j):
                i = j + 2
            elif width == 1 and j < len(text) and text[j] in OPENERS:
                i = j + 1
            else:
                open_at = None
        while i < para_end:
            ch = text[i]
            if text.startswith(DOUBLED, i):
                # Two apostrophes stand for a double mark; they pair only with each other.
                if open_at is None and _is_opening_straight(text, i + 1):
                    open_at, width = i, 2
                elif open_at is not None and width == 2 and i > open_at + 2:
                    passages.append(QuotedPassage(open_at, i, 2))
                    open_at = None
                i += 2
                continue
            if ch in ALL_MARKS:
                if open_at is None:
                    if ch in OPENERS and (ch != '"' or _is_opening_straight(text, i)):
                        open_at, width = i, 1
                elif width == 1 and ch in CLOSERS[text[open_at]] and i > open_at + 1:
                    passages.append(QuotedPassage(open_at, i))
                    open_at = None
            i += 1
        if open_at is not None and p + 1 == len(starts):
            open_at = None
    return passages
