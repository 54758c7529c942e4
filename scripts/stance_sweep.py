"""Sweep the stance classifier's recipe: input ablations, data weighting, schedule; several seeds.

    python scripts/stance_sweep.py --variants recipe no-marks --seeds 13 14 15 --log out/sweep.jsonl

Every variant is the recipe (models/stance/README.md, as it stood before early stopping waited
for the first epoch) with one thing changed, and what that change needs: `cap-6000` also repeats
the project's labels 3 times to keep their share, `own-only` runs 10 epochs on its small set. Each run
trains with `stance.classifier.train.train_stance` into a scratch folder and appends one JSON line
to --log: the best dev macro-F1 and accuracy (early stopping picks the best evaluation, so the
figure is optimistic for every variant alike), the step it came at, and the seconds taken. The
spread over seeds says how much of a difference is noise: dev has only a few hundred pairs.
`--summary` prints the mean and spread per variant from one or more logs, and the macro-F1 of
each variant's seeds as an ensemble (mean calibrated probabilities).

On a CPU one run takes about 30 minutes; `scripts/gpu/` runs the sweep in parallel shards on the
GPU machine (about 80 s a run, eight at a time on one H100). `eval/stance_sweep.h100.jsonl` is
the log of the sweep reported in eval/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import torch

from stance.classifier.inputs import labelled_pairs
from stance.classifier.model import LABEL_ID, StanceClassifier
from stance.classifier.train import StanceTrainingConfig, macro_f1, train_stance
from stance.io import read_records

PUBLIC = ["directed-sentiment.train.jsonl", "newsmtsc.train.jsonl", "finentity.train.jsonl"]
OWN = "polnear-stance.train.jsonl"
DEV = "polnear-stance.dev.jsonl"
# The recipe as the logged sweep ran it: before early stopping waited for the first epoch.
RECIPE = StanceTrainingConfig(
    epochs=3, max_pairs_per_set=3000, eval_every=60, patience=5, select_after_epochs=0
)

# name -> (config changes, training files, repeats)
VARIANTS: dict[str, tuple[dict, list[str], dict[str, int]]] = {
    "recipe": ({}, [OWN, *PUBLIC], {OWN: 2}),
    "no-marks": ({"marks": False}, [OWN, *PUBLIC], {OWN: 2}),
    "no-speaker": ({"speaker": False}, [OWN, *PUBLIC], {OWN: 2}),
    "window-800": ({"window": 800, "max_length": 224}, [OWN, *PUBLIC], {OWN: 2}),
    "own-x4": ({}, [OWN, *PUBLIC], {OWN: 4}),
    "own-only": ({"epochs": 10, "eval_every": 20, "patience": 10}, [OWN], {}),
    "no-finentity": ({}, [OWN, *PUBLIC[:2]], {OWN: 2}),
    "cap-6000": ({"max_pairs_per_set": 6000}, [OWN, *PUBLIC], {OWN: 3}),
    "lr-1e-3": ({"learning_rate": 1e-3}, [OWN, *PUBLIC], {OWN: 2}),
    "epochs-6": ({"epochs": 6, "patience": 8}, [OWN, *PUBLIC], {OWN: 2}),
    "r-32": ({"lora_r": 32, "lora_alpha": 64}, [OWN, *PUBLIC], {OWN: 2}),
    "weights-1.0": ({"class_weight_power": 1.0}, [OWN, *PUBLIC], {OWN: 2}),
    "no-speaker+no-finentity": ({"speaker": False}, [OWN, *PUBLIC[:2]], {OWN: 2}),
}


def run(variant: str, seed: int, data: Path, log: Path) -> None:
    changes, files, repeat = VARIANTS[variant]
    config = dataclasses.replace(RECIPE, seed=seed, **changes)
    train_sets = {name: read_records(data / name) for name in files}
    dev = read_records(data / DEV)
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        meta_command = f"scripts/stance_sweep.py --variants {variant} --seeds {seed}"
        best = train_stance(train_sets, dev, Path(scratch), config, meta_command, repeat)
        meta = json.loads((Path(scratch) / "stance_classifier.json").read_text(encoding="utf-8"))
        classifier = StanceClassifier.load(scratch, "cuda" if torch.cuda.is_available() else "cpu")
        logits = classifier.logits([pair for pair, _ in labelled_pairs(dev, config.input_format())])
    best_step = max(meta["history"], key=lambda h: h["dev_macro_f1"])["step"]
    row = {
        "variant": variant,
        "seed": seed,
        "dev_macro_f1": round(best["macro_f1"], 4),
        "dev_accuracy": round(best["accuracy"], 4),
        "dev_pairs": best["pairs"],
        "best_step": best_step,
        "last_step": meta["history"][-1]["step"],
        "seconds": round(time.time() - started),
        "device": meta["device"],
        "temperature": meta["temperature"],
        # Uncalibrated dev logits of the kept adapter, in dev order: ensembles are scored from these.
        "dev_logits": [[round(x, 4) for x in row] for row in logits.tolist()],
    }
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps({k: v for k, v in row.items() if k != "dev_logits"}), file=sys.stderr)


def ensemble_f1(rows: list[dict], gold: list[int]) -> float:
    """Macro-F1 of the mean calibrated probabilities of several runs' dev logits."""
    probs = sum(torch.tensor(r["dev_logits"]).div(r["temperature"]).softmax(-1) for r in rows)
    return macro_f1(gold, probs.argmax(-1).tolist())


