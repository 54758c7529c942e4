"""Counting a collection: every (quote, organization) pair by speaker and organization, overall
and per group of a meta field (outlet, month of a date).

The report's stance map and `stance summary` read the same tally, so their numbers cannot
differ. One pair is one quote of one speaker that talks about one organization (a quote's
targets are unique by name), so the counts are counts of quotes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.io import Problems, _meta_cell
from stance.records import STANCES, Article

# A pair's stance as an index: the three labels, then 'unclassified' (stance null: `stance
# extract` output, or a target the classifier could not look at).
UNCLASSIFIED = "unclassified"
STANCE_COLUMNS = (*STANCES, UNCLASSIFIED)
_STANCE_INDEX = {label: i for i, label in enumerate(STANCES)}
_CRITICAL, _SUPPORTIVE = _STANCE_INDEX["critical"], _STANCE_INDEX["supportive"]

UNITS = ("year", "month", "day")
# An ISO 8601 date at the start of a value: 2024-03, 2024-03-05, 2024-03-05T10:00:00Z.
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?![\d])")
META_PREFIX = "meta."


@dataclass(frozen=True)
class GroupBy:
    """A breakdown of the collection by one meta field, as the user wrote it: ``meta.outlet``,
    or ``meta.date:month`` for the month of a date (also ``:year`` and ``:day``)."""

    spec: str
    field: str
    unit: str | None = None

    @classmethod
    def parse(cls, spec: str) -> GroupBy:
        """``meta.FIELD[:year|month|day]``; the ``meta.`` prefix may be left out. ValueError otherwise."""
        text = spec.strip()
        name, _, unit = text.partition(":")
        name = name.removeprefix(META_PREFIX)
        if not name:
            raise ValueError(f"--by {spec!r}: name a meta field, as in meta.outlet or meta.date:month")
        if unit and unit not in UNITS:
            raise ValueError(f"--by {spec!r}: unknown unit {unit!r}; use one of {', '.join(UNITS)}")
        return cls(f"{META_PREFIX}{name}" + (f":{unit}" if unit else ""), name, unit or None)

    def value(self, article: Article) -> tuple[str | None, bool]:
        """The article's group (None: the field is missing or empty) and whether a value was
        there but is not a date, for a date unit."""
        raw = article.meta.get(self.field)
        if raw is None or raw == "" or (isinstance(raw, float) and math.isnan(raw)):
            return None, False
        if self.unit is None:
            # The group is the text the .csv output's meta cell holds, so the two can be matched.
            return _meta_cell(raw), False
        text = raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else str(raw)
        match = _ISO_DATE.match(text)
        if match is None or not 1 <= int(match[2]) <= 12 or (self.unit == "day" and match[3] is None):
            return None, True
        year, month, day = match[1], match[2], match[3]
        return {"year": year, "month": f"{year}-{month}", "day": f"{year}-{month}-{day}"}[self.unit], False


@dataclass
class Cell:
    """The pairs of one speaker and one organization (in one group)."""

    counts: list[int] = field(default_factory=lambda: [0] * len(STANCE_COLUMNS))
    score_sums: list[float] = field(default_factory=lambda: [0.0] * len(STANCES))
    scored: int = 0  # pairs with all three scores, the denominator of the means
    articles: set[int] = field(default_factory=set)

    @property
    def quotes(self) -> int:
        return sum(self.counts)

    @property
    def balance(self) -> float | None:
        """(supportive − critical) / classified pairs, in [-1, 1]; None when none is classified."""
        classified = sum(self.counts[: len(STANCES)])
        if not classified:
            return None
        return (self.counts[_SUPPORTIVE] - self.counts[_CRITICAL]) / classified

    def means(self) -> list[float | None]:
        return [s / self.scored if self.scored else None for s in self.score_sums]


@dataclass(frozen=True)
class Pair:
    """One (quote, organization) pair, located by indices: article (in reading order), quote,
    target; with its stance index (STANCE_COLUMNS) and the score of that stance."""

    article: int
    quote: int
    target: int
    speaker: str | None
    organization: str
    stance: int
    score: float | None


def scores_of(scores: dict[str, Any] | None) -> list[float] | None:
    """The three scores in STANCES order, or None unless all are finite numbers."""
    if not scores:
        return None
    try:
        values = [float(scores[label]) for label in STANCES]
    except (KeyError, TypeError, ValueError):
        return None
    return values if all(math.isfinite(v) for v in values) else None


@dataclass
class TallyStats:
    """What a report or summary holds, for the command's last line."""

    articles: int = 0
    quotes: int = 0
    pairs: int = 0
    speakers: int = 0
    organizations: int = 0
    rows: int = 0  # of the summary table
    bytes: int = 0  # of the file written
    warnings: list[str] = field(default_factory=list)


# A grouping is the breakdowns one table is keyed by: () for the whole collection.
Grouping = tuple[GroupBy, ...]
CellKey = tuple[tuple[str | None, ...], str | None, str]  # (group values, speaker, organization)


