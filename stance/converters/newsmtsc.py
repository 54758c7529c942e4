"""NewsMTSC (JSON Lines of news sentences with per-target sentiment) → one Article per sentence.

Source: ``<src>/<split>.jsonl``; each line holds ``primary_gid``, ``sentence_normalized`` and
``targets[]`` with ``Input.gid``, ``from``/``to`` (character offsets, end exclusive),
``mention``, ``polarity`` (2.0 negative, 4.0 neutral, 6.0 positive) and optional automatically
found ``further_mentions``.

Mapping:

- id ``newsmtsc:<split>:<line number>`` (1-based, like the project's ``file:line`` ids; the
  set's own ``primary_gid`` goes to ``meta``), text = ``sentence_normalized`` untouched;
- one Quote covering the whole sentence (NewsMTSC labels the sentence's sentiment, not a quote
  inside it): no cue, no source, speaker None, kind from ``stance.kinds.kind_from_marks``;
- one Target per target entry: name = the mention text, mentions = ``[[from, to]]`` only
  (``further_mentions`` are machine-found and were not what the annotators labelled), stance
  2.0 → critical, 4.0 → neutral, 6.0 → supportive. A target whose offsets do not select its
  mention, or whose polarity is unknown, is skipped and reported;
- a line that is not a JSON object with a string sentence is skipped and reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from stance.converters.common import SkipCallback, Skips, check_split, jsonl_lines, one_quote_over, require
from stance.records import Article, Quote, Target

SPLITS = ("train", "devtest_rw", "devtest_mt")
POLARITY = {2.0: "critical", 4.0: "neutral", 6.0: "supportive"}


def _target(sentence: str, raw: object) -> Target | None:
    if not isinstance(raw, dict):
        return None
    start, end, mention = raw.get("from"), raw.get("to"), raw.get("mention")
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(mention, str)):
        return None
    if not 0 <= start <= end <= len(sentence) or sentence[start:end] != mention:
        return None
    polarity = raw.get("polarity")
    stance = POLARITY.get(float(polarity)) if isinstance(polarity, (int, float)) else None
    if stance is None:
        return None
    return Target(name=mention, mentions=[(start, end)], stance=stance)


def convert(src: Path, split: str, on_skip: SkipCallback | None = None) -> Iterator[Article]:
    """Articles of one NewsMTSC split, in file order; see the module docstring."""
    check_split("newsmtsc", split, SPLITS)
    path = require(Path(src) / f"{split}.jsonl", "NewsMTSC split file")
    return _articles(path, split, Skips(f"newsmtsc {split}", on_skip))


def _articles(path: Path, split: str, skip: Skips) -> Iterator[Article]:
    try:
        for lineno, line in jsonl_lines(path):
            where = f"{path.name}:{lineno}"
            try:
                row = json.loads(line)
            except ValueError:
                skip("line is not JSON", where)
                continue
            if not isinstance(row, dict) or not isinstance(row.get("sentence_normalized"), str):
                skip("line has no sentence_normalized", where)
                continue
            text = row["sentence_normalized"]
            targets = []
            for raw in row.get("targets") or []:
                target = _target(text, raw)
                if target is None:
                    skip("target offsets do not match its mention, or unknown polarity", where)
                else:
                    targets.append(target)
            content, kind = one_quote_over(text)
            meta = {"primary_gid": row.get("primary_gid"), "split": split}
            yield Article(
                id=f"newsmtsc:{split}:{lineno}",
                text=text,
                meta=meta,
                quotes=[Quote(content=content, kind=kind, targets=targets)],
            )
    finally:
        skip.finish()
