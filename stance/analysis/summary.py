"""Tables and graphs of a collection for analysts: one row per (quote, organization) pair
(`to_dataframe`), one row per speaker and organization (`summarize`, what `stance summary`
writes), and that summary as a speaker → organization graph (GraphML, GEXF)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stance.analysis.aggregate import STANCE_COLUMNS, GroupBy, Grouping, StanceTally, TallyStats, rounded
from stance.io import META_PREFIX, TABLE_COLUMNS, replaced_atomically, table_rows
from stance.records import STANCES, Article

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

SUMMARY_FORMATS = ("csv", "parquet", "graphml", "gexf")
COUNT_COLUMNS = ("quotes", *STANCE_COLUMNS, "articles")
MEAN_COLUMNS = tuple(f"mean_{label}" for label in STANCES)
SUMMARY_COLUMNS = ("speaker", "organization", *COUNT_COLUMNS, "balance", *MEAN_COLUMNS)
# The label a graph gives the speaker of quotes whose speaker is unknown (null in the tables).
UNKNOWN_SPEAKER = "(unknown speaker)"


def to_dataframe(articles: Iterable[Article], meta: bool = True) -> pd.DataFrame:
    """One row per (quote, organization), with the columns of the .csv/.parquet output (a quote
    without organizations has one row, its target columns empty), then one ``meta.<field>``
    column per meta field, its values as the articles hold them (dates stay dates)."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    meta_keys: dict[str, None] = {}
    for article in articles:
        cells = {META_PREFIX + str(k): v for k, v in article.meta.items()} if meta else {}
        meta_keys.update(dict.fromkeys(cells))
        rows.extend({**row, **cells} for row in table_rows(article))
    frame = pd.DataFrame(rows, columns=[*TABLE_COLUMNS, *meta_keys])
    # Numbers stay numbers even when every value is missing (an empty or unclassified collection).
    frame["quote"] = frame["quote"].astype("int64")
    for column in ("confidence", *(f"score_{label}" for label in STANCES)):
        frame[column] = frame[column].astype("float64")
    return frame


def groupings_of(by: Sequence[str | GroupBy]) -> Grouping:
    return tuple(b if isinstance(b, GroupBy) else GroupBy.parse(b) for b in by)


def summary_frame(tally: StanceTally, grouping: Grouping = ()) -> pd.DataFrame:
    """The tally of one grouping as the long-form table: the group columns (named as given,
    ``meta.outlet``), then SUMMARY_COLUMNS, in the order of ``StanceTally.rows``."""
    import pandas as pd

    records = []
    for (groups, speaker, organization), cell in tally.rows(grouping):
        records.append(
            {
                **{by.spec: g for by, g in zip(grouping, groups, strict=True)},
                "speaker": speaker,
                "organization": organization,
                "quotes": cell.quotes,
                **dict(zip(STANCE_COLUMNS, cell.counts, strict=True)),
                "articles": len(cell.articles),
                "balance": rounded(cell.balance),
                **dict(zip(MEAN_COLUMNS, map(rounded, cell.means()), strict=True)),
            }
        )
    columns = [by.spec for by in grouping] + list(SUMMARY_COLUMNS)
    frame = pd.DataFrame(records, columns=columns)
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    for column in ("balance", *MEAN_COLUMNS):
        frame[column] = frame[column].astype("float64")
    return frame


def summarize(articles: Iterable[Article], by: Sequence[str | GroupBy] = ()) -> pd.DataFrame:
    """The speaker × organization table in long form: one row per speaker and organization (and
    per combination of the ``by`` groups, as in ``["meta.outlet", "meta.date:month"]``), with the
    quotes of each stance, the articles they come from, the balance (supportive − critical) /
    classified, and the mean score of each label. The same numbers as the report's map."""
    grouping = groupings_of(by)
    return summary_frame(StanceTally([grouping]).add_all(articles), grouping)


