"""Rule-based quote extraction over a spaCy parse: direct, mixed, indirect and floating quotes.

The order matters: quotation marks are the strongest evidence, so marked passages are attributed
first; clausal complements of reporting verbs then give indirect and mixed quotes; a marked
sentence left without a cue is a floating quote of the speaker before it.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from stance.extraction.cues import (
    clause_tokens,
    content_clause,
    cue_tokens,
    is_reporting_verb,
    source_tokens,
    subject_of,
    tokens_to_spans,
)
from stance.extraction.quotemarks import QuotedPassage, find_quoted_passages, paragraph_starts
from stance.records import Span

# How far a floating quote may stand from the quote whose speaker it inherits.
FLOATING_MAX_GAP = 800
# An attribution after a quote ('…," she said') comes within this many tokens of its sentence:
# room for a title and an appositive ('…," Scott Pruitt, the attorney general of Oklahoma, said').
AFTER_WINDOW = 25
DASHES = "―—–"
# Verbs that name or brand something with the words in quotation marks, and the dependency path
# from the fragment up to them ('called the deal "a giveaway"': oprd; 'of "lying"': pcomp, prep).
NAMING_VERBS = frozenset("call dub describe label brand term accuse deride denounce characterize".split())
_NAMED_DEPS = frozenset("oprd pobj pcomp prep dobj attr xcomp".split())
_SENTENCE_END = re.compile(r"[.!?][\"”’']*\s+")
# A speaker label opening a paragraph: 'WALLACE: …', 'Sen. Warren: …' (up to four words).
_LABEL = re.compile(r"[ \t]*((?:[A-Z][\w.'’-]*[ \t]+){0,3}[A-Z][\w.'’-]*)[ \t]*:[ \t]+(\S)")


@dataclass
class Attribution:
    """A quote found in a parsed article, with the tokens later stages read.

    ``cue_head`` is the reporting verb, 'according', or the punctuation that attributes a quote
    without a verb (the dash of '"…" ― Carla Sanchez', the colon of 'PENCE: …').
    """

    content: list[Span]
    kind: str
    cue_head: Token | None = None
    source_tokens: list[Token] = field(default_factory=list)
    passages: list[QuotedPassage] = field(default_factory=list)
    cue_spans: list[Span] | None = None  # set where a tagger, not the parse, marked the cue
    # Found from a naming verb ('called the deal "a giveaway"'): where the tagger reads the same
    # words, its reading stands instead.
    weak: bool = False
    confidence: float | None = None  # the tagger's calibrated confidence that this is a quote

    @property
    def start(self) -> int:
        return self.content[0][0]

    @property
    def verb(self) -> Token | None:
        """The reporting verb, when the cue is one."""
        head = self.cue_head
        return head if head is not None and head.pos_ in ("VERB", "AUX") else None

    @property
    def cue(self) -> list[Span]:
        if self.cue_spans is not None:
            return self.cue_spans
        head = self.cue_head
        if head is None:
            return []
        if head.lower_ == "according":
            return tokens_to_spans([head, head.nbor(1)])
        if head.is_punct:
            return tokens_to_spans([head])
        return tokens_to_spans(cue_tokens(head))

    @property
    def source(self) -> list[Span]:
        return tokens_to_spans(self.source_tokens)


def _speaker_of(verb: Token) -> list[Token]:
    head = subject_of(verb)
    return source_tokens(head) if head is not None else []


class _Article:
    """Offsets-to-tokens lookups over one parsed article.

    Every lookup reads only the text near its offset: a long article must not be copied or
    scanned once per quote (doc.text itself is rebuilt from all tokens at each read, so it is
    read once, here).
    """

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = doc.text
        self.token_starts = [t.idx for t in doc]
        self.paragraphs = paragraph_starts(self.text)

    def token_at(self, offset: int) -> Token:
        i = bisect.bisect_right(self.token_starts, offset) - 1
        return self.doc[max(i, 0)]

    def paragraph_of(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraphs, offset) - 1

    def last_sentence_end(self, offset: int) -> int:
        """Just past the last '. ', '? ' or '! ' before an offset: the parser misses some, near marks."""
        found = [m.end() for m in _SENTENCE_END.finditer(self.text, max(0, offset - 400), offset)]
        return found[-1] if found else 0

    def words_between(self, start: int, end: int) -> bool:
        return any(ch.isalnum() for ch in self.text[start:end])

    def last_non_space(self, end: int, start: int = 0) -> int | None:
        """Offset of the last non-whitespace character in text[start:end], if any."""
        i = end
        while i > start and self.text[i - 1].isspace():
            i -= 1
        return i - 1 if i > start else None

    def first_non_space(self, start: int, spaces: str | None = None) -> int:
        """Offset of the first character from start on that is not whitespace (or not in
        `spaces`); the text's length if there is none."""
        i, n = start, len(self.text)
        while i < n and (self.text[i].isspace() if spaces is None else self.text[i] in spaces):
            i += 1
        return i


