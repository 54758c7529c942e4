"""What analysts look at: a collection's speaker × organization tally (`aggregate`), its tables
and graphs (`summary`), highlighted articles (`highlight`) and the HTML report (`html_report`).

Nothing here loads a model: these read labelled records (`stance label` output).
"""

from __future__ import annotations

from stance.analysis.aggregate import GroupBy, StanceTally, TallyStats, labelled_inputs
from stance.analysis.highlight import article_html
from stance.analysis.html_report import write_report
from stance.analysis.summary import summarize, summary_format, to_dataframe, write_summary, write_summary_file

__all__ = [
    "GroupBy",
    "StanceTally",
    "TallyStats",
    "article_html",
    "summarize",
    "summary_format",
    "to_dataframe",
    "write_report",
    "labelled_inputs",
    "write_summary",
    "write_summary_file",
]
