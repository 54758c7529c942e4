from stance.extraction.quotemarks import find_quoted_passages


def quoted(text: str) -> list[str]:
    return [text[p.content[0] : p.content[1]] for p in find_quoted_passages(text)]


def test_straight_curly_and_guillemets():
    assert quoted('"Yes," he said. “No,” she said. «Non», dit-il.') == ["Yes,", "No,", "Non"]


def test_nested_single_quotes_stay_inside():
    assert quoted("“Our members are ‘furious’ and 'tired',” she said.") == [
        "Our members are ‘furious’ and 'tired',"
    ]


def test_several_sentences_in_one_quote():
    assert quoted('"We tried. It failed. We leave," he said.') == ["We tried. It failed. We leave,"]


def test_quote_continued_over_paragraphs():
    text = "“First paragraph.\n\n“Second paragraph.\n\n“Third paragraph,” she said.\n\nAfter."
    (passage,) = find_quoted_passages(text)
    assert text[passage.open] == "“" and passage.open == 0
    assert text[passage.close] == "”" and text[passage.close + 1 :].startswith(" she said")


def test_unclosed_mark_does_not_swallow_the_article():
    text = '"This is never closed.\n\nNext paragraph with a "real" quote.\n\nAnd "another" one.'
    assert quoted(text) == ["real", "another"]


def test_inch_mark_is_not_a_quote():
    assert quoted('A 6" pipe burst, "officials" said.') == ["officials"]


def test_stray_closing_marks_and_empty_text():
    assert quoted("”»") == []
    assert quoted("") == []
    assert quoted('""') == []


def test_two_apostrophes_as_a_double_mark():
    text = "''We can float like butterflies,'' Mr. Obama said. It isn't ''theirs'' to keep."
    assert quoted(text) == ["We can float like butterflies,", "theirs"]
    (first, _) = find_quoted_passages(text)
    assert (first.width, text[first.end :].startswith(" Mr.")) == (2, True)