class _Passages:
    """The quoted passages of one article (in text order, none overlapping), found by offset."""

    def __init__(self, passages: list[QuotedPassage]):
        self.all = passages
        self.opens = [p.open for p in passages]

    def around(self, offset: int) -> QuotedPassage | None:
        """The passage whose marks enclose an offset (open < offset < close)."""
        i = bisect.bisect_left(self.opens, offset) - 1
        return self.all[i] if i >= 0 and offset < self.all[i].close else None

    def holding(self, offset: int) -> bool:
        """Whether an offset lies in a passage's content."""
        i = bisect.bisect_right(self.opens, offset) - 1
        return i >= 0 and self.all[i].content[0] <= offset < self.all[i].content[1]

    def opening_in(self, start: int, end: int) -> list[QuotedPassage]:
        """The passages that open at or after start and before end."""
        return self.all[bisect.bisect_left(self.opens, start) : bisect.bisect_left(self.opens, end)]


def _after_cue(art: _Article, passage: QuotedPassage, next_open: int) -> Token | None:
    """'"…," she said' / '"…," said Peskov': a reporting verb right after the closing mark."""
    last = art.last_non_space(passage.close, passage.content[0])
    inner_end = "" if last is None else art.text[last]
    after = art.first_non_space(passage.end)
    following = art.text[after : after + 1]
    ends_clause = inner_end in (",", "—", "–", "-", "!", "?", "…") or following == ","
    if inner_end == "." and following.islower():
        ends_clause = True  # '"It failed." he said' typed without the comma
    if not ends_clause:
        return None
    para = art.paragraph_of(passage.close)
    tok = art.token_at(passage.close)
    for _ in range(AFTER_WINDOW):
        if tok.i + 1 >= len(art.doc):
            return None
        tok = art.doc[tok.i + 1]
        if tok.idx >= next_open or art.paragraph_of(tok.idx) != para or tok.text in (".", "!", "?", ";"):
            return None
        if is_reporting_verb(tok):
            return tok
    return None


def _before_cue(art: _Article, passage: QuotedPassage, prev_close: int) -> Token | None:
    """'X said: "…"' / 'X said, "…"': a reporting verb in the clause that leads into the mark."""
    lead_end = art.last_non_space(passage.open)
    if lead_end is None or art.text[lead_end] not in ":,":
        return None
    colon = art.token_at(lead_end)
    sent_start = colon.sent.start_char
    if art.text[lead_end] == ":" and art.paragraph_of(lead_end) != art.paragraph_of(passage.open):
        pass  # 'He told parliament:' closing the paragraph before the quote
    elif art.paragraph_of(sent_start) != art.paragraph_of(passage.open):
        sent_start = art.paragraphs[art.paragraph_of(passage.open)]
    start = max(sent_start, prev_close)
    for tok in reversed(list(art.doc.char_span(start, colon.idx, alignment_mode="expand") or [])):
        if is_reporting_verb(tok):
            return tok
    return None


