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
from typing import TYPE_CHECKING, Any

from stance.defaults import DEFAULT_EXTRACTOR, DEFAULT_SPACY_MODEL, EXTRACTOR_NAMES
from stance.errors import ModelMissingError, StanceModelMissingError
from stance.records import KINDS, STANCES, Article, Quote, RecordError, Span, Target

if TYPE_CHECKING:
    from stance.pipeline import Extractor
    from stance.targets import TargetList

# spaCy and torch load on first use, not on `import stance`: `stance --help` answers at once.
_LAZY = {"Extractor": "stance.pipeline", "TargetList": "stance.targets"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")

__all__ = [
    "KINDS",
    "STANCES",
    "EXTRACTOR_NAMES",
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


def _target_list(targets: TargetList | str | Path | None) -> TargetList | None:
    from stance.targets import TargetList

    if targets is None or isinstance(targets, TargetList):
        return targets
    return TargetList.read(targets)


def extract(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    extractor: str = DEFAULT_EXTRACTOR,
) -> list[Article]:
    """Quotes, cues, sources, canonical speakers and organization targets for each text.

    ``texts`` are strings (ids become "0", "1", …) or Articles; ``targets`` a TargetList or the
    path of a target file ('Name | alias | alias' per line); ``extractor`` one of
    ``EXTRACTOR_NAMES``. Stances stay None.
    """
    from stance.pipeline import Extractor

    return list(Extractor(spacy_model, _target_list(targets), extractor)(_articles(texts)))


def label(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    extractor: str = DEFAULT_EXTRACTOR,
    stance_model: str | Path | None = None,
) -> list[Article]:
    """Extraction, then the stance toward every target: ``stance`` and calibrated ``scores``.

    ``stance_model`` is a classifier folder (default: the shipped models/stance); a missing one
    raises StanceModelMissingError.
    """
    from stance.classifier.model import StanceClassifier
    from stance.pipeline import Extractor

    classifier = StanceClassifier.load(stance_model)
    found = Extractor(spacy_model, _target_list(targets), extractor, classifier=classifier)
    return list(found(_articles(texts)))
