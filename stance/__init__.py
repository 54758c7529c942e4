"""stance: quotes in news, who said them, the organizations they talk about, and the speaker's stance.

Python API, mirroring the command line::

    import stance
    articles = stance.extract(["Armenian Prime Minister Nikol Pashinyan said ..."])
    for quote in articles[0].quotes:
        print(quote.speaker, quote.kind, [t.name for t in quote.targets])
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from stance.classify import StanceModelMissingError, require_stance_model
from stance.nlp import DEFAULT_SPACY_MODEL, ModelMissingError
from stance.pipeline import Extractor
from stance.records import KINDS, STANCES, Article, Quote, RecordError, Span, Target
from stance.targets import TargetList

__all__ = [
    "KINDS",
    "STANCES",
    "Article",
    "Extractor",
    "ModelMissingError",
    "Quote",
    "RecordError",
    "Span",
    "StanceModelMissingError",
    "Target",
    "TargetList",
    "extract",
    "label",
]
__version__ = "0.1.0"


def _articles(texts: Iterable[str | Article] | str) -> list[Article]:
    if isinstance(texts, str):
        texts = [texts]
    return [t if isinstance(t, Article) else Article(id=str(i), text=t) for i, t in enumerate(texts)]


def extract(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
) -> list[Article]:
    """Quotes, cues, sources, canonical speakers and organization targets for each text.

    ``texts`` are strings (ids become "0", "1", …) or Articles; ``targets`` a TargetList or the
    path of a target file ('Name | alias | alias' per line). Stances stay None.
    """
    if targets is not None and not isinstance(targets, TargetList):
        targets = TargetList.read(targets)
    return list(Extractor(spacy_model, targets)(_articles(texts)))


def label(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
) -> list[Article]:
    """Extraction, then the stance toward every target.

    No stance model is shipped yet: this raises StanceModelMissingError rather than guess.
    """
    require_stance_model()
