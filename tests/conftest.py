from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STANCE_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def extractor():
    """The rule-based extractor: the pattern tests pin its behaviour, not the tagger's."""
    from stance.pipeline import Extractor

    return Extractor(extractor="rules")


@pytest.fixture(scope="session")
def labelled_examples(tmp_path_factory) -> Path:
    """`stance label examples/ --targets examples/targets.list`, run once a session: the report,
    summary, notebook and spaCy tests all read (or compare with) it."""
    if not (ROOT / "models" / "stance" / "stance_classifier.json").exists():
        pytest.skip("no stance classifier shipped in models/stance")
    from typer.testing import CliRunner

    from stance.cli import app

    out = tmp_path_factory.mktemp("labelled") / "examples.jsonl"
    examples = ROOT / "examples"
    args = ["label", str(examples), "--targets", str(examples / "targets.list"), "-o", str(out), "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def quotes_of(extractor):
    """Extract one text and return (text, quotes)."""
    from stance.records import Article

    def run(text: str, targets=None):
        ex = extractor if targets is None else type(extractor)(targets=targets, extractor="rules")
        (article,) = list(ex([Article("t", text)]))
        return article

    return run


def span_of(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the nth occurrence of piece in text."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return (start, start + len(piece))
