"""Time and memory of the pipeline on one long article: synthetic news-like texts of growing length,
each run through `stance extract` (and `stance label`) in a fresh process.

    python scripts/long_articles.py --sizes 10000 100000 1000000 5000000 --label

The articles are generated here (invented people and organizations, direct and reported quotes),
nothing is copied from a dataset. Each run's wall seconds and peak resident memory (the child's
own ru_maxrss, from wait4) are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = "Anna Boris Carla Dmitri Elena Farid Grace Hamid Irene Jonas Karin Luis Maya Nikol Olga Pavel".split()
LAST = "Arden Brask Castell Dorn Eskil Faro Gantz Holm Ivers Jarek Kessel Lind Morrow Novak Orlov".split()
ORGS = [
    ("Northern Rail Union", "NRU"),
    ("Veltris Therapeutics", None),
    ("Coastal Shipping Authority", "CSA"),
    ("Baltic Energy Council", "BEC"),
    ("Harmon Steel Works", None),
    ("Regional Water Board", None),
    ("Alliance for Open Markets", "AOM"),
]
TITLES = ["spokesman", "spokeswoman", "chief executive", "minister", "chairman", "mayor", "director"]
VERBS = ["said", "told reporters", "added", "warned", "argued", "insisted", "wrote"]
CLAIMS = [
    "the plan would cost far more than anyone had admitted",
    "the talks had failed because nobody was willing to move",
    "workers deserved better than another year of promises",
    "the new rules were a betrayal of the people they were meant to protect",
    "the company had done everything the law required",
    "prices would fall once the new line opened",
    "the report was rushed and its figures could not be trusted",
    "there was still time to reach a fair agreement",
]
FILLER = [
    "The dispute has dragged on for months.",
    "Talks are due to resume next week in the capital.",
    "Figures released on Tuesday showed a sharp rise in costs.",
    "Several hundred people gathered outside the building.",
    "The vote is expected before the end of the month.",
]


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", last


def _org(rng: random.Random, introduced: set[str]) -> str:
    name, acronym = rng.choice(ORGS)
    if name in introduced and acronym and rng.random() < 0.5:
        return acronym
    if name not in introduced:
        introduced.add(name)
        return f"the {name} ({acronym})" if acronym else name
    return f"the {name}" if rng.random() < 0.5 else name


def paragraph(rng: random.Random, introduced: set[str]) -> str:
    """One paragraph: a direct, reported, mixed or interrupted quote, or plain reporting."""
    full, last = _person(rng)
    org = _org(rng, introduced)
    claim = rng.choice(CLAIMS)
    cap = claim[0].upper() + claim[1:]
    title = rng.choice(TITLES)
    form = rng.randrange(7)
    if form == 0:
        return f"“{cap},” said {full}, a {title} at {org}."
    if form == 1:
        return f'{full}, the {title} of {org}, {rng.choice(VERBS)} that {claim}.'
    if form == 2:
        return f"{last} {rng.choice(VERBS)}: \"{cap}. We will not accept it.\" {rng.choice(FILLER)}"
    if form == 3:
        return f"“{cap},” {last} said, “and {org} knows it.”"
    if form == 4:
        return f"According to {full}, {claim}. {rng.choice(FILLER)}"
    if form == 5:
        return f"{rng.choice(FILLER)} {org} called the decision “{claim},” {last} said."
    return f"{rng.choice(FILLER)} {rng.choice(FILLER)}"


def generate_article(n_chars: int, seed: int = 0) -> str:
    """A news-like text of at least n_chars characters, paragraphs separated by blank lines."""
    rng = random.Random(seed)
    introduced: set[str] = set()
    parts = ["Strike talks collapse as costs rise"]
    length = len(parts[0])
    while length < n_chars:
        parts.append(paragraph(rng, introduced))
        length += len(parts[-1]) + 2
    return "\n\n".join(parts)


def run_one(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 5_000_000])
    parser.add_argument("--extractor", default=None, help="extractor for `stance extract` (default: its own)")
    parser.add_argument("--label", action="store_true", help="also time `stance label`")
    parser.add_argument("--stance", default=str(Path(sys.executable).with_name("stance")))
    args = parser.parse_args()
    commands = ["extract"] + (["label"] if args.label else [])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            text = generate_article(size, seed=size)
            folder = Path(tmp) / str(size)
            folder.mkdir()
            (folder / "article.txt").write_text(text, encoding="utf-8")
            for command in commands:
                out = Path(tmp) / f"{size}.{command}.jsonl"
                argv = [args.stance, command, str(folder), "-o", str(out)]
                if args.extractor:
                    argv += ["--extractor", args.extractor]
                wall, rss, rc = run_one(argv)
                quotes = 0
                if rc == 0:
                    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
                    assert record["text"] == text, "the output's text must be the input's"
                    quotes = len(record["quotes"])
                rows.append((command, len(text), wall, rss, quotes, rc))
                print(f"{command} {len(text):,} chars: {wall:.1f} s, {rss:.0f} MB, {quotes} quotes, rc {rc}",
                      file=sys.stderr, flush=True)
    print("| command | characters | wall (s) | s per 100k chars | peak RSS (MB) | quotes | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for command, n, wall, rss, quotes, rc in rows:
        per = wall / n * 100_000
        print(f"| stance {command} | {n:,} | {wall:.1f} | {per:.2f} | {rss:.0f} | {quotes:,} | {rc} |")


if __name__ == "__main__":
    main()
