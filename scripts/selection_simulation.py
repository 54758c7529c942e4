"""Does choosing what to label by uncertainty beat choosing at random? A simulation on the
project's own stance labels (issue 15).

    python scripts/selection_simulation.py --data data --out out/selsim

1. The in-domain training articles (polnear-stance and news-stance train) are split, by article
   with a fixed seed, into a start set of about `--start` labelled pairs and a pool.
2. A model is trained on the start set (the reduced recipe of eval/RESULTS.md: 1,000 pairs of
   each public set, 2 epochs) and labels the pool with `stance classify`.
3. `stance select --n 500` chooses pairs from the pool with each strategy; a simulated annotator
   gives each chosen pair its gold label.
4. One model per strategy and seed is trained on the start set plus `--extra-labels` of the
   chosen pairs; its dev macro-F1 is read from its card.

Each step is a `stance` command, printed and logged under --out; a model already trained is kept,
so an interrupted run continues. Prints the Markdown table for eval/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

from stance.io import ArticleWriter, read_records
from stance.records import Article, Quote
from stance.selection import pair_key

IN_DOMAIN = ("polnear-stance.train.jsonl", "news-stance.train.jsonl")
PUBLIC = ("directed-sentiment.train.jsonl", "newsmtsc.train.jsonl", "finentity.train.jsonl")
STRATEGIES = ("random", "uncertainty", "diverse")


def labelled(article: Article) -> int:
    return sum(1 for q in article.quotes for t in q.targets if t.stance is not None)


def split(data: Path, start: int, seed: int) -> tuple[list[Article], list[Article]]:
    """Articles of both in-domain files in a seeded order; the first ones up to `start` labelled
    pairs are the start set, the rest the pool."""
    articles = [a for name in IN_DOMAIN for a in read_records(data / name)]
    random.Random(seed).shuffle(articles)
    first, rest, count = [], [], 0
    for article in articles:
        (first if count < start else rest).append(article)
        if count < start:
            count += labelled(article)
    return first, rest


def write(path: Path, articles: list[Article]) -> None:
    with ArticleWriter(path) as writer:
        for article in articles:
            writer.write(article)


def annotated(chosen: list[Article], pool: list[Article]) -> list[Article]:
    """The chosen pairs with their gold labels: what a person correcting the batch would return."""
    gold = {pair_key(a.id, q, t.name): t.stance for a in pool for q in a.quotes for t in q.targets}
    out = []
    for article in chosen:
        quotes = []
        for quote in article.quotes:
            targets = []
            for target in quote.targets:
                target.stance = gold[pair_key(article.id, quote, target.name)]
                target.scores = None
                targets.append(target)
            quotes.append(Quote(quote.content, quote.cue, quote.source, quote.speaker, quote.kind, targets))
        out.append(Article(article.id, article.text, article.meta, quotes))
    return out


def run(command: list[str], log: Path) -> None:
    print("$ " + shlex.join(command), file=sys.stderr, flush=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write("$ " + shlex.join(command) + "\n")
        handle.flush()
        subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, check=True)


def dev_score(model: Path) -> float:
    card = json.loads((model / "stance_classifier.json").read_text(encoding="utf-8"))
    return card["dev_macro_f1_rule"]["rule"]  # with its fitted decision rule, as shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("out/selsim"))
    parser.add_argument("--start", type=int, default=1000, help="labelled pairs to start from")
    parser.add_argument("--n", type=int, default=500, help="pairs each strategy adds")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14], help="training seeds")
    parser.add_argument("--stance", default=str(Path(sys.executable).with_name("stance")))
    args = parser.parse_args()
    out, data = args.out, args.data
    out.mkdir(parents=True, exist_ok=True)
    log = out / "run.log"
    start, pool = split(data, args.start, seed=0)
    write(out / "start.jsonl", start)
    write(out / "pool.jsonl", pool)
    print(
        f"start {sum(map(labelled, start))} labelled pairs in {len(start)} articles; "
        f"pool {sum(map(labelled, pool))} in {len(pool)}",
        file=sys.stderr,
    )

    def train(name: str, seed: int, extra: Path | None = None) -> Path:
        model = out / name
        if (model / "stance_classifier.json").exists():
            return model
        command = [args.stance, "train", "stance", "--train", str(out / "start.jsonl")]
        for public in PUBLIC:
            command += ["--train", str(data / public), "--cap", f"{public}=1000"]
        command += ["--max-pairs-per-set", "3000", "--epochs", "2", "--eval-every", "100", "--patience", "5"]
        command += ["--seed", str(seed), "--dev", str(data / "polnear-stance.dev.jsonl"), "-o", str(model)]
        if extra is not None:
            command += ["--extra-labels", str(extra)]
        run(command, log)
        return model

    rows: dict[str, dict[int, float]] = {"start set only": {}}
    added: dict[str, Counter] = {}
    for seed in args.seeds:
        rows["start set only"][seed] = dev_score(train(f"start-{seed}", seed))
    scorer = out / f"start-{args.seeds[0]}"
    scored = out / "pool.scored.jsonl"
    if not scored.exists():
        run([args.stance, "classify", str(out / "pool.jsonl"), "--stance-model", str(scorer),
             "-o", str(scored), "--overwrite", "--quiet"], log)  # fmt: skip
    pool_articles = read_records(out / "pool.jsonl")
    for strategy in STRATEGIES:
        chosen = out / f"chosen-{strategy}.jsonl"
        run([args.stance, "select", str(scored), "--n", str(args.n), "--strategy", strategy,
             "-o", str(chosen), "--overwrite", "--quiet"], log)  # fmt: skip
        gold = annotated(read_records(chosen), pool_articles)
        write(out / f"labelled-{strategy}.jsonl", gold)
        added[strategy] = Counter(t.stance for a in gold for q in a.quotes for t in q.targets)
        label = f"+ {args.n} chosen by {strategy}"
        rows[label] = {}
        for seed in args.seeds:
            model = train(f"{strategy}-{seed}", seed, out / f"labelled-{strategy}.jsonl")
            rows[label][seed] = dev_score(model)

    seeds = " | ".join(f"seed {s}" for s in args.seeds)
    print(f"| training labels | {seeds} | mean | labels of the added pairs (crit/supp/neut) |")
    print("|---|" + "---|" * (len(args.seeds) + 2))
    for label, by_seed in rows.items():
        values = [by_seed[s] for s in args.seeds]
        mix = ""
        for strategy, counts in added.items():
            if label.endswith(f"by {strategy}"):
                mix = "/".join(str(counts[k]) for k in ("critical", "supportive", "neutral"))
        cells = " | ".join(f"{100 * v:.1f}" for v in values)
        print(f"| {label} | {cells} | {100 * sum(values) / len(values):.1f} | {mix} |")


if __name__ == "__main__":
    main()
