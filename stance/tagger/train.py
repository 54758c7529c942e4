"""Training recipe for the quote tagger.

1. Read train and dev records (PolNeAR converted with `stance convert polnear`).
2. Cut each train article into overlapping windows of word pieces, tagged BIO from the gold spans.
3. Fine-tune a LoRA adapter (r=16 on query/key/value/dense) and the classification head on top
   of the encoder, with class weights against the mass of O tags.
4. After every epoch, extract dev with the tagger and keep the adapter with the best dev
   content + source exact F1 (early stopping when it stops improving).
5. Save the adapter, the tagger config and a model card.

`init` starts from a trained tagger's adapter and head instead of fresh ones: more epochs for a
run whose dev scores were still rising, on a schedule of their own.
"""

from __future__ import annotations

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
from stance.encoder import PACKAGED_ENCODER, portable_adapter_config, resolve_encoder
from stance.evaluation import evaluate
from stance.kinds import kind_from_marks
from stance.records import Article, Quote, Span
from stance.tagger.bio import LABEL_ID, LABELS, article_spans, spans_to_tags
from stance.tagger.decode import group_spans
from stance.tagger.model import CONFIG_NAME, QuoteTagger, require_safetensors, windows


@dataclass
class TaggerTrainingConfig:
    base_model: str = PACKAGED_ENCODER
    max_length: int = 256
    train_overlap: int = 32
    overlap: int = 64
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 5e-4
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    weight_o: float = 0.5  # O tags are most tokens: weigh them down against the rare B- tags
    patience: int = 1
    seed: int = 13
    max_train_articles: int = 0  # 0: all
    init: str | None = None  # a trained tagger's folder to start from (same base encoder)


def training_windows(articles: list[Article], tagger: QuoteTagger, size: int, overlap: int) -> list[dict]:
    """Token windows with label ids; -100 on [CLS]/[SEP] so they do not count in the loss."""
    tok = tagger.tokenizer
    out = []
    for art in articles:
        ids, offsets = tagger.encode(art.text)
        tags = spans_to_tags(offsets, article_spans(art))
        for a, b in windows(len(ids), size - 2, overlap):
            out.append(
                {
                    "input_ids": [tok.cls_token_id, *ids[a:b], tok.sep_token_id],
                    "labels": [-100, *(LABEL_ID[t] for t in tags[a:b]), -100],
                }
            )
    return out


def _batches(rows: list[dict], batch_size: int, pad_id: int, rng: random.Random):
    order = list(range(len(rows)))
    rng.shuffle(order)
    for i in range(0, len(order), batch_size):
        batch = [rows[j] for j in order[i : i + batch_size]]
        width = max(len(r["input_ids"]) for r in batch)
        ids = torch.full((len(batch), width), pad_id)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, r in enumerate(batch):
            n = len(r["input_ids"])
            ids[row, :n] = torch.tensor(r["input_ids"])
            labels[row, :n] = torch.tensor(r["labels"])
            mask[row, :n] = 1
        yield ids, mask, labels


def _scored(articles: list[Article], spans_of: list[list[tuple[str, Span]]]) -> dict[str, float]:
    """Span scores of grouped quotes (no parse needed: speakers are not scored here)."""
    predicted = []
    for art, spans in zip(articles, spans_of, strict=True):
        quotes = [
            Quote(q.content, q.cue, q.source, kind=kind_from_marks(art.text, q.content))
            for q in group_spans(art.text, spans)
        ]
        predicted.append(Article(art.id, art.text, quotes=quotes))
    return evaluate(articles, predicted, samples=0).scores


def dev_scores(tagger: QuoteTagger, dev: list[Article]) -> dict[str, float]:
    return _scored(dev, tagger.tag([a.text for a in dev]))


O_BIASES = (0.0, 0.5, 1.0, 1.5, 2.0)


def tune_decoding(folder: Path, dev: list[Article], command: str) -> dict[str, float]:
    """Pick the O bias of the saved tagger's decoding by dev content exact F1; store it in its config.

    The tagger is trained with O down-weighted in the loss (recall first); at decoding a bias back
    towards O trades some of that recall for precision, and dev says how much.
    """
    tagger = QuoteTagger.load(folder)
    logits = tagger.logits([a.text for a in dev])
    trials = {b: _scored(dev, [tagger.decode(s, o, b) for s, o in logits]) for b in O_BIASES}
    bias = max(O_BIASES, key=lambda b: trials[b]["content.exact.f1"])
    config_file = folder / CONFIG_NAME
    config = json.loads(config_file.read_text(encoding="utf-8"))
    by_bias = {str(b): round(t["content.exact.f1"], 4) for b, t in trials.items()}
    config["decoding"] = {
        "o_bias": bias,
        "dev_content_exact_f1_by_o_bias": by_bias,
        "command": command,
    }
    config_file.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return trials[bias]


