"""The collection views: the speaker × organization tally, `stance summary` in every format, the
highlight segments and the HTML report's data (no model is loaded here)."""

from __future__ import annotations

import datetime as dt
import json
import re

import networkx as nx
import pandas as pd
import pytest
from conftest import span_of
from typer.testing import CliRunner

from stance.analysis import StanceTally, article_html, summarize, to_dataframe, write_report
from stance.analysis.aggregate import GroupBy
from stance.analysis.highlight import CONTENT, CUE, MENTION, SOURCE, segments
from stance.analysis.summary import summary_graph, write_summary
from stance.cli import app
from stance.io import ArticleWriter
from stance.records import Article, Quote, Target

runner = CliRunner()


def _target(name, mention, stance, critical=None):
    scores = None
    if critical is not None:
        rest = (1 - critical) / 2
        scores = {"critical": critical, "supportive": rest, "neutral": rest}
    return Target(name, [mention], stance, scores)


def _collection() -> list[Article]:
    """Three articles: one speaker criticises the Council twice and supports it once; a speaker
    who is also an organization ('Council' speaks about 'Union'); an unknown speaker; a target
    left unclassified; a quote without organizations."""
    t1 = 'Ann Lee said the Council failed. "The Council lied," Lee added. The Union said it was fine.'
    a1 = Article(
        "a1",
        t1,
        meta={"outlet": "Daily", "date": "2024-03-05"},
        quotes=[
            Quote([span_of(t1, "the Council failed.")], [span_of(t1, "said")], [span_of(t1, "Ann Lee")],
                  "Ann Lee", "indirect", [_target("Council", span_of(t1, "Council"), "critical", 0.8)]),
            Quote([span_of(t1, "The Council lied")], [span_of(t1, "added")], [span_of(t1, "Lee", 1)],
                  "Ann Lee", "direct", [_target("Council", span_of(t1, "Council", 1), "critical", 0.6)]),
            Quote([span_of(t1, "it was fine")], [span_of(t1, "said", 1)], [span_of(t1, "The Union")],
                  "Union", "indirect", []),
        ],
    )  # fmt: skip
    t2 = "The Council praised the Union. Ann Lee said the Council was right. Someone said the Union won."
    a2 = Article(
        "a2",
        t2,
        meta={"outlet": "Gazette", "date": dt.date(2024, 4, 1)},
        quotes=[
            Quote([span_of(t2, "the Union")], [span_of(t2, "praised")], [span_of(t2, "The Council")],
                  "Council", "indirect", [_target("Union", span_of(t2, "Union"), "supportive", 0.1)]),
            Quote([span_of(t2, "the Council was right")], [span_of(t2, "said")], [span_of(t2, "Ann Lee")],
                  "Ann Lee", "indirect", [_target("Council", span_of(t2, "Council", 1), "supportive", 0.2)]),
            Quote([span_of(t2, "the Union won")], [span_of(t2, "said", 1)], [], None, "indirect",
                  [_target("Union", span_of(t2, "Union", 1), None)]),
        ],
    )  # fmt: skip
    a3 = Article("a3", "No quotes here.", meta={"outlet": "Daily", "date": "last week"})
    return [a1, a2, a3]


def _speaker(row) -> str | None:
    return None if pd.isna(row.speaker) else row.speaker  # a missing speaker is NaN in pandas


def test_tally_counts_quotes_per_speaker_and_organization():
    frame = summarize(_collection())
    rows = {(_speaker(r), r.organization): r for r in frame.itertuples()}
    lee = rows[("Ann Lee", "Council")]
    assert (lee.quotes, lee.critical, lee.supportive, lee.neutral, lee.unclassified) == (3, 2, 1, 0, 0)
    assert lee.articles == 2
    assert lee.balance == pytest.approx((1 - 2) / 3, abs=1e-4)
    assert lee.mean_critical == pytest.approx((0.8 + 0.6 + 0.2) / 3, abs=1e-4)
    unknown = rows[(None, "Union")]
    assert (unknown.quotes, unknown.unclassified) == (1, 1) and pd.isna(unknown.balance)
    assert pd.isna(unknown.mean_critical)  # no scores, no mean
    assert rows[("Council", "Union")].supportive == 1
    assert list(frame.organization[:1]) == ["Council"]  # most quoted first
    assert frame.quotes.sum() == 5  # every (quote, organization) pair, none of the quote without one


