"""The pipeline facade: parse, extract quotes, resolve speakers, find targets, classify stance."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from stance.defaults import DEFAULT_EXTRACTOR, DEFAULT_SPACY_MODEL, EXTRACTOR_NAMES
from stance.extraction.baseline import sentence_attributions
from stance.extraction.rules import Attribution, find_attributions
from stance.nlp import load_spacy, parse
from stance.records import Article, Quote, Target
from stance.speakers import SpeakerResolver
from stance.targets import OrganizationIndex, TargetList

if TYPE_CHECKING:  # the classifier module imports torch; the pipeline loads it only when asked
    from stance.classifier.model import StanceClassifier

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
        verb = verb.head if verb.dep_ == "advcl" and verb.head.i != verb.i else None
    return spans


def _per_doc(find: Callable[[Doc], list[Attribution]]) -> Callable[[list[Doc]], list[list[Attribution]]]:
    return lambda docs: [find(d) for d in docs]


def make_extractor(
    name: str, model: str | Path | None = None, device: str = "cpu", int8: bool = False
) -> Callable[[list[Doc]], list[list[Attribution]]]:
    """A quote extractor by name; it maps a batch of parsed articles to their attributions.

    rules: the rule-based extractor; sentences: the trivial baseline the others are scored
    against; tagger: the trained quote tagger (`model`, default models/extractor); tagger+rules:
    the tagger, with the rules' quotes wherever quotation marks decide.
    """
    if name == "rules":
        return _per_doc(find_attributions)
    if name == "sentences":
        return _per_doc(sentence_attributions)
    if name in ("tagger", "tagger+rules"):
        from stance.tagger.extract import TaggerExtractor  # torch and transformers load only here

        return TaggerExtractor(model, with_rules=name == "tagger+rules", device=device, int8=int8)
    raise ValueError(f"unknown extractor {name!r}: choose one of {', '.join(EXTRACTOR_NAMES)}")


def build_quotes(doc: Doc, attributions: list[Attribution], targets: TargetList | None = None) -> list[Quote]:
    """Quotes with canonical speakers and organization targets from one article's attributions."""
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
                confidence=att.confidence,
            )
        )
    return quotes


# A batch ends at the article that brings it to this many characters, so that the parses and
# tagger scores held at once stay bounded: a long article goes with few others, if any.
BATCH_CHARS = 200_000


def _next_batch(stream: Iterator[Article], batch_size: int) -> list[Article]:
    batch: list[Article] = []
    chars = 0
    while len(batch) < batch_size and chars < BATCH_CHARS:
        article = next(stream, None)
        if article is None:
            break
        batch.append(article)
        chars += len(article.text)
    return batch


class Extractor:
    """Quote extraction, speakers and targets for a stream of articles; with a stance classifier,
    also the stance toward every target."""

    def __init__(
        self,
        spacy_model: str = DEFAULT_SPACY_MODEL,
        targets: TargetList | None = None,
        extractor: str = DEFAULT_EXTRACTOR,
        model: str | Path | None = None,
        classifier: StanceClassifier | None = None,
        device: str = "cpu",
        int8: bool = False,
    ):
        self.find = make_extractor(extractor, model, device, int8)
        self.nlp = load_spacy(spacy_model)
        self.targets = targets
        self.classifier = classifier
        # Parse the next batch in a thread while this one is tagged (off: one stage at a time,
        # for timing each stage).
        self.prefetch = True
        # Quotes the tagger is less sure of than this are left out (a tagger's confidence only).
        self.min_confidence = 0.0

    def _parse(
        self, arts: list[Article], batch_size: int, on_error: Callable[[str], None] | None
    ) -> list[tuple[Doc, Article]]:
        """(parse, article) for a batch; if the batch fails, article by article, so only an article
        spaCy cannot parse is lost (reported through on_error)."""
        try:
            return list(zip(parse(self.nlp, [a.text for a in arts], batch_size), arts, strict=True))
        except Exception:
            if on_error is None:
                raise
        out = []
        for article in arts:
            try:
                out.append((parse(self.nlp, [article.text], 1)[0], article))
            except Exception as err:
                on_error(f"{article.id}: parse failed: {err.__class__.__name__}: {err}")
        return out

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
        stream = iter(articles)
        # The next batch is parsed in a thread while this one is tagged and classified: spaCy
        # and torch each keep one core busy (the answers are the same as one after the other).
        with ThreadPoolExecutor(1, thread_name_prefix="stance-parse") as parser:

            def parsed_later(arts: list[Article]) -> Future | None:
                if not arts:
                    return None
                if self.prefetch:
                    return parser.submit(self._parse, arts, batch_size, on_error)
                done: Future = Future()
                done.set_result(self._parse(arts, batch_size, on_error))
                return done

            upcoming = parsed_later(_next_batch(stream, batch_size))
            while upcoming is not None:
                batch = upcoming.result()
                upcoming = parsed_later(_next_batch(stream, batch_size))
                yield from self._finish(batch, on_error)

    def _finish(
        self, batch: list[tuple[Doc, Article]], on_error: Callable[[str], None] | None
    ) -> list[Article]:
        """Quotes (and stances) for a parsed batch."""
        docs = [doc for doc, _ in batch]
        try:
            found = self.find(docs) if docs else []
        except Exception:
            if on_error is None:
                raise
            found = None  # retry one by one below, so only the broken article is lost
        built = []
        for i, (doc, article) in enumerate(batch):
            try:
                attributions = found[i] if found is not None else self.find([doc])[0]
                if self.min_confidence:
                    attributions = [a for a in attributions if (a.confidence or 0.0) >= self.min_confidence]
                article.quotes = build_quotes(doc, attributions, self.targets)
            except Exception as err:  # one broken article must not lose the others' results
                if on_error is None:
                    raise
                on_error(f"{article.id}: extraction failed: {err.__class__.__name__}: {err}")
                continue
            built.append(article)
        if self.classifier is not None:
            from stance.classifier.model import fill_batch

            built = fill_batch(self.classifier, built, on_error)
        return built


