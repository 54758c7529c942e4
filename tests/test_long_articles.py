"""Long articles: parsed in pieces with offsets intact, and every stage after the parse linear in
length (a 1M-character article once ran 25 minutes without a result)."""

from __future__ import annotations

import importlib.util
import random
import time

import pytest
from conftest import ROOT, span_of
from spacy.tokens import Doc

from stance.extraction.quotemarks import QuotedPassage
from stance.extraction.rules import Attribution, find_attributions
from stance.nlp import load_spacy, parse, text_pieces
from stance.pipeline import Extractor, build_quotes
from stance.records import Article
from stance.tagger.decode import group_spans
from stance.tagger.extract import combine
from stance.targets import OrganizationIndex

_spec = importlib.util.spec_from_file_location("long_articles", ROOT / "scripts" / "long_articles.py")
long_articles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(long_articles)


@pytest.fixture(scope="module")
def nlp():
    return load_spacy()


def assert_valid(article: Article) -> None:
    """Every span indexes the text, and each target lists a mention once, in order."""
    n = len(article.text)
    for q in article.quotes:
        for s, e in q.content + q.cue + q.source:
            assert 0 <= s < e <= n, (s, e)
        for t in q.targets:
            assert t.mentions == sorted(set(t.mentions)), t.mentions
            assert all(0 <= s < e <= n for s, e in t.mentions)


@pytest.mark.parametrize(
    "text",
    [
        "First paragraph.\n\nSecond one here.\n\nThird.",
        "Line one.\nLine two.\nLine three.\r\nLine four.",
        "One sentence. Another sentence! A third? And a fourth.",
        "words only with spaces and\ttabs and\u00a0no-break spaces",
        "x" * 50 + " " * 7 + "y" * 50,
        "nospaceatallinthisverylongwordthatgoesonandon" * 3,
        "  leading and trailing   \n\n\n  ",
        "",
    ],
)
def test_pieces_concatenate_to_the_text_exactly(text):
    for size in (1, 5, 16, 40):
        pieces = text_pieces(text, size)
        assert "".join(pieces) == text
        assert all(pieces) or pieces == [""]
        # A piece may pass the size only by the whitespace the cut takes with it.
        assert all(len(p.rstrip()) <= size for p in pieces)


def test_pieces_cut_at_the_best_boundary_in_reach():
    text = "Alpha beta gamma.\n\nDelta epsilon. Zeta eta theta iota kappa lambda"
    first, *_ = text_pieces(text, 30)
    assert first == "Alpha beta gamma.\n\n"  # the blank line, not the sentence end or a space
    text = "Alpha beta gamma. Delta epsilon zeta eta theta iota kappa"
    assert text_pieces(text, 30)[0] == "Alpha beta gamma. "
    text = "Alpha beta gamma delta epsilon zeta eta theta iota kappa"
    assert text_pieces(text, 30)[0] == "Alpha beta gamma delta "


def test_piecewise_parse_keeps_the_text_and_its_offsets(nlp):
    text = long_articles.generate_article(12_000, seed=7)
    whole, pieced = parse(nlp, [text, text], piece_chars=10**6)[0], parse(nlp, [text], piece_chars=1_500)[0]
    assert pieced.text == text
    assert len(text_pieces(text, 1_500)) > 5
    assert all(text[t.idx : t.idx + len(t.text)] == t.text for t in pieced)
    # Cut at paragraph breaks, the sentences are the same and the entities nearly so (the NER
    # reads some context across paragraphs: 208 of 211 alike here, with 9 pieces).
    assert [s.start_char for s in pieced.sents] == [s.start_char for s in whole.sents]
    ents = [{(e.start_char, e.end_char, e.label_) for e in d.ents} for d in (whole, pieced)]
    assert len(ents[0] & ents[1]) >= 0.95 * len(ents[0])
    quotes = [{tuple(a.content) for a in find_attributions(d)} for d in (whole, pieced)]
    assert len(quotes[0] & quotes[1]) >= 0.95 * len(quotes[0]) > 50


