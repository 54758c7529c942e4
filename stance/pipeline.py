"""The pipeline facade: parse, extract quotes, resolve speakers, find targets, classify stance."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from spacy.tokens import Doc

from stance.extraction.baseline import sentence_attributions
from stance.extraction.rules import Attribution, find_attributions
from stance.nlp import DEFAULT_SPACY_MODEL, load_spacy
from stance.records import Article, Quote, Target
from stance.speakers import SpeakerResolver
from stance.targets import OrganizationIndex, TargetList

# Reporting verbs whose object is the audience ('told reporters', 'told the BBC'), not a target.
_AUDIENCE_VERBS = frozenset("tell ask inform assure brief advise".split())


def _cue_objects(att: Attribution) -> list[tuple[int, int]]:
    """Spans of the objects of the cue: 'criticized the CSTO for …', also through 'saying'."""
    spans = []
    verb = att.verb
    while verb is not None and verb.pos_ in ("VERB", "AUX"):
        if verb.lemma_.lower() not in _AUDIENCE_VERBS:
            for child in verb.children:
                if child.dep_ in ("dobj", "dative"):
                    toks = list(child.subtree)
                    spans.append((toks[0].idx, toks[-1].idx + len(toks[-1].text)))
        # A participle ('…, saying') reports for the verb it hangs from.
        verb = verb.head if verb.dep_ == "advcl" and verb.head is not verb else None
    return spans


# Quote extractors by name: the rules, and the trivial baseline they are measured against.
EXTRACTORS: dict[str, Callable[[Doc], list[Attribution]]] = {
    "rules": find_attributions,
    "sentences": sentence_attributions,
}


def quotes_of(doc: Doc, targets: TargetList | None = None, extractor: str = "rules") -> list[Quote]:
    """All quotes of a parsed article with sources, canonical speakers and organization targets."""
    attributions = EXTRACTORS[extractor](doc)
    orgs = OrganizationIndex(doc, targets)
    speakers = SpeakerResolver(doc, orgs).resolve(attributions)
    quotes = []
    for att, speaker in zip(attributions, speakers, strict=True):
        found = orgs.within(att.content + _cue_objects(att))
        quotes.append(
            Quote(
                content=att.content,
                cue=att.cue,
                source=att.source,
                speaker=speaker,
                kind=att.kind,
                targets=[Target(name, sorted(mentions)) for name, mentions in found.items()],
            )
        )
    return quotes


class Extractor:
    """Quote extraction, speakers and targets for a stream of articles."""

    def __init__(
        self,
        spacy_model: str = DEFAULT_SPACY_MODEL,
        targets: TargetList | None = None,
        extractor: str = "rules",
    ):
        if extractor not in EXTRACTORS:
            raise ValueError(f"unknown extractor {extractor!r}: choose one of {', '.join(EXTRACTORS)}")
        self.nlp = load_spacy(spacy_model)
        self.targets = targets
        self.extractor = extractor

    def __call__(
        self,
        articles: Iterable[Article],
        batch_size: int = 8,
        on_error: Callable[[str], None] | None = None,
    ) -> Iterator[Article]:
        """Fill each article's quotes (replacing any it had), streaming in small batches.

        With ``on_error``, an article that fails is reported in one line and left out, and the
        batch goes on; without it, the error is raised.
        """
        stream = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            try:
                article.quotes = quotes_of(doc, self.targets, self.extractor)
            except Exception as err:  # one broken article must not lose the others' results
                if on_error is None:
                    raise
                on_error(f"{article.id}: extraction failed: {err.__class__.__name__}: {err}")
                continue
            yield article
