"""Each attribution pattern of the rule-based extractor, on sentences the team wrote."""

from __future__ import annotations

from conftest import span_of

from stance.targets import TargetList


def only_quote(article):
    assert len(article.quotes) == 1, [article.span_text(q.content) for q in article.quotes]
    return article.quotes[0]


def test_quote_then_subject_verb(quotes_of):
    text = '"We will leave the bloc," Pashinyan said.'
    q = only_quote(quotes_of(text))
    assert q.kind == "direct"
    assert q.content == [span_of(text, "We will leave the bloc,")]
    assert q.cue == [span_of(text, "said")]
    assert q.source == [span_of(text, "Pashinyan")]
    assert q.speaker == "Pashinyan"


def test_quote_then_inverted_verb_subject_with_title(quotes_of):
    text = '"It is necessary," said Kremlin spokesman Dmitry Peskov.'
    q = only_quote(quotes_of(text))
    assert q.source == [span_of(text, "Kremlin spokesman Dmitry Peskov")]
    assert q.speaker == "Dmitry Peskov"


def test_colon_then_quote(quotes_of):
    text = 'Pashinyan told parliament: "The organization failed to contain aggression."'
    q = only_quote(quotes_of(text))
    assert (q.kind, q.cue, q.source) == ("direct", [span_of(text, "told")], [span_of(text, "Pashinyan")])
    assert q.content == [span_of(text, "The organization failed to contain aggression.")]


def test_indirect_with_and_without_that(quotes_of):
    text = "The mayor said that the council had approved the budget."
    q = only_quote(quotes_of(text))
    assert (q.kind, q.content) == ("indirect", [span_of(text, "that the council had approved the budget")])
    text = "Peskov warned Moscow would respond."
    q = only_quote(quotes_of(text))
    assert q.content == [span_of(text, "Moscow would respond")]
    assert q.cue == [span_of(text, "warned")]


def test_appositive_is_not_part_of_the_source(quotes_of):
    text = "Maria Lopez, a spokeswoman for the union, said the strike would go ahead."
    q = only_quote(quotes_of(text))
    assert q.source == [span_of(text, "Maria Lopez")]
    assert q.speaker == "Maria Lopez"
    assert q.content == [span_of(text, "the strike would go ahead")]


def test_according_to(quotes_of):
    text = "According to the ministry, the vaccine is safe for children."
    q = only_quote(quotes_of(text))
    assert q.cue == [span_of(text, "According to")]
    assert q.source == [span_of(text, "the ministry")]
    assert q.content == [span_of(text, "the vaccine is safe for children")]


def test_told_reporters_and_auxiliaries(quotes_of):
    text = "The minister has told reporters that the talks had failed."
    q = only_quote(quotes_of(text))
    assert q.cue == [span_of(text, "has told")]
    assert q.content == [span_of(text, "that the talks had failed")]


def test_passive_agent_is_the_source(quotes_of):
    text = "It was announced by the ministry that the border would reopen."
    q = only_quote(quotes_of(text))
    assert q.source == [span_of(text, "the ministry")]
    assert q.cue == [span_of(text, "was announced")]


def test_mixed_quote(quotes_of):
    text = 'Lopez said the plan was "a betrayal of workers".'
    q = only_quote(quotes_of(text))
    assert q.kind == "mixed"
    assert q.content == [span_of(text, 'the plan was "a betrayal of workers"')]


def test_interrupted_quote_is_one_quote(quotes_of):
    text = '"We will act," he said, "and we will act soon."'
    q = only_quote(quotes_of(text))
    assert q.content == [span_of(text, "We will act,"), span_of(text, "and we will act soon.")]


def test_floating_quote_continues_the_quote_before_it(quotes_of):
    text = (
        'Armenian Prime Minister Nikol Pashinyan spoke on Thursday. "We tried," Pashinyan said. '
        '"The alliance did nothing for us."\n\n"We asked for help for two years."'
    )
    q = only_quote(quotes_of(text))
    assert q.speaker == "Nikol Pashinyan"
    assert q.content == [
        span_of(text, "We tried,"),
        span_of(text, "The alliance did nothing for us."),
        span_of(text, "We asked for help for two years."),
    ]


