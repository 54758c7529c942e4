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