def _dash_source(art: _Article, passage: QuotedPassage) -> tuple[Token, list[Token]] | None:
    """'"…" ― Carla Sanchez', '"…" -Commissioner Geoffrey Starks', '"…" -- Sanchez': a name
    after a dash (or one or two hyphens) that follows the closing mark."""
    at = art.first_non_space(passage.end, " \t")
    if at == len(art.text) or art.text[at] not in DASHES + "-":
        return None
    dash = art.token_at(at)
    name: list[Token] = []
    for tok in art.doc[dash.i + 1 : dash.i + 6]:
        if tok.pos_ == "PROPN" or tok.ent_type_ in ("PERSON", "ORG"):
            name.append(tok)
        elif not tok.is_space:
            break
    return (dash, name) if name else None


def _from_source(art: _Article, passage: QuotedPassage) -> tuple[Token, list[Token]] | None:
    """'And from Chairwoman Rosenworcel: "…"': a name after 'from' that ends the lead with a colon."""
    lead_end = art.last_non_space(passage.open)
    if lead_end is None or art.text[lead_end] != ":":
        return None
    colon = art.token_at(lead_end)
    name: list[Token] = []
    for tok in reversed(list(colon.sent)[: colon.i - colon.sent.start]):
        if tok.pos_ == "PROPN" or tok.ent_type_ in ("PERSON", "ORG"):
            name.insert(0, tok)
        elif tok.lower_ == "from" and name:
            return colon, name
        else:
            return None
    return None


def _named_by(art: _Article, passage: QuotedPassage) -> Token | None:
    """The naming verb whose object a quoted fragment is: 'called the deal "a giveaway"', 'whom
    he called "…"', 'described it as "…"', 'accused the firm of "…"'."""
    span = art.doc.char_span(*passage.content, alignment_mode="expand")
    if span is None:
        return None
    inside = {t.i for t in span}
    tok = next((t for t in span if t.head.i not in inside and not t.is_punct), None)
    for _ in range(4):
        if tok is None or tok.dep_ not in _NAMED_DEPS or tok.head.i == tok.i:
            return None
        tok = tok.head
        if tok.pos_ == "VERB":
            return tok if tok.lemma_.lower() in NAMING_VERBS else None
    return None


def _attribute_passages(art: _Article, passages: list[QuotedPassage]) -> list[Attribution]:
    found: list[Attribution] = []
    for n, passage in enumerate(passages):
        next_open = passages[n + 1].open if n + 1 < len(passages) else len(art.text)
        prev_close = passages[n - 1].end if n else 0
        verb = _after_cue(art, passage, next_open)
        content: Span = passage.content
        kind = "direct"
        if verb is not None:
            # Words before the mark in the same sentence make it a mixed quote:
            # 'The plan was "a betrayal," Lopez said.'
            sent_start = max(
                art.token_at(passage.open).sent.start_char,
                prev_close,
                art.paragraphs[art.paragraph_of(passage.open)],
                art.last_sentence_end(passage.open),
            )
            if art.words_between(sent_start, passage.open):
                content, kind = (sent_start, passage.end), "mixed"
        else:
            verb = _before_cue(art, passage, prev_close)
        if verb is None:
            dashed = _dash_source(art, passage) or _from_source(art, passage)
            if dashed is not None:
                found.append(Attribution([content], kind, dashed[0], dashed[1], passages=[passage]))
                continue
            named = _named_by(art, passage)
            if named is not None:
                # A fragment the subject named something with: a mixed quote from the verb's
                # object on ('called [the deal "a giveaway"]'), as PolNeAR marks it.
                after = [c for c in named.children if c.dep_ == "prt" and c.i > named.i]
                start = art.doc[max([named.i, *(c.i for c in after)]) + 1].idx
                span = (start, passage.end) if start < passage.open else content
                found.append(
                    Attribution([span], "mixed", named, _speaker_of(named), passages=[passage], weak=True)
                )
            continue
        last = found[-1] if found else None
        same_verb = last is not None and last.cue_head is not None and last.cue_head.i == verb.i
        if last is not None and same_verb and kind == "direct" == last.kind:
            # '"We will act," he said, "and soon."': one quote interrupted by its attribution.
            last.content.append(content)
            last.passages.append(passage)
            continue
        found.append(Attribution([content], kind, verb, _speaker_of(verb), passages=[passage]))
    return found


