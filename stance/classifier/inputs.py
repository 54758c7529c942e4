"""What the stance classifier reads for one (quote, target) pair.

A sentence pair: first the target's name, then who speaks and what they say, with every mention
of the target marked ``<< … >>``. The marks let one quote give different answers for different
organizations ("The EU failed where NATO succeeded"), and the name up front lets an acronym,
possessive or alias mention ("the alliance") be read as the organization it stands for. The
passage runs from the quote's cue or content (whichever comes first) to its end, so a target that
is the cue's object ("criticized the CSTO") is inside it; a long passage is cut to a window around
the first mention. Marks use ordinary characters, so the encoder's vocabulary is unchanged and only
adapters need storing.
"""

from __future__ import annotations

from dataclasses import dataclass

from stance.records import Article, Quote, Span, Target

OPEN, CLOSE = "<<", ">>"
# Characters of passage kept around the first mention: ~128 word pieces with the name and speaker.
WINDOW = 480


@dataclass(frozen=True)
class PairText:
    target: str
    passage: str


@dataclass(frozen=True)
class InputFormat:
    """What goes into a pair; a model is trained and used with one format (its config stores it).
    The switches exist to measure what each part is worth (`scripts/stance_sweep.py`)."""

    marks: bool = True  # wrap the target's mentions in << >>
    speaker: bool = True  # put "speaker:" before the passage
    window: int = WINDOW  # characters of passage at most


DEFAULT_FORMAT = InputFormat()


def _passage_bounds(quote: Quote, mentions: list[Span]) -> tuple[int, int]:
    spans = list(quote.content) + list(quote.cue) + list(mentions)
    return min(s for s, _ in spans), max(e for _, e in spans)


def pair_text(article: Article, quote: Quote, target: Target, form: InputFormat = DEFAULT_FORMAT) -> PairText:
    """The classifier's input for one target of one quote."""
    text, window = article.text, form.window
    start, end = _passage_bounds(quote, target.mentions)
    if end - start > window:
        first = min((s for s, _ in target.mentions), default=start)
        start = max(start, min(first - window // 2, end - window))
        end = min(end, start + window)
    pieces, at = [], start
    for s, e in sorted(target.mentions) if form.marks else []:
        if start <= s and e <= end and s >= at:
            pieces += [text[at:s], OPEN, " ", text[s:e], " ", CLOSE]
            at = e
    pieces.append(text[at:end])
    passage = " ".join("".join(pieces).split())
    speaker = quote.speaker or " ".join(text[s:e] for s, e in quote.source)
    if speaker and form.speaker:
        passage = f"{' '.join(speaker.split())}: {passage}"
    return PairText(" ".join(target.name.split()), passage)


def all_pairs(articles: list[Article], form: InputFormat = DEFAULT_FORMAT) -> list[PairText]:
    """The input of every (quote, target) of a collection, labelled or not."""
    return [
        pair_text(article, quote, target, form)
        for article in articles
        for quote in article.quotes
        for target in quote.targets
    ]


def labelled_pairs(articles: list[Article], form: InputFormat = DEFAULT_FORMAT) -> list[tuple[PairText, str]]:
    """Every (input, gold stance) of the labelled targets of a collection."""
    return [
        (pair_text(article, quote, target, form), target.stance)
        for article in articles
        for quote in article.quotes
        for target in quote.targets
        if target.stance is not None
    ]
