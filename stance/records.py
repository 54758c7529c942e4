"""The record format: one article per record, quotes as character spans into its text.

Offsets are Python ``str`` indices into ``Article.text``, end exclusive; the text is the
single source of truth and every span points into it (see ``docs/format.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]

KINDS = ("direct", "indirect", "mixed")
STANCES = ("critical", "supportive", "neutral")


class RecordError(ValueError):
    """A record that does not follow the format (bad offsets, missing text, unknown kind)."""


@dataclass
class Target:
    """An organization a quote talks about, with the speaker's stance toward it."""

    name: str
    mentions: list[Span] = field(default_factory=list)
    stance: str | None = None
    scores: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "mentions": [list(m) for m in self.mentions],
            "stance": self.stance,
        }
        if self.scores is not None:
            out["scores"] = self.scores
        return out


@dataclass
class Quote:
    """One attribution: what was said (content), how (cue), by whom (source, speaker)."""

    content: list[Span]
    cue: list[Span] = field(default_factory=list)
    source: list[Span] = field(default_factory=list)
    speaker: str | None = None
    kind: str = "direct"
    targets: list[Target] = field(default_factory=list)
    # The extractor's calibrated probability that this is a quote (the tagger's; None without one).
    confidence: float | None = None

    @property
    def start(self) -> int:
        return min(s for s, _ in self.content)

    @property
    def end(self) -> int:
        return max(e for _, e in self.content)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "content": [list(s) for s in self.content],
            "cue": [list(s) for s in self.cue],
            "source": [list(s) for s in self.source],
            "speaker": self.speaker,
            "kind": self.kind,
            "targets": [t.to_dict() for t in self.targets],
        }
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 4)
        return out


@dataclass
class Article:
    """One article: its text, untouched metadata, and the quotes found in it."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)

    def span_text(self, spans: list[Span]) -> str:
        """The text of one or more spans, joined by ' … ' where discontinuous."""
        return " … ".join(self.text[s:e] for s, e in spans)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "meta": self.meta,
            "quotes": [q.to_dict() for q in self.quotes],
        }

    def _repr_html_(self) -> str:
        """Jupyter's view: the text with its quotes highlighted (content, cue, source; each
        organization coloured by the stance toward it; speaker and score on hover), then a
        table of the quotes. Plain HTML and CSS, so it shows where scripts are not run."""
        from stance.analysis.highlight import article_html  # only notebooks pay for it

        return article_html(self)


def _spans(value: Any, text: str, what: str) -> list[Span]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{what} must be a list of [start, end] pairs, got {value!r}")
    spans = []
    for pair in value:
        if (
            not isinstance(pair, (list, tuple))
            or len(pair) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
        ):
            raise RecordError(f"{what} has a span that is not [start, end]: {pair!r}")
        start, end = pair
        if not 0 <= start <= end <= len(text):
            raise RecordError(f"{what} span [{start}, {end}] lies outside the text (length {len(text)})")
        spans.append((start, end))
    return spans


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{what} must be a list, not {type(value).__name__}")
    return value


def _target_from_dict(d: dict[str, Any], text: str, where: str) -> Target:
    if not isinstance(d, dict) or not isinstance(d.get("name"), str):
        raise RecordError(f"{where}: a target needs a string 'name'")
    stance = d.get("stance")
    if stance is not None and stance not in STANCES:
        raise RecordError(f"{where}: stance {stance!r} is not one of {', '.join(STANCES)}")
    scores = d.get("scores")
    mentions = _spans(d.get("mentions"), text, f"{where} target mentions")
    if any(s == e for s, e in mentions):
        raise RecordError(f"{where}: target {d['name']!r} has an empty mention span")
    return Target(
        name=d["name"],
        mentions=mentions,
        stance=stance,
        scores=dict(scores) if isinstance(scores, dict) else None,
    )


def _quote_from_dict(d: dict[str, Any], text: str, where: str) -> Quote:
    if not isinstance(d, dict):
        raise RecordError(f"{where}: a quote must be an object")
    content = _spans(d.get("content"), text, f"{where} content")
    if not content:
        raise RecordError(f"{where}: a quote needs at least one content span")
    kind = d.get("kind", "direct")
    if kind not in KINDS:
        raise RecordError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    speaker = d.get("speaker")
    confidence = d.get("confidence")
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1
    ):
        raise RecordError(f"{where}: confidence {confidence!r} is not a number from 0 to 1")
    return Quote(
        content=content,
        cue=_spans(d.get("cue"), text, f"{where} cue"),
        source=_spans(d.get("source"), text, f"{where} source"),
        speaker=speaker if isinstance(speaker, str) else None,
        kind=kind,
        targets=[_target_from_dict(t, text, where) for t in _list(d.get("targets"), f"{where}: 'targets'")],
        confidence=None if confidence is None else float(confidence),
    )


def article_from_dict(d: dict[str, Any]) -> Article:
    """Build an article from a record, validating offsets; unknown keys are ignored."""
    if not isinstance(d, dict):
        raise RecordError("a record must be a JSON object")
    text = d.get("text")
    if not isinstance(text, str):
        raise RecordError("the record has no string 'text'")
    art_id = d.get("id")
    meta = d.get("meta")
    return Article(
        id="" if art_id is None else str(art_id),
        text=text,
        meta=meta if isinstance(meta, dict) else {},
        quotes=[
            _quote_from_dict(q, text, f"quote {i}") for i, q in enumerate(_list(d.get("quotes"), "'quotes'"))
        ],
    )