class StanceTally:
    """Every (quote, organization) pair of a stream of articles, counted per speaker and
    organization for each grouping asked for, in one pass: neither articles nor pairs are kept
    (``add`` returns an article's pairs to a caller that wants them).
    """

    def __init__(self, groupings: Sequence[Grouping] = ((),)) -> None:
        self.groupings = [tuple(g) for g in groupings]
        self.cells: dict[Grouping, dict[CellKey, Cell]] = {g: {} for g in self.groupings}
        self.articles = 0
        self.quotes = 0
        self.quotes_without_targets = 0
        self.n_pairs = 0
        self.fields: dict[str, int] = {}  # meta field -> articles that carry it
        self.not_dates: dict[str, list[Any]] = {}  # spec -> [count, first bad value, its article id]

    def groups_of(self, article: Article) -> dict[GroupBy, str | None]:
        """The article's value for every breakdown in the groupings."""
        out: dict[GroupBy, str | None] = {}
        for grouping in self.groupings:
            for by in grouping:
                if by not in out:
                    value, not_date = by.value(article)
                    out[by] = value
                    if not_date:
                        seen = self.not_dates.setdefault(by.spec, [0, article.meta.get(by.field), article.id])
                        seen[0] += 1
        return out

    def add(self, article: Article, groups: dict[GroupBy, str | None] | None = None) -> list[Pair]:
        """Count one article (``groups``: its ``groups_of``, if the caller has them); returns its pairs."""
        index = self.articles
        self.articles += 1
        for key, value in article.meta.items():
            if value is not None and value != "":
                self.fields[str(key)] = self.fields.get(str(key), 0) + 1
        if groups is None:
            groups = self.groups_of(article)
        found: list[Pair] = []
        for qi, quote in enumerate(article.quotes):
            self.quotes += 1
            if not quote.targets:
                self.quotes_without_targets += 1
            for ti, target in enumerate(quote.targets):
                stance = _STANCE_INDEX.get(target.stance or "", len(STANCES))
                scores = scores_of(target.scores)
                score = scores[stance] if scores is not None and stance < len(STANCES) else None
                pair = Pair(index, qi, ti, quote.speaker, target.name, stance, score)
                found.append(pair)
                self.n_pairs += 1
                for grouping, cells in self.cells.items():
                    key = (tuple(groups[by] for by in grouping), quote.speaker, target.name)
                    cell = cells.get(key)
                    if cell is None:
                        cell = cells[key] = Cell()
                    cell.counts[stance] += 1
                    cell.articles.add(index)
                    if scores is not None:
                        cell.scored += 1
                        for i, v in enumerate(scores):
                            cell.score_sums[i] += v
        return found

    def add_all(self, articles: Iterable[Article]) -> StanceTally:
        for article in articles:
            self.add(article)
        return self

    def check_fields(self) -> None:
        """ValueError naming the --by specs whose meta field no article carries (a typo, most
        likely: a breakdown of everything under '(none)' would hide it)."""
        specs = {by.spec: by.field for grouping in self.groupings for by in grouping}
        missing = [spec for spec, name in specs.items() if name not in self.fields]
        if missing:
            fields = ", ".join(f"meta.{f}" for f in sorted(self.fields)) or "none"
            raise ValueError(f"--by {', '.join(missing)}: no article has this meta field (fields: {fields})")

    def stats(self) -> TallyStats:
        speakers, organizations = self.totals(self.groupings[0]) if self.groupings else ({}, {})
        return TallyStats(
            articles=self.articles,
            quotes=self.quotes,
            pairs=self.n_pairs,
            speakers=len(speakers),
            organizations=len(organizations),
            warnings=self.warnings(),
        )

    def warnings(self) -> list[str]:
        """One line per date breakdown that met values that are not dates (grouped as missing)."""
        return [
            f"{spec}: {count} article(s) have a value that is not an ISO date (first: {value!r} in "
            f"{art_id!r}); they are counted under '(none)'"
            for spec, (count, value, art_id) in self.not_dates.items()
        ]

    def rows(self, grouping: Grouping = ()) -> list[tuple[CellKey, Cell]]:
        """The cells of a grouping in table order: by group (missing last), then most quotes
        first, then speaker (unknown last) and organization by name."""

        def order(item: tuple[CellKey, Cell]) -> tuple[Any, ...]:
            (groups, speaker, organization), cell = item
            return (
                tuple((g is None, g or "") for g in groups),
                -cell.quotes,
                speaker is None,
                speaker or "",
                organization,
            )

        return sorted(self.cells[tuple(grouping)].items(), key=order)

    def totals(self, grouping: Grouping = ()) -> tuple[dict[str | None, int], dict[str, int]]:
        """Pairs per speaker and per organization over a grouping's cells."""
        speakers: dict[str | None, int] = {}
        organizations: dict[str, int] = {}
        for (_, speaker, organization), cell in self.cells[tuple(grouping)].items():
            speakers[speaker] = speakers.get(speaker, 0) + cell.quotes
            organizations[organization] = organizations.get(organization, 0) + cell.quotes
        return speakers, organizations


def labelled_inputs(inputs: Sequence[str | Path], problems: Problems) -> list[str | Path]:
    """The inputs that can hold labelled records: reports and summaries read the .jsonl that
    `stance label` writes (its .csv/.parquet tables have no article text, and raw articles have
    no quotes yet). Each other input is reported in one line and left out, as a reader leaves out
    one it cannot open, so the rest goes on; missing files are left to the reader to report."""
    usable: list[str | Path] = []
    for item in inputs:
        path = Path(item)
        suffix = path.suffix.lower()
        if suffix == ".jsonl" or (not path.exists() and not suffix):
            usable.append(item)
            continue
        if suffix in (".csv", ".parquet"):
            why = "a table, without the article text and offsets; give the .jsonl records instead"
        elif path.is_dir() or suffix in (".txt", ".md"):
            why = f"articles without quotes; label them first: stance label {item} -o out.jsonl"
        else:
            why = f"not a .jsonl record file ({suffix or 'no suffix'})"
        problems(f"{item}: {why}; input skipped")
    return usable


def rounded(value: float | None) -> float | None:
    """A mean or score to 4 decimals, as the models write scores: more would be noise."""
    return None if value is None else round(value, 4)


def ranked(totals: dict[Any, int]) -> list[Any]:
    """Keys by count, most first, then by name (None, the unknown speaker, last among equals)."""
    return sorted(totals, key=lambda k: (-totals[k], k is None, k or ""))
