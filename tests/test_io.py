"""Readers and writers of article collections (stance.io)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stance.io import (
    ArticleWriter,
    InputError,
    Problems,
    iter_articles,
    output_format,
    read_records,
)
from stance.records import Article, Quote, RecordError, Target

COLUMNS = [
    "id",
    "quote",
    "kind",
    "speaker",
    "source",
    "cue",
    "content",
    "content_spans",
    "confidence",
    "target",
    "target_mentions",
    "stance",
    "score_critical",
    "score_supportive",
    "score_neutral",
]


def _collect(inputs, **kwargs):
    """(articles, error messages) of iter_articles with a collecting on_error."""
    errors: list[str] = []
    articles = list(iter_articles(inputs, on_error=errors.append, **kwargs))
    return articles, errors


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sample_articles() -> list[Article]:
    text = 'Peskov said "NATO is a threat, and the EU too." Blinken, however, praised the UN.'
    # "NATO is a threat, and the EU too." -> content inside the marks
    content = (text.index("NATO"), text.index('."') + 1)
    nato = (text.index("NATO"), text.index("NATO") + 4)
    eu = (text.index("EU"), text.index("EU") + 2)
    un = (text.index("UN"), text.index("UN") + 2)
    praised = (text.index("praised"), text.index("praised") + 7)
    first = Quote(
        content=[content],
        cue=[(7, 11)],
        source=[(0, 6)],
        speaker="Dmitry Peskov",
        kind="direct",
        targets=[
            Target("NATO", [nato], "critical", {"critical": 0.8, "supportive": 0.05, "neutral": 0.15}),
            Target("European Union", [eu], None, None),
        ],
    )
    second = Quote(
        content=[(text.index("the UN"), len(text) - 1)],
        cue=[praised],
        source=[(text.index("Blinken"), text.index("Blinken") + 7)],
        speaker="Antony Blinken",
        kind="indirect",
        targets=[],
    )
    two_spans = Quote(content=[(0, 6), (7, 11)], kind="mixed", targets=[Target("United Nations", [un])])
    return [
        Article("a1", text, {"source": "wire", "n": 3}, [first, second, two_spans]),
        Article("a2", "Nothing quoted here.", {}, []),
    ]


# --------------------------------------------------------------------------- folders and text files


def test_folder_recursive_ids_and_exact_text(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "b.txt").write_bytes(b"Line one\r\nLine two\r\n")
    (root / "a.md").write_bytes("Zürich — “quoted” ünïcode\n".encode())
    (root / "sub" / "c.txt").write_bytes(b"in sub")
    (root / "sub" / "deeper" / "d.TXT").write_bytes(b"deep")
    (root / "sub" / "ignored.json").write_bytes(b"{}")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "e.txt").write_bytes(b"hidden")

    articles, errors = _collect([root])

    assert errors == []
    assert [a.id for a in articles] == ["a.md", "b.txt", "sub/c.txt", "sub/deeper/d.TXT"]
    assert articles[0].text == "Zürich — “quoted” ünïcode\n"
    assert articles[1].text == "Line one\r\nLine two\r\n"  # \r\n kept: offsets index the file
    assert articles[2].text == "in sub"
    assert all(a.meta == {} and a.quotes == [] for a in articles)


def test_folder_skips_invalid_utf8_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"fine")
    (tmp_path / "b.txt").write_bytes(b"caf\xe9 latin-1")
    (tmp_path / "c.txt").write_bytes(b"also fine")

    articles, errors = _collect([str(tmp_path)])

    assert [a.id for a in articles] == ["a.txt", "c.txt"]
    assert len(errors) == 1 and "b.txt" in errors[0] and "UTF-8" in errors[0]
    with pytest.raises(RecordError, match="b.txt"):
        list(iter_articles([tmp_path]))


def test_single_text_file_and_inputs_in_order(tmp_path):
    one = tmp_path / "one.md"
    one.write_text("# Title\n", encoding="utf-8")
    rows = _write_jsonl(tmp_path / "rows.jsonl", ['{"text": "row text"}'])

    articles, errors = _collect([rows, one])

    assert errors == []
    assert [(a.id, a.text) for a in articles] == [("rows.jsonl:1", "row text"), ("one.md", "# Title\n")]


def test_empty_folder_is_an_input_error(tmp_path):
    (tmp_path / "data.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no .txt or .md files"):
        list(iter_articles([tmp_path]))


# --------------------------------------------------------------------------- jsonl


def test_jsonl_plain_rows_ids_and_meta(tmp_path):
    path = _write_jsonl(
        tmp_path / "news.jsonl",
        [
            json.dumps({"id": "x1", "text": "First.", "outlet": "Reuters", "meta": {"lang": "en"}}),
            "",
            json.dumps({"text": "Second, no id.", "date": "2024-01-02"}),
            json.dumps({"id": 7, "text": "Numeric id."}),
        ],
    )

    articles, errors = _collect([path])

    assert errors == []
    assert [a.id for a in articles] == ["x1", "news.jsonl:3", "7"]
    assert [a.text for a in articles] == ["First.", "Second, no id.", "Numeric id."]
    assert articles[0].meta == {"outlet": "Reuters", "lang": "en"}
    assert articles[1].meta == {"date": "2024-01-02"}
    assert articles[2].meta == {}


def test_jsonl_custom_columns(tmp_path):
    row = {"doc": "d1", "body": "Body text.", "text": "other"}
    path = _write_jsonl(tmp_path / "c.jsonl", [json.dumps(row)])

    articles, errors = _collect([path], text_column="body", id_column="doc")

    assert errors == []
    assert (articles[0].id, articles[0].text, articles[0].meta) == ("d1", "Body text.", {"text": "other"})


def test_jsonl_full_records_with_quotes(tmp_path):
    original = _sample_articles()[0]
    record = original.to_dict()
    record["extra"] = "ignored"
    record["quotes"][0]["model"] = "ignored too"
    no_id = {"text": "Short.", "quotes": []}
    path = _write_jsonl(tmp_path / "rec.jsonl", [json.dumps(record, ensure_ascii=False), json.dumps(no_id)])

    articles, errors = _collect([path])

    assert errors == []
    assert articles[0].to_dict() == original.to_dict()
    assert articles[0].meta == {"source": "wire", "n": 3}
    assert articles[0].quotes[0].targets[0].scores == {"critical": 0.8, "supportive": 0.05, "neutral": 0.15}
    assert (articles[1].id, articles[1].text, articles[1].quotes) == ("rec.jsonl:2", "Short.", [])


def test_jsonl_bad_lines_reported_with_line_numbers(tmp_path):
    path = _write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            json.dumps({"id": "ok1", "text": "Good."}),
            '{"id": "broken", "text": ',
            json.dumps({"id": "notext", "body": "no text field"}),
            json.dumps({"id": "num", "text": 42}),
            json.dumps({"id": "out", "text": "abc", "quotes": [{"content": [[0, 10]]}]}),
            "[1, 2]",
            json.dumps({"id": "ok2", "text": "Also good."}),
        ],
    )

    articles, errors = _collect([path])

    assert [a.id for a in articles] == ["ok1", "ok2"]
    assert len(errors) == 5
    for lineno, error in zip([2, 3, 4, 5, 6], errors, strict=True):
        assert error.startswith(f"{path}:{lineno}: ")
    assert "invalid JSON" in errors[0]
    assert "'text'" in errors[1]
    assert "not a string" in errors[2]
    assert "outside the text" in errors[3]


def test_jsonl_invalid_utf8_line(tmp_path):
    path = tmp_path / "enc.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n{"text": "fine"}\n')

    articles, errors = _collect([path])

    assert [a.text for a in articles] == ["ok", "fine"]
    assert len(errors) == 1 and errors[0].startswith(f"{path}:2: not valid UTF-8")


def test_strict_mode_raises_on_bad_row(tmp_path):
    path = _write_jsonl(tmp_path / "gold.jsonl", [json.dumps({"text": "fine"}), "not json"])
    articles = iter_articles([path])
    assert next(articles).text == "fine"
    with pytest.raises(RecordError, match=r"gold\.jsonl:2: invalid JSON"):
        next(articles)


def test_duplicate_ids_reported_but_kept(tmp_path):
    first = _write_jsonl(tmp_path / "a.jsonl", [json.dumps({"id": "same", "text": "one"})])
    second = _write_jsonl(tmp_path / "b.jsonl", [json.dumps({"id": "same", "text": "two"})])

    articles, errors = _collect([first, second])

    assert [a.text for a in articles] == ["one", "two"]
    assert len(errors) == 1 and errors[0].startswith(f"{second}:1: duplicate id 'same'")


# --------------------------------------------------------------------------- csv and parquet input


def test_csv_custom_columns_and_meta(tmp_path):
    path = tmp_path / "table.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["doc_id", "body", "outlet"])
        writer.writerow(["d1", 'He said "yes".\r\nNext line.', "AP"])
        writer.writerow(["", "No id here.", "BBC"])
        writer.writerow(["d3", "", "CNN"])
        writer.writerow(["d4", "Last.", "DW"])

    articles, errors = _collect([path], text_column="body", id_column="doc_id")

    assert [a.id for a in articles] == ["d1", "table.csv:2", "d4"]
    assert articles[0].text == 'He said "yes".\r\nNext line.'
    assert [a.meta for a in articles] == [{"outlet": "AP"}, {"outlet": "BBC"}, {"outlet": "DW"}]
    # Named by the line the row starts on: d1's text spans lines 2 and 3.
    assert len(errors) == 1 and errors[0].startswith(f"{path}:5:") and "empty 'body'" in errors[0]


def test_csv_missing_text_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: no column 'text' \(columns: id, body\)"):
        list(iter_articles([path]))
    # With a handler, the whole input is reported once and the others are still read.
    other = _write_jsonl(tmp_path / "ok.jsonl", [json.dumps({"text": "Fine."})])
    articles, errors = _collect([path, other])
    assert [a.text for a in articles] == ["Fine."]
    assert len(errors) == 1 and "no column 'text'" in errors[0] and errors[0].endswith("input skipped")


def test_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    table = pa.table({"id": ["p1", None, "p3"], "text": ["One.", "Two.", None], "year": [2020, 2021, 2022]})
    pq.write_table(table, path)

    articles, errors = _collect([path])

    assert [(a.id, a.text, a.meta) for a in articles] == [
        ("p1", "One.", {"year": 2020}),
        ("p.parquet:2", "Two.", {"year": 2021}),
    ]
    assert len(errors) == 1 and errors[0].startswith(f"{path}: row 3:")
    with pytest.raises(InputError, match="no column 'body'"):
        list(iter_articles([path], text_column="body"))


# --------------------------------------------------------------------------- datasets


def test_save_to_disk_dataset(tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved"
    columns = {"id": ["s1", "s2"], "text": ["Alpha.", "Beta\r\n"], "lang": ["en", "de"]}
    datasets.Dataset.from_dict(columns).save_to_disk(str(folder))

    articles, errors = _collect([folder])

    assert errors == []
    assert [(a.id, a.text, a.meta) for a in articles] == [
        ("s1", "Alpha.", {"lang": "en"}),
        ("s2", "Beta\r\n", {"lang": "de"}),
    ]


def test_save_to_disk_dataset_dict_split(tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "dd"
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"body": ["Train text."]}),
            "test": datasets.Dataset.from_dict({"body": ["Test one.", "Test two."]}),
        }
    ).save_to_disk(str(folder))

    articles, errors = _collect([folder], text_column="body", split="test")

    assert errors == []
    assert [(a.id, a.text) for a in articles] == [("dd:1", "Test one."), ("dd:2", "Test two.")]
    with pytest.raises(InputError, match="no split 'validation'"):
        list(iter_articles([folder], text_column="body", split="validation"))
    with pytest.raises(InputError, match="no column 'text'"):
        list(iter_articles([folder], split="train"))


def test_dataset_name_goes_to_load_dataset(monkeypatch):
    datasets = pytest.importorskip("datasets")
    calls = []

    def fake_load(name, split, streaming):
        calls.append((name, split, streaming))
        return iter([{"text": "Streamed.", "label": 1}])

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    articles, errors = _collect(["hf:someone/news"], split="validation")

    assert calls == [("someone/news", "validation", True)]
    assert [(a.id, a.text, a.meta) for a in articles] == [("someone/news:1", "Streamed.", {"label": 1})]


def test_dataset_name_that_cannot_load(monkeypatch):
    datasets = pytest.importorskip("datasets")

    def fail(*args, **kwargs):
        raise FileNotFoundError("Dataset 'nope' doesn't exist on the Hub\nsecond line")

    monkeypatch.setattr(datasets, "load_dataset", fail)
    with pytest.raises(InputError) as info:
        list(iter_articles(["hf:nope"]))
    assert str(info.value) == (
        "nope: not a file or folder, and datasets could not load it: Dataset 'nope' doesn't exist on the Hub"
    )


def test_a_name_that_is_not_on_disk_fails_at_once_without_the_network(monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("went to the Hub"))
    with pytest.raises(InputError, match=r"^someone/news: no such file or folder \(a Hub dataset is named"):
        iter_articles(["someone/news"])


# --------------------------------------------------------------------------- input errors


def test_missing_inputs_fail_before_reading(tmp_path):
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file"):
        iter_articles([tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match="no such file or folder"):
        iter_articles([str(tmp_path / "no" / "folder")])
    with pytest.raises(InputError, match="no such file"):
        iter_articles(["typo.csv"])


def test_unknown_input_suffix(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"unsupported file type '\.json'.*\.jsonl"):
        iter_articles([path])


# --------------------------------------------------------------------------- read_records


def test_read_records_round_trip_and_strictness(tmp_path):
    good = tmp_path / "gold.jsonl"
    with ArticleWriter(good) as writer:
        for article in _sample_articles():
            writer.write(article)
    assert [a.to_dict() for a in read_records(good)] == [a.to_dict() for a in _sample_articles()]

    no_id = _write_jsonl(tmp_path / "noid.jsonl", [json.dumps({"id": "a", "text": "x"}), '{"text": "y"}'])
    with pytest.raises(RecordError, match=r"noid\.jsonl:2: the record has no 'id'"):
        read_records(no_id)
    record = {"id": "a", "text": "xy", "quotes": [{"content": [[0, 1]], "kind": "odd"}]}
    bad_kind = _write_jsonl(tmp_path / "kind.jsonl", [json.dumps(record)])
    with pytest.raises(RecordError, match=r"kind\.jsonl:1: quote 0: kind 'odd'"):
        read_records(bad_kind)
    dup = _write_jsonl(tmp_path / "dup.jsonl", [json.dumps({"id": "a", "text": "x"})] * 2)
    with pytest.raises(RecordError, match=r"dup\.jsonl:2: duplicate id 'a'"):
        read_records(dup)


# --------------------------------------------------------------------------- writers


def test_output_format():
    paths = ["a.jsonl", "b.CSV", Path("c/d.parquet")]
    assert [output_format(p) for p in paths] == ["jsonl", "csv", "parquet"]
    message = r"out\.json: unknown output format '\.json'; use \.jsonl, \.csv, \.parquet"
    with pytest.raises(InputError, match=message):
        output_format("out.json")


def test_writer_unknown_suffix_creates_nothing(tmp_path):
    with pytest.raises(InputError, match="unknown output format"):
        ArticleWriter(tmp_path / "new" / "out.txt")
    assert not (tmp_path / "new").exists()


def test_jsonl_writer_lines_and_parent_dirs(tmp_path):
    path = tmp_path / "deep" / "er" / "out.jsonl"
    article = Article("ü", "Grüße\r\n“quoted”", {"when": "today"}, [])
    with ArticleWriter(path) as writer:
        writer.write(article)
    raw = path.read_text(encoding="utf-8")
    assert raw == json.dumps(article.to_dict(), ensure_ascii=False) + "\n"
    assert "Grüße" in raw  # not \u-escaped


EXPECTED_ROWS = [
    {
        "id": "a1",
        "quote": 0,
        "kind": "direct",
        "speaker": "Dmitry Peskov",
        "source": "Peskov",
        "cue": "said",
        "content": "NATO is a threat, and the EU too.",
        "content_spans": "[[13, 46]]",
        "confidence": None,
        "target": "NATO",
        "target_mentions": "[[13, 17]]",
        "stance": "critical",
        "score_critical": 0.8,
        "score_supportive": 0.05,
        "score_neutral": 0.15,
    },
    {
        "id": "a1",
        "quote": 0,
        "kind": "direct",
        "speaker": "Dmitry Peskov",
        "source": "Peskov",
        "cue": "said",
        "content": "NATO is a threat, and the EU too.",
        "content_spans": "[[13, 46]]",
        "confidence": None,
        "target": "European Union",
        "target_mentions": "[[39, 41]]",
        "stance": None,
        "score_critical": None,
        "score_supportive": None,
        "score_neutral": None,
    },
    {
        "id": "a1",
        "quote": 1,
        "kind": "indirect",
        "speaker": "Antony Blinken",
        "source": "Blinken",
        "cue": "praised",
        "content": "the UN",
        "content_spans": "[[74, 80]]",
        "confidence": None,
        "target": None,
        "target_mentions": None,
        "stance": None,
        "score_critical": None,
        "score_supportive": None,
        "score_neutral": None,
    },
    {
        "id": "a1",
        "quote": 2,
        "kind": "mixed",
        "speaker": None,
        "source": "",
        "cue": "",
        "content": "Peskov … said",
        "content_spans": "[[0, 6], [7, 11]]",
        "confidence": None,
        "target": "United Nations",
        "target_mentions": "[[78, 80]]",
        "stance": None,
        "score_critical": None,
        "score_supportive": None,
        "score_neutral": None,
    },
]


def test_sample_offsets_are_what_the_expected_rows_say():
    text = _sample_articles()[0].text
    assert text[13:46] == "NATO is a threat, and the EU too."
    assert text[39:41] == "EU" and text[78:80] == "UN" and text[74:80] == "the UN"


# a1's meta, as table cells: text as it is, other values as JSON.
META_CELLS = {"meta.source": "wire", "meta.n": "3"}


def test_csv_writer_rows(tmp_path):
    path = tmp_path / "out.csv"
    with ArticleWriter(path) as writer:
        for article in _sample_articles():
            writer.write(article)

    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS + list(META_CELLS)
        rows = list(reader)

    def as_csv(value):
        return "" if value is None else str(value)

    assert rows == [{k: as_csv(v) for k, v in {**row, **META_CELLS}.items()} for row in EXPECTED_ROWS]


def test_parquet_writer_rows_and_schema(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    with ArticleWriter(path) as writer:
        for article in _sample_articles():
            writer.write(article)

    table = pq.read_table(path)
    assert table.column_names == COLUMNS + list(META_CELLS)
    assert table.schema.field("quote").type == pa.int64()
    assert table.schema.field("score_neutral").type == pa.float64()
    assert table.schema.field("speaker").type == pa.string()
    assert table.to_pylist() == [{**row, **META_CELLS} for row in EXPECTED_ROWS]


def test_parquet_writer_batches_and_empty_file(tmp_path):
    import pyarrow.parquet as pq

    empty = tmp_path / "empty.parquet"
    with ArticleWriter(empty) as writer:
        writer.write(Article("none", "No quotes."))
    table = pq.read_table(empty)
    assert table.num_rows == 0 and table.column_names == COLUMNS

    many = tmp_path / "many.parquet"
    quote = Quote(content=[(0, 3)])
    with ArticleWriter(many) as writer:
        for i in range(2500):
            writer.write(Article(f"n{i}", "abc def", quotes=[quote]))
    table = pq.read_table(many)
    assert table.num_rows == 2500
    assert table.column("id").to_pylist()[::1000] == ["n0", "n1000", "n2000"]
    assert set(table.column("content").to_pylist()) == {"abc"}


def test_writer_closes_on_error_and_rejects_writes_after_close(tmp_path):
    path = tmp_path / "partial.jsonl"
    with pytest.raises(RuntimeError), ArticleWriter(path) as writer:
        writer.write(Article("done", "Finished."))
        raise RuntimeError("crash mid-run")
    assert [a.id for a in read_records(path)] == ["done"]
    with pytest.raises(ValueError, match="closed"):
        writer.write(Article("late", "Too late."))


# --------------------------------------------------------------------------- hostile inputs (issue 10)


def test_folder_reports_links_fifos_and_undecodable_names_and_goes_on(tmp_path):
    import os

    (tmp_path / "a.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.txt"), "w", encoding="utf-8") as f:
        f.write("Bytes in the name.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "z.txt").write_text("Last.", encoding="utf-8")

    problems = Problems()
    articles = list(iter_articles([tmp_path], on_error=problems))

    assert [(a.id, a.text) for a in articles] == [
        ("a.txt", "First."),
        ("bad\\xff.txt", "Bytes in the name."),
        ("sub/z.txt", "Last."),
    ]
    reasons = sorted(m.split(": ", 1)[1] for m in problems.messages)
    assert reasons == [
        "a FIFO (named pipe), not a regular file; skipped",
        "a broken symbolic link; skipped",
        "a symbolic link loop; skipped",
    ]
    assert problems.lost == 3
    json.dumps([a.to_dict() for a in articles], ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_csv_unterminated_quote_costs_one_line_not_the_rows_after_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        'id,text\n1,"One."\n2,"Two, never closed\n3,"Three."\n4,Four.\n5,"Five."\n', encoding="utf-8"
    )
    problems = Problems()
    articles = list(iter_articles([path], on_error=problems))
    assert [a.text for a in articles] == ["One.", "Three.", "Four.", "Five."]
    assert len(problems.messages) == 1 and problems.messages[0].startswith(f"{path}:3: ")


def test_csv_bad_byte_in_a_data_row_costs_that_row_only(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,text\n1,Fine.\n2,Bad \xff byte.\n3,Also fine.\n")
    problems = Problems()
    articles = list(iter_articles([path], on_error=problems))
    assert [a.text for a in articles] == ["Fine.", "Also fine."]
    assert problems.messages == [f"{path}:3: not valid UTF-8 (invalid start byte at byte 6); line skipped"]


def test_lone_surrogate_in_json_becomes_a_replacement_character_with_a_warning(tmp_path):
    line = '{"id": "s", "text": "Hi \\ud83d there", "meta": {"k": "\\udc00"}}'
    path = _write_jsonl(tmp_path / "s.jsonl", [line])
    problems = Problems()
    (article,) = list(iter_articles([path], on_error=problems))
    assert article.text == "Hi \ufffd there" and article.meta == {"k": "\ufffd"}
    assert problems.lost == 0 and problems.warnings == 1 and "2 lone surrogate" in problems.messages[0]
    out = tmp_path / "out.jsonl"
    with ArticleWriter(out) as writer:
        writer.write(article)
    assert read_records(out)[0].text == "Hi \ufffd there"


def test_nan_and_infinity_in_meta_are_written_as_null(tmp_path):
    line = '{"id": "n", "text": "T.", "score": NaN, "more": [Infinity, 1]}'
    path = _write_jsonl(tmp_path / "n.jsonl", [line])
    (article,) = list(iter_articles([path]))
    out = tmp_path / "out.jsonl"
    with ArticleWriter(out) as writer:
        writer.write(article)

    def refuse(constant):
        raise ValueError(constant)

    record = json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse)
    assert record["meta"] == {"score": None, "more": [None, 1]}


def test_corrupt_parquet_row_group_costs_its_rows_only(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    texts = [f"Article number {i} with some words." for i in range(30)]
    pq.write_table(pa.table({"text": texts}), path, row_group_size=10, compression="NONE")
    meta = pq.ParquetFile(path).metadata
    column = meta.row_group(1).column(0)
    start = column.data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + 40] = b"\xff" * 40  # the second group's page header and data
    path.write_bytes(bytes(data))

    problems = Problems()
    articles = list(iter_articles([path], on_error=problems))
    assert [a.text for a in articles] == texts[:10] + texts[20:]
    assert problems.lost == 10 and "row group 1 (rows 11-20)" in problems.messages[0]


def test_problems_count_what_each_report_cost():
    seen: list[str] = []
    problems = Problems(seen.append)
    problems("a")
    problems("b", lost=5)
    problems("c", lost=0)
    assert problems.lost == 6 and problems.warnings == 1 and seen == ["a", "b", "c"] and len(problems) == 3


def test_check_output_refuses_what_would_lose_work(tmp_path):
    from stance.io import OutputError, check_output

    src = _write_jsonl(tmp_path / "in.jsonl", ['{"text": "x"}'])
    kept = tmp_path / "kept.jsonl"
    kept.write_text('{"id": "1", "text": "x", "quotes": []}\n', encoding="utf-8")
    with pytest.raises(OutputError, match="is also an input"):
        check_output(src, [src], overwrite=True)
    with pytest.raises(OutputError, match="pass --resume to continue it, or --overwrite to replace it"):
        check_output(kept, [src])
    check_output(kept, [src], resume=True)
    check_output(kept, [src], overwrite=True)
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path / "folder.jsonl", [src])
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output(src / "out.jsonl", [])
    with pytest.raises(OutputError, match="cannot be written"):
        check_output(Path("/proc/stance-out.jsonl"), [])
    with pytest.raises(OutputError, match="--resume needs a .jsonl output"):
        check_output(tmp_path / "t.csv", [], resume=True)
    assert kept.read_text(encoding="utf-8") == '{"id": "1", "text": "x", "quotes": []}\n'


def test_resume_ids_cut_a_torn_last_line(tmp_path):
    from stance.io import OutputError, resume_ids

    path = tmp_path / "out.jsonl"
    whole = '{"id": "a", "text": "x", "quotes": []}\n{"id": "b", "text": "y", "quotes": []}\n'
    path.write_text(whole + '{"id": "c", "te', encoding="utf-8")
    assert resume_ids(path) == {"a", "b"}
    assert path.read_text(encoding="utf-8") == whole
    path.write_text('{"id": "a", "text": "x"}\nnot json\n{"id": "b", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(OutputError, match=r"out\.jsonl:2: not a record written by stance"):
        resume_ids(path)


def test_table_outputs_appear_only_when_the_run_completes(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("older,table\n", encoding="utf-8")
    with pytest.raises(RuntimeError), ArticleWriter(path) as writer:
        writer.write(_sample_articles()[0])
        raise RuntimeError("killed midway")
    assert path.read_text(encoding="utf-8") == "older,table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_a_target_with_an_empty_mention_span_is_a_record_error():
    from stance.records import article_from_dict

    record = {"text": "The CSTO failed.", "quotes": [{"content": [[0, 15]], "targets": [{"name": "CSTO"}]}]}
    record["quotes"][0]["targets"][0]["mentions"] = [[4, 4]]
    with pytest.raises(RecordError, match="empty mention span"):
        article_from_dict(record)
    with pytest.raises(RecordError, match="'quotes' must be a list"):
        article_from_dict({"text": "x", "quotes": 5})


def test_a_quote_confidence_round_trips_and_a_bad_one_is_named():
    from stance.records import RecordError, article_from_dict

    record = {"id": "a", "text": "He said it.", "quotes": [{"content": [[3, 10]], "confidence": 0.8125}]}
    article = article_from_dict(record)
    assert article.quotes[0].confidence == 0.8125
    assert article.to_dict()["quotes"][0]["confidence"] == 0.8125
    plain = article_from_dict({**record, "quotes": [{"content": [[3, 10]]}]})
    assert "confidence" not in plain.to_dict()["quotes"][0]
    for bad in (1.5, "high", True):
        with pytest.raises(RecordError, match="confidence"):
            article_from_dict({**record, "quotes": [{"content": [[3, 10]], "confidence": bad}]})
