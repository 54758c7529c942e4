"""Time whole `stance` commands against the rule-based extractor, in one run (issue 12).

    python scripts/bench.py                      # the tables of eval/RESULTS.md, "Speed"
    python scripts/bench.py --repeats 1 --copies 0 --no-busy --no-stages   # a quick look

Inputs: the texts of PolNeAR test (84 articles; `stance convert polnear --split test` makes the
gold file if it is missing) and a `--copies`× copy of them with unique ids. Each configuration is
a whole process (imports, model loading, reading, writing), `--repeats` times, the
configurations taking turns so that a slow spell of the machine hits them all; `stance extract
--extractor rules` is the baseline of every ratio, measured in the same turns. Per configuration:
median, min and max wall seconds, median CPU seconds (user + system of the process and its
children), articles/s, the median of the per-turn ratios to the baseline, and the peak resident
memory of the whole process tree (sampled every 50 ms; workers included).

`--busy` repeats the comparison with a CPU-bound process running beside each command (what a
user running two jobs at once sees). `--stages` times the stages of `stance label` inside one
process. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "bench"
STANCE = str(Path(sys.executable).with_name("stance"))
BASELINE = "rules"
# name -> (command, options after the input and output, environment); the first is the baseline.
CONFIGS: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "rules": ("extract", ["--extractor", "rules"], {}),
    "extract": ("extract", [], {}),
    "label": ("label", [], {}),
    "label --workers 2": ("label", ["--workers", "2"], {}),
}


def inputs(copies: int) -> dict[str, Path]:
    """PolNeAR test's texts (ids and texts only), and a copy `copies` times over."""
    OUT.mkdir(parents=True, exist_ok=True)
    gold = ROOT / "data" / "polnear.test.jsonl"
    if not gold.exists():
        subprocess.run(
            [STANCE, "convert", "polnear", "--split", "test", "-o", str(gold)], check=True, cwd=ROOT
        )
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = {f"PolNeAR test ({len(rows)} articles)": OUT / "polnear-test.jsonl"}
    files[next(iter(files))].write_text(
        "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows), encoding="utf-8"
    )
    if copies > 1:
        path = OUT / f"polnear-test-x{copies}.jsonl"
        path.write_text(
            "".join(
                json.dumps({"id": f"{r['id']}~{k}", "text": r["text"]}) + "\n"
                for k in range(copies)
                for r in rows
            ),
            encoding="utf-8",
        )
        files[f"{copies}× PolNeAR test ({copies * len(rows)} articles)"] = path
    return files


