"""BIO tags over SOURCE, CUE and CONTENT, and their alignment with subword tokens.

Tokens carry character offsets from the fast tokenizer, so a character span becomes the tokens it
overlaps and a run of tagged tokens becomes the characters from the first token's start to the
last token's end: exact to the character wherever a span starts and ends on token boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

from stance.records import Article, Span

ROLES = ("SOURCE", "CUE", "CONTENT")
LABELS = ("O", *(f"{p}-{r}" for r in ROLES for p in ("B", "I")))
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
# Where spans of an article overlap (a quote inside another quote's content), one token gets one
# tag: the short, decisive roles win over the long content.
_PRIORITY = {"CONTENT": 0, "SOURCE": 1, "CUE": 2}

Offsets = Sequence[tuple[int, int]]


def article_spans(article: Article) -> list[tuple[str, Span]]:
    """Every role span of every quote of an article."""
    out = []
    for q in article.quotes:
        out += [("CONTENT", s) for s in q.content]
        out += [("CUE", s) for s in q.cue]
        out += [("SOURCE", s) for s in q.source]
    return out


def spans_to_tags(offsets: Offsets, spans: list[tuple[str, Span]]) -> list[str]:
    """One BIO tag per token; tokens with an empty offset (special tokens) get 'O'."""
    tags = ["O"] * len(offsets)
    owner = [-1] * len(offsets)  # which span holds each token
    for n, (role, (start, end)) in sorted(enumerate(spans), key=lambda x: _PRIORITY[x[1][0]]):
        first = True
        for i, (ts, te) in enumerate(offsets):
            if te <= ts or te <= start or ts >= end:
                continue
            tags[i] = f"{'B' if first else 'I'}-{role}"
            owner[i] = n
            first = False
    # A higher-priority span may have cut a lower one in two: its tail restarts with B.
    for i in range(1, len(tags)):
        if tags[i].startswith("I-") and (tags[i - 1][2:] != tags[i][2:] or owner[i - 1] != owner[i]):
            tags[i] = "B-" + tags[i][2:]
    return tags


def tags_to_spans(offsets: Offsets, tags: Sequence[str]) -> list[tuple[str, Span]]:
    """Runs of B-/I- tags of one role as character spans; an I- without a B- starts a run."""
    out: list[tuple[str, Span]] = []
    role, start, end = None, 0, 0
    for (ts, te), tag in zip(offsets, tags, strict=True):
        if te <= ts:
            continue
        kind, _, tag_role = tag.partition("-")
        if kind == "I" and tag_role == role:
            end = te
            continue
        if role is not None:
            out.append((role, (start, end)))
        role, start, end = (tag_role, ts, te) if kind in ("B", "I") else (None, 0, 0)
    if role is not None:
        out.append((role, (start, end)))
    return out


def whole_words(text: str, offsets, tags: list[str]) -> list[str]:
    """Each word piece that continues a word (it starts where the piece before it ends, with a
    letter or digit on both sides) takes the tag of the piece before it, so that no span starts
    or ends inside a word (`[Skip]s`, `Mike Pen]ce`). The sequence stays well-formed: a
    continuation is I- of the role before it, or O. `offsets`: pairs, or an array of them."""
    import numpy

    pairs = numpy.asarray(offsets, dtype=numpy.int64).reshape(-1, 2)
    out = list(tags)
    if len(pairs) < 2:
        return out
    starts, ends = pairs[:, 0], pairs[:, 1]
    touching = numpy.flatnonzero((starts[1:] == ends[:-1]) & (ends[:-1] > starts[:-1])) + 1
    for i in touching:  # in text order, so a word's later pieces follow its first
        ts = int(starts[i])
        if ends[i] > ts and 0 < ts < len(text) and text[ts - 1].isalnum() and text[ts].isalnum():
            before = out[i - 1]
            out[i] = "O" if before == "O" else "I-" + before[2:]
    return out
