"""Plain-text views of records for people reading them in a terminal (`stance show`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from stance.io import InputError, output_format, read_records, table_rows

NO_STANCE = "not classified"  # `stance extract` output: stance is left null


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    cut = line[: width - 1].rsplit(" ", 1)[0]
    return cut + "…"


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The flat rows (one per quote and target, as `stance.io.table_rows` makes them) of a record
    file in any output format: .jsonl records, or the .csv/.parquet tables written from them."""
    path = Path(path)
    fmt = output_format(path)
    if fmt == "jsonl":
        return (row for article in read_records(path) for row in table_rows(article))
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        # csv has no null: an empty cell is a missing value.
        return ({k: (v if v != "" else None) for k, v in row.items()} for row in rows)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return iter(pq.read_table(path).to_pylist())
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"{path}: not a readable parquet file ({err})") from None


def _stance_cell(row: dict[str, Any]) -> str:
    stance = row.get("stance")
    if not stance:
        return NO_STANCE
    score = row.get(f"score_{stance}")
    try:
        return f"{stance} {float(score):.2f}" if score is not None else stance
    except ValueError:
        return stance


def quote_table(rows: Iterable[dict[str, Any]], limit: int = 0, width: int = 50) -> str:
    """A fixed-width table, one line per row (quote and target); a quote with no target has one."""
    lines_in = [("article", "speaker", "organization", "stance", "kind", "quote")]
    for row in rows:
        target = row.get("target")
        lines_in.append(
            (
                shorten(str(row.get("id") or ""), 24),
                shorten(row.get("speaker") or "?", 24),
                shorten(target, 40) if target else "-",
                _stance_cell(row) if target else "-",
                row.get("kind") or "",
                shorten(row.get("content") or "", width),
            )
        )
    shown = lines_in if not limit else lines_in[: limit + 1]
    widths = [max(len(r[i]) for r in shown) for i in range(len(lines_in[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in shown]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 5)
    if limit and len(lines_in) - 1 > limit:
        lines.append(f"… {len(lines_in) - 1 - limit} more rows")
    return "\n".join(lines)
