"""A deterministic hostile corpus for `stance extract` (issue 10, "Nothing lost").

    python scripts/hostile_corpus.py OUT_DIR [--files 1000] [--seed 0] [--big]

OUT_DIR becomes a folder of mostly ordinary short news-like articles (.txt/.md, in sub-folders)
with every kind of hostile entry a folder can hold: a file name that is not UTF-8, a
self-looping and a dangling symlink, a FIFO, binary, Latin-1 and UTF-16 files, an empty file, a
file without read permission, a folder link cycle, CRLF, lone CR, NUL, BOM, HTML, emoji, RTL
scripts, combining marks and a text of 10,000 mixed quotation marks. OUT_DIR/extra/ holds the
tabular inputs (.jsonl, .csv, .parquet) with broken lines, rows and row groups.

OUT_DIR/manifest.json says, for every folder entry and every record of a tabular file, what a
run must do with it: "article" (written to the output), "reported" (named in one stderr line),
"either" (one of the two, never both: the policy is the reader's to choose), or "skipped" (not an
article, such as a folder link: a run may mention it in a notice, and it counts neither way). So a
test can check records in = records out + records reported.
--files is the number of folder entries, hostile ones included; --big adds one article of
1,000,000 characters. The same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

NAMES = (
    "Zoë Ångström",
    "Nguyễn Thị Minh Khai",
    "Łukasz Wiśniewski",
    "Søren Østergaard",
    "Maria Lopez",
    "John Carter",
    "Aisha Bello",
    "Jürgen Müller",
    "Renée Lefèvre",
    "Dmitri Sokolov",
    "Priya Raman",
    "Yael Cohen",
    "Kwame Mensah",
    "Inés Peña",
    "Björn Halvorsen",
    "Chidi Okafor",
)
ORGS = (
    "European Commission",
    "World Health Organization",
    "NATO",
    "Société Générale",
    "Crédit Agricole",
    "Ministry of Finance",
    "International Monetary Fund",
    "Amnesty International",
    "United Nations",
    "Nordea Bank",
    "Collective Security Treaty Organization",
    "Central Bank of Nigeria",
)
ROLES = ("spokesperson", "chief economist", "director", "senior official", "board member")
QUOTES = (
    "We will not accept this decision",
    "The plan has failed the people it was meant to help",
    "This is a good day for the region",
    "Nobody told us about the changes",
    "We are working closely with our partners",
    "The numbers speak for themselves",
    "It is too early to say what went wrong",
    "Our members deserve better than this",
    "There is no reason to panic",
    "We have made our position very clear",
    "The reform is long overdue",
    "This will cost jobs, and everyone knows it",
)
VERBS = ("had rejected", "would support", "was reviewing", "had criticised", "would delay", "had welcomed")
THINGS = ("the proposal", "the budget", "the new rules", "the merger", "the agreement", "the inquiry")
PLACES = ("Brussels", "Lagos", "Hà Nội", "Kraków", "København", "Yerevan", "Tel Aviv", "Québec")
OUTLETS = ("Reuters", "Le Monde", "Gazeta Wyborcza", "Tuổi Trẻ", "The Guardian", "Haaretz")
EMOJI = ("📈", "🇪🇺", "😀", "👩🏽‍💼", "🔥", "🏦")
# Every quotation mark the rules might meet, straight and typographic, ASCII and not.
MARKS = "\"'“”„‟«»‹›‘’‚‛「」『』〝〞＂"

ARABIC = "قال المتحدث باسم الوزارة: «لن نقبل هذا القرار»."
HEBREW = 'אמר הדובר: "אנחנו לא נקבל את ההחלטה הזאת".'
BAD_NAME = os.fsencode("undecodable-") + b"\xff" + os.fsencode("-name.txt")
BAD_NAME_MATCH = ["undecodable-", "-name.txt"]


class Corpus:
    """Builds one corpus; every random choice comes from one seeded generator, in a fixed order."""

    def __init__(self, out: Path, files: int, seed: int, big: bool) -> None:
        self.out = out
        self.files = files
        self.seed = seed
        self.big = big
        self.rng = random.Random(seed)
        self.entries: list[dict[str, Any]] = []
        self.tabular: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ text

    def sentence(self, curly: bool | None = None) -> str:
        rng = self.rng
        name, org, q = rng.choice(NAMES), rng.choice(ORGS), rng.choice(QUOTES)
        curly = rng.random() < 0.5 if curly is None else curly
        lq, rq = ("“", "”") if curly else ('"', '"')
        form = rng.randrange(8)
        if form == 0:
            return f"{lq}{q},{rq} {name} said."
        if form == 1:
            return f"{lq}{q},{rq} said {name}, a {rng.choice(ROLES)} for the {org}."
        if form == 2:
            return f"{name}, who leads the {org}, said: {lq}{q}.{rq}"
        if form == 3:
            return f"{name} said that the {org} {rng.choice(VERBS)} {rng.choice(THINGS)}."
        if form == 4:
            return f"According to {name}, the {org} {rng.choice(VERBS)} {rng.choice(THINGS)}."
        if form == 5:
            q2 = rng.choice(QUOTES)
            return f"{lq}{q},{rq} {name} told reporters in {rng.choice(PLACES)}. {lq}{q2}.{rq}"
        if form == 6:
            return f"The {org} said in a statement that it {rng.choice(VERBS)} {rng.choice(THINGS)}."
        return f"Officials in {rng.choice(PLACES)} met on Tuesday to discuss {rng.choice(THINGS)}."

    def article(self, paragraphs: int | None = None, newline: str = "\n") -> str:
        rng = self.rng
        n = rng.randint(2, 6) if paragraphs is None else paragraphs
        title = f"{rng.choice(ORGS)} faces questions over {rng.choice(THINGS)[4:]}"
        paras = [" ".join(self.sentence() for _ in range(rng.randint(1, 3))) for _ in range(n)]
        return (newline * 2).join([title, *paras]) + newline

    def quote_marks(self, count: int = 10_000) -> str:
        """A text of exactly `count` quotation marks of every kind, some with words between."""
        rng = self.rng
        words = ("said", "the", "NATO", "Zoë", "no", "“yes", "Ångström", "”")
        parts = []
        for _ in range(count):
            parts.append(rng.choice(MARKS))
            if rng.random() < 0.4:
                parts.append(rng.choice(words).strip(MARKS) or "x")
            if rng.random() < 0.3:
                parts.append(" ")
        return "".join(parts)

    def html(self) -> str:
        name, org, q = self.rng.choice(NAMES), self.rng.choice(ORGS), self.rng.choice(QUOTES)
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>News &amp; views</title>'
            '<script>var s = "not a quote";</script></head>\n<body>\n'
            f"<h1>{org} &mdash; update</h1>\n"
            f"<p>&ldquo;{q},&rdquo; said <b>{name}</b> &amp; colleagues.</p>\n"
            f"<p>&quot;{self.rng.choice(QUOTES)}&quot;, <i>{self.rng.choice(NAMES)}</i> said.&nbsp;</p>\n"
            '<!-- a comment with "quotes" --><br/>&#8220;Numeric&#8221; &#x201C;hex&#x201D;\n'
            "</body></html>\n"
        )

    # ------------------------------------------------------------------ folder entries

    def add(self, rel: str, expect: str, kind: str, **extra: Any) -> None:
        entry: dict[str, Any] = {"path": rel, "kind": kind, "expect": expect}
        if expect in ("article", "either"):
            entry.setdefault("id", rel)
        entry.update(extra)
        self.entries.append(entry)

    def write_text(self, rel: str, text: str, kind: str, expect: str = "article") -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        self.add(rel, expect, kind)

    def write_bytes(self, rel: str, data: bytes, kind: str, expect: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.add(rel, expect, kind)

    def folder(self) -> None:
        rng = self.rng
        a = self.article
        # Articles that are odd but readable: each must come out with its text exactly as read.
        self.write_text("special/crlf.txt", a(newline="\r\n"), "crlf")
        self.write_text("special/lone-cr.txt", a(newline="\r"), "lone-cr")
        self.write_text("special/nul.txt", a().replace(". ", ".\x00 ", 2), "nul")
        self.write_text("special/bom.txt", "\ufeff" + a(), "bom")
        self.write_text(
            "special/emoji.txt", " ".join(f"{self.sentence()} {rng.choice(EMOJI)}" for _ in range(4)), "emoji"
        )
        self.write_text("special/rtl.txt", f"{ARABIC}\n\n{HEBREW}\n\n{self.sentence()}\n", "rtl")
        combining = "Zoe\u0308 A\u030angstro\u0308m said: \u201cWe will not accept this decision.\u201d\n"
        self.write_text("special/combining.txt", combining + a(), "combining-marks")
        self.write_text("special/html-page.txt", self.html(), "html")
        self.write_text("special/html-fragment.txt", "<div>" + self.html() + "</div>", "html")
        self.write_text("special/quote-marks-10k.txt", self.quote_marks(), "10k-quote-marks")
        separators = a().replace(". ", ".\u2028", 1) + "\u2029\x0b\x0c"
        self.write_text("special/separators.txt", separators, "separators")
        markdown = f"# Notes\n\n> {self.sentence()}\n\n- {self.sentence()}\n"
        self.write_text("notes.md", markdown, "md")
        if self.big:
            chunks, size = [], 0
            while size < 1_000_000:
                chunk = a(paragraphs=8) + "\n"
                chunks.append(chunk)
                size += len(chunk)
            self.write_text("special/big.txt", "".join(chunks)[:1_000_000], "big-1M")

        # Entries that cannot be read as an article.
        binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(512)
        self.write_bytes("hostile/binary.txt", binary, "binary", "reported")
        latin1 = ("Zoë Ångström said: «Nous refusons.»\n" + a()).encode("latin-1", errors="replace")
        self.write_bytes("hostile/latin1.txt", latin1, "invalid-utf-8", "either")
        self.write_bytes("hostile/utf16.txt", ("\ufeff" + a()).encode("utf-16-le"), "utf-16", "either")
        self.write_bytes("hostile/empty.txt", b"", "empty", "either")
        self.write_text("hostile/no-permission.txt", a(), "no-read-permission", expect="either")
        os.chmod(self.out / "hostile/no-permission.txt", 0)

        hostile = self.out / "hostile"
        bad = os.path.join(os.fsencode(hostile), BAD_NAME)
        with open(bad, "wb") as f:  # a bytes path: the name is not valid UTF-8
            f.write(a().encode("utf-8"))
        self.add(
            "hostile/" + os.fsdecode(BAD_NAME),
            "either",
            "non-utf8-name",
            path_hex=os.fsencode("hostile/").hex() + BAD_NAME.hex(),
            match=BAD_NAME_MATCH,
            id_match=BAD_NAME_MATCH,
        )
        os.symlink("loop.txt", hostile / "loop.txt")
        self.add("hostile/loop.txt", "reported", "self-loop-symlink")
        os.symlink("nothing-here.txt", hostile / "gone.txt")
        self.add("hostile/gone.txt", "reported", "dangling-symlink")
        os.mkfifo(hostile / "pipe.txt")
        self.add("hostile/pipe.txt", "reported", "fifo")
        os.symlink("..", hostile / "cycle")  # hostile/cycle/hostile/cycle/… for a walker that follows it
        self.add("hostile/cycle", "skipped", "folder-link-cycle")

        # Ordinary articles fill the rest, spread over sub-folders (one with a non-ASCII name).
        folders = ("", "world", "world/europe", "business", "ünïcode folder")
        n_ordinary = self.files - len(self.entries)
        if n_ordinary < 1:
            raise SystemExit(f"--files must be more than {len(self.entries)} (the fixed entries)")
        for i in range(n_ordinary):
            sub = folders[i % len(folders)]
            rel = f"{sub}/{i:05d}.txt" if sub else f"{i:05d}.txt"
            self.write_text(rel, a(), "ordinary")

    # ------------------------------------------------------------------ tabular files

    def row_text(self) -> str:
        """One short article on a single line (no ASCII double quote: see unterminated.csv)."""
        return " ".join(self.sentence(curly=True) for _ in range(self.rng.randint(1, 3)))

    def meta(self, i: int) -> tuple[str, str]:
        return self.rng.choice(OUTLETS), (date(2024, 1, 1) + timedelta(days=i)).isoformat()

    def table(self, rel: str, fmt: str, units: list[dict[str, Any]], whole_file: bool = False) -> None:
        self.tabular.append(
            {
                "path": rel,
                "format": fmt,
                "records": len(units),
                "whole_file": whole_file,
                "expect_articles": sum(u["expect"] == "article" for u in units),
                "expect_reported": sum(u["expect"] == "reported" for u in units),
                "expect_either": sum(u["expect"] == "either" for u in units),
                "units": units,
            }
        )

    def jsonl(self) -> None:
        """68 lines: 63 good rows, a NaN/Infinity row, a lone surrogate, three that cannot be rows."""
        special = {10: "bad-json", 20: "surrogate", 30: "nan", 40: "not-object", 68: "torn"}
        lines: list[str] = []
        units: list[dict[str, Any]] = []
        good = 0
        for lineno in range(1, 69):
            kind = special.get(lineno, "good")
            outlet, day = self.meta(lineno)
            uid = f"jsonl-{lineno:03d}"
            if kind == "good":
                good += 1
                text = self.article(paragraphs=2)
                if good == 7:
                    text = text.replace(". ", ".\u2028 ", 1)  # a JSON-legal separator inside the text
                row = {"id": uid, "text": text, "outlet": outlet, "date": day}
                line = json.dumps(row, ensure_ascii=False)
                line += "\r" if good % 11 == 0 else ""  # CRLF endings on some lines
                units.append({"line": lineno, "id": uid, "expect": "article", "kind": kind})
            elif kind == "bad-json":
                line = '{"id": "' + uid + '", "text": "He said so", "outlet": }'
                units.append({"line": lineno, "expect": "reported", "kind": kind})
            elif kind == "surrogate":
                line = '{"id": "' + uid + '", "text": "Broken emoji \\ud83d here, Zoë said.", "outlet": "x"}'
                units.append({"line": lineno, "id": uid, "expect": "either", "kind": kind})
            elif kind == "nan":
                text = json.dumps(self.article(paragraphs=1))
                bare = '"score": NaN, "meta": {"weight": Infinity, "low": -Infinity}'
                line = f'{{"id": "{uid}", "text": {text}, "outlet": "{outlet}", {bare}}}'
                units.append({"line": lineno, "id": uid, "expect": "article", "kind": kind})
            elif kind == "not-object":
                line = '["not", "an", "object"]'
                units.append({"line": lineno, "expect": "reported", "kind": kind})
            else:
                line = '{"id": "' + uid + '", "text": "Torn in the midd'
                units.append({"line": lineno, "expect": "reported", "kind": kind})
            lines.append(line)
        data = "\ufeff" + "\n".join(lines)  # a byte-order mark first; the torn last line has no newline
        (self.out / "extra/articles.jsonl").write_bytes(data.encode("utf-8", errors="surrogatepass"))
        self.table("extra/articles.jsonl", "jsonl", units)

    def csv_meta(self) -> None:
        """65 rows with outlet and date: a bad byte in row 2, too many cells in row 40, multi-line cells."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(["id", "text", "outlet", "date"])
        units: list[dict[str, Any]] = []
        line = 2  # physical line of the row's first line
        for row in range(1, 66):
            uid = f"csv-{row:03d}"
            outlet, day = self.meta(row)
            text = self.article(paragraphs=2) if row % 5 == 0 else self.row_text()
            if row == 2:
                text = "Bad byte @@BADBYTE@@ here. " + text
                units.append({"row": row, "line": line, "id": uid, "expect": "either", "kind": "bad-byte"})
                cells = [uid, text, outlet, day]
            elif row == 40:
                units.append({"row": row, "line": line, "expect": "reported", "kind": "too-many-cells"})
                cells = [uid, text, outlet, day, "surplus", "cells"]
            else:
                units.append({"row": row, "line": line, "id": uid, "expect": "article", "kind": "good"})
                cells = [uid, text, outlet, day]
            writer.writerow(cells)
            line += text.replace("\r\n", "\n").count("\n") + 1
        data = buf.getvalue().encode("utf-8").replace(b"@@BADBYTE@@", b"\xff")
        (self.out / "extra/meta.csv").write_bytes(data)
        self.table("extra/meta.csv", "csv", units)

    def csv_unterminated(self) -> None:
        """65 one-line rows; row 30 opens a quote it never closes. The texts hold no ASCII '"'."""
        lines = ["id,text,outlet,date"]
        units: list[dict[str, Any]] = []
        for row in range(1, 66):
            uid = f"unterminated-{row:03d}"
            outlet, day = self.meta(row)
            text = self.row_text().replace(",", ";")
            if row == 30:
                lines.append(f'{uid},"{text},{outlet},{day}')
                unit = {"row": row, "line": row + 1, "expect": "reported", "kind": "unterminated-quote"}
                units.append(unit)
            else:
                lines.append(f"{uid},{text},{outlet},{day}")
                units.append({"row": row, "line": row + 1, "id": uid, "expect": "article", "kind": "good"})
        (self.out / "extra/unterminated.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        self.table("extra/unterminated.csv", "csv", units)

    def csv_no_text(self) -> None:
        """A .csv without the text column: one report for the whole file."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["id", "body", "outlet"])
        for row in range(1, 6):
            writer.writerow([f"notext-{row}", self.row_text(), self.rng.choice(OUTLETS)])
        (self.out / "extra/no-text-column.csv").write_bytes(buf.getvalue().encode("utf-8"))
        whole = [{"expect": "reported", "kind": "no-text-column"}]
        self.table("extra/no-text-column.csv", "csv", whole, whole_file=True)

    def parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # A valid file with meta columns: a date, a float with NaN and infinities.
        n = 63
        ids = [f"pq-{i:03d}" for i in range(1, n + 1)]
        table = pa.table(
            {
                "id": ids,
                "text": [self.article(paragraphs=2) for _ in range(n)],
                "outlet": [self.rng.choice(OUTLETS) for _ in range(n)],
                "date": [date(2024, 3, 1) + timedelta(days=i) for i in range(n)],
                "score": [
                    math.nan if i == 5 else math.inf if i == 6 else -math.inf if i == 7 else i / 10
                    for i in range(n)
                ],
            }
        )
        pq.write_table(table, self.out / "extra/meta.parquet", row_group_size=20)
        self.table(
            "extra/meta.parquet",
            "parquet",
            [{"row": i + 1, "id": ids[i], "expect": "article", "kind": "good"} for i in range(n)],
        )

        # 65 rows in row groups of 10; the text pages of row group 4 (rows 41-50) are overwritten.
        n, group, bad_group = 65, 10, 4
        ids = [f"corrupt-{i:03d}" for i in range(1, n + 1)]
        path = self.out / "extra/corrupt.parquet"
        table = pa.table(
            {
                "id": ids,
                "text": [self.article(paragraphs=2) for _ in range(n)],
                "outlet": [self.rng.choice(OUTLETS) for _ in range(n)],
            }
        )
        pq.write_table(table, path, row_group_size=group, compression="snappy")
        column = pq.ParquetFile(path).metadata.row_group(bad_group).column(1)  # the text column
        start = column.dictionary_page_offset or column.data_page_offset
        middle = start + column.total_compressed_size // 2
        with open(path, "r+b") as f:
            # The page header at the chunk start and the middle of its data: no reader can decode it.
            f.seek(start)
            f.write(b"\xff" * 24)
            f.seek(middle)
            f.write(bytes(self.rng.randrange(256) for _ in range(64)))
        _check_corruption(path, bad_group)
        first = bad_group * group
        units = [
            {
                "row": i + 1,
                "id": ids[i],
                "row_group": i // group,
                "expect": "reported" if first <= i < first + group else "article",
                "kind": "corrupt-row-group" if first <= i < first + group else "good",
            }
            for i in range(n)
        ]
        self.table("extra/corrupt.parquet", "parquet", units)

    # ------------------------------------------------------------------ all

    def build(self) -> dict[str, Any]:
        self.out.mkdir(parents=True, exist_ok=True)
        if any(self.out.iterdir()):
            raise SystemExit(f"{self.out}: not empty; give a new folder")
        (self.out / "extra").mkdir()
        self.folder()
        self.jsonl()
        self.csv_meta()
        self.csv_unterminated()
        self.csv_no_text()
        self.parquet()
        units = [e for e in self.entries if e["expect"] != "skipped"]
        manifest = {
            "generator": "scripts/hostile_corpus.py",
            "seed": self.seed,
            "files": self.files,
            "big": self.big,
            "folder": {
                "path": ".",
                "entries": self.entries,
                "units": len(units),
                "expect_articles": sum(e["expect"] == "article" for e in units),
                "expect_reported": sum(e["expect"] == "reported" for e in units),
                "expect_either": sum(e["expect"] == "either" for e in units),
            },
            "tabular": self.tabular,
            "expected_units": len(units) + sum(len(t["units"]) for t in self.tabular),
        }
        # ensure_ascii: the non-UTF-8 file name is written as a \udcff escape, still strict JSON.
        text = json.dumps(manifest, indent=1, ensure_ascii=True, sort_keys=True) + "\n"
        (self.out / "manifest.json").write_text(text, encoding="ascii")
        return manifest


def _check_corruption(path: Path, bad_group: int) -> None:
    """The corrupt row group must fail to read and every other one must read: else the seed is bad."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for i in range(pf.num_row_groups):
        try:
            pf.read_row_group(i)
            ok = True
        except (OSError, pa.ArrowException):
            ok = False
        if ok == (i == bad_group):
            raise SystemExit(f"{path}: row group {i} {'reads' if ok else 'fails'}; the corruption missed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="A new (or empty) folder to fill.")
    parser.add_argument("--files", type=int, default=1000, help="Folder entries, hostile ones included.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big", action="store_true", help="Add one article of 1,000,000 characters.")
    args = parser.parse_args(argv)
    manifest = Corpus(args.out_dir, args.files, args.seed, args.big).build()
    folder = manifest["folder"]
    print(
        f"{args.out_dir}: {folder['units']} folder entries ({folder['expect_articles']} articles, "
        f"{folder['expect_reported']} to report, {folder['expect_either']} either), "
        f"{len(manifest['tabular'])} tabular files, {manifest['expected_units']} units in all",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
