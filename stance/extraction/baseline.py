"""A trivial baseline extractor, to show what the rules add: every sentence that holds a
quotation mark is a quote, said by the first person named in that sentence."""

from __future__ import annotations

from spacy.tokens import Doc

from stance.extraction.quotemarks import ALL_MARKS, DOUBLED
from stance.extraction.rules import Attribution
from stance.kinds import kind_from_marks


def sentence_attributions(doc: Doc) -> list[Attribution]:
    found = []
    full = doc.text  # read once: spaCy joins every token's text at each read
    for sent in doc.sents:
        text = sent.text
        if not any(c in ALL_MARKS for c in text) and DOUBLED not in text:
            continue
        tokens = [t for t in sent if not t.is_space]
        while tokens and tokens[-1].is_punct and tokens[-1].text not in ALL_MARKS:
            tokens.pop()
        if not tokens:
            continue
        span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
        person = next((e for e in sent.ents if e.label_ == "PERSON"), None)
        found.append(
            Attribution(
                [span],
                kind_from_marks(full, [span]),
                source_tokens=list(person) if person else [],
            )
        )
    return found
