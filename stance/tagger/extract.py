"""The tagger as a quote extractor: tagged spans, grouped into quotes, on the spaCy parse that
the speaker and target stages read."""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from pathlib import Path

from spacy.tokens import Doc, Token

from stance.extraction.cues import is_absent_speech, is_reporting_verb, source_tokens, subject_of
from stance.extraction.rules import Attribution, find_attributions
from stance.kinds import kind_from_marks
from stance.tagger.decode import TaggedQuote, group_spans, without_fragments
from stance.tagger.model import QuoteTagger


def _tokens(doc: Doc, spans: list[tuple[int, int]]) -> list[Token]:
    out = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            out.extend(t for t in span if not t.is_space)
    return out


def _parse_source(cue_head: Token | None, content: list[Token]) -> list[Token]:
    """The speaker the parse gives a quote the tagger found no source for: the subject of its
    cue verb, else of the reporting verb its content hangs on ('Trump said [that …]')."""
    verb = cue_head if cue_head is not None and cue_head.pos_ in ("VERB", "AUX") else None
    if verb is None and content:
        inside = {t.i for t in content}
        heads = [t.head for t in content if t.head.i not in inside]
        verb = next((h for h in heads if is_reporting_verb(h)), None)
    head = subject_of(verb) if verb is not None else None
    # Only a real subject: an object read as an inverted subject ('urged her to leave') is not.
    if head is None or head.dep_ in ("dobj", "npadvmod", "attr", "oprd"):
        return []
    # The whole subject with its appositive ('Hugh Hill, a doctor,'), the convention the tagger
    # was trained on (PolNeAR's) and fills in for; a long one without its clauses.
    run = list(head.doc[head.left_edge.i : head.right_edge.i + 1])
    while len(run) > 1 and (run[-1].is_punct or run[-1].is_space):
        run.pop()
    return run if len(run) <= 12 else source_tokens(head)


def to_attribution(doc: Doc, quote: TaggedQuote, text: str | None = None) -> Attribution:
    """The quote on the parse; `text` is doc.text, which spaCy rebuilds from all tokens at each
    read, so a caller with many quotes of one article passes it in."""
    text = doc.text if text is None else text
    cue_tokens = _tokens(doc, quote.cue)
    verbs = [t for t in cue_tokens if t.pos_ in ("VERB", "AUX")]
    cue_head = verbs[-1] if verbs else (cue_tokens[0] if cue_tokens else None)
    source = _tokens(doc, quote.source) or _parse_source(cue_head, _tokens(doc, quote.content))
    return Attribution(
        content=list(quote.content),
        kind=kind_from_marks(text, quote.content),
        # The verb lets the target stage find the cue's object ('criticized the CSTO').
        cue_head=cue_head,
        source_tokens=source,
        cue_spans=list(quote.cue),
    )


def is_quote(text: str, att: Attribution) -> bool:
    """Whether a tagged span is a quote: not speech that did not happen ('has not commented on
    the decision'), not a headline (a first line with neither cue nor source)."""
    if att.cue_head is not None and att.cue_head.pos_ in ("VERB", "AUX") and is_absent_speech(att.cue_head):
        return False
    if not att.cue and not att.source_tokens:
        # A headline that attributes ('Poll: …', 'Trump Is Right, ‘…’') has a colon or marks.
        first_break = text.find("\n")
        headline = text[:first_break] if first_break > 0 else ""
        return att.start >= len(headline) or any(c in headline for c in ':"“”‘’\'')
    return True


def combine(text: str, marked: list[Attribution], tagged: list[Attribution]) -> list[Attribution]:
    """Quotation marks are near-certain evidence: the rules' direct and mixed quotes stand, and the
    tagger adds the quotes that do not overlap them, nor run into them as a fragment ('told
    reporters' before the rules' 'that …')."""
    def read_by_tagger(att: Attribution) -> bool:
        return any(s < e2 and s2 < e for t in tagged for s, e in t.content for s2, e2 in att.content)

    kept = [a for a in marked if a.passages and not (a.weak and read_by_tagger(a))]
    taken = sorted((s, e) for a in kept for s, e in a.content)
    starts = [s for s, _ in taken]
    reach = list(accumulate((e for _, e in taken), max))  # the furthest end of taken[: i + 1]

    def overlaps_taken(start: int, end: int) -> bool:
        i = bisect_left(starts, end)  # taken[:i] start before this span ends
        return i > 0 and reach[i - 1] > start

    extra = [a for a in tagged if not any(overlaps_taken(s, e) for s, e in a.content)]
    whole = set(without_fragments(text, sorted(taken + [s for a in extra for s in a.content])))
    extra = [a for a in extra if all(s in whole for s in a.content)]
    _take_sources(kept, tagged)
    return sorted(kept + extra, key=lambda a: a.start)


def _take_sources(kept: list[Attribution], tagged: list[Attribution]) -> None:
    """A rules quote takes the source (and, without a cue of its own, the cue) of the tagged quote
    that shares most of its extent: the marks found the words, the tagger who said them ('"…,"
    the senator from Ohio, a Democrat, told the crowd'), and where both found a source, the
    tagger's span is the annotators' more often (PolNeAR dev source exact F1 72.1 with the rules'
    own, 75.9 with the tagger's). A rules quote no tagged quote with a source overlaps keeps its own."""
    spans = sorted(
        ((t.start, max(e for _, e in t.content), t) for t in tagged if t.source_tokens), key=lambda x: x[0]
    )
    starts = [s for s, _, _ in spans]
    reach = list(accumulate((e for _, e, _ in spans), max))
    for att in kept:
        start, end = att.start, max(e for _, e in att.content)
        best: tuple[int, Attribution] | None = None
        j = bisect_left(starts, end) - 1
        while j >= 0 and reach[j] > start:  # every tagged quote that starts before this ends
            t_start, t_end, t = spans[j]
            shared = min(end, t_end) - max(start, t_start)
            if shared > 0 and (best is None or shared > best[0]):
                best = (shared, t)
            j -= 1
        if best is not None:
            att.source_tokens = best[1].source_tokens
            if not att.cue:
                att.cue_head, att.cue_spans = best[1].cue_head, best[1].cue_spans


class TaggerExtractor:
    """Tags a batch of parsed articles at once (windows of all of them sorted and batched)."""

    def __init__(
        self,
        path: str | Path | None = None,
        with_rules: bool = False,
        device: str = "cpu",
        int8: bool = False,
    ):
        self.tagger = QuoteTagger.load(path, device, int8)
        self.with_rules = with_rules

    def __call__(self, docs: list[Doc]) -> list[list[Attribution]]:
        out = []
        texts = [d.text for d in docs]  # read once: spaCy joins every token's text at each read
        for doc, text, (spans, probs) in zip(docs, texts, self.tagger.tag_scored(texts), strict=True):
            tagged = [to_attribution(doc, q, text) for q in group_spans(text, spans)]
            tagged = [a for a in tagged if is_quote(text, a)]
            found = combine(text, find_attributions(doc), tagged) if self.with_rules else tagged
            for att in found:  # the rules' quotes too: the tagger read the same words
                att.confidence = self.tagger.confidence(probs.mean(att.content))
            out.append(found)
        return out
