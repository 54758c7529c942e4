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
