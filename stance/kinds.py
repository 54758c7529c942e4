"""A quote's kind from its quotation marks: one rule for converters, baselines and the tagger.

None of the annotated sets labels the kind, and the tagger does not predict it, so ``kind`` is
always read off the double quotation marks in and right around a quote's content spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stance.records import Span


@dataclass(frozen=True)
class QuoteMarks:
    """Which strings count as double quotation marks.

    Openers always open and closers always close; a toggle (the straight ``"``) opens or closes
    depending on whether a passage is open. Single quotes are never marks: they double as
    apostrophes, and inside a quotation they are the nested quote.
    """

    openers: tuple[str, ...] = ("“", "„", "«")
    closers: tuple[str, ...] = ("”", "»")
    toggles: tuple[str, ...] = ('"',)

    def all(self) -> tuple[str, ...]:
        # Longest first, so a two-character mark wins over a one-character prefix.
        return tuple(sorted(self.openers + self.closers + self.toggles, key=len, reverse=True))


# Some newswire text (PolNeAR's) writes a double mark as two apostrophes: ''…''.
DOUBLE_MARKS = QuoteMarks(toggles=('"', "''"))
# Penn-Treebank style marks used by tokenised corpora (RiQuA): `` opens, '' closes.
PTB_MARKS = QuoteMarks(openers=("``", "“", "„", "«"), closers=("''", "”", "»"), toggles=('"',))

# Punctuation that may sit between a quote's last word and its closing mark ('so.”').
_TRAILING_PUNCT = ".,!?;:…-—–"


def _mark_at(text: str, i: int, marks: tuple[str, ...]) -> str | None:
    for m in marks:
        if text.startswith(m, i):
            return m
    return None


def _mark_ending_at(text: str, i: int, marks: tuple[str, ...]) -> str | None:
    for m in marks:
        if i - len(m) >= 0 and text.startswith(m, i - len(m)):
            return m
    return None


def _widen(text: str, span: Span, marks: QuoteMarks) -> Span:
    """The span grown over a quotation mark right outside it.

    Annotators differ on whether the marks belong to the content, so an opening mark touching
    the span's start, or a closing one touching its end (or separated from it only by closing
    punctuation, as in 'so.”'), is taken as the span's own. Across one space only a directional
    mark is taken (tokenised text puts spaces around its marks); a straight mark across a space
    could as well close the previous quote.
    """
    start, end = span
    every = marks.all()
    before = _mark_ending_at(text, start, every)
    if before is None and start > 0 and text[start - 1] == " ":
        before = _mark_ending_at(text, start - 1, marks.openers)
        if before is not None:
            start -= 1
    if before is not None and (
        before in marks.openers or (before in marks.toggles and _word_at(text, start))
    ):
        start -= len(before)
    j = end
    while j < len(text) and text[j] in _TRAILING_PUNCT:
        j += 1
    after = _mark_at(text, j, every)
    if after is None and j == end and j < len(text) and text[j] == " ":
        after = _mark_at(text, j + 1, marks.closers)
        if after is not None:
            j += 1
    if after is not None and (after in marks.closers or (after in marks.toggles and _word_at(text, end - 1))):
        end = j + len(after)
    return start, end


def _word_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and not text[i].isspace()


def kind_from_marks(text: str, spans: Iterable[Span], marks: QuoteMarks = DOUBLE_MARKS) -> str:
    """``direct``, ``mixed`` or ``indirect`` from the double quotation marks of a quote's content.

    The rule, on the content spans in text order (a discontinuous quote is read as one passage,
    so a quote opened in its first part may close in its last):

    - a mark touching a span from outside counts as part of it (annotators may leave marks out),
      and so does an opening mark one space before it or a closing one one space after it
      (tokenised text); a straight mark with a space (or the text's edge) on both sides is
      ignored as stray;
    - no double mark at all: ``indirect``;
    - every letter and digit lies inside a quoted passage: ``direct``. An opening mark with no
      close in the spans quotes to the end, and a closing mark after words but before any
      opening one quotes from the start (the span stops short of the partner mark); a closing
      mark with no word before it, outside a passage, is taken as a wrongly curled opener;
    - quoted and unquoted words both: ``mixed``; marks but no quoted word (a stray mark):
      ``indirect``.
    """
    every = marks.all()
    inside = False
    seen_mark = False
    before_first = quoted = unquoted = 0
    since_mark = 0  # letters and digits since the last mark (or the start)
    for span in sorted(spans):
        start, end = _widen(text, span, marks)
        i = start
        while i < end:
            mark = _mark_at(text, i, every)
            if mark is None:
                if text[i].isalnum():
                    since_mark += 1
                    if not seen_mark:
                        before_first += 1
                    elif inside:
                        quoted += 1
                    else:
                        unquoted += 1
                i += 1
                continue
            nxt = i + len(mark)
            if mark in marks.openers:
                closing = False
            elif mark in marks.closers:
                # A closer with no word before it, outside a passage, is a wrongly curled opener.
                closing = inside or since_mark > 0
            elif inside:
                closing = True
            else:
                # A straight mark closes when it follows a word and is not followed by one, and
                # opens when a word follows it; one with spaces on both sides is stray.
                closing = (
                    i > 0 and not text[i - 1].isspace() and (nxt >= len(text) or not text[nxt].isalnum())
                )
                if not closing and not _word_at(text, nxt):
                    i = nxt
                    continue
            if not seen_mark:
                # Words before the first mark are quoted if that mark closes a passage.
                if closing:
                    quoted += before_first
                else:
                    unquoted += before_first
                seen_mark = True
            inside = not closing
            since_mark = 0
            i = nxt
    if not seen_mark or quoted == 0:
        return "indirect"
    return "direct" if unquoted == 0 else "mixed"