def summary_format(path: str | Path, fmt: str | None = None) -> str:
    """The format asked for, or the one the suffix names; ValueError with the choices otherwise."""
    if fmt is not None:
        if fmt not in SUMMARY_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(SUMMARY_FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in SUMMARY_FORMATS:
        raise ValueError(
            f"{path}: unknown summary format {('.' + suffix) if suffix else '(no suffix)'!r}; "
            f"use .csv, .parquet, .graphml or .gexf (or --format)"
        )
    return suffix


def _node(kind: str, name: str | None) -> str:
    # Speakers and organizations share names ('Kremlin' speaks and is spoken of): ids keep them apart.
    return f"{kind}:{'' if name is None else name}"


def summary_graph(frame: pd.DataFrame, grouping: Sequence[str] = ()) -> nx.MultiDiGraph | nx.DiGraph:
    """The summary as a bipartite graph: speaker and organization nodes (``kind``, ``label``,
    their quotes per stance), an edge from speaker to organization per row with the row's
    numbers (``weight`` = quotes). With group columns, a MultiDiGraph with one edge per group,
    keyed by the group values; missing values are left out (GraphML has no null)."""
    import networkx as nx

    graph: nx.MultiDiGraph | nx.DiGraph = nx.MultiDiGraph() if grouping else nx.DiGraph()
    totals: dict[str, list[int]] = {}
    for row in frame.to_dict("records"):
        speaker, organization = _plain(row["speaker"]), row["organization"]
        ends = (_node("speaker", speaker), _node("organization", organization))
        labels = (UNKNOWN_SPEAKER if speaker is None else speaker, organization)
        for node, kind, label in zip(ends, ("speaker", "organization"), labels, strict=True):
            if node not in graph:
                graph.add_node(node, kind=kind, label=label)
            counts = totals.setdefault(node, [0] * (len(STANCE_COLUMNS) + 1))
            for i, column in enumerate(("quotes", *STANCE_COLUMNS)):
                counts[i] += int(row[column])
        attrs = {k: _plain(v) for k, v in row.items() if k not in ("speaker", "organization")}
        attrs = {k: v for k, v in attrs.items() if v is not None}
        attrs["weight"] = int(row["quotes"])
        if grouping:
            key = " | ".join("(none)" if _plain(row[g]) is None else str(row[g]) for g in grouping)
            graph.add_edge(*ends, key=key, **attrs)
        else:
            graph.add_edge(*ends, **attrs)
    for node, counts in totals.items():
        graph.nodes[node].update(zip(("quotes", *STANCE_COLUMNS), counts, strict=True))
    return graph


def _plain(value: Any) -> Any:
    """A pandas cell as a plain Python value, None for a missing one."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def write_summary(frame: pd.DataFrame, path: str | Path, fmt: str, grouping: Sequence[str] = ()) -> None:
    """Write the summary as csv, parquet (pandas and pyarrow) or graphml, gexf (networkx), through
    a temporary file renamed into place, so a failed write leaves no half file (nor replaces an
    older one)."""
    import networkx as nx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(path) as tmp:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False, engine="pyarrow")
        elif fmt == "graphml":
            nx.write_graphml(summary_graph(frame, grouping), tmp)
        elif fmt == "gexf":
            nx.write_gexf(summary_graph(frame, grouping), tmp)
        else:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(SUMMARY_FORMATS)}")


def write_summary_file(
    articles: Iterable[Article],
    path: str | Path,
    fmt: str | None = None,
    by: Sequence[str | GroupBy] = (),
) -> TallyStats:
    """`stance summary`: tally the articles and write the summary to ``path`` in ``fmt`` (default:
    by suffix). ValueError, and nothing written, when a ``by`` field is in no article."""
    fmt = summary_format(path, fmt)
    grouping = groupings_of(by)
    tally = StanceTally([grouping]).add_all(articles)
    tally.check_fields()
    frame = summary_frame(tally, grouping)
    write_summary(frame, path, fmt, [b.spec for b in grouping])
    stats = tally.stats()
    stats.rows, stats.bytes = len(frame), Path(path).stat().st_size
    return stats