def test_floating_quote_with_nobody_before_it_stands_alone(quotes_of):
    text = '"We asked for help for two years and nobody came."'
    q = only_quote(quotes_of(text))
    assert (q.speaker, q.cue, q.source, q.kind) == (None, [], [], "direct")


def test_dash_attribution(quotes_of):
    text = "\u201cHe does not understand our lives at all.\u201d \u2015 Carla Sanchez\n\nMore text."
    q = only_quote(quotes_of(text))
    assert q.cue == [span_of(text, "\u2015")]
    assert q.source == [span_of(text, "Carla Sanchez")]
    assert q.speaker == "Carla Sanchez"


def test_transcript_speaker_labels(quotes_of):
    text = "WALLACE: Will she be at the debate?\n\nPENCE: Well, look, she will not be there.\n\nNote: none."
    art = quotes_of(text)
    assert [(art.span_text(q.source), art.span_text(q.content)) for q in art.quotes] == [
        ("WALLACE", "Will she be at the debate?"),
        ("PENCE", "Well, look, she will not be there."),
    ]


def test_parenthetical_attribution_splits_the_content(quotes_of):
    text = "But to prevent problems, he said, local officials should be vigilant."
    q = only_quote(quotes_of(text))
    assert q.content == [
        span_of(text, "But to prevent problems"),
        span_of(text, "local officials should be vigilant"),
    ]


def test_scare_quotes_are_not_quotes(quotes_of):
    assert quotes_of('It was a so-called "peace plan" that nobody read.').quotes == []


def test_pronoun_surname_and_description_speakers(quotes_of):
    text = (
        "Russian President Vladimir Putin met Kremlin spokesman Dmitry Peskov on Monday. "
        '"The doors remain open," Peskov said. '
        "He added that talks would continue. "
        "The Russian leader argued that the bloc was essential."
    )
    art = quotes_of(text)
    assert [q.speaker for q in art.quotes] == ["Dmitry Peskov", "Dmitry Peskov", "Vladimir Putin"]
    assert art.span_text(art.quotes[2].source) == "The Russian leader"


def test_gendered_pronouns_pick_the_right_person(quotes_of):
    text = (
        "Union leader Maria Lopez met council leader David Okafor. "
        '"We are ready," Ms. Lopez said. "So are we," Mr. Okafor said. '
        "She added that the strike would go ahead."
    )
    art = quotes_of(text)
    assert [q.speaker for q in art.quotes] == ["Maria Lopez", "David Okafor", "Maria Lopez"]


def test_organization_as_speaker(quotes_of):
    text = "The Kremlin said it regretted the decision. The Ministry of Health said the clinics would open."
    art = quotes_of(text)
    assert [q.speaker for q in art.quotes] == ["Kremlin", "Ministry of Health"]


def test_targets_acronym_possessive_and_cue_object(quotes_of):
    text = (
        "Armenia froze its role in the Collective Security Treaty Organization (CSTO) on Friday. "
        "Pashinyan criticized the CSTO, saying it had \u201cfailed to contain aggression\u201d. "
        "\u201cThe CSTO\u2019s image cannot be repaired,\u201d he said."
    )
    art = quotes_of(text)
    assert len(art.quotes) == 2
    first, second = art.quotes
    assert first.kind == "mixed"
    assert [t.name for t in first.targets] == ["Collective Security Treaty Organization"]
    assert first.targets[0].mentions == [span_of(text, "CSTO", 1)]  # the cue's object
    assert second.targets[0].mentions == [span_of(text, "CSTO", 2)]  # possessive 's left out
    assert all(t.stance is None for q in art.quotes for t in q.targets)


def test_user_target_aliases(quotes_of):
    text = 'The Collective Security Treaty Organization met. "The alliance is necessary," Peskov said.'
    targets = TargetList({"Collective Security Treaty Organization": ["CSTO", "the alliance"]})
    q = only_quote(quotes_of(text, targets=targets))
    assert [(t.name, t.mentions) for t in q.targets] == [
        ("Collective Security Treaty Organization", [span_of(text, "alliance")])
    ]