def _speaker_labels(art: _Article, passages: _Passages) -> list[Attribution]:
    """Transcripts and headlines: 'PENCE: Well, look, …' or 'Pence: Flowers won't be at debate'.

    A paragraph that opens with a short speaker label and a colon is that speaker's words. The
    label must be in capitals (a transcript) or a person's name, so 'Note: …' is not a speaker.
    """
    found = []
    for start in art.paragraphs:
        m = _LABEL.match(art.text, start)
        if m is None or passages.around(m.start(1)) is not None:
            continue
        label = m.group(1)
        tokens = list(art.doc.char_span(m.start(1), m.end(1), alignment_mode="expand") or [])
        is_name = tokens and all(t.ent_type_ == "PERSON" for t in tokens)
        if not (is_name or (label.upper() == label and sum(c.isalpha() for c in label) >= 2)):
            continue
        end = art.text.find("\n", m.end())
        end = len(art.text) if end < 0 else end
        while end > m.end(2) and art.text[end - 1].isspace():
            end -= 1
        colon = art.token_at(m.end(1) + art.text[m.end(1) : m.start(2)].index(":"))
        found.append(Attribution([(m.start(2), end)], "direct", colon, tokens))
    return found


def _clause_quotes(art: _Article, passages: _Passages, used_verbs: set[int]) -> list[Attribution]:
    """Indirect and mixed quotes: 'X said (that) …', 'X told reporters …', 'according to X, …'."""
    found: list[Attribution] = []
    for tok in art.doc:
        if tok.i in used_verbs or passages.holding(tok.idx):
            continue
        if tok.lower_ == "according" and tok.i + 1 < len(art.doc) and tok.nbor(1).lower_ == "to":
            att = _according_to(art, tok)
        elif is_reporting_verb(tok):
            att = _reported_clause(art, tok)
        else:
            continue
        if att is None or not att.source_tokens:
            continue
        start, end = att.content[0][0], att.content[-1][1]
        if art.paragraph_of(start) != art.paragraph_of(tok.idx):
            continue  # the parser reached into another paragraph
        if passages.around(start) is not None:
            continue  # a clause starting inside quotation marks: the parse went wrong
        for p in passages.opening_in(start + 1, end):
            if end <= p.close:
                # The parser often hangs the closing mark elsewhere: the clause runs to it.
                end = p.end
                att.content[-1] = (att.content[-1][0], end)
                break  # passages do not overlap: only the last to open before the end can run past it
        covered = [p for p in passages.opening_in(start, end) if p.close < end]
        if covered:
            att.kind, att.passages = "mixed", covered
        found.append(att)
    return found