def summary(logs: list[Path], data: Path) -> None:
    runs = defaultdict(list)
    for path in logs:
        for line in open(path, encoding="utf-8"):
            row = json.loads(line)
            runs[row["variant"]].append(row)
    gold = [LABEL_ID[label] for _, label in labelled_pairs(read_records(data / DEV))]
    print(
        "| variant | seeds | dev macro-F1 mean | sd | min–max | accuracy mean | ensemble of the seeds "
        "| s per run |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for variant in [v for v in VARIANTS if v in runs]:
        rows = runs[variant]
        if any(len(r["dev_logits"]) != len(gold) for r in rows):
            raise SystemExit(f"{variant}: the log's dev logits do not match {data / DEV}")
        f1 = [100 * r["dev_macro_f1"] for r in rows]
        acc = [100 * r["dev_accuracy"] for r in rows]
        sd = statistics.stdev(f1) if len(f1) > 1 else 0.0
        secs = statistics.mean(r["seconds"] for r in rows)
        print(
            f"| {variant} | {len(f1)} | {statistics.mean(f1):.1f} | {sd:.1f} | {min(f1):.1f}–{max(f1):.1f} "
            f"| {statistics.mean(acc):.1f} | {100 * ensemble_f1(rows, gold):.1f} | {secs:.0f} |"
        )
    every = [r for rows in runs.values() for r in rows]
    print(f"\nAll {len(every)} runs as one ensemble: dev macro-F1 {100 * ensemble_f1(every, gold):.1f}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=["recipe"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[13])
    parser.add_argument("--data", type=Path, default=Path("data"), help="folder of converted records")
    parser.add_argument("--log", type=Path, default=Path("out/stance_sweep.jsonl"))
    parser.add_argument("--summary", nargs="*", type=Path, help="print the table of these logs and stop")
    parser.add_argument(
        "--shard", default="0/1", help="I/N: run every N-th job from the I-th (parallel runs)"
    )
    args = parser.parse_args()
    if args.summary is not None:
        summary(args.summary or [args.log], args.data)
        return
    args.log.parent.mkdir(parents=True, exist_ok=True)
    index, shards = (int(x) for x in args.shard.split("/"))
    jobs = [(variant, seed) for seed in args.seeds for variant in args.variants]  # all variants once first
    for variant, seed in jobs[index::shards]:
        run(variant, seed, args.data, args.log)


if __name__ == "__main__":
    main()
