"""Speaker resolution (stance/speakers.py) on sentences the team wrote, and the speaker gold."""

from __future__ import annotations

import pytest
from conftest import DATA


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "polnear").exists(), reason="PolNeAR not in ../shared/data")
def test_polnear_speaker_labels_cover_every_attribution_of_their_articles():
    from stance.converters import convert

    skipped = []
    articles = list(convert("polnear-speakers", None, "dev", on_skip=lambda why, where: skipped.append(why)))
    assert len(articles) == 44 and not skipped
    speakers = [q.speaker for a in articles for q in a.quotes if q.speaker]
    assert len(speakers) >= 1000  # 1,192 of 1,262 attributions name a speaker
    persons = list(convert("polnear-speakers", None, "dev-persons"))
    assert 700 <= sum(1 for a in persons for q in a.quotes if q.speaker) < len(speakers)


def speakers(article) -> list[str | None]:
    return [q.speaker for q in article.quotes]


def test_pronoun_takes_the_speaker_not_a_name_inside_the_quote(quotes_of):
    text = (
        '"Senator Paul Brandt has no plan," Governor Anna Reyes said on Monday. '
        "She added that the budget would pass."
    )
    assert speakers(quotes_of(text)) == ["Anna Reyes", "Anna Reyes"]


def test_pronoun_prefers_the_subject_to_the_object(quotes_of):
    text = "Thomas Hale criticized Mark Weber at the meeting. He said the deal was dead."
    assert speakers(quotes_of(text)) == ["Thomas Hale"]


def test_first_names_give_the_gender(quotes_of):
    text = "Karen Holt met Robert Mills in Geneva. She said the talks had failed."
    assert speakers(quotes_of(text)) == ["Karen Holt"]


def test_people_who_share_a_surname_stay_apart(quotes_of):
    text = (
        'Hillary Clinton spoke first. "We will win," Bill Clinton said. '
        '"It is close," Mrs. Clinton said. "Very close," Mr. Clinton said.'
    )
    assert speakers(quotes_of(text)) == ["Bill Clinton", "Hillary Clinton", "Bill Clinton"]


def test_a_pronoun_never_names_an_organization(quotes_of):
    text = "Obamacare was signed by Barack Obama in 2010. The law survived. He said it worked."
    assert speakers(quotes_of(text)) == ["Barack Obama"]


def test_descriptions_link_to_titles(quotes_of):
    text = (
        "Sen. Mitt Romney and Gov. Mike Pence met donors in Ohio. "
        "The governor said the state would grow. The Republican senator said he agreed."
    )
    assert speakers(quotes_of(text)) == ["Mike Pence", "Mitt Romney"]


def test_another_partys_nominee_is_not_the_one_described(quotes_of):
    text = (
        "Libertarian nominee Gary Johnson spoke in Denver. "
        "The Republican nominee said the polls were wrong. The Libertarian nominee said they were not."
    )
    assert speakers(quotes_of(text)) == ["Republican nominee", "Gary Johnson"]


def test_hyphenated_and_particle_surnames(quotes_of):
    text = (
        "Alexandria Ocasio-Cortez and Bill de Blasio spoke at the rally. "
        '"The city needs this," De Blasio said. "So does the country," Ocasio-Cortez said.'
    )
    assert speakers(quotes_of(text)) == ["Bill de Blasio", "Alexandria Ocasio-Cortez"]


def test_a_group_keeps_its_own_words(quotes_of):
    text = "Senate Democrats said the bill would fail. Officials said the vote was delayed."
    assert speakers(quotes_of(text)) == ["Senate Democrats", "Officials"]


def test_an_appositive_name_beside_a_role_is_the_speaker(quotes_of):
    text = 'An attorney for the family, Maria Santos, said the company had "lied for years."'
    assert speakers(quotes_of(text)) == ["Maria Santos"]


def test_a_relative_pronoun_is_the_person_it_hangs_on(quotes_of):
    text = "The plan was drafted by Jane Porter, a lawyer at the firm, who said it would save money."
    assert speakers(quotes_of(text)) == ["Jane Porter"]


def test_a_headline_does_not_lengthen_a_name(quotes_of):
    text = (
        "Maria Lopez Slams Council Over Budget.\n\n"
        '"The council has failed us," Lopez said on Tuesday.'
    )
    assert speakers(quotes_of(text)) == ["Maria Lopez"]


def test_surname_first_then_full_name_is_one_person(quotes_of):
    text = 'Trump spoke in Ohio. Later, Donald Trump said: "The polls are rigged."'
    art = quotes_of(text)
    assert speakers(art) == ["Donald Trump"]
