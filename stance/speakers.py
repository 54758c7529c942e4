"""Canonical speakers: every source mention resolved to the fullest name the article gives.

A small, rule-based coreference for the mentions that sources are made of: names and surnames
('Pashinyan' -> 'Nikol Pashinyan'), pronouns ('he' -> the last person in focus, of a compatible
gender), descriptions ('the Kremlin spokesman', 'the Russian leader') matched against the titles
and appositives that introduced each person, and organizations ('the ministry').
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from stance.extraction.rules import Attribution
from stance.targets import OrganizationIndex

_HONORIFICS = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Sir|Dame)\.?\s+)+")
_POSSESSIVE = re.compile(r"\s*['’]s?$")
MALE = frozenset("he him his himself".split())
FEMALE = frozenset("she her hers herself".split())
_GENDERED_WORDS = {
    "m": frozenset("mr spokesman chairman man father son brother king businessman congressman".split()),
    "f": frozenset(
        "mrs ms miss spokeswoman chairwoman woman mother daughter sister queen congresswoman".split()
    ),
}
# Role nouns that can stand for one another in a later description ('the Russian leader').
_ROLE_GROUPS = [
    frozenset("leader president premier chancellor head chief chairman chairwoman chair".split()),
    frozenset("minister secretary".split()),
    frozenset("spokesman spokeswoman spokesperson".split()),
    frozenset("mayor".split()),
]
_DESCRIPTOR_POS = ("PROPN", "NOUN", "ADJ")


@dataclass
class Person:
    name: str
    descriptors: set[str] = field(default_factory=set)  # lower-case words of titles and appositives
    gender: str | None = None
    mentions: list[int] = field(default_factory=list)  # character offsets


class _Speakers:
    """The speakers resolved so far, by the offset of their source; at one offset, in the order found."""

    def __init__(self) -> None:
        self.offsets: list[int] = []
        self.people: list[Person] = []

    def add(self, offset: int, person: Person) -> None:
        i = bisect.bisect_right(self.offsets, offset)
        self.offsets.insert(i, offset)
        self.people.insert(i, person)


def _roles_match(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _ROLE_GROUPS)


class SpeakerResolver:
    """Resolves the sources of one article's attributions."""

    def __init__(self, doc: Doc, orgs: OrganizationIndex):
        self.doc = doc
        self.orgs = orgs
        self.people: dict[str, Person] = {}  # surname (lower) -> person
        for ent in doc.ents:
            # An organization's acronym tagged as a person ('NCFL chief executive …') is not one.
            if ent.label_ == "PERSON" and orgs.name_of((ent.start_char, ent.end_char)) is None:
                self._add_person(ent.start, ent.end)
        self._index_mentions()

    def _index_mentions(self) -> None:
        """Every person's mentions by offset, for the person in focus at an offset; at one offset
        in the order of self.people."""
        self._mentions = sorted(
            ((o, n, p) for n, p in enumerate(self.people.values()) for o in p.mentions), key=lambda m: m[:2]
        )
        self._mention_offsets = [o for o, _, _ in self._mentions]

    def _add_person(self, start: int, end: int) -> None:
        doc = self.doc
        name = _POSSESSIVE.sub("", _HONORIFICS.sub("", doc[start:end].text)).strip()
        words = name.split()
        if not words or not words[-1][:1].isupper():
            return
        key = words[-1].lower()
        person = self.people.get(key)
        if person is None:
            person = self.people[key] = Person(name)
        elif len(words) > len(person.name.split()):
            person.name = name
        person.mentions.append(doc[start].idx)
        head = doc[end - 1]
        # Titles before the name ('Kremlin spokesman', 'Russian President') and appositives.
        i = start - 1
        while i >= 0 and doc[i].pos_ in _DESCRIPTOR_POS and doc[i].ent_type_ != "PERSON":
            person.descriptors.add(doc[i].lower_.rstrip("."))
            i -= 1
        for child in head.children:
            if child.dep_ == "appos":
                person.descriptors.update(t.lower_ for t in child.subtree if t.pos_ in _DESCRIPTOR_POS)
        for g, gendered in _GENDERED_WORDS.items():
            if person.descriptors & gendered or doc[start].lower_.rstrip(".") in gendered:
                person.gender = g

    def _person_at(self, tokens: list[Token]) -> Person | None:
        for tok in reversed(tokens):  # the head's name: 'NCFL chief executive Karen Holt'
            if tok.ent_type_ == "PERSON":
                return self.people.get(_POSSESSIVE.sub("", tok.text).lower()) or self._surname(tokens)
        return self._surname(tokens)

    def _surname(self, tokens: list[Token]) -> Person | None:
        # The parser's PROPN run may be a name the NER missed: match its last word as a surname.
        for tok in reversed(tokens):
            if tok.pos_ == "PROPN" and tok.lower_ in self.people:
                return self.people[tok.lower_]
        return None

    def _recent_person(self, offset: int, gender: str | None, speakers: _Speakers) -> Person | None:
        """The person in focus before an offset: the last speaker or person mentioned, gender permitting."""
        # Speakers and mentions walked back from the offset, nearest first; at one offset the
        # speakers (in the order found) come before the mentions (in the order of self.people).
        s = bisect.bisect_left(speakers.offsets, offset)
        m = bisect.bisect_left(self._mention_offsets, offset)
        while s > 0 or m > 0:
            at = max(speakers.offsets[s - 1] if s else -1, self._mention_offsets[m - 1] if m else -1)
            s0, m0 = s, m
            while s0 and speakers.offsets[s0 - 1] == at:
                s0 -= 1
            while m0 and self._mention_offsets[m0 - 1] == at:
                m0 -= 1
            for person in speakers.people[s0:s] + [p for _, _, p in self._mentions[m0:m]]:
                if gender is None or person.gender in (None, gender):
                    return person
            s, m = s0, m0
        return None

    def _described_person(self, tokens: list[Token], offset: int) -> Person | None:
        head = tokens[-1]
        modifiers = {t.lower_ for t in tokens[:-1] if t.pos_ in _DESCRIPTOR_POS}
        best: tuple[int, Person] | None = None
        for person in self.people.values():
            if not any(_roles_match(head.lower_, d) for d in person.descriptors):
                continue
            if modifiers and not modifiers <= person.descriptors and not modifiers & person.descriptors:
                continue
            first = person.mentions[0]  # added in the order of doc.ents: the first in the text
            # The most recent person introduced before the description, else the first after.
            rank = offset - first if first < offset else 10**9 + first
            if best is None or rank < best[0]:
                best = (rank, person)
        return best[1] if best else None

    def resolve(self, attributions: list[Attribution]) -> list[str | None]:
        """One canonical speaker per attribution (None where unknown), in the given order."""
        speakers = _Speakers()
        out: dict[int, str | None] = {}
        for att in sorted(attributions, key=lambda a: a.start):
            if not att.source_tokens:
                out[id(att)] = None
                continue
            offset = att.source_tokens[0].idx
            name, person = self._resolve_tokens(att.source_tokens, offset, speakers)
            if person is not None:
                speakers.add(offset, person)
            out[id(att)] = name
        return [out[id(a)] for a in attributions]

    def _resolve_tokens(
        self, tokens: list[Token], offset: int, speakers: _Speakers
    ) -> tuple[str | None, Person | None]:
        head = tokens[-1] if tokens[-1].pos_ != "PART" else tokens[0]
        person = self._person_at(tokens)
        if person is not None:
            return person.name, person
        # 'the Kremlin said' is the Kremlin; 'the Kremlin spokesman said' is a person.
        org = self.orgs.name_of((head.idx, head.idx + len(head.text)))
        if org is not None:
            return org, None
        if head.pos_ == "PRON":
            word = head.lower_
            if word in MALE or word in FEMALE:
                gender = "m" if word in MALE else "f"
                person = self._recent_person(offset, gender, speakers)
                if person is not None and person.gender is None:
                    person.gender = gender  # later pronouns of the other gender look elsewhere
                return (person.name, person) if person else (None, None)
            if word in ("it", "they"):
                return self.orgs.last_before(offset), None
            return None, None
        person = self._described_person(tokens, offset)
        if person is not None:
            return person.name, person
        if head.pos_ == "NOUN" and tokens[0].lower_ == "the":
            org = self.orgs.by_word(head.lemma_, offset) or self.orgs.by_word(head.text, offset)
            if org is not None:
                return org, None
        return None, None
