"""stance: quotes in news, who said them, the organizations they talk about, and the speaker's stance.

Python API, mirroring the command line::

    import stance
    articles = stance.extract(["Armenian Prime Minister Nikol Pashinyan said ..."])
    for quote in articles[0].quotes:
        print(quote.speaker, quote.kind, [t.name for t in quote.targets])

    nlp = stance.Pipeline()                 # the models loaded once, for many calls
    frame = stance.to_dataframe(nlp.pipe(texts))   # one row per quote and organization
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stance.defaults import DEFAULT_EXTRACTOR, DEFAULT_SPACY_MODEL, EXTRACTOR_NAMES
from stance.errors import ModelMissingError, StanceModelMissingError
from stance.records import KINDS, STANCES, Article, Quote, RecordError, Span, Target

if TYPE_CHECKING:
    from stance.pipeline import Extractor, Pipeline
    from stance.targets import TargetList

# spaCy and torch load on first use, not on `import stance`: `stance --help` answers at once.
_LAZY = {
    "Extractor": "stance.pipeline",
    "Pipeline": "stance.pipeline",
    "TargetList": "stance.targets",
    "to_dataframe": "stance.analysis",
    "summarize": "stance.analysis",
    "write_report": "stance.analysis",
}


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
    "Pipeline",
    "Quote",
    "RecordError",
    "Span",
    "StanceModelMissingError",
    "Target",
    "TargetList",
    "evaluate",
    "extract",
    "label",
    "summarize",
    "to_dataframe",
    "write_report",
]
__version__ = "0.1.0"


def extract(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    extractor: str = DEFAULT_EXTRACTOR,
) -> list[Article]:
    """Quotes, cues, sources, canonical speakers and organization targets for each text.

    ``texts`` are strings (ids become "0", "1", …) or Articles; ``targets`` a TargetList or the
    path of a target file ('Name | alias | alias' per line); ``extractor`` one of
    ``EXTRACTOR_NAMES``. Stances stay None. Each call loads the models: to label many batches,
    make a ``stance.Pipeline(stance=False)`` once.
    """
    from stance.pipeline import Pipeline

    return Pipeline(targets, stance=False, spacy_model=spacy_model, extractor=extractor).label(texts)


def label(
    texts: Iterable[str | Article] | str,
    targets: TargetList | str | Path | None = None,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    extractor: str = DEFAULT_EXTRACTOR,
    stance_model: str | Path | None = None,
) -> list[Article]:
    """Extraction, then the stance toward every target: ``stance`` and calibrated ``scores``.

    ``stance_model`` is a classifier folder (default: the shipped models/stance); a missing one
    raises StanceModelMissingError. Each call loads the models: to label many batches, make a
    ``stance.Pipeline`` once.
    """
    from stance.pipeline import Pipeline

    pipeline = Pipeline(targets, spacy_model=spacy_model, extractor=extractor, stance_model=stance_model)
    return pipeline.label(texts)


def evaluate(
    gold: str | Path | list[Article],
    pred: str | Path | list[Article],
    pred2: str | Path | list[Article] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    convention: str = "quotes",
) -> dict[str, float | None]:
    """The figures of `stance eval GOLD PRED [PRED2] --json`, as the same flat dict: span, speaker,
    target and stance scores with 95% bootstrap intervals (``bootstrap`` resamples of the
    articles, 0 for none), and with ``pred2`` both sides (``pred1.``/``pred2.``) and the paired
    test (``paired.<metric>.delta``/``.p``). Files or lists of Articles; keys in
    docs/evaluation.md; ``convention="spans"`` scores every contiguous span on its own. Raises
    RecordError or stance.evaluation.EvaluationError."""
    from stance.evaluation import run
    from stance.evaluation.report import flat_json

    return flat_json(*run(gold, [p for p in (pred, pred2) if p is not None], bootstrap, seed, convention))
