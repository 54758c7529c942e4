"""The report in a real browser: headless Chromium renders the examples' report (`stance label
examples/ …` then `stance report`), and the rendered DOM must hold the stance map with the
numbers of `stance summary` and every highlight at its offsets; a screenshot must not be blank.
Skipped where Chromium is not installed (`.ci/run` installs Debian's `chromium`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy
import pandas as pd
import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.io import read_records
from stance.records import STANCES

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)")
runner = CliRunner()


def chromium(tmp_path: Path, url: str, *args: str) -> str:
    profile = tmp_path / "profile"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args, url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(labelled_examples, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = runner.invoke(app, ["report", str(labelled_examples), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


class _Dom(HTMLParser):
    """The map's cells and, per article, which characters of its text each highlight covers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: dict[tuple[str, str], list[int]] = {}
        self.texts: dict[str, str] = {}
        self.marks: dict[str, dict[str, set[int]]] = {}
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.article: str | None = None
        self.in_text = 0  # depth inside an article's text element
        self.classes: list[str] = []
        self.render_ms: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.stack.append((tag, a))
        if tag == "html" and "data-render-ms" in a:
            self.render_ms = int(a["data-render-ms"])
        if tag == "td" and "data-critical" in a and any(t == "table" and x.get("id") == "stance-map"
                                                           for t, x in self.stack):  # fmt: skip
            key = (a["data-speaker"], a["data-organization"])
            self.cells[key] = [int(a[f"data-{s}"]) for s in (*STANCES, "unclassified")]
        if tag == "article" and "data-article" in a:
            self.article = a["data-article"]
            self.texts[self.article] = ""
            self.marks[self.article] = {}
        if self.in_text:
            self.in_text += 1
            if tag == "span":
                self.classes = a.get("class", "").split()
        elif tag == "div" and a.get("class") == "text" and self.article is not None:
            self.in_text = 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if self.in_text:
            self.in_text -= 1
            self.classes = []
        if tag == "article":
            self.article = None

    def handle_data(self, data: str) -> None:
        if not self.in_text or self.article is None:
            return
        start = len(self.texts[self.article])
        self.texts[self.article] += data
        for name in self.classes:
            self.marks[self.article].setdefault(name, set()).update(range(start, start + len(data)))


def _expected_marks(article) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}

    def add(name, spans):
        out.setdefault(name, set()).update(i for s, e in spans for i in range(s, e))

    for q in article.quotes:
        add("hl-content", q.content)
        add("hl-cue", q.cue)
        add("hl-source", q.source)
        for t in q.targets:
            add("hl-mention", t.mentions)
            add(f"st-{t.stance or 'unclassified'}", t.mentions)
    return out


def test_chromium_renders_the_map_and_the_highlights(report, labelled_examples, tmp_path):
    dom = _Dom()
    dom.feed(chromium(tmp_path, report.as_uri(), "--dump-dom"))
    assert dom.render_ms is not None  # the script ran to its end
    # The map: the same numbers as `stance summary` on the same records, cell for cell.
    summary = tmp_path / "matrix.csv"
    result = runner.invoke(app, ["summary", str(labelled_examples), "-o", str(summary)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(summary, keep_default_na=False)
    expected = {
        (row.speaker or "(unknown speaker)", row.organization): [
            row.critical, row.supportive, row.neutral, row.unclassified
        ]
        for row in table.itertuples()
    }  # fmt: skip
    assert dom.cells == expected and len(expected) == 23
    # The articles: each text exactly as in the records, each highlight at its offsets.
    articles = read_records(labelled_examples)
    assert set(dom.texts) == {a.id for a in articles}
    for article in articles:
        assert dom.texts[article.id] == article.text
        marks = dom.marks[article.id]
        for name, chars in _expected_marks(article).items():
            assert marks.get(name, set()) == chars, (article.id, name)


def test_every_cell_links_to_its_quotes(report, tmp_path):
    page = report.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="stance-data">(.*?)</script>', page).group(1))
    dom = chromium(tmp_path, report.as_uri(), "--dump-dom")
    links = re.findall(r'<td class="cell[^"]*"[^>]*><a href="#([^"]+)"', dom)
    assert len(links) == 23 + 18  # every cell, and every row's total
    # The map's biggest cell, opened by its link: the quote list holds exactly its quotes.
    sp, org, *counts = max(data["cells"], key=lambda c: sum(c[2:6]))
    opened = chromium(tmp_path, f"{report.as_uri()}#ss={sp}&so={org}", "--dump-dom")
    heading = re.search(r'<p id="quotes-heading"><b>(.*?)</b>: (\d+) quotes', opened)
    assert heading.group(1) == f"{data['speakers'][sp]} on {data['organizations'][org]}"
    assert int(heading.group(2)) == sum(counts[:4]) == opened.count("<li data-pair=")


def test_screenshot_is_not_blank(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    size = "--window-size=1280,1200"
    chromium(tmp_path, report.as_uri(), f"--screenshot={shot}", size, "--hide-scrollbars")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1200)
    pixels = numpy.asarray(image.resize((320, 300))).reshape(-1, 3).astype(int)
    assert len(numpy.unique(pixels, axis=0)) > 200  # text, map and colours, not one flat colour
    r, g, b = pixels.T
    reds = int(((r > g + 50) & (r > b + 50)).sum())  # critical cells
    greens = int(((g > r + 40) & (g > b + 10)).sum())  # supportive cells
    assert reds > 50 and greens > 10, (reds, greens)
