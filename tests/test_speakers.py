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


CASES = [
    pytest.param(
        (
            '"Senator Paul Brandt has no plan," Governor Anna Reyes said on Monday. '
            "She added that the budget would pass."
        ),
        ["Anna Reyes", "Anna Reyes"],
        id="pronoun_takes_the_speaker_not_a_name_inside_the_quote",
    ),
    pytest.param(
        "Thomas Hale criticized Mark Weber at the meeting. He said the deal was dead.",
        ["Thomas Hale"],
        id="pronoun_prefers_the_subject_to_the_object",
    ),
    pytest.param(
        "Karen Holt met Robert Mills in Geneva. She said the talks had failed.",
        ["Karen Holt"],
        id="first_names_give_the_gender",
    ),
    pytest.param(
        (
            'Hillary Clinton spoke first. "We will win," Bill Clinton said. '
            '"It is close," Mrs. Clinton said. "Very close," Mr. Clinton said.'
        ),
        ["Bill Clinton", "Hillary Clinton", "Bill Clinton"],
        id="people_who_share_a_surname_stay_apart",
    ),
    pytest.param(
        "Obamacare was signed by Barack Obama in 2010. The law survived. He said it worked.",
        ["Barack Obama"],
        id="a_pronoun_never_names_an_organization",
    ),
    pytest.param(
        (
            "Sen. Mitt Romney and Gov. Mike Pence met donors in Ohio. "
            "The governor said the state would grow. The Republican senator said he agreed."
        ),
        ["Mike Pence", "Mitt Romney"],
        id="descriptions_link_to_titles",
    ),
    pytest.param(
        (
            "Libertarian nominee Gary Johnson spoke in Denver. "
            "The Republican nominee said the polls were wrong. The Libertarian nominee said they were not."
        ),
        ["Republican nominee", "Gary Johnson"],
        id="another_partys_nominee_is_not_the_one_described",
    ),
    pytest.param(
        (
            "Alexandria Ocasio-Cortez and Bill de Blasio spoke at the rally. "
            '"The city needs this," De Blasio said. "So does the country," Ocasio-Cortez said.'
        ),
        ["Bill de Blasio", "Alexandria Ocasio-Cortez"],
        id="hyphenated_and_particle_surnames",
    ),
    pytest.param(
        "Maria Lopez and other parents said the school had failed. "
        "His wife and fellow lawyer Anna Reyes said the case was weak.",
        ["Maria Lopez and other parents", "Anna Reyes"],
        id="a_coordination_is_a_group_unless_it_describes_one_person",
    ),
    pytest.param(
        "Senate Democrats said the bill would fail. Officials said the vote was delayed.",
        ["Senate Democrats", "Officials"],
        id="a_group_keeps_its_own_words",
    ),
    pytest.param(
        'An attorney for the family, Maria Santos, said the company had "lied for years."',
        ["Maria Santos"],
        id="an_appositive_name_beside_a_role_is_the_speaker",
    ),
    pytest.param(
        "The plan was drafted by Jane Porter, a lawyer at the firm, who said it would save money.",
        ["Jane Porter"],
        id="a_relative_pronoun_is_the_person_it_hangs_on",
    ),
    pytest.param(
        ('Maria Lopez Slams Council Over Budget.\n\n"The council has failed us," Lopez said on Tuesday.'),
        ["Maria Lopez"],
        id="a_headline_does_not_lengthen_a_name",
    ),
    pytest.param(
        'Trump spoke in Ohio. Later, Donald Trump said: "The polls are rigged."',
        ["Donald Trump"],
        id="surname_first_then_full_name_is_one_person",
    ),
    pytest.param(
        (
            "Democrat Paula Grant toured the plant on Monday. Republican Tom Weller met workers in Ohio. "
            "The GOP nominee said the tariffs would stay."
        ),
        ["Tom Weller"],
        id="a_definite_description_names_the_last_person_of_its_party_in_focus",
    ),
    pytest.param(
        (
            "Lisa Moreno spoke first in Albany. Her spokesman, Dan Ortiz, stood beside her. "
            "The governor said the bridge would open in May."
        ),
        ["Lisa Moreno"],
        id="a_description_of_a_role_skips_staff",
    ),
    pytest.param(
        "Ken Baxter, a pollster, presented the numbers. The official said turnout was low.",
        ["official"],
        id="a_role_seldom_named_keeps_its_own_words",
    ),
    pytest.param(
        "Sen. Ann Lowe spoke in Albany. Mayor Bill Dunn opened the bridge. The governor said it was late.",
        ["governor"],
        id="a_description_of_one_role_is_not_someone_titled_another",
    ),
    pytest.param(
        "Police Chief Tom Reddy arrived at noon. The man, who declined to give his name, said he saw it.",
        ["man"],
        id="an_unnamed_man_is_not_the_last_person_named",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_speaker_patterns(quotes_of, text, expected):
    assert [q.speaker for q in quotes_of(text).quotes] == expected