def _edge_trimmed(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens = tokens[:-1]
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    return tokens


def _reported_clause(art: _Article, verb: Token) -> Attribution | None:
    clause = content_clause(verb)
    if clause is not None:
        toks = clause_tokens(clause)
        if not toks:
            return None
        span = (toks[0].idx, toks[-1].idx + len(toks[-1].text))
        return Attribution([span], "indirect", verb, _speaker_of(verb))
    # 'The alliance failed us, he said.' / 'But, he said, officials should be vigilant.': the
    # reporting verb hangs off the clause it reports, which may run on both sides of it.
    if verb.dep_ == "parataxis":
        own = {t.i for t in verb.subtree}
        lo, hi = min(own), max(own)
        before = _edge_trimmed([t for t in verb.head.subtree if t.i < lo])
        after = _edge_trimmed([t for t in verb.head.subtree if t.i > hi])
        parts = [p for p in (before, after) if p]
        if sum(len(p) for p in parts) < 3:
            return None
        spans = [(p[0].idx, p[-1].idx + len(p[-1].text)) for p in parts]
        return Attribution(spans, "indirect", verb, _speaker_of(verb))
    return None


def _according_to(art: _Article, according: Token) -> Attribution | None:
    to = according.nbor(1)
    objects = [c for c in to.children if c.dep_ == "pobj"]
    if not objects:
        return None
    sent = according.sent
    phrase_end = max(t.i for t in objects[0].subtree) + 1
    spans: list[Span] = []
    for part in ([t for t in sent if t.i < according.i], [t for t in sent if t.i >= phrase_end]):
        part = _edge_trimmed(part)
        if len([t for t in part if not t.is_punct]) >= 3:
            spans.append((part[0].idx, part[-1].idx + len(part[-1].text)))
    if not spans:
        return None
    return Attribution(spans, "indirect", according, source_tokens(objects[0]))


def _add_floating_quotes(
    art: _Article, passages: list[QuotedPassage], attributed: list[Attribution]
) -> list[Attribution]:
    """Marked sentences with no cue of their own continue the quote before them.

    As in PolNeAR and PARC, '"A," she said. "B."' is one attribution whose content is A and B;
    a marked sentence with no quote before it within FLOATING_MAX_GAP stands alone, speaker unknown.
    """
    used = {p.open for a in attributed for p in a.passages}
    alone: list[Attribution] = []
    # The quotes that start before the passage, as a heap on (-end, list position): the top is the
    # one reaching furthest (the first listed, on a tie). A quote whose end changes is pushed
    # again, and an entry that no longer gives its quote's end is skipped as stale.
    by_start = sorted(range(len(attributed)), key=lambda n: attributed[n].start)
    reaching: list[tuple[int, int]] = []
    added = 0
    for passage in passages:
        if passage.open in used:
            continue
        lead = art.last_non_space(passage.open, art.paragraphs[art.paragraph_of(passage.open)])
        starts_sentence = lead is None or art.text[lead] in '.!?"”»:'
        if not starts_sentence or not _has_words(art.text, passage.content[0], passage.close, 3):
            continue  # a scare quote or a title inside someone else's sentence
        while added < len(by_start) and attributed[by_start[added]].start < passage.open:
            n = by_start[added]
            heapq.heappush(reaching, (-attributed[n].content[-1][1], n))
            added += 1
        while reaching and -reaching[0][0] != attributed[reaching[0][1]].content[-1][1]:
            heapq.heappop(reaching)
        previous = attributed[reaching[0][1]] if reaching else None
        if previous is not None and passage.open - previous.content[-1][1] <= FLOATING_MAX_GAP:
            previous.content.append(passage.content)
            previous.passages.append(passage)
            heapq.heappush(reaching, (-passage.content[1], reaching[0][1]))
        else:
            alone.append(Attribution([passage.content], "direct", passages=[passage]))
    return attributed + alone


def find_attributions(doc: Doc) -> list[Attribution]:
    """Every quote in a parsed article, in text order."""
    art = _Article(doc)
    found = find_quoted_passages(art.text)
    passages = _Passages(found)
    marked = _attribute_passages(art, found)
    used_verbs = {a.cue_head.i for a in marked if a.cue_head is not None}
    clauses = _clause_quotes(art, passages, used_verbs)
    # A mixed quote found from its clause replaces the passage read as a direct quote alone.
    mixed_opens = {p.open for a in clauses for p in a.passages}
    marked = [a for a in marked if not any(p.open in mixed_opens for p in a.passages)]
    labelled = _speaker_labels(art, passages)
    attributed = _drop_nested(marked + clauses + labelled)
    return sorted(_add_floating_quotes(art, found, attributed), key=lambda a: a.start)


def _has_words(text: str, start: int, end: int, n: int) -> bool:
    """Whether text[start:end] holds at least n whitespace-separated words, read only as far as needed."""
    words = 0
    in_word = False
    for i in range(start, end):
        if text[i].isspace():
            in_word = False
        elif not in_word:
            in_word = True
            words += 1
            if words >= n:
                return True
    return False


def _drop_nested(found: list[Attribution]) -> list[Attribution]:
    """A clause reported inside another quote's content is part of that quote, not a new one."""
    spans = [(a.content[0][0], a.content[-1][1]) for a in found]
    # In order of start, and of end backwards on a tie, every span seen before another one starts
    # no later; it holds it if it ends no earlier, and a distinct equal span is never seen first.
    nested = set()
    furthest = -1
    for s, e in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        if furthest >= e:
            nested.add((s, e))
        furthest = max(furthest, e)
    return [a for a, span in zip(found, spans, strict=True) if span not in nested or a.passages]
