"""The notebook API: `stance.Pipeline` (models loaded once, the same records as `stance label`),
`stance.to_dataframe`, `Article._repr_html_` and `stance.evaluate` (the figures of `stance eval
--json`)."""

from __future__ import annotations

import json
from itertools import count, islice

import pytest
from conftest import ROOT
from typer.testing import CliRunner

import stance
from stance.cli import app
from stance.io import read_records

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def pipeline():
    return stance.Pipeline(targets=EXAMPLES / "targets.list")


def test_pipeline_labels_as_the_command_does(pipeline, labelled_examples):
    cli = read_records(labelled_examples)
    texts = [stance.Article(a.id, a.text) for a in cli]
    labelled = pipeline.label(texts)
    assert [a.to_dict() for a in labelled] == [a.to_dict() for a in cli]  # quotes, stances, scores
    assert sum(len(q.targets) for a in labelled for q in a.quotes) == 31


def test_pipeline_streams_and_refuses_what_is_not_text(pipeline):
    # An endless stream: pipe must hand back articles batch by batch, not read everything first.
    texts = (f'"We will not pay," said Mayor Ana Ruiz {i}.' for i in count())
    first = list(islice(pipeline.pipe(texts, batch_size=2), 3))
    assert [a.id for a in first] == ["0", "1", "2"]
    assert first[0].quotes[0].speaker.startswith("Ana Ruiz")
    with pytest.raises(TypeError, match="text 1 is a int"):
        list(pipeline.pipe(["fine text.", 42]))
    one = pipeline('"Enough," said Ana Ruiz.')
    assert isinstance(one, stance.Article) and one.quotes[0].kind == "direct"
    assert "stance=True" in repr(pipeline)


def test_to_dataframe_one_row_per_quote_and_organization(labelled_examples):
    articles = read_records(labelled_examples)
    articles[0].meta = {"outlet": "Wire", "published": "2024-03-01"}
    frame = stance.to_dataframe(articles)
    n_pairs = sum(len(q.targets) for a in articles for q in a.quotes)
    n_bare = sum(1 for a in articles for q in a.quotes if not q.targets)
    assert len(frame) == n_pairs + n_bare == 31 + 17
    row = frame[frame.speaker == "Dmitry Peskov"].iloc[0]
    assert row.target == "Collective Security Treaty Organization"
    # the scores are the record's own (whichever model labelled it)
    peskov = next(t for q in articles[0].quotes if q.speaker == "Dmitry Peskov" for t in q.targets)
    assert row.stance == peskov.stance
    assert row["meta.outlet"] == "Wire" and row.score_supportive == pytest.approx(peskov.scores["supportive"])
    first_rows = sum(max(1, len(q.targets)) for q in articles[0].quotes)
    assert frame["meta.outlet"].notna().sum() == first_rows  # meta only where the article has it


def test_repr_html_highlights_every_quote(labelled_examples):
    article = read_records(labelled_examples)[0]
    html = article._repr_html_()
    assert html.count('class="hl-cue" data-q') == sum(1 for q in article.quotes for _ in q.cue)
    assert html.count("hl-mention st-critical") >= 2
    first = next(t for q in article.quotes if q.speaker == "Nikol Pashinyan" for t in q.targets)
    title = f"Collective Security Treaty Organization: {first.stance} {first.scores[first.stance]:.2f}"
    assert f'title="{title} (Nikol Pashinyan)"' in html
    assert "Prime Minister Nikol Pashinyan</span>" in html  # the source, whole


def test_evaluate_returns_what_eval_json_prints(labelled_examples):
    gold = EXAMPLES / "gold.jsonl"
    args = ["eval", str(gold), str(labelled_examples), "--json", "--bootstrap", "50"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = stance.evaluate(gold, labelled_examples, bootstrap=50)
    assert figures == json.loads(result.output)
    assert figures["stance.e2e.n"] > 0 and 0 < figures["content.exact.f1"] <= 1
    # Articles in memory give the same figures as the files, and two predictions the paired keys.
    assert stance.evaluate(read_records(gold), read_records(labelled_examples), bootstrap=50) == figures
    paired = stance.evaluate(gold, labelled_examples, gold, bootstrap=20)
    assert paired["pred2.content.exact.f1"] == 1.0 and "paired.content.exact.f1.delta" in paired
