"""The baselines the models are scored against, and the kind-from-marks rule they share."""

from __future__ import annotations

import pytest
from conftest import span_of
from typer.testing import CliRunner

from stance.cli import app
from stance.io import ArticleWriter, read_records
from stance.kinds import kind_from_marks
from stance.majority import fill_majority, label_priors
from stance.pipeline import Extractor
from stance.records import Article, Quote, Target


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("“We will act,”", "direct"),
        ('"One." "Two."', "direct"),
        ("“Of course he will defend himself", "direct"),
        ('the plan was "a betrayal of workers"', "mixed"),
        ("that the budget passed", "indirect"),
        ("it's the union's plan", "indirect"),
        ("''We can float,''", "direct"),
    ],
)
def test_kind_from_marks(text, kind):
    assert kind_from_marks(text, [(0, len(text))]) == kind


def test_sentence_baseline_takes_each_marked_sentence_and_its_first_person():
    text = 'Nikol Pashinyan met Putin. He said "we leave" and Putin nodded. No marks here.'
    (article,) = Extractor(extractor="sentences")([Article("a", text)])
    (q,) = article.quotes
    assert q.content == [span_of(text, 'He said "we leave" and Putin nodded')]
    assert (q.kind, q.cue, article.span_text(q.source), q.speaker) == ("mixed", [], "Putin", "Putin")


def test_unknown_extractor_is_refused():
    with pytest.raises(ValueError, match="unknown extractor 'magic'"):
        Extractor(extractor="magic")


def _labelled(*stances):
    return Article(
        "t", "x", quotes=[Quote([(0, 1)], targets=[Target(str(i), stance=s) for i, s in enumerate(stances)])]
    )


def test_majority_baseline_uses_train_shares():
    priors = label_priors([_labelled("neutral", "critical", "neutral", None)])
    assert priors == {"critical": pytest.approx(1 / 3), "supportive": 0.0, "neutral": pytest.approx(2 / 3)}
    filled = fill_majority(_labelled(None, "critical"), priors)
    assert [(t.stance, t.scores) for t in filled.quotes[0].targets] == [("neutral", priors)] * 2
    with pytest.raises(ValueError, match="no target carries a stance"):
        label_priors([_labelled(None)])


def test_majority_command(tmp_path):
    train, test, out = tmp_path / "train.jsonl", tmp_path / "test.jsonl", tmp_path / "out.jsonl"
    with ArticleWriter(train) as w:
        w.write(_labelled("supportive", "supportive", "critical"))
    with ArticleWriter(test) as w:
        w.write(_labelled("critical"))
    result = CliRunner().invoke(app, ["majority", str(train), str(test), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (article,) = read_records(out)
    assert article.quotes[0].targets[0].stance == "supportive"
