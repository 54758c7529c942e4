"""Converters from the annotated sets in ``../shared/data`` to the project's record format.

Each format has ``convert(src, split) -> Iterator[Article]`` (see its module for the source
format and the mapping). ``src`` is the set's folder; ``convert`` below fills it in from
``default_data_dir()`` when it is None. The data itself never enters the project: it is read
from ``STANCE_DATA`` or ``<repo>/../shared/data`` at run time.

Every converter also takes ``on_skip(reason, where)``, called for each item it leaves out; without
it, one warning per reason summarises the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from stance.converters import (
    directed_sentiment,
    finentity,
    news_stance,
    newsmtsc,
    polnear,
    polnear_speakers,
    polnear_stance,
    riqua,
)
from stance.converters.common import SkipCallback
from stance.records import Article

CONVERTERS: dict[str, Callable[[Path, str], Iterator[Article]]] = {
    "polnear": polnear.convert,
    "polnear-stance": polnear_stance.convert,
    "polnear-speakers": polnear_speakers.convert,
    "news-stance": news_stance.convert,
    "newsmtsc": newsmtsc.convert,
    "directed-sentiment": directed_sentiment.convert,
    "finentity": finentity.convert,
    "riqua": riqua.convert,
}

SPLITS: dict[str, tuple[str, ...]] = {
    "polnear": polnear.SPLITS,
    "polnear-stance": polnear_stance.SPLITS,
    "polnear-speakers": polnear_speakers.SPLITS,
    "news-stance": news_stance.SPLITS,
    "newsmtsc": newsmtsc.SPLITS,
    "directed-sentiment": directed_sentiment.SPLITS,
    "finentity": finentity.SPLITS,
    "riqua": riqua.SPLITS,
}

# The modules, for calls with on_skip (CONVERTERS keeps the plain two-argument signature).
_MODULES = {
    "polnear": polnear,
    "polnear-stance": polnear_stance,
    "polnear-speakers": polnear_speakers,
    "news-stance": news_stance,
    "newsmtsc": newsmtsc,
    "directed-sentiment": directed_sentiment,
    "finentity": finentity,
    "riqua": riqua,
}

# Each set's folder under the data directory.
FOLDERS: dict[str, str] = {
    "polnear": "polnear",
    "polnear-stance": "polnear",  # the text; the labels are in eval/stance_labels
    "polnear-speakers": "polnear",  # the text; the labels are in eval/speaker_labels
    "news-stance": ".",  # the texts of several sets; the labels are in eval/stance_labels
    "newsmtsc": "newsmtsc",
    "directed-sentiment": "directed-sentiment",
    "finentity": "finentity",
    "riqua": "riqua",
}

__all__ = ["CONVERTERS", "FOLDERS", "SPLITS", "convert", "default_data_dir"]


def default_data_dir() -> Path:
    """``$STANCE_DATA`` if set; in a checkout (a ``pyproject.toml`` beside the package),
    ``shared/data`` beside the repository (``<repo>/../shared/data``). An installed stance has no
    such place and says so (FileNotFoundError), rather than look under site-packages."""
    env = os.environ.get("STANCE_DATA")
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parent.parent.parent
    if not (repo_root / "pyproject.toml").is_file():
        raise FileNotFoundError(
            "no data folder: set STANCE_DATA to the folder of the annotated sets, or pass the set's folder"
        )
    return repo_root.parent / "shared" / "data"


def convert(fmt: str, src: Path | None, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one split of one set; ``src`` None means the set's folder in the data directory.

    Raises ValueError for an unknown format or split and FileNotFoundError for a missing
    source, both before any record is read.
    """
    if fmt not in CONVERTERS:
        raise ValueError(f"unknown format {fmt!r}; valid formats: {', '.join(CONVERTERS)}")
    if split not in SPLITS[fmt]:
        raise ValueError(f"unknown split {split!r} for {fmt}; valid splits: {', '.join(SPLITS[fmt])}")
    path = Path(src) if src is not None else default_data_dir() / FOLDERS[fmt]
    if not path.exists():
        raise FileNotFoundError(f"{fmt} data not found: {path}")
    if on_skip is None:
        return CONVERTERS[fmt](path, split)
    return _MODULES[fmt].convert(path, split, on_skip=on_skip)