def test_rules_extractor_on_a_long_article_gives_spans_into_its_text():
    text = long_articles.generate_article(120_000, seed=3)
    (article,) = Extractor(extractor="rules")([Article("long", text)])
    assert article.text == text
    assert len(article.quotes) > 500
    assert_valid(article)
    assert any(q.targets for q in article.quotes) and any(q.speaker for q in article.quotes)


def test_stages_after_the_parse_are_linear_in_length(nlp):
    # A 600,000-character parse made from copies of one parsed article: the parse is not what is
    # timed here.
    text = long_articles.generate_article(30_000, seed=11) + "\n\n"
    doc = Doc.from_docs([nlp(text)] * 20, ensure_whitespace=False)
    assert doc.text == text * 20
    start = time.perf_counter()
    attributions = find_attributions(doc)
    quotes = build_quotes(doc, attributions)
    elapsed = time.perf_counter() - start
    assert len(quotes) > 3000
    assert_valid(Article("x", doc.text, quotes=quotes))
    assert elapsed < 8, f"{elapsed:.1f} s for {len(quotes)} quotes"


def test_tagged_spans_group_and_combine_in_linear_time():
    # 20,000 tagged quotes: pairing each content with every cue (and checking every content in
    # between) was cubic; now each looks only within reach.
    rng = random.Random(5)
    parts, spans, marked = [], [], []
    at = 0
    for i in range(20_000):
        para = f"Official {i} said the plan {'would' if rng.random() < 0.5 else 'will'} fail badly.\n\n"
        name = f"Official {i}"
        spans += [
            ("SOURCE", (at, at + len(name))),
            ("CUE", (at + len(name) + 1, at + len(name) + 5)),
            ("CONTENT", (at + para.index("the plan"), at + para.index(" badly") + 6)),
        ]
        parts.append(para)
        at += len(para)
    text = "".join(parts)
    start = time.perf_counter()
    quotes = group_spans(text, spans)
    assert len(quotes) == 20_000 and all(q.cue and q.source for q in quotes)
    tagged = [Attribution(q.content, "indirect", cue_spans=q.cue) for q in quotes]
    # The rules' quotes stand where they overlap the tagger's: here every other one.
    for q in quotes[::2]:
        s, e = q.content[0]
        marked.append(Attribution([(s, e)], "direct", passages=[QuotedPassage(s - 1, e)]))
    combined = combine(text, marked, tagged)
    elapsed = time.perf_counter() - start
    assert len(combined) == 20_000
    assert [a.start for a in combined] == sorted(a.start for a in combined)
    assert elapsed < 8, f"{elapsed:.1f} s"


def test_target_mentions_are_listed_once(nlp):
    # The cue's object ('threatened legal action against the NCFL …') overlaps the content, so
    # the same mention was found twice (1,011 of 11,645 targets in a tester's run).
    text = (
        "Riverside United has threatened legal action against the Northern Counties Football "
        "League (NCFL) after the league refused to license the club's ground."
    )
    doc = nlp(text)
    verb = next(t for t in doc if t.text == "threatened")
    content = span_of(text, "legal action against the Northern Counties Football League (NCFL) after")
    att = Attribution([content], "indirect", cue_head=verb, source_tokens=[doc[0], doc[1]])
    (quote,) = build_quotes(doc, [att])
    (target,) = quote.targets
    assert target.name == "Northern Counties Football League"
    assert target.mentions == [span_of(text, "Northern Counties Football League"), span_of(text, "NCFL")]
    # Overlapping spans hold the same mentions; each is listed once, in text order.
    orgs = OrganizationIndex(doc)
    found = orgs.within([content, (content[0] + 10, content[1]), content])
    assert found == {target.name: target.mentions}


def test_an_alias_that_cleans_to_nothing_gives_no_mention(nlp):
    from stance.targets import TargetList

    text = "Officials met the  board on Monday."
    orgs = OrganizationIndex(nlp(text), TargetList({"The Board": ["the "]}))
    assert all(s < e for (s, e), _ in orgs.mentions)