def _as_article(index: int, text: str | Article) -> Article:
    if isinstance(text, Article):
        return text
    if not isinstance(text, str):
        raise TypeError(f"text {index} is a {type(text).__name__}; give strings or stance.Article objects")
    return Article(id=str(index), text=text)


class Pipeline:
    """The whole pipeline with its models loaded once, for notebooks and scripts: what `stance
    label` (or, with ``stance=False``, `stance extract`) runs on each article.

    >>> nlp = stance.Pipeline(targets="examples/targets.list")
    >>> articles = nlp.label(["…", "…"])             # a list of Articles
    >>> for article in nlp.pipe(stream_of_texts):   # streaming, in small batches
    ...     ...

    Texts are strings (ids "0", "1", … in the order given) or Articles, whose quotes are filled in
    place (any they had are replaced). ``targets`` is a TargetList or the path of a target file;
    a missing model raises ModelMissingError when the pipeline is made, not on the first text.
    """

    def __init__(
        self,
        targets: TargetList | str | Path | None = None,
        *,
        stance: bool = True,
        spacy_model: str = DEFAULT_SPACY_MODEL,
        extractor: str = DEFAULT_EXTRACTOR,
        tagger_model: str | Path | None = None,
        stance_model: str | Path | None = None,
        batch_size: int = 8,
        device: str = "auto",
        int8: bool = False,
        min_confidence: float = 0.0,
    ) -> None:
        from stance.encoder import resolve_device

        if targets is not None and not isinstance(targets, TargetList):
            targets = TargetList.read(targets)
        # Only the torch models have a device: the rules alone never import torch.
        on = str(resolve_device(device)) if stance or extractor.startswith("tagger") else "cpu"
        classifier = None
        if stance:
            from stance.classifier.model import StanceClassifier

            classifier = StanceClassifier.load(stance_model, on, int8)
        self.extractor = Extractor(spacy_model, targets, extractor, tagger_model, classifier, on, int8)
        self.extractor.min_confidence = min_confidence
        self.batch_size = batch_size
        self.options = {"stance": stance, "spacy_model": spacy_model, "extractor": extractor, "device": on}
        if int8:
            self.options["int8"] = True
        if min_confidence:
            self.options["min_confidence"] = min_confidence

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"stance.Pipeline({options})"

    def pipe(
        self,
        texts: Iterable[str | Article],
        batch_size: int | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Iterator[Article]:
        """The articles with their quotes, streamed as each batch is done (memory stays bounded
        whatever the length of ``texts``). With ``on_error`` (a ``stance.io.Problems``, or any
        callable taking one line), an article that fails is reported and left out; without it,
        the error is raised."""
        articles = (_as_article(i, text) for i, text in enumerate(texts))
        return self.extractor(articles, batch_size or self.batch_size, on_error)

    def label(self, texts: Iterable[str | Article] | str | Article) -> list[Article]:
        """All the articles at once, as a list (one text may be given alone)."""
        if isinstance(texts, (str, Article)):
            texts = [texts]
        return list(self.pipe(texts))

    def __call__(self, text: str | Article) -> Article:
        """One article."""
        (article,) = self.label([text])
        return article
