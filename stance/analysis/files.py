"""`stance report` and `stance summary` from files to a file, with the checks and accounting
every command gives: the output and the inputs are checked before anything is read, a record
that cannot be read is reported in one line (through ``problems``) and the rest goes on, and
the counts come back for the command's last line (records read = counted + reported)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stance.analysis.aggregate import GroupBy, TallyStats, labelled_inputs
from stance.analysis.html_report import write_report
from stance.analysis.summary import summary_format, write_summary_file
from stance.io import Collection, InputError, Problems, check_output

REPORT_SUFFIXES = (".html", ".htm")


def _collection(inputs: Sequence[str | Path], problems: Problems) -> Collection:
    collection = Collection([str(i) for i in labelled_inputs(inputs, problems)], on_error=problems)
    if not collection.sources:
        raise InputError("no input can be read (see above)")
    return collection


def _warn(stats: TallyStats, problems: Problems) -> TallyStats:
    for message in stats.warnings:
        problems(message, lost=0)
    return stats


def report_file(
    inputs: Sequence[str | Path],
    output: str | Path,
    problems: Problems,
    *,
    by: Sequence[str] = (),
    title: str | None = None,
    overwrite: bool = False,
) -> TallyStats:
    """Write the HTML report of labelled records. Raises OutputError, InputError or ValueError (a
    bad or absent --by field) with nothing written."""
    breakdowns = [GroupBy.parse(b) for b in by]
    check_output(output, list(inputs), overwrite=overwrite, suffixes=REPORT_SUFFIXES)
    return _warn(write_report(_collection(inputs, problems), output, breakdowns, title), problems)


def summary_file(
    inputs: Sequence[str | Path],
    output: str | Path,
    problems: Problems,
    *,
    fmt: str | None = None,
    by: Sequence[str] = (),
    overwrite: bool = False,
) -> TallyStats:
    """Write the speaker × organization summary of labelled records as csv, parquet, graphml or
    gexf (``fmt``, default by suffix). Raises OutputError, InputError or ValueError with nothing
    written."""
    breakdowns = [GroupBy.parse(b) for b in by]
    fmt = summary_format(output, fmt)
    # With --format, any name will do (matrix.txt); without, the suffix named the format.
    suffixes = (Path(output).suffix.lower(),)
    check_output(output, list(inputs), overwrite=overwrite, suffixes=suffixes)
    return _warn(write_summary_file(_collection(inputs, problems), output, fmt, breakdowns), problems)