def test_breakdowns_by_a_field_and_by_month():
    arts = _collection()
    by_outlet = summarize(arts, by=["meta.outlet"])
    assert list(by_outlet.columns[:3]) == ["meta.outlet", "speaker", "organization"]
    daily = by_outlet[by_outlet["meta.outlet"] == "Daily"]
    assert daily.quotes.sum() == 2 and set(daily.organization) == {"Council"}
    tally = StanceTally([(GroupBy.parse("meta.date:month"),)]).add_all(arts)
    frame = pd.DataFrame(
        [(g[0], sp, org, c.quotes) for (g, sp, org), c in tally.rows((GroupBy.parse("meta.date:month"),))],
        columns=["month", "speaker", "organization", "quotes"],
    )
    assert frame.groupby("month").quotes.sum().to_dict() == {"2024-03": 2, "2024-04": 3}  # a date object too
    (warning,) = tally.warnings()  # 'last week' is not a date: counted under (none), said once
    assert "meta.date:month" in warning and "'last week'" in warning and "'a3'" in warning
    assert GroupBy.parse("outlet") == GroupBy.parse("meta.outlet")
    with pytest.raises(ValueError, match="unknown unit"):
        GroupBy.parse("meta.date:fortnight")
    with pytest.raises(ValueError, match="no article has this meta field"):
        StanceTally([(GroupBy.parse("meta.outlett"),)]).add_all(arts).check_fields()


def test_to_dataframe_is_the_table_output_with_meta_kept_as_it_is(tmp_path):
    arts = _collection()
    frame = to_dataframe(arts)
    assert len(frame) == 6  # five pairs and the quote without organizations
    path = tmp_path / "t.csv"
    with ArticleWriter(path) as writer:
        for article in arts:
            writer.write(article)
    table = pd.read_csv(path)
    assert list(frame.columns) == list(table.columns)
    same = ["id", "quote", "kind", "content", "target", "stance", "score_critical"]
    pd.testing.assert_frame_equal(frame[same], table[same], check_dtype=False)
    assert frame["meta.date"].iloc[-1] == dt.date(2024, 4, 1)  # not its JSON text, as in the csv
    assert to_dataframe([]).columns.tolist()[:3] == ["id", "quote", "kind"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "graphml", "gexf"])
def test_summary_formats_round_trip(fmt, tmp_path):
    frame = summarize(_collection())
    path = tmp_path / f"s.{fmt}"
    write_summary(frame, path, fmt)
    if fmt in ("csv", "parquet"):
        back = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
        assert back[["organization", "quotes", "critical"]].values.tolist() == (
            frame[["organization", "quotes", "critical"]].values.tolist()
        )
        return
    graph = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    # 'Council' speaks and is spoken about: two nodes, kept apart by kind.
    assert graph.nodes["speaker:Council"]["kind"] == "speaker"
    assert graph.nodes["organization:Council"]["kind"] == "organization"
    assert graph.nodes["speaker:"]["label"] == "(unknown speaker)"
    edge = graph.edges["speaker:Ann Lee", "organization:Council"]
    assert (int(edge["critical"]), int(edge["supportive"]), float(edge["weight"])) == (2, 1, 3)
    assert int(graph.nodes["organization:Union"]["quotes"]) == 2


def test_graph_with_a_breakdown_has_an_edge_per_group():
    frame = summarize(_collection(), by=["meta.outlet"])
    graph = summary_graph(frame, ["meta.outlet"])
    lee = ("speaker:Ann Lee", "organization:Council")
    keys = sorted(k for u, v, k in graph.edges(keys=True) if (u, v) == lee)
    assert keys == ["Daily", "Gazette"]


def test_segments_cover_each_mark_exactly_and_split_where_marks_overlap():
    art = _collection()[0]
    segs = segments(art)
    covered: dict[tuple[int, int, int], set[int]] = {}
    for start, end, marks in segs:
        assert start < end
        for mark in marks:
            covered.setdefault(mark, set()).update(range(start, end))
    for qi, q in enumerate(art.quotes):
        for role, spans in ((CONTENT, q.content), (CUE, q.cue), (SOURCE, q.source)):
            assert covered.get((role, qi, -1), set()) == {i for s, e in spans for i in range(s, e)}
        for ti, t in enumerate(q.targets):
            assert covered[(MENTION, qi, ti)] == {i for s, e in t.mentions for i in range(s, e)}
    # The mention inside the first content: content before it, content+mention, content after.
    first = [m for m in segs if (CONTENT, 0, -1) in m[2]]
    assert [len(m[2]) for m in first] == [1, 2, 1]


def test_article_html_highlights_and_escapes():
    art = _collection()[0]
    art.text = art.text[:-1] + "<"  # markup in the text must stay text (same length: offsets hold)
    html = article_html(art)
    assert "fine</span>&lt;</div>" in html
    assert '<span class="hl-content hl-mention st-critical" data-q="0"' in html
    assert 'title="Council: critical 0.80 (Ann Lee)"' in html
    assert art._repr_html_() == html
    spans = re.findall(r'<span class="hl-cue" data-q[^>]*>([^<]*)</span>', html)
    assert spans == ["said", "added", "said"]