def test_acronym_alias_is_case_sensitive():
    targets = TargetList({"World Health Organization": ["WHO", "the health agency"]})
    text = "who said it to the Health Agency and the world health organization"
    found = [text[m.start() : m.end()] for pattern, _ in targets.patterns() for m in pattern.finditer(text)]
    assert found == ["world health organization", "the Health Agency"]


def test_a_person_the_ner_calls_an_organization_is_not_a_target():
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from stance.targets import OrganizationIndex

    words = ["Donald", "Trump", "met", "the", "Trump", "Foundation", ".", "Trump", "said", "so", "."]
    doc = Doc(Vocab(), words=words)
    doc.ents = [
        doc.char_span(0, 12, label="PERSON"),  # Donald Trump
        doc.char_span(21, 37, label="ORG"),  # Trump Foundation
        doc.char_span(40, 45, label="ORG"),  # Trump, a person tagged ORG
    ]
    orgs = OrganizationIndex(doc)
    assert orgs.name_of((40, 45)) is None
    assert orgs.name_of((21, 37)) == "Trump Foundation"


def test_no_quote_no_crash(quotes_of):
    assert quotes_of("").quotes == []
    assert quotes_of("The weather was fine.").quotes == []
    assert quotes_of('Broken "quote mark that never closes. And more text.').quotes == []


def test_reported_clause_stops_at_the_writers_next_clause(quotes_of):
    text = "Fowler said the politics would be more intense, and he noted that any change would come late."
    art = quotes_of(text)
    assert [art.span_text(q.content) for q in art.quotes] == [
        "the politics would be more intense",
        "that any change would come late",
    ]
    text = "The agency said that prices rose but that supply was stable."
    q = only_quote(quotes_of(text))
    assert q.content == [span_of(text, "that prices rose but that supply was stable")]


# --- issue 14: the attribution patterns news uses, each on a sentence the team wrote ---------


def test_colon_introduction_then_a_paragraph_closed_by_he_added(quotes_of):
    text = (
        'Hugh Hill, a doctor at the clinic, said: "They need medicine now."\n\n'
        '"If they don\'t get it, they\'ll die," he added.'
    )
    art = quotes_of(text)
    contents = [art.span_text(q.content) for q in art.quotes]
    assert contents == ["They need medicine now.", "If they don't get it, they'll die,"]
    assert [q.speaker for q in art.quotes] == ["Hugh Hill", "Hugh Hill"]


def test_dash_attributions_with_hyphens(quotes_of):
    for text in ('"We will act on this quickly." -Commissioner Geoffrey Starks',
                 '"We will act on this quickly," -- Commissioner Geoffrey Starks'):
        assert only_quote(quotes_of(text)).speaker == "Geoffrey Starks"


def test_from_name_colon_introduces_the_next_paragraph(quotes_of):
    text = (
        "The agency released two statements.\n\nAnd from Chairwoman Jessica Rosenworcel:\n\n"
        '"This vote restores the rules."'
    )
    q = only_quote(quotes_of(text))
    assert (q.speaker, q.kind) == ("Jessica Rosenworcel", "direct")


def test_naming_verbs_make_a_mixed_quote_of_the_subject(quotes_of):
    cases = {
        'Senator Ann Baker called the tax deal "a giveaway to the rich" on Monday.': (
            'the tax deal "a giveaway to the rich"', "Ann Baker"),
        'Critics dubbed the plan "a tax on the poor."': ('the plan "a tax on the poor."', "Critics"),
        'Mayor Tom Reed described the deal as "a win for every family."': (
            'the deal as "a win for every family."', "Tom Reed"),
        'Baker accused the company of "lying to its customers for years."': (
            'the company of "lying to its customers for years."', "Baker"),
        'The plan was drafted by Mark Cole, whom Baker called "the worst budget chief in history."': (
            "the worst budget chief in history.", "Baker"),
    }
    for text, (content, speaker) in cases.items():
        art = quotes_of(text)
        q = only_quote(art)
        assert (art.span_text(q.content), q.speaker, q.kind) == (content, speaker, "mixed"), text


