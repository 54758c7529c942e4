"""How `stance report` scales: a collection of N articles (the labelled examples repeated, with
ids, outlets, dates, speakers and organizations varied so that the map is large), the time to
write its report and the file's size, then the time headless Chromium takes to show the page
(from the start of loading to the end of the page's script, the `data-render-ms` it sets) in
its first view and in views that filter, sort, open a cell and jump to the last page.

    python scripts/report_scale.py out/examples.jsonl --n 10000 --out out/scale

Needs the labelled examples (`stance label examples/ --targets examples/targets.list -o
out/examples.jsonl`) and `chromium`. No model is loaded.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from stance.analysis import summarize, write_report
from stance.io import read_records
from stance.records import Article, Target

OUTLETS = ("Daily Wire Service", "Evening Courier", "Global Desk", "Regional Post", "Morning Ledger")


def collection(
    seed: list[Article], n: int, speakers: int, organizations: int, chars: int = 0
) -> Iterator[Article]:
    """N articles cycling through the seed; each copy gets its own id, outlet and month, its
    speakers and organizations renamed into pools of the given sizes, and its text padded at the
    end (where no span points) with the other seed texts to about ``chars`` characters."""
    filler = "\n\n".join(a.text for a in seed)
    for i in range(n):
        base = seed[i % len(seed)]
        copy = i // len(seed)
        quotes = []
        for qi, q in enumerate(base.quotes):
            speaker = None if q.speaker is None else f"{q.speaker} {(copy * 7 + qi) % speakers}"
            targets = [
                Target(f"{t.name} {(copy * 3 + ti) % organizations}", t.mentions, t.stance, t.scores)
                for ti, t in enumerate(q.targets)
            ]
            quotes.append(replace(q, speaker=speaker, targets=targets))
        meta = {"outlet": OUTLETS[i % len(OUTLETS)], "date": f"{2023 + (i // 12) % 2}-{i % 12 + 1:02d}-15"}
        pad = max(0, chars - len(base.text))
        text = base.text + ("\n\n" + (filler * (pad // len(filler) + 1))[:pad] if pad else "")
        yield Article(f"{i:05d}-{base.id}", text, meta, quotes)


def render_ms(url: str, chromium: str) -> tuple[int, int, float]:
    """(the page's data-render-ms: loading to drawn; its data-update-ms: one redraw of the
    view; wall seconds of the whole Chromium run, its start and the DOM's dump included)."""
    with tempfile.TemporaryDirectory() as profile:
        started = time.perf_counter()
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        wall = time.perf_counter() - started
    drawn = re.search(r'data-render-ms="(\d+)"', done.stdout)
    redraw = re.search(r'data-update-ms="(\d+)"', done.stdout)
    if drawn is None or redraw is None:
        raise SystemExit(f"the page did not finish drawing: {done.stderr[-500:]}")
    return int(drawn.group(1)), int(redraw.group(1)), wall


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("records", type=Path, help="labelled examples (.jsonl)")
    parser.add_argument("--n", type=int, default=10_000, help="articles in the collection")
    parser.add_argument("--speakers", type=int, default=400, help="distinct names per seed speaker")
    parser.add_argument("--organizations", type=int, default=60, help="distinct names per seed organization")
    parser.add_argument("--chars", type=int, default=4000, help="characters per article, about")
    parser.add_argument("--runs", type=int, default=3, help="Chromium runs per view (median)")
    parser.add_argument("--out", type=Path, default=Path("out/scale"))
    args = parser.parse_args()
    chromium = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    seed = read_records(args.records)
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / f"report-{args.n}.html"
    started = time.perf_counter()
    articles = collection(seed, args.n, args.speakers, args.organizations, args.chars)
    stats = write_report(articles, report, by=["meta.outlet", "meta.date:month"])
    seconds = time.perf_counter() - started
    chars = sum(len(a.text) for a in collection(seed, args.n, 1, 1, args.chars))
    frame = summarize(collection(seed, args.n, args.speakers, args.organizations))
    print(
        f"{stats.articles:,} articles ({chars / stats.articles:,.0f} characters each), "
        f"{stats.quotes:,} quotes, "
        f"{stats.pairs:,} pairs, {stats.speakers:,} speakers, {stats.organizations:,} organizations, "
        f"{len(frame):,} speaker-organization cells"
    )
    print(f"report: {stats.bytes / 1e6:.1f} MB written in {seconds:.1f} s ({report})")
    if chromium is None:
        print("no chromium: render times not measured", file=sys.stderr)
        return
    views = {
        "first view": "",
        "min 5 quotes, most critical first": "#min=5&rs=balance-",
        "a cell's quotes": "#ss=0&so=0",
        "one outlet's map": "#view=0.1",
        "last page of articles": f"#ap={(args.n + 9) // 10}",
    }
    for name, fragment in views.items():
        runs = [render_ms(report.resolve().as_uri() + fragment, chromium) for _ in range(args.runs)]
        page, redraw, wall = (statistics.median(r[k] for r in runs) for k in range(3))
        print(f"{name}: drawn {page / 1000:.2f} s after loading began, of which the view's redraw "
              f"{redraw:.0f} ms (median of {args.runs}; whole Chromium run {wall:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