def _report_data(path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="stance-data">(.*?)</script>', text)
    return json.loads(match.group(1))


def test_report_holds_the_summary_numbers_and_every_article(tmp_path):
    arts = _collection()
    arts[1].text = arts[1].text[:-1] + "</script><"  # a text that would close a <script> must not
    path = tmp_path / "r.html"
    stats = write_report(arts, path, by=["meta.outlet", "meta.date:month"], title="Test <report>")
    assert (stats.articles, stats.quotes, stats.pairs, stats.speakers, stats.organizations) == (3, 6, 5, 3, 2)
    data = _report_data(path)
    frame = summarize(arts)
    cells = {
        (data["speakers"][r[0]], data["organizations"][r[1]]): r[2:6] for r in data["cells"]
    }
    expected = {
        (_speaker(r), r.organization): [r.critical, r.supportive, r.neutral, r.unclassified]
        for r in frame.itertuples()
    }
    assert cells == expected
    months = data["breakdowns"][1]
    assert months["by"] == "meta.date:month" and months["values"] == ["2024-03", "2024-04"]
    assert len(data["pairs"]) == 5 and len(data["articles"]) == 3
    page = path.read_text(encoding="utf-8")
    assert "<title>Test &lt;report&gt;</title>" in page
    for i, article in enumerate(arts):
        chunk = re.search(rf'<script type="application/json" id="a{i}">(.*?)</script>', page).group(1)
        assert json.loads(chunk)["text"] == article.text
    assert "http://" not in page and "https://" not in page  # nothing to fetch at view time


def _records(tmp_path, lines: list[str]):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_summary_and_report_commands_account_for_every_record(tmp_path):
    arts = _collection()
    src = _records(tmp_path, [json.dumps(arts[0].to_dict(), default=str), "{not json", json.dumps(
        {**arts[1].to_dict(), "meta": {"outlet": "Gazette", "date": "2024-04-01"}})])
    out = tmp_path / "m.csv"
    result = runner.invoke(app, ["summary", str(src), "-o", str(out), "--by", "meta.outlet"])
    assert result.exit_code == 1  # a line was reported
    assert f"{src}:2: invalid JSON" in result.output
    assert "of 2 of 3 articles (6 quotes, 5 quote–organization pairs" in result.output
    assert "1 could not be read" in result.output
    table = pd.read_csv(out)
    assert table.quotes.sum() == 5 and set(table["meta.outlet"]) == {"Daily", "Gazette"}
    report = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(src), "-o", str(report), "--by", "meta.date:month"])
    assert result.exit_code == 1 and "of 2 of 3 articles" in result.output
    assert _report_data(report)["counts"]["pairs"] == 5


def test_summary_and_report_refuse_what_they_cannot_do_and_write_nothing(tmp_path):
    src = _records(tmp_path, [json.dumps(_collection()[0].to_dict())])
    existing = tmp_path / "m.csv"
    existing.write_text("keep", encoding="utf-8")
    cases = [
        (["summary", str(src), "-o", str(existing)], "--overwrite"),
        (["summary", str(src), "-o", str(tmp_path / "m.xlsx")], "unknown summary format"),
        (["summary", str(tmp_path / "t.csv"), "-o", str(tmp_path / "n.csv")], "a table, without the article"),
        (["report", str(src), "-o", str(tmp_path / "r.html"), "--by", "meta.outlett"], "no article has this"),
        (["report", str(src), "-o", str(tmp_path / "r.pdf")], "unknown output format"),
        (["report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html")], "no such file"),
    ]
    (tmp_path / "t.csv").write_text("id,text\n", encoding="utf-8")
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) <= 2, result.output
    assert existing.read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "n.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_an_input_that_holds_no_records_is_reported_and_the_rest_goes_on(tmp_path):
    src = _records(tmp_path, [json.dumps(_collection()[0].to_dict())])
    table = tmp_path / "t.csv"
    table.write_text("id,text\n", encoding="utf-8")
    for command, out in (("summary", tmp_path / "m.csv"), ("report", tmp_path / "r.html")):
        result = runner.invoke(app, [command, str(table), str(src), "-o", str(out)])
        assert result.exit_code == 1, result.output  # written, with the skipped input named
        assert f"{table}: a table, without the article text and offsets" in result.output
        # Records in = records out + records reported: the table counts as one input lost.
        assert "of 1 of 2 articles" in result.output and "1 could not be read" in result.output
        assert out.exists()


def test_breakdown_groups_are_the_meta_cells_of_the_csv_output(tmp_path):
    arts = _collection()
    arts[0].meta["desk"] = {"b": 1, "a": [True, None]}  # a value that is not text: JSON, as the csv has it
    path = tmp_path / "t.csv"
    with ArticleWriter(path) as writer:
        writer.write(arts[0])
    cell = pd.read_csv(path)["meta.desk"].iloc[0]
    assert GroupBy.parse("meta.desk").value(arts[0]) == (cell, False)
    assert set(summarize(arts[:1], by=["meta.desk"])["meta.desk"]) == {cell}


def test_summary_format_option_overrides_the_suffix(tmp_path):
    src = _records(tmp_path, [json.dumps(_collection()[0].to_dict())])
    out = tmp_path / "graph.xml"
    result = runner.invoke(app, ["summary", str(src), "-o", str(out), "--format", "graphml", "-q"])
    assert result.exit_code == 0 and result.output == ""
    assert nx.read_graphml(out).number_of_edges() == 1
