"""Helpers shared by the dataset converters: skip reporting (and the kind rule, from stance.kinds)."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from stance.kinds import DOUBLE_MARKS, QuoteMarks, kind_from_marks
from stance.records import STANCES, Article, Quote, Span, Target

# (reason, where): reason is a short fixed phrase, where names the file, line or annotation.
SkipCallback = Callable[[str, str], None]


class Skips:
    """Counts what a converter leaves out, by reason.

    With a callback every skipped item is passed to it as ``(reason, where)``; without one, a
    single warning per reason is issued when the conversion ends, so a run over thousands of
    records does not flood the console.
    """

    def __init__(self, name: str, on_skip: SkipCallback | None = None) -> None:
        self.name = name
        self.on_skip = on_skip
        self.counts: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def __call__(self, reason: str, where: str) -> None:
        self.counts[reason] += 1
        self.first.setdefault(reason, where)
        if self.on_skip is not None:
            self.on_skip(reason, where)

    def finish(self) -> None:
        if self.on_skip is not None:
            return
        for reason, n in self.counts.items():
            warnings.warn(f"{self.name}: {reason}: {n} (first at {self.first[reason]})", stacklevel=2)


def check_split(fmt: str, split: str, valid: tuple[str, ...]) -> None:
    if split not in valid:
        raise ValueError(f"unknown split {split!r} for {fmt}; valid splits: {', '.join(valid)}")


def require(path: Path, what: str = "data") -> Path:
    """The path itself, or FileNotFoundError naming it; checked before any record is read."""
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of each non-blank line, split on \\n only.

    Binary reading keeps a stray \\r inside a line from shifting the line numbers that the ids
    are made of; bytes that are not UTF-8 become replacement characters instead of stopping
    the run.
    """
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.decode("utf-8", errors="replace")
            if lineno == 1:
                line = line.removeprefix("\ufeff")
            if line.strip():
                yield lineno, line


def one_quote_over(text: str, marks: QuoteMarks = DOUBLE_MARKS) -> tuple[list[Span], str]:
    """Content spans and kind for a quote that covers the whole text (sentence-level sets)."""
    content = [(0, len(text))]
    return content, kind_from_marks(text, content, marks)


def _spans(value: list[list[int]]) -> list[Span]:
    return [(int(s), int(e)) for s, e in value]


def labelled_article(article: Article, rows: list[dict]) -> Article | None:
    """The article with the project's stance labels (rows of eval/stance_labels: ids, offsets,
    labels) as its quotes and targets; None when none of its rows is usable. ``invalid`` pairs
    are left out: not an organization, not a pair to learn or score."""
    quotes: dict[tuple, Quote] = {}
    for row in rows:
        if row["stance"] not in STANCES:
            continue
        content = _spans(row["content"])
        quote = quotes.setdefault(
            tuple(content),
            Quote(
                content=content,
                cue=_spans(row["cue"]),
                source=_spans(row["source"]),
                kind=kind_from_marks(article.text, content),
            ),
        )
        start, end = row["name"]
        quote.targets.append(Target(article.text[start:end], _spans(row["mentions"]), stance=row["stance"]))
    if not quotes:
        return None
    return Article(article.id, article.text, meta=article.meta, quotes=list(quotes.values()))