def articles_in(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def timed(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds of one process tree, and its peak resident memory (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass  # a child ended between the listing and the reading
        time.sleep(0.05)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed ({proc.returncode}): {proc.stderr.read().decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mb": peak / 1e6}


def command_for(name: str, path: Path) -> list[str]:
    sub, options, _env = CONFIGS[name]
    return [STANCE, sub, str(path), "-o", str(OUT / f"{path.stem}.{name.replace(' ', '_')}.jsonl"),
            "--overwrite", "--quiet", *options]  # fmt: skip


class Hog:
    """A CPU-bound process beside the command under test."""

    def __enter__(self) -> Hog:
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()


def table(path: Path, names: list[str], repeats: int, busy: bool = False) -> list[str]:
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for turn in range(repeats):
        for name in names:
            command = command_for(name, path)
            where = " (busy)" if busy else ""
            print(f"turn {turn + 1}/{repeats}{where}: {shlex.join(command)}", file=sys.stderr)
            env = CONFIGS[name][2]
            if busy:
                with Hog():
                    runs[name].append(timed(command, env))
            else:
                runs[name].append(timed(command, env))
            print(f"  {runs[name][-1]['wall']:.1f} s", file=sys.stderr)
    n = articles_in(path)
    lines = [
        "| configuration | wall s, median [min, max] | CPU s | articles/s | × rules (median of turns) "
        "| peak RSS MB | command |",
        "|---|---|---|---|---|---|---|",
    ]
    base = runs[BASELINE]
    for name in names:
        walls = [r["wall"] for r in runs[name]]
        ratio = statistics.median(r["wall"] / b["wall"] for r, b in zip(runs[name], base, strict=True))
        env = " ".join(f"{k}={v}" for k, v in CONFIGS[name][2].items())
        command = shlex.join(["stance", *command_for(name, path)[1:]]).replace(str(ROOT) + "/", "")
        command = f"{env} {command}".strip().replace(str(ROOT) + "/", "")
        lines.append(
            f"| {name} | {statistics.median(walls):.1f} [{min(walls):.1f}, {max(walls):.1f}] "
            f"| {statistics.median(r['cpu'] for r in runs[name]):.1f} | {n / statistics.median(walls):.2f} "
            f"| {ratio:.2f}× | {max(r['rss_mb'] for r in runs[name]):.0f} | `{command}` |"
        )
    return lines


def stages(path: Path) -> list[str]:
    """Where the time of `stance label` goes, each stage timed inside one process, one stage
    at a time (the command itself parses the next batch while the tagger runs), torch on one
    thread."""
    spent: dict[str, float] = {}

    def clock(owner: object, attribute: str, stage: str) -> None:
        inner: Callable = getattr(owner, attribute)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - started

        setattr(owner, attribute, wrapper)

    started = time.perf_counter()
    import torch  # imports are a stage of their own

    torch.set_num_threads(1)

    import stance.pipeline as pipeline_module
    import stance.tagger.extract as tagger_extract
    from stance.classifier.model import StanceClassifier
    from stance.io import ArticleWriter, Collection
    from stance.tagger.model import QuoteTagger

    spent["imports"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline = pipeline_module.Pipeline()
    spent["model loading"] = time.perf_counter() - started
    pipeline.extractor.prefetch = False  # one stage at a time, so that each is timed alone
    clock(pipeline_module, "parse", "spaCy parse")
    clock(QuoteTagger, "logits", "tagger forward passes")
    clock(QuoteTagger, "decode_many", "tagger decoding")
    clock(tagger_extract, "find_attributions", "rules (quotation marks)")
    clock(pipeline_module, "build_quotes", "speakers and targets")
    clock(StanceClassifier, "logits", "stance classifier forward")
    started = time.perf_counter()
    with ArticleWriter(OUT / "stages.jsonl") as writer:
        for article in pipeline.pipe(Collection([path])):
            writer.write(article)
    run = time.perf_counter() - started
    measured = sum(v for k, v in spent.items() if k not in ("imports", "model loading"))
    spent["reading, grouping, writing (the rest)"] = run - measured
    total = sum(spent.values())
    lines = ["| stage | seconds | share |", "|---|---|---|"]
    for stage, seconds in spent.items():
        lines.append(f"| {stage} | {seconds:.1f} | {100 * seconds / total:.0f}% |")
    lines.append(f"| all | {total:.1f} | 100% |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="turns on PolNeAR test")
    parser.add_argument("--copies", type=int, default=10, help="the larger input: PolNeAR test N times")
    parser.add_argument("--copies-repeats", type=int, default=1, help="turns on the larger input")
    parser.add_argument("--busy", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--busy-repeats", type=int, default=2, help="turns beside a CPU-bound process")
    parser.add_argument("--stages", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--config", action="append", help="NAME: only these configurations (and rules)")
    parser.add_argument(
        "--before", metavar="REV", help="also time `stance label` as it was at this git revision (a worktree)"
    )
    args = parser.parse_args()
    if args.before:
        tree = OUT / f"at-{args.before}"
        if not tree.exists():
            add = ["git", "worktree", "add", "--detach", str(tree), args.before]
            subprocess.run(add, cwd=ROOT, check=True)
        # The console script's own folder leads sys.path, so PYTHONPATH wins over the editable install.
        CONFIGS[f"label at {args.before}"] = ("label", [], {"PYTHONPATH": str(tree)})
    names = list(CONFIGS) if not args.config else [BASELINE, *[c for c in args.config if c != BASELINE]]
    before = [n for n in CONFIGS if n.startswith("label at ")]
    names += [n for n in before if n not in names]
    files = iter(inputs(args.copies).items())
    small_name, small = next(files)
    cpus = len(psutil.Process().cpu_affinity() or []) or psutil.cpu_count()
    print(f"Machine: {cpus} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GiB; `python scripts/bench.py "
          f"{' '.join(sys.argv[1:])}`".rstrip() + "\n")  # fmt: skip
    print(f"{small_name}, {args.repeats} turns:\n")
    print("\n".join(table(small, names, args.repeats)))
    for name, path in files:
        print(f"\n{name}, {args.copies_repeats} turn(s):\n")
        print("\n".join(table(path, [BASELINE, "label"], args.copies_repeats)))
    if args.busy:
        print(f"\n{small_name}, a CPU-bound process beside each command, {args.busy_repeats} turns:\n")
        print("\n".join(table(small, [n for n in names if n != "extract"], args.busy_repeats, busy=True)))
    if args.stages:
        print(f"\nStages of `stance label` in one process, {small_name}:\n")
        print("\n".join(stages(small)))


if __name__ == "__main__":
    main()
