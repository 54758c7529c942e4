"""PolNeAR (brat standoff attributions over news articles) → one Article per document.

Source layout (``src`` is the ``polnear`` folder, or its ``data`` folder)::

    data/<split>/text/<doc>.txt                 the article, UTF-8
    data/<split>/attributions/<doc>_<ann>.ann   brat standoff by annotator <ann>
    data/metadata.tsv                           one row per document (``filename`` = <doc>)

In a ``.ann`` file, ``T`` lines are spans (``T3<TAB>Content 10 40;52 90<TAB>text``; several
``start end`` pairs separated by ``;`` make a discontinuous span, and the text column shows the
fragments joined by a space, continued on the next lines when the text holds newlines). ``E``
lines join them into an attribution: ``E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1``;
the event type may be ``Attribution-no-source``, and a second content part appears as
``Content2``. ``Discard``/``Discuss`` spans and ``#`` notes are annotator bookkeeping, not
attributions, and are ignored.

Mapping:

- one Article per text file, id = the text file's stem, text read with ``newline=""`` so the
  brat offsets index it exactly;
- a document annotated by several annotators is read from exactly one of them: the first
  ``.ann`` file in sorted order of annotator id (deterministic, and independent of file listing
  order); ``meta["annotator"]`` names it, ``meta["annotators"]`` (from metadata.tsv) lists all.
  Split ``train-all-annotators`` instead gives every file of a train document, id
  ``<doc>_<annotator>``, for training;
- each ``E`` line becomes one Quote: ``content`` = the Content (and Content2) spans, ``cue`` and
  ``source`` as annotated, all sorted; ``speaker`` is None (PolNeAR links no canonical speaker),
  ``targets`` is empty, ``kind`` comes from ``stance.kinds.kind_from_marks``;
- every span is checked against the ``.ann`` text column (whitespace-insensitively, because
  that column is a lossy echo of newlines); a span that does not match, or lies outside the
  text, is skipped and reported, and an attribution left without content is skipped;
- ``meta`` holds the document's metadata.tsv row (all columns but ``filename``) plus
  ``annotator``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stance.converters.common import SkipCallback, Skips, check_split, require
from stance.formats.brat import attributions, read_standoff
from stance.records import Article, Span

# "train-all-annotators": every annotator's file of every train document, one record each (id
# "<doc>_<annotator>"), for training on all the annotations (919 files for 840 documents).
SPLITS = ("train", "dev", "test", "train-all-annotators")


def _data_dir(src: Path) -> Path:
    # Accept the set's folder (holding data/) or the data folder itself.
    return src / "data" if (src / "data").is_dir() else src


def _annotation_index(att_dir: Path) -> dict[str, list[Path]]:
    """Document stem -> its .ann files (``<doc>_<annotator>.ann``), sorted by annotator id."""
    index: dict[str, list[Path]] = {}
    for path in att_dir.glob("*.ann"):
        doc, sep, _annotator = path.stem.rpartition("_")
        if sep:
            index.setdefault(doc, []).append(path)
    for paths in index.values():
        paths.sort(key=lambda p: p.stem.rpartition("_")[2])
    return index


def _read_metadata(data_dir: Path) -> dict[str, dict[str, Any]]:
    path = data_dir / "metadata.tsv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["filename"]: {k: v for k, v in row.items() if k != "filename"} for row in rows}


# tid -> (type, spans in file order, text column or None); (eid, type, {role: [tid, ...]})
AnnSpans = dict[str, tuple[str, list[Span], str | None]]
AnnEvent = tuple[str, str, dict[str, list[str]]]


def parse_ann(raw: str) -> tuple[AnnSpans, list[AnnEvent]]:
    """The ``T`` spans and ``E`` events of a brat ``.ann`` file (``stance.formats.brat``'s reader)."""
    standoff = read_standoff(raw)
    return standoff.spans, standoff.events


def _article(text_path: Path, ann_path: Path, meta: dict[str, Any], skip: Skips) -> Article:
    with open(text_path, encoding="utf-8", newline="") as f:
        text = f.read()
    with open(ann_path, encoding="utf-8", newline="") as f:
        standoff = read_standoff(f.read())
    # PolNeAR has no speakers, targets or Kind attributes, so the shared reader gives speaker None,
    # no targets and the kind read off the quotation marks.
    quotes = attributions(text, standoff, ann_path.name, skip)
    quotes.sort(key=lambda q: (q.start, q.end))
    annotator = ann_path.stem.rpartition("_")[2]
    return Article(id=text_path.stem, text=text, meta={**meta, "annotator": annotator}, quotes=quotes)


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one PolNeAR split, in sorted file order; see the module docstring."""
    check_split("polnear", split, SPLITS)
    every = split == "train-all-annotators"
    data_dir = _data_dir(Path(src))
    split_dir = require(data_dir / ("train" if every else split), "PolNeAR split folder")
    text_dir = require(split_dir / "text", "PolNeAR text folder")
    att_dir = require(split_dir / "attributions", "PolNeAR attributions folder")
    return _articles(data_dir, text_dir, att_dir, Skips(f"polnear {split}", on_skip), every)


def _articles(
    data_dir: Path, text_dir: Path, att_dir: Path, skip: Skips, every: bool = False
) -> Iterator[Article]:
    metadata = _read_metadata(data_dir)
    index = _annotation_index(att_dir)
    try:
        for text_path in sorted(text_dir.glob("*.txt")):
            anns = index.get(text_path.stem)
            if not anns:
                skip("document without a .ann file", text_path.name)
                continue
            for ann in anns if every else anns[:1]:
                article = _article(text_path, ann, metadata.get(text_path.stem, {}), skip)
                if every:
                    article.id = ann.stem
                yield article
    finally:
        skip.finish()
