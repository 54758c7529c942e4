"""FinEntity (JSON list of financial news snippets with entity sentiment) → one Article per snippet.

Source: ``<src>/FinEntity.json``, a list of ``{"content": str, "annotations": [{"start", "end",
"value", "label", "tag"}]}`` with ``label`` Positive / Neutral / Negative. The set ships
without splits.

Mapping:

- split: a snippet is in ``test`` when ``int(sha1(content).hexdigest(), 16) % 5 == 0``, else in
  ``train`` (sha1 of the UTF-8 content). About 20% is held out, the assignment depends on the
  text alone, so it is stable under reordering and additions, and duplicates land together;
- id ``finentity:<first 12 hex digits of that sha1>``; a snippet whose content repeats an earlier
  one (the file holds a few exact duplicates) is skipped and reported, so ids stay unique;
- one Quote covering the whole content, kind from ``stance.kinds.kind_from_marks``, no cue, source
  or speaker (FinEntity labels sentiment toward an entity, not who holds it);
- one Target per annotation: name = ``value``, mentions = ``[[start, end]]``, stance
  Positive → supportive, Negative → critical, Neutral → neutral. Some snippets hold mangled
  characters and their offsets run a few characters short of the mention; when the value is
  not at ``[start, end)`` the nearest occurrence within ``REALIGN_WINDOW`` characters is used
  (reported as realigned), otherwise the annotation is skipped and reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters.common import SkipCallback, Skips, check_split, one_quote_over, require
from stance.records import Article, Quote, Span, Target

SPLITS = ("train", "test")
FILENAME = "FinEntity.json"
LABELS = {"positive": "supportive", "negative": "critical", "neutral": "neutral"}
# Observed shifts are 1–5 characters; a wider window would risk picking another mention.
REALIGN_WINDOW = 8


def content_hash(content: str) -> str:
    return hashlib.sha1(content.encode("utf-8")).hexdigest()


def split_of(content: str) -> str:
    """``test`` for about one snippet in five, chosen by the content's sha1; else ``train``."""
    return "test" if int(content_hash(content), 16) % 5 == 0 else "train"


def locate(text: str, value: str, start: int, end: int) -> Span | None:
    """The mention's span: as given when it holds ``value``, else the nearest copy close by."""
    if not value:
        return None
    if 0 <= start <= end <= len(text) and text[start:end] == value:
        return start, end
    best: int | None = None
    lo = max(0, start - REALIGN_WINDOW)
    i = text.find(value, lo)
    while i != -1 and i <= start + REALIGN_WINDOW:
        if best is None or abs(i - start) < abs(best - start):
            best = i
        i = text.find(value, i + 1)
    return None if best is None else (best, best + len(value))


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one FinEntity split (see ``split_of``), in file order."""
    check_split("finentity", split, SPLITS)
    path = require(Path(src) / FILENAME, "FinEntity file")
    return _articles(path, split, Skips(f"finentity {split}", on_skip))


def _articles(path: Path, split: str, skip: Skips) -> Iterator[Article]:
    try:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
        if not isinstance(rows, list):
            raise ValueError(f"{path}: expected a JSON list of snippets")
        seen: set[str] = set()
        for n, row in enumerate(rows):
            where = f"{path.name}[{n}]"
            if not isinstance(row, dict) or not isinstance(row.get("content"), str):
                skip("snippet has no string content", where)
                continue
            text = row["content"]
            if split_of(text) != split:
                continue
            digest = content_hash(text)
            if digest in seen:
                skip("duplicate snippet", where)
                continue
            seen.add(digest)
            targets = []
            for ann in row.get("annotations") or []:
                target = _target(text, ann, where, skip)
                if target is not None:
                    targets.append(target)
            content, kind = one_quote_over(text)
            yield Article(
                id=f"finentity:{digest[:12]}",
                text=text,
                meta={"index": n, "split": split},
                quotes=[Quote(content=content, kind=kind, targets=targets)],
            )
    finally:
        skip.finish()


def _target(text: str, ann: object, where: str, skip: Skips) -> Target | None:
    if not isinstance(ann, dict):
        skip("annotation is not an object", where)
        return None
    value, start, end = ann.get("value"), ann.get("start"), ann.get("end")
    stance = LABELS.get(str(ann.get("label", "")).strip().lower())
    if not (isinstance(value, str) and isinstance(start, int) and isinstance(end, int)) or stance is None:
        skip("annotation lacks value, offsets or a known label", where)
        return None
    span = locate(text, value, start, end)
    if span is None:
        skip("annotation offsets do not match its value", where)
        return None
    if span != (start, end):
        skip("annotation offsets realigned (kept)", where)
    return Target(name=value, mentions=[span], stance=stance)