def test_scores(folder: Path, articles: list[Article]) -> dict[str, float]:
    """Scores of a saved tagger on held-out records, for its card."""
    return dev_scores(QuoteTagger.load(folder), articles)


def new_tagger_model(config: TaggerTrainingConfig) -> torch.nn.Module:
    """The encoder with a LoRA adapter and a token-classification head: fresh, or those of the
    trained tagger in `config.init`."""
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file
    from transformers import AutoModelForTokenClassification

    base = AutoModelForTokenClassification.from_pretrained(
        resolve_encoder(config.base_model),
        use_safetensors=True,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=LABEL_ID,
    )
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=["query", "key", "value", "dense"],
        modules_to_save=["classifier"],
        task_type="TOKEN_CLS",
    )
    model = get_peft_model(base, lora)
    if config.init:
        folder = Path(config.init)
        try:
            require_safetensors(folder, "quote tagger")
            trained = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
        except (OSError, RuntimeError, ValueError) as err:
            raise ValueError(f"--init {folder}: not a trained quote tagger ({err})") from None
        shape = ("lora_r", "lora_alpha")
        if trained["base_model"] != config.base_model or any(
            trained["training"].get(k) != getattr(config, k) for k in shape
        ):
            raise ValueError(f"--init {folder}: its base encoder or adapter rank differs from this run's")
        result = set_peft_model_state_dict(model, load_file(folder / "adapter_model.safetensors"))
        misfits = [k for k in result.missing_keys if "lora_" in k or "modules_to_save" in k]
        misfits += result.unexpected_keys
        if misfits:
            raise ValueError(f"--init {folder}: its adapter does not fit this run's ({misfits[:3]})")
    return model


def _epoch_scores(epoch: int, scores: dict[str, float]) -> dict[str, float]:
    return {
        "epoch": epoch,
        "dev_content_exact_f1": scores["content.exact.f1"],
        "dev_source_exact_f1": scores["source.exact.f1"],
        "dev_cue_exact_f1": scores["cue.exact.f1"],
    }