def test_statements_and_tweets_printed_as_their_own_paragraph(quotes_of):
    for text, speaker in (
        ('Baker wrote on Twitter:\n\n"The vote tonight is a disgrace."', "Baker"),
        ('The ministry said in a statement:\n\n"The clinics will reopen on Monday."', "ministry"),
    ):
        assert only_quote(quotes_of(text)).speaker == speaker


def test_absent_speech_is_not_a_quote(extractor):
    from stance.extraction.cues import is_absent_speech

    for text, verb, absent in (
        ("Putin has not commented on the decision.", "commented", True),
        ("A spokesman declined to comment on the report.", "declined", True),
        ("A spokesman declined to comment on the report.", "comment", True),
        ("Putin commented on the decision at length.", "commented", False),
        ("The senators have not said when they would vote.", "said", False),
    ):
        doc = extractor.nlp(text)
        tok = next(t for t in doc if t.text == verb)
        assert is_absent_speech(tok) is absent, text


def test_tagged_headlines_and_absent_speech_are_dropped(extractor):
    from stance.extraction.rules import Attribution
    from stance.tagger.extract import is_quote

    for headline, kept in (("Novo Nordisk delays decision on obesity injection", False),
                           ("Poll: Wealthy voters abandon the party", True)):
        text = f"{headline}\n\nThe company said on Tuesday that it would wait."
        assert is_quote(text, Attribution([(0, len(headline))], "indirect")) is kept
        assert is_quote(text, Attribution([(len(headline) + 2, len(text))], "indirect"))  # not the headline
    text = "Putin has not commented on the decision."
    doc = extractor.nlp(text)
    verb = next(t for t in doc if t.text == "commented")
    content = (text.index("the decision"), len(text) - 1)
    cue = [(verb.idx, verb.idx + len(verb.text))]
    assert not is_quote(text, Attribution([content], "indirect", verb, [doc[0]], cue_spans=cue))


def test_a_rules_quote_without_a_source_borrows_the_taggers(extractor):
    from stance.extraction.quotemarks import QuotedPassage
    from stance.extraction.rules import Attribution
    from stance.tagger.extract import combine

    text = '"We will win," the senator from Ohio, a Democrat, told the crowd.'
    doc = extractor.nlp(text)
    senator = list(doc[6:10])  # 'the senator from Ohio'
    told = next(t for t in doc if t.text == "told")
    # the rules found the quote by its marks, but no speaker
    marked = Attribution([(1, 13)], "direct", passages=[QuotedPassage(0, 13)])
    tagged = Attribution([(1, 13)], "direct", told, senator, cue_spans=[(told.idx, told.idx + 4)])
    (quote,) = combine(text, [marked], [tagged])
    assert quote is marked and quote.source_tokens == senator and quote.cue == [(told.idx, told.idx + 4)]


def test_a_rules_quote_takes_the_taggers_source_where_both_found_one(extractor):
    from stance.extraction.quotemarks import QuotedPassage
    from stance.extraction.rules import Attribution
    from stance.tagger.extract import combine

    text = '"We will win," Senator Ann Reyes of Ohio told the crowd.'
    doc = extractor.nlp(text)
    told = next(t for t in doc if t.text == "told")
    reyes = [t for t in doc if t.text == "Reyes"]
    whole = list(doc[5:10])  # 'Senator Ann Reyes of Ohio', as PolNeAR marks a source
    cue = [(told.idx, told.idx + 4)]
    marks = [QuotedPassage(0, 13)]
    marked = Attribution([(1, 13)], "direct", told, reyes, passages=marks, cue_spans=cue)
    tagged = Attribution([(1, 13)], "direct", told, whole, cue_spans=cue)
    alone = Attribution([(1, 13)], "direct", told, list(reyes), passages=marks, cue_spans=cue)
    (quote,) = combine(text, [marked], [tagged])
    assert quote is marked and quote.source_tokens == whole
    (kept,) = combine(text, [alone], [Attribution([(1, 13)], "direct", told, [], cue_spans=cue)])
    assert kept.source_tokens == reyes  # no tagged source: the rules' own stays
