"""The README's picture of `stance report`: the examples' report in headless Chromium, cut to
its stance map and its first highlighted article, written to docs/report.png.

    stance label examples/ --targets examples/targets.list -o out/examples.jsonl
    stance report out/examples.jsonl -o out/report.html
    python scripts/report_screenshot.py out/report.html docs/report.png

The page is shot whole; where to cut comes from the same page with one more script that
writes the sections' positions into the DOM (read with --dump-dom).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 1280, 7000
MEASURE = """<script>
const at = (el) => Math.round(el.getBoundingClientRect().top + window.scrollY);
const doc = document.querySelector("article.doc");
document.documentElement.dataset.cuts = [at(document.getElementById("quotes")),
  at(document.getElementById("articles")), at(doc), Math.round(doc.getBoundingClientRect().bottom)]
  .join(",");
</script>
"""


def chromium(binary: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", *args],
            capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
    return done.stdout


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    args = parser.parse_args()
    binary = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    if binary is None:
        raise SystemExit("needs chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        measured = Path(tmp) / "measured.html"
        page_html = args.report.read_text(encoding="utf-8")
        measured.write_text(page_html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
        dom = chromium(binary, "--dump-dom", measured.as_uri())
        quotes, articles, _, end = map(int, re.search(r'data-cuts="([\d,]+)"', dom).group(1).split(","))
        shot = Path(tmp) / "page.png"
        chromium(binary, f"--screenshot={shot}", args.report.resolve().as_uri())
        page = Image.open(shot).convert("RGB")
    top = page.crop((0, 0, WIDTH, quotes))  # header, controls and the map
    article = page.crop((0, articles, WIDTH, end + 8))  # the Articles heading and the first article
    out = Image.new("RGB", (WIDTH, top.height + article.height), "white")
    out.paste(top, (0, 0))
    out.paste(article, (0, top.height))
    # A palette of 256 colours keeps the file small; the page has few colours anyway.
    out.quantize(256).save(args.png, optimize=True)
    print(f"{args.png}: {out.width}x{out.height}, {args.png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
