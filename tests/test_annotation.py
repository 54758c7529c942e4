"""The annotation loop: Label Studio and brat round trips, imports of edited annotations, and
`stance select` (no model is loaded here)."""

from __future__ import annotations

import copy
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from stance.cli import app
from stance.formats import brat, label_studio
from stance.io import Problems, read_records
from stance.records import Article, Quote, Target, article_from_dict
from stance.selection import Pair, select, uncertainty

runner = CliRunner()
GOLD = ROOT / "examples" / "gold.jsonl"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tricky() -> list[Article]:
    """Records that exercise what a round trip can lose: astral characters and \\r\\n before the
    spans (offsets are code points), a quote in two parts, one without cue or source, quotes out
    of text order, a target with two mentions, an unlabelled target, scores, nested meta, and ids
    that are not plain file names."""
    text = (
        "🙂 Intro.\r\n“Cuts hurt,” said Ann Lee, “and Acme knows it: the Acme board too.” "
        "Acme’s plan fails. Later: a headline."
    )

    def at(piece: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(piece, start + 1)
        return start, start + len(piece)

    q1 = Quote(
        content=[at("Cuts hurt,"), at("and Acme knows it: the Acme board too.")],
        cue=[at("said")],
        source=[at("Ann Lee")],
        speaker="Ann Lee",
        kind="direct",
        targets=[
            Target("Acme Corporation", [at("Acme"), at("Acme", 1)], "critical",
                   {"critical": 0.61, "supportive": 0.09, "neutral": 0.3}),
            Target("Acme board", [at("Acme board")], None),
        ],
    )  # fmt: skip
    q2 = Quote(content=[at("a headline.")], kind="indirect")
    q3 = Quote(content=[at("Acme’s plan fails.")], cue=[], source=[], speaker=None, kind="indirect",
               targets=[Target("Acme Corporation", [at("Acme", 2)], "neutral",
                               {"critical": 0.2, "supportive": 0.2, "neutral": 0.6})])  # fmt: skip
    first = Article("dir/sub/a:1.txt", text, {"outlet": "X", "n": [1, {"k": None}]}, [q1, q3, q2])
    others = [
        Article(".hidden/../odd id", "No quotes here.", {}, []),
        Article("100%/x", "“Yes,” she said.", {}, [Quote([(1, 4)], [(7, 11)], [(12, 15)], None, "direct")]),
    ]
    return [first, *others]


def _write(path: Path, articles: list[Article]) -> Path:
    path.write_text("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in articles), "utf-8")
    return path


# --------------------------------------------------------------------------- Label Studio


def test_label_studio_round_trip_of_the_examples_gold(tmp_path):
    tasks, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    result = runner.invoke(app, ["export", str(GOLD), "--format", "label-studio", "-o", str(tasks)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 of 5 articles (38 quotes)" in result.output
    result = runner.invoke(app, ["import", str(tasks), "--predictions", "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert _records(back) == _records(GOLD)
    # As annotations (gold), read back without --predictions.
    result = runner.invoke(app, ["export", str(GOLD), "--as-annotations", "-o", str(tasks), "--overwrite"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(tasks), "-o", str(back), "--overwrite"])
    assert result.exit_code == 0, result.output
    assert _records(back) == _records(GOLD)


def test_label_studio_round_trip_keeps_everything_on_hard_records(tmp_path):
    source = _write(tmp_path / "in.jsonl", _tricky())
    tasks, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    assert runner.invoke(app, ["export", str(source), "-o", str(tasks)]).exit_code == 0
    result = runner.invoke(app, ["import", str(tasks), "--predictions", "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert _records(back) == _records(source)
    # A person's annotation carries no model scores: the same tasks read as annotations drop them.
    data = json.loads(tasks.read_text("utf-8"))
    for item in data:
        item["annotations"] = item.pop("predictions")
    tasks.write_text(json.dumps(data), "utf-8")
    assert runner.invoke(app, ["import", str(tasks), "-o", str(back), "--overwrite"]).exit_code == 0
    (first, *_) = read_records(back)
    assert [t.scores for q in first.quotes for t in q.targets] == [None, None, None]
    assert [t.stance for q in first.quotes for t in q.targets] == ["critical", None, "neutral"]


def test_label_studio_tasks_follow_the_documented_format_and_the_printed_config():
    (article, *_) = _tricky()
    task = label_studio.task(article, organizations=["Bolt Ltd"])
    assert set(task["data"]) == {"text", "id", "meta", "organizations"}
    assert [o["value"] for o in task["data"]["organizations"]] == [
        "Acme Corporation", "Acme board", "Bolt Ltd", label_studio.OTHER,
    ]  # fmt: skip
    (prediction,) = task["predictions"]
    assert prediction["score"] == 0.6  # the least certain pair's top probability: uncertain tasks first
    config = ET.fromstring(label_studio.label_config())
    controls = {e.get("name"): e for e in config.iter() if e.get("toName")}
    (text_tag,) = [e for e in config.iter("Text")]
    ids = {r["id"] for r in prediction["result"] if r["type"] == "labels"}
    for item in prediction["result"]:
        if item["type"] == "relation":
            assert item["from_id"] in ids and item["to_id"] in ids and item["direction"] == "right"
            continue
        control = controls[item["from_name"]]
        assert item["to_name"] == text_tag.get("name") == control.get("toName")
        assert control.tag.lower() == item["type"]
        value = item["value"]
        assert article.text[value["start"] : value["end"]] == (
            value["text"] if item["type"] != "textarea" else article.text[value["start"] : value["end"]]
        )
        if item["type"] != "labels":  # per-region results share their region's id
            assert item["id"] in ids and control.get("perRegion") == "true"
        elif item["from_name"] == "span":
            allowed = {c.get("value") for c in control}
            assert set(value["labels"]) <= allowed
    # The speaker is a per-region text field whose value.text is what was typed.
    speaker = next(r for r in prediction["result"] if r["from_name"] == "speaker")
    assert speaker["value"]["text"] == ["Ann Lee"]


def _human_edit(task: dict) -> dict:
    """What an annotator does in Label Studio to the first tricky task, as its export holds it."""
    result = copy.deepcopy(task["predictions"][0]["result"])
    text = task["data"]["text"]
    random.Random(3).shuffle(result)  # the export's order is not the prediction's
    s = text.index("Later")
    # A new quote: content "Later" with no relation, an Other-organization mention with its name.
    result.append({"id": "newC", "from_name": "span", "to_name": "text", "type": "labels",
                   "value": {"start": s, "end": s + 5, "text": "Later", "labels": ["Content"]}})
    m = text.index("Intro")
    result.append({"id": "newM", "from_name": "organization", "to_name": "text", "type": "labels",
                   "value": {"start": m, "end": m + 5, "text": "Intro", "labels": [label_studio.OTHER]}})
    result.append({"id": "newM", "from_name": "name", "to_name": "text", "type": "textarea",
                   "value": {"start": m, "end": m + 5, "text": ["Intro Inc"]}})
    result.append({"from_id": "newM", "to_id": "newC", "type": "relation", "direction": "right"})
    # A region whose offsets no longer match its text.
    result.append({"id": "bad", "from_name": "span", "to_name": "text", "type": "labels",
                   "value": {"start": 0, "end": 4, "text": "Nope", "labels": ["Cue"]}})
    return {"id": 7, "data": task["data"], "predictions": task["predictions"], "annotations": [
        {"id": 1, "result": [], "was_cancelled": True, "updated_at": "2030-01-01T00:00:00Z"},
        {"id": 2, "result": [], "was_cancelled": False, "updated_at": "2020-01-01T00:00:00Z"},
        {"id": 3, "result": result, "was_cancelled": False, "updated_at": "2021-01-01T00:00:00Z"},
    ]}  # fmt: skip


def test_label_studio_import_reads_what_a_person_changed(tmp_path):
    articles = _tricky()
    task = label_studio.task(articles[0])
    export = tmp_path / "export.json"
    unlabelled = {"id": 8, "data": {"text": "x", "id": "later"}, "annotations": [], "predictions": []}
    export.write_text(json.dumps([_human_edit(task), unlabelled]), "utf-8")
    out = tmp_path / "back.jsonl"
    result = runner.invoke(app, ["import", str(export), "-o", str(out)])
    assert result.exit_code == 1  # something was reported
    assert "task 1 (Label Studio id 7): region bad (Cue) says 'Nope'" in result.output
    assert "task 2 (Label Studio id 8): no annotation" in result.output
    assert "wrote 1 of 2 tasks" in result.output and "1 could not be read or written" in result.output
    (back,) = read_records(out)
    original = articles[0]
    # The most recent completed annotation is read (not the cancelled one, not the older empty one);
    # its regions came in another order, so quotes are compared by content.
    by_content = {tuple(q.content): q for q in back.quotes}
    for quote in original.quotes:
        got = by_content.pop(tuple(quote.content))
        assert (got.cue, got.source, got.speaker) == (quote.cue, quote.source, quote.speaker)
        assert got.kind == quote.kind
        assert [(t.name, t.mentions, t.stance) for t in got.targets] == [
            (t.name, t.mentions, t.stance) for t in quote.targets
        ]
    (new,) = by_content.values()
    assert back.span_text(new.content) == "Later" and new.kind == "indirect"
    named = [(t.name, back.span_text(t.mentions), t.stance) for t in new.targets]
    assert named == [("Intro Inc", "Intro", None)]


def test_label_studio_import_refuses_what_is_not_a_json_export(tmp_path):
    minimal = tmp_path / "min.json"
    minimal.write_text(json.dumps([{"text": "a", "id": 1, "label": []}]), "utf-8")
    result = runner.invoke(app, ["import", str(minimal), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "JSON-MIN export; export the project as JSON" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("[{", "utf-8")
    result = runner.invoke(app, ["import", str(broken), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "broken.json: not JSON" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_export_config_and_refusals(tmp_path):
    result = runner.invoke(app, ["export", "--label-studio-config"])
    assert result.exit_code == 0 and result.output == label_studio.label_config()
    ET.fromstring(result.output)
    kept = tmp_path / "tasks.json"
    kept.write_text("[]\n", "utf-8")
    result = runner.invoke(app, ["export", str(GOLD), "-o", str(kept)])
    assert result.exit_code == 2 and "pass --overwrite to replace it" in result.output
    result = runner.invoke(app, ["export", str(GOLD), "-o", str(tmp_path / "t.jsonl")])
    assert result.exit_code == 2 and "use .json" in result.output
    result = runner.invoke(app, ["export", str(GOLD), "--format", "doccano", "-o", str(tmp_path / "t.json")])
    assert result.exit_code == 2 and "choose one of label-studio, brat" in result.output


def test_export_reports_a_bad_record_and_goes_on(tmp_path):
    lines = GOLD.read_text("utf-8").splitlines()
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([lines[0], '{"id": "x", "text": "ab", "quotes": [{"content": [[0, 9]]}]}',
                                 lines[1]]) + "\n", "utf-8")  # fmt: skip
    out = tmp_path / "tasks.json"
    result = runner.invoke(app, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "in.jsonl:2: quote 0 content span [0, 9] lies outside the text" in result.output
    assert "wrote 2 of 3 articles" in result.output
    assert len(json.loads(out.read_text("utf-8"))) == 2


# --------------------------------------------------------------------------- brat


def test_brat_round_trip_of_the_examples_gold(tmp_path):
    folder, back = tmp_path / "brat", tmp_path / "back.jsonl"
    result = runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "annotation.conf").read_text("utf-8") == brat.ANNOTATION_CONF
    assert (folder / "csto-armenia.txt.txt").read_text("utf-8") == read_records(GOLD)[0].text
    result = runner.invoke(app, ["import", str(folder), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 of 5 documents (38 quotes)" in result.output
    assert _records(back) == _records(GOLD)


def test_brat_round_trip_of_hard_records_and_odd_ids(tmp_path):
    articles = _tricky()
    source = _write(tmp_path / "in.jsonl", articles)
    folder, back = tmp_path / "brat", tmp_path / "back.jsonl"
    result = runner.invoke(app, ["export", str(source), "--format", "brat", "-o", str(folder)])
    assert "brat counts \\r\\n as one character" in result.output  # a warning, the export is made
    assert "the stance scores of 2 targets stay behind" in result.output
    documents = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.txt"))
    assert documents == ["%2Ehidden%2F..%2Fodd id.txt", "100%25/x.txt", "dir/sub/a%3A1.txt.txt"]
    assert runner.invoke(app, ["import", str(folder), "-o", str(back)]).exit_code == 0
    expected = _records(source)
    for record in expected:
        for quote in record["quotes"]:
            for target in quote["targets"]:
                target.pop("scores", None)
    assert _records(back) == expected


def test_brat_export_never_replaces_other_work(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "notes.pdf").write_bytes(b"%PDF")
    result = runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder)])
    assert result.exit_code == 2 and "exists and is not empty; pass --overwrite" in result.output
    result = runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder), "--overwrite"])
    assert result.exit_code == 2 and "not a brat export (notes.pdf); not replaced" in result.output
    assert (folder / "notes.pdf").exists()
    (folder / "notes.pdf").unlink()
    (folder / "old.ann").write_text("", "utf-8")
    result = runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder), "--overwrite"])
    assert result.exit_code == 0 and not (folder / "old.ann").exists()


POLNEAR_ANN = (
    "T1\tSource 0 3\tAnn\n"
    "T2\tCue 4 8\tsaid\n"
    "T3\tContent 9 15\tit was\n"
    "T4\tAttribution 4 8\tsaid\n"
    "T5\tContent 16 22\tbad\nok\n"
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3 Content2:T5\n"
    "T6\tDiscuss 0 3\tAnn\n"
    "#1\tAnnotatorNotes T3\ta note that is not a speaker\n"
    "T7\tContent 23 28\twrong\n"
    "T8\tAttribution-no-source 23 24\tx\n"
    "E2\tAttribution-no-source:T8 Content:T7\n"
)
POLNEAR_TEXT = "Ann said it was bad ok fine."


def test_brat_import_reads_polnear_files_as_the_converter_does(tmp_path):
    from stance.converters import polnear

    root = tmp_path / "polnear" / "data" / "train"
    for sub in ("text", "attributions"):
        (root / sub).mkdir(parents=True)
    (root / "text" / "doc.txt").write_text(POLNEAR_TEXT, "utf-8")
    (root / "attributions" / "doc_a1.ann").write_text(POLNEAR_ANN, "utf-8")
    skipped: list[tuple[str, str]] = []
    (converted,) = polnear.convert(tmp_path / "polnear", "train", on_skip=lambda r, w: skipped.append((r, w)))
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc.txt").write_text(POLNEAR_TEXT, "utf-8")
    (folder / "doc.ann").write_text(POLNEAR_ANN, "utf-8")
    problems = Problems()
    (imported,) = brat.read_folder(folder, problems)
    assert [q.to_dict() for q in imported.quotes] == [q.to_dict() for q in converted.quotes]
    assert converted.quotes[0].content == [(9, 15), (16, 22)] and converted.quotes[0].speaker is None
    assert skipped == [("span text differs from the .ann or lies outside the text", "doc_a1.ann:T7"),
                       ("attribution without a content span", "doc_a1.ann:E2")]  # fmt: skip
    assert [m.split(": ", 1)[1] for m in problems.messages] == [r for r, _ in skipped]


def test_brat_import_reports_hand_edits_it_cannot_use(tmp_path):
    folder = tmp_path / "brat"
    assert runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder)]).exit_code == 0
    ann = folder / "rail-strike.txt.ann"
    lines = ann.read_text("utf-8").splitlines()
    stance_line = next(i for i, line in enumerate(lines) if "\tStance " in line)
    tid = lines[stance_line].split()[2]
    lines[stance_line] = lines[stance_line].rsplit(" ", 1)[0] + " hostile"
    note = next(i for i, line in enumerate(lines) if line.startswith("#") and f" {tid}\t" in line)
    del lines[note]
    text = (folder / "rail-strike.txt.txt").read_text("utf-8")
    lines.append(f"T999\tOrganization 0 4\t{text[:4]}")
    ann.write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "new.txt").write_text("An added document.", "utf-8")
    out = tmp_path / "back.jsonl"
    result = runner.invoke(app, ["import", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    assert f"rail-strike.txt.ann:{tid}: Stance 'hostile' is not one of" in result.output
    assert f"rail-strike.txt.ann:{tid}: organization mention without a name note" in result.output
    assert "rail-strike.txt.ann:T999: organization mention that is no attribution's Target" in result.output
    assert "new.txt: no .ann beside it" in result.output
    assert "wrote 6 of 6 documents" in result.output
    assert read_records(out)[-1].id == "new"  # added after the export's own order


def test_brat_export_writes_meta_from_tables_as_strict_json(tmp_path):
    # A parquet input hands over dates and NaN (pandas' missing value) in meta.
    import datetime as dt

    import pandas as pd

    source = tmp_path / "in.parquet"
    pd.DataFrame({"id": ["a", "b"], "text": ["Ann said hi.", "Bob said no."],
                  "date": [dt.date(2024, 1, 2), dt.date(2024, 2, 3)], "n": [1.0, float("nan")]}
                 ).to_parquet(source)  # fmt: skip
    folder, back = tmp_path / "brat", tmp_path / "back.jsonl"
    result = runner.invoke(app, ["export", str(source), "--format", "brat", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 of 2 articles" in result.output
    for line in (folder / brat.META_FILE).read_text("utf-8").splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert runner.invoke(app, ["import", str(folder), "-o", str(back)]).exit_code == 0
    metas = [a.meta for a in read_records(back)]
    assert metas == [{"date": "2024-01-02", "n": 1.0}, {"date": "2024-02-03", "n": None}]


def test_brat_import_names_each_file_it_cannot_read_and_counts_it(tmp_path):
    folder = tmp_path / "brat"
    assert runner.invoke(app, ["export", str(GOLD), "--format", "brat", "-o", str(folder)]).exit_code == 0
    (folder / "rail-strike.txt.ann").write_bytes(b"T1\tCue 0 4\t\xff\n")  # the .ann, not its .txt, is bad
    (folder / "stadium-dispute.txt.txt").unlink()  # annotations left without their text
    (folder / brat.META_FILE).write_bytes(b"\xff\n")
    out = tmp_path / "back.jsonl"
    result = runner.invoke(app, ["import", str(folder), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert f"{folder / 'rail-strike.txt.ann'}: not valid UTF-8" in result.output
    assert f"{folder / 'stadium-dispute.txt.ann'}: no .txt beside it" in result.output
    assert f"{folder / brat.META_FILE}: not valid UTF-8" in result.output
    # Records in = records out + records reported: 5 documents, 3 written, 2 named.
    assert "wrote 3 of 5 documents" in result.output and "2 could not be read or written" in result.output
    assert sorted(a.id for a in read_records(out)) == ["csto-armenia.txt", "ema-obesity-drug.txt",
                                                        "famine-report.txt"]  # fmt: skip


# --------------------------------------------------------------------------- select


def test_uncertainty_is_normalised_entropy():
    assert uncertainty({"critical": 1 / 3, "supportive": 1 / 3, "neutral": 1 / 3}) == pytest.approx(1.0)
    assert uncertainty({"critical": 1.0, "supportive": 0.0, "neutral": 0.0}) == 0.0
    assert 0 < uncertainty({"critical": 0.7, "supportive": 0.2, "neutral": 0.1}) < 1
    assert uncertainty(None) is None and uncertainty({"critical": 0.5}) is None


def _naive_diverse(candidates: list[Pair], n: int) -> list[Pair]:
    chosen: list[Pair] = []
    left = [(i, p) for i, p in enumerate(candidates) if p.uncertainty is not None]
    while left and len(chosen) < n:
        def value(p: Pair) -> float:
            repeats = sum(c.article == p.article for c in chosen) + sum(c.organization == p.organization
                                                                       for c in chosen)
            if p.speaker is not None:
                repeats += sum(c.speaker is not None and c.speaker.casefold() == p.speaker.casefold()
                               for c in chosen)
            return p.uncertainty * 0.5**repeats
        best = max(left, key=lambda ip: (value(ip[1]), -ip[0]))
        chosen.append(best[1])
        left.remove(best)
    return chosen  # fmt: skip


def test_diverse_selection_spreads_and_equals_the_plain_greedy_choice():
    rng = random.Random(5)
    candidates = [
        Pair(a, q, 0, f"a{a}", rng.choice(["Ann", "Bob", None]), rng.choice(["acme", "bolt", "who"]),
             round(rng.random(), 2))
        for a in range(12) for q in range(rng.randint(1, 6))
    ]  # fmt: skip
    for n in (1, 5, 17, 200):
        assert select(candidates, n, "diverse") == _naive_diverse(candidates, n)
    # One article full of uncertain pairs: uncertainty piles up there, diverse spreads.
    crowded = [Pair(0, q, 0, "a0", "Ann", "acme", 0.99) for q in range(10)]
    crowded += [Pair(a, 0, 0, f"a{a}", f"S{a}", f"org{a}", 0.8) for a in range(1, 6)]
    assert {p.article for p in select(crowded, 5, "uncertainty")} == {0}
    assert {p.article for p in select(crowded, 5, "diverse")} == {0, 1, 2, 3, 4}
    assert select(crowded, 4, "random", seed=1) == select(crowded, 4, "random", seed=1)


def _scored_records(tmp_path: Path) -> Path:
    articles = read_records(GOLD)
    rng = random.Random(0)
    for article in articles:
        for quote in article.quotes:
            for target in quote.targets:
                weights = [rng.random() for _ in range(3)]
                target.scores = {k: w / sum(weights) for k, w in zip(("critical", "supportive", "neutral"),
                                                                      weights, strict=True)}  # fmt: skip
    return _write(tmp_path / "scored.jsonl", articles)


def test_select_writes_records_of_just_the_chosen_pairs(tmp_path):
    source = _scored_records(tmp_path)
    out = tmp_path / "batch.jsonl"
    result = runner.invoke(app, ["select", str(source), "--n", "6", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "chose 6 of 29 pairs, diverse: 5 articles" in result.output
    assert "read 5 articles, wrote the 5 holding them" in result.output
    original = {a.id: a for a in read_records(source)}
    chosen = read_records(out)
    assert sum(len(q.targets) for a in chosen for q in a.quotes) == 6
    for article in chosen:
        whole = original[article.id]
        for quote in article.quotes:
            (match,) = [q for q in whole.quotes if q.content == quote.content]
            assert all(t in match.targets for t in quote.targets)
    # Pairs already labelled are never chosen again, and the rest can be.
    again = tmp_path / "again.jsonl"
    result = runner.invoke(app, ["select", str(source), "--n", "40", "-o", str(again), "--exclude", str(out)])
    assert result.exit_code == 0, result.output
    assert "chose 23 of 23 pairs (6 already labelled left out)" in result.output
    # Without scores only random can choose.
    result = runner.invoke(app, ["select", str(GOLD), "--n", "3", "-o", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2 and "no pair has stance scores" in result.output
    result = runner.invoke(app, ["select", str(GOLD), "--n", "3", "--strategy", "random",
                                 "-o", str(tmp_path / "x.jsonl")])  # fmt: skip
    assert result.exit_code == 0 and "chose 3 of 29 pairs, random" in result.output
    article_from_dict(_records(tmp_path / "x.jsonl")[0])


def test_select_refuses_an_unknown_strategy_before_reading_anything(tmp_path):
    from stance.annotation import select_batch

    # The library checks it first (the file does not even exist), so a script learns it at once.
    with pytest.raises(ValueError, match="unknown strategy 'nope': choose one of diverse"):
        select_batch(tmp_path / "missing.jsonl", tmp_path / "o.jsonl", 5, Problems(), strategy="nope")
    result = runner.invoke(app, ["select", str(GOLD), "--strategy", "nope", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "unknown strategy 'nope'" in result.output
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("command", ["export", "import", "select"])
def test_annotation_commands_have_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and f"Example: stance {command}" in result.output


def test_label_studio_disagreeing_mentions_keep_what_a_person_set():
    (article, *_) = _tricky()
    task = label_studio.task(article)
    result = task["predictions"][0]["result"]
    choices = [r for r in result if r.get("from_name") == "stance" and r["id"].startswith("q0-t0-")]
    assert len(choices) == 2  # two mentions of Acme Corporation, both 'critical'
    choices[1]["value"]["choices"], choices[1]["origin"] = ["supportive"], "prediction-changed"
    problems = Problems()
    back = label_studio.task_article({"data": task["data"], "annotations": [{"result": result}]}, "t", False,
                                     problems)  # fmt: skip
    (acme, _) = back.quotes[0].targets
    assert (acme.name, acme.stance) == ("Acme Corporation", "supportive")
    assert problems.messages == [
        "t: mentions of 'Acme Corporation' in one quote disagree on the stance (supportive, critical); "
        "kept 'supportive', set by the annotator"
    ]


def _pair_article(article_id: str, labels: dict[str, str | None]) -> Article:
    text = "Ann Lee said Acme and Bolt failed."
    content = [(13, 33)]
    targets = [
        Target(name, [(text.index(name), text.index(name) + len(name))], stance)
        for name, stance in labels.items()
    ]
    return Article(article_id, text, quotes=[Quote(content, targets=targets)])


def test_corrections_replace_the_pairs_they_relabel_and_keep_the_rest():
    from stance.annotation import with_corrections

    train = {
        "train.jsonl": [
            _pair_article("a1", {"Acme": "neutral", "Bolt": "neutral"}),
            _pair_article("a2", {"Acme": "supportive"}),
        ]
    }
    extra = {
        "corrected.jsonl": [
            _pair_article("a1", {"Acme": "critical"}),
            _pair_article("a9", {"Bolt": "critical", "Acme": None}),
        ]
    }
    merged, corrections = with_corrections(train, extra, dev=[_pair_article("d1", {"Acme": "neutral"})])
    assert (corrections.pairs, corrections.replaced) == (2, 1)
    labels = [
        (name, a.id, t.name, t.stance)
        for name, arts in merged.items()
        for a in arts
        for q in a.quotes
        for t in q.targets
    ]
    assert labels == [
        ("train.jsonl", "a1", "Bolt", "neutral"),
        ("train.jsonl", "a2", "Acme", "supportive"),
        ("corrected.jsonl", "a1", "Acme", "critical"),
        ("corrected.jsonl", "a9", "Bolt", "critical"),
        ("corrected.jsonl", "a9", "Acme", None),
    ]
    assert train["train.jsonl"][0].quotes[0].targets[0].stance == "neutral"  # the input is not changed


def test_corrections_of_dev_articles_are_refused():
    from stance.annotation import with_corrections

    with pytest.raises(ValueError, match=r"corrected.jsonl: 1 of its articles are in the dev set \(d1\)"):
        with_corrections(
            {}, {"corrected.jsonl": [_pair_article("d1", {"Acme": "critical"})]}, [_pair_article("d1", {})]
        )