def train_tagger(
    train: list[Article],
    dev: list[Article],
    output: Path,
    config: TaggerTrainingConfig,
    command: str,
    resume: bool = False,
) -> dict[str, float]:
    """Train, keep the best epoch by dev content and source exact F1, save. After every epoch the
    run's state is kept in ``output/checkpoint``; ``resume`` continues after the last epoch done
    (the same command, the same data)."""
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    if config.init and Path(config.init).resolve() == Path(output).resolve():
        raise ValueError("--init must not be the output folder: the first epoch saved would replace it")
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    if config.max_train_articles:
        train = train[: config.max_train_articles]
    model = new_tagger_model(config)
    encoder = resolve_encoder(config.base_model)
    tagger = QuoteTagger(model, AutoTokenizer.from_pretrained(encoder), config.max_length, config.overlap)

    rows = training_windows(train, tagger, config.max_length, config.train_overlap)
    label_counts = Counter(LABELS[i] for r in rows for i in r["labels"] if i >= 0)
    n_tokens = sum(label_counts.values())
    weights = torch.ones(len(LABELS))
    weights[LABEL_ID["O"]] = config.weight_o
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, ignore_index=-100)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.01)
    steps = config.epochs * math.ceil(len(rows) / config.batch_size)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    print(f"{len(train)} articles, {len(rows)} windows, {n_tokens} tokens; {steps} steps", file=sys.stderr)

    best: dict[str, float] | None = None
    history = []
    stale = 0
    started = time.time()
    first = 1
    if config.init and not resume:
        # The tagger started from is the one to beat: kept if no epoch does better.
        model.eval()
        best = dev_scores(tagger, dev)
        history.append(_epoch_scores(0, best))
        print(f"epoch 0 (--init): dev {history[-1]}", file=sys.stderr)
        model.save_pretrained(str(output))
        portable_adapter_config(output, config.base_model)
    fingerprint = json.dumps([asdict(config), len(rows), n_tokens], sort_keys=True)
    if resume:
        state = resume_run(output, fingerprint, params, optimizer, schedule)
        best, history, stale, first = state["best"], state["history"], state["stale"], state["epoch"] + 1
        rng.setstate(python_random_state(state["rng"]))
        started -= state["seconds"]
        print(f"resumed after epoch {state['epoch']} of {config.epochs}", file=sys.stderr)
    for epoch in range(first, config.epochs + 1):
        if stale > config.patience:
            break
        model.train()
        bar = tqdm(
            _batches(rows, config.batch_size, tagger.tokenizer.pad_token_id, rng),
            total=math.ceil(len(rows) / config.batch_size),
            desc=f"epoch {epoch}",
            file=sys.stderr,
        )
        for ids, mask, labels in bar:
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = loss_fn(logits.view(-1, len(LABELS)), labels.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            bar.set_postfix(loss=f"{loss.item():.3f}")
        model.eval()
        scores = dev_scores(tagger, dev)
        key = (scores["content.exact.f1"] + scores["source.exact.f1"]) / 2
        history.append(_epoch_scores(epoch, scores))
        print(f"epoch {epoch}: dev {history[-1]}", file=sys.stderr)
        if best is None or key > (best["content.exact.f1"] + best["source.exact.f1"]) / 2:
            best, stale = scores, 0
            model.save_pretrained(str(output))
            portable_adapter_config(output, config.base_model)
        else:
            stale += 1
        state = {
            "fingerprint": fingerprint, "epoch": epoch, "best": best, "stale": stale, "history": history,
            "rng": rng.getstate(), "seconds": time.time() - started,
        }  # fmt: skip
        save_checkpoint(output, params, optimizer, schedule, state)

    assert best is not None
    output.mkdir(parents=True, exist_ok=True)
    (output / CONFIG_NAME).write_text(
        json.dumps(
            {
                "base_model": config.base_model,
                "labels": list(LABELS),
                "max_length": config.max_length,
                "overlap": config.overlap,
                "training": asdict(config),
                "label_counts": dict(label_counts),
                "history": history,
                "train_seconds": round(time.time() - started),
                "command": command,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(output / CHECKPOINT, ignore_errors=True)  # the run is complete
    return best


def _rows(scores: dict[str, float]) -> list[str]:
    out = []
    for layer in ("content", "source", "cue"):
        for match in ("exact", "overlap"):
            p, r, f = (scores[f"{layer}.{match}.{m}"] for m in ("p", "r", "f1"))
            out.append(f"| {layer} | {match} | {100 * p:.1f} | {100 * r:.1f} | {100 * f:.1f} |")
    return out


def write_card(output: Path, evaluations: dict[str, dict[str, float]]) -> None:
    """The model card: data, label counts, metrics on each evaluated set, the command."""
    meta = json.loads((output / CONFIG_NAME).read_text(encoding="utf-8"))
    lines = [
        "# Quote tagger (SOURCE / CUE / CONTENT)",
        "",
        "A token classifier that tags the source, cue and content of every attribution in a news",
        "article, read over overlapping windows of the whole article; `stance extract --extractor tagger`",
        "groups its spans into quotes (see `stance/tagger/decode.py`).",
        "",
        f"- Base encoder: `{meta['base_model']}` (all-MiniLM-L6-v2, 22.7M parameters, from its pip package).",
        f"- Stored here: a LoRA adapter (r={meta['training']['lora_r']} on query/key/value/dense) and the"
        " classification head, in safetensors.",
        f"- Labels: {', '.join(meta['labels'])}.",
        f"- Windows: {meta['max_length']} word pieces, {meta['overlap']} shared by neighbours at inference.",
        *(
            [
                f"- Started from the adapter and head of the trained tagger `{meta['training']['init']}` "
                f"(its card gives that run), then trained {meta['training']['epochs']} more epochs at most."
            ]
            if meta["training"].get("init")
            else []
        ),
        "",
        "## Data",
        "",
        "PolNeAR v1.0.0 (Newell, Margolin & Ruths, LREC 2018): political news attribution relations,",
        "converted with `stance convert polnear` (`--split train-all-annotators`: every annotator's",
        "file of each train article; dev and test: one annotator per article). Trained on the train",
        "records of the command below, model selection on dev. Research use; cite the paper.",
        "",
        "Training tokens by label: "
        + ", ".join(f"{label} {meta['label_counts'].get(label, 0)}" for label in meta["labels"])
        + ".",
        "",
        "## Metrics (document level, `stance eval`; percent)",
        "",
    ]
    for name, scores in evaluations.items():
        lines += [
            f"### {name}",
            "",
            "| layer | match | P | R | F1 |",
            "|---|---|---|---|---|",
            *_rows(scores),
            "",
        ]
    lines += [
        "Dev after each epoch (as scored during training, before the decoding below was tuned): "
        + "; ".join(
            f"epoch {h['epoch']}: content {100 * h['dev_content_exact_f1']:.1f}, "
            f"source {100 * h['dev_source_exact_f1']:.1f}, cue {100 * h['dev_cue_exact_f1']:.1f}"
            for h in meta["history"]
        )
        + f" (exact F1). Training took {meta['train_seconds']} s on the machine that made it.",
        "",
    ]
    decoding = meta.get("decoding")
    commands = [meta["command"]]
    if decoding:
        tried = ", ".join(
            f"{b}: {100 * f:.1f}" for b, f in decoding["dev_content_exact_f1_by_o_bias"].items()
        )
        lines += [
            "Decoding: the most probable well-formed BIO sequence (Viterbi), with the log-probability",
            f"of O raised by {decoding['o_bias']}, chosen on dev (dev content exact F1 by bias: {tried}).",
            "",
        ]
        if decoding["command"] != meta["command"]:
            commands.append(decoding["command"])
    lines += ["## Command", "", "```sh", *commands, "```", ""]
    (output / "README.md").write_text("\n".join(lines), encoding="utf-8")
