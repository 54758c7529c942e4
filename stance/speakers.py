"""Canonical speakers: every source mention resolved to the fullest name the article gives.

A small, rule-based coreference for the mentions that sources are made of:

- names and surnames ('Pashinyan' -> 'Nikol Pashinyan'); people who share a surname stay apart
  ('Bill Clinton', 'Hillary Clinton'), and a bare surname goes to the one an honorific's gender
  fits, else the one mentioned last; hyphenated and particle surnames ('Ocasio-Cortez',
  'de Vries') link by their last word and by each part;
- pronouns ('he' -> the speaker or subject nearest before it, sentence by sentence, whose gender
  fits; names inside quotation marks only if nothing else fits); relative pronouns ('who' -> the
  noun it hangs on); 'I' inside a quote -> the quote's own speaker;
- descriptions ('the Kremlin spokesman', 'the Vermont senator') matched against the titles and
  appositives that introduced each person ('Sen.' -> senator);
- organizations ('the ministry'), and groups and unnamed speakers, which keep their own words
  ('officials', 'a source' -> 'source').

Genders come from honorifics ('Mr.'), gendered role words ('spokeswoman'), first names (the US
Census 1990 lists that the ``names`` package ships), then from the pronouns already resolved.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from spacy.tokens import Doc, Token

from stance.extraction.quotemarks import find_quoted_passages
from stance.extraction.rules import Attribution
from stance.targets import OrganizationIndex

# Titles that come before a name; the value is the role a later description may use for it.
_TITLES = {
    "mr": None, "mrs": None, "ms": None, "miss": None, "dr": None, "prof": None, "sir": None,
    "dame": None, "rev": None, "sen": "senator", "senator": "senator", "rep": "representative",
    "representative": "representative", "gov": "governor", "governor": "governor",
    "del": "delegate", "gen": "general", "general": "general", "lt": None, "col": None,
    "sgt": None, "capt": None, "judge": "judge", "justice": "justice", "president": "president",
    "secretary": "secretary", "mayor": "mayor", "chancellor": "chancellor", "pope": "pope",
}  # fmt: skip
_TITLE_RUN = re.compile(r"^(?:(?:" + "|".join(_TITLES) + r")\.?\s+)+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\s*['’]s?$")
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_PARTICLES = frozenset("de del della di da van von der den du".split())
MALE = frozenset("he him his himself".split())
FEMALE = frozenset("she her hers herself".split())
FIRST_PERSON = frozenset("i me my mine myself".split())
RELATIVE = frozenset("who whom whose that which".split())
_GENDERED_WORDS = {
    "m": frozenset(
        "mr spokesman chairman man father son brother king businessman congressman husband "
        "widower actor boy uncle nephew grandfather".split()
    ),
    "f": frozenset(
        "mrs ms miss spokeswoman chairwoman woman mother daughter sister queen congresswoman wife "
        "widow actress girl aunt niece grandmother lady businesswoman".split()
    ),
}
# Role nouns that can stand for one another in a later description ('the Russian leader').
_ROLE_GROUPS = [
    frozenset("leader president premier chancellor".split()),
    frozenset("leader head chief chairman chairwoman chair chairperson".split()),
    frozenset("minister secretary".split()),
    frozenset("spokesman spokeswoman spokesperson".split()),
    frozenset("senator lawmaker".split()),
    frozenset("representative congressman congresswoman lawmaker".split()),
    frozenset("judge justice".split()),
    frozenset("nominee candidate".split()),
]
# Roles that a definite description uses for someone already named ('The GOP nominee said', 'The
# Indiana governor said'): resolved like a pronoun when no one's titles hold them. Roles of people
# who are seldom named ('the spokesman', 'the official') stay the source's own words.
_ANAPHORIC_ROLES = frozenset(
    "nominee candidate president governor senator congressman congresswoman businessman "
    "businesswoman billionaire mogul republican democrat secretary chairman chairwoman mayor".split()
)
# Staff and family roles: someone a title or appositive calls one ('Clinton spokesman Brian Fallon',
# 'his ex-wife, Ivana Trump') is not who 'the nominee' or 'the governor' is.
_STAFF_ROLES = frozenset(
    "spokesman spokeswoman spokesperson press aide adviser advisor lawyer attorney manager strategist "
    "pollster reporter correspondent host anchor editor analyst wife husband mother father "
    "daughter son sister brother widow widower".split()
)
# Every role a title or appositive can give someone: a description of one role is not a person
# known by another ('the governor' is not 'Mayor Bill Dunn').
_ROLE_WORDS = (
    _ANAPHORIC_ROLES
    | _STAFF_ROLES
    | frozenset(w for group in _ROLE_GROUPS for w in group)
    | frozenset(r for r in _TITLES.values() if r)
) - {"republican", "democrat"}  # a party is not a role (parties are checked apart)
_DESCRIPTOR_POS = ("PROPN", "NOUN", "ADJ")
_PARTIES = {
    "republican": "r", "gop": "r", "democratic": "d", "democrat": "d", "libertarian": "l",
    "green": "g", "labour": "lab", "conservative": "con", "tory": "con",
}  # fmt: skip
_SUBJECTS = ("nsubj", "nsubjpass")
# What a person puts out: 'Ivana Trump's brief said' is Ivana Trump speaking.
_OUTPUTS = frozenset(
    "statement brief letter tweet tweets post remarks comments speech interview ad video book memo "
    "filing submission lawsuit complaint testimony op-ed column essay message email".split()
)
_GROUP_DETERMINERS = frozenset("a an another the".split())
# How many sentences back a pronoun looks for its person (a bound, so long articles stay linear).
PRONOUN_REACH = 30
_CLAUSES = frozenset("relcl acl appos advcl".split())
_PHRASE_PUNCT = frozenset("-'’")  # inside a phrase ('African-American'), not its end


@lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """Lower-case first name -> 'm' or 'f', where the 1990 US Census lists agree by 3 to 1 or more."""
    shares: dict[str, dict[str, float]] = {}
    for gender, name in (("m", "dist.male.first"), ("f", "dist.female.first")):
        for line in (files("names") / name).read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                shares.setdefault(parts[0].lower(), {})[gender] = float(parts[1])
    out = {}
    for first, by in shares.items():
        m, f = by.get("m", 0.0), by.get("f", 0.0)
        if m >= 3 * f:
            out[first] = "m"
        elif f >= 3 * m:
            out[first] = "f"
    return out


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Lower-case first names and surnames of the 1990 US Census lists."""
    names = set()
    for name in ("dist.male.first", "dist.female.first", "dist.all.last"):
        text = (files("names") / name).read_text(encoding="utf-8")
        names.update(line.split()[0].lower() for line in text.splitlines() if line.strip())
    return frozenset(names)


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def clean_name(text: str) -> str:
    """A name without titles, possessive or surrounding punctuation ('Sen. Warren's' -> 'Warren')."""
    name = _POSSESSIVE.sub("", _TITLE_RUN.sub("", text.strip())).strip(" ,.;:()\"'“”")
    return " ".join(name.split())


def _name_keys(words: list[str]) -> tuple[str, list[str]]:
    """The surname key of a name's words and its other keys (each part of a hyphenated surname,
    a particle surname's last word)."""
    core = [w for w in words if _norm(w) not in _SUFFIXES] or words
    last = _norm(core[-1])
    keys = [last] + [p for p in last.split("-") if p and p != last]
    return last, keys


@dataclass
class Person:
    name: str
    first: str | None = None  # lower case; None where only a surname was seen
    descriptors: set[str] = field(default_factory=set)  # lower-case words of titles and appositives
    gender: str | None = None
    mentions: list[int] = field(default_factory=list)  # character offsets
    credible: bool = False  # a full name, a title, a first name on record or a subject


@dataclass(frozen=True)
class _Event:
    """A place where a person is in focus: a mention or a resolved speaker."""

    offset: int
    person: Person
    rank: int  # 0: a speaker or a subject; 1: any other mention
    quoted: bool  # inside quotation marks


def _headline_end(text: str) -> int:
    """Where a title-case headline ends: the first paragraph, when it is one short line most of
    whose words are capitalised and more text follows; 0 where there is none."""
    end = text.find("\n")
    if end <= 0:
        return 0
    words = [w for w in text[:end].split() if any(c.isalpha() for c in w)]
    capitalised = sum(1 for w in words if w.lstrip("'‘\"“(")[:1].isupper())
    return end if 0 < len(words) <= 25 and capitalised >= 0.6 * len(words) else 0


def _roles_match(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _ROLE_GROUPS)


def _head(tokens: list[Token]) -> Token:
    """The syntactic head of a span of tokens: the first whose head lies outside it, a name
    before a relative pronoun ('whom Baker' when a tagger joins the object to the subject)."""
    inside = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in inside or t.head.i == t.i] or tokens[-1:]
    named = [t for t in heads if t.pos_ in ("PROPN", "NOUN")]
    return named[0] if heads[0].lower_ in RELATIVE and named else heads[0]


class SpeakerResolver:
    """Resolves the sources of one article's attributions."""

    def __init__(self, doc: Doc, orgs: OrganizationIndex):
        self.doc = doc
        self.orgs = orgs
        self.people: list[Person] = []
        self._by_key: dict[str, list[Person]] = {}
        self._ent_person: dict[int, Person] = {}  # token index -> the person its entity names
        self.text = doc.text  # read once: spaCy joins every token's text at each read
        passages = find_quoted_passages(self.text)
        self._quoted = sorted(p.content for p in passages)
        self._sent_starts = [s.start_char for s in doc.sents]
        self._events: list[_Event] = []
        self._genders = first_name_genders()
        # A title-case headline runs words into names ('Hillary Clinton Goes After …'): its
        # names are read last, cut to the longest prefix that names someone the body names.
        headline = _headline_end(self.text)
        ents = [e for e in doc.ents if e.label_ == "PERSON"]
        for ent in sorted(ents, key=lambda e: (e.start_char < headline, e.start)):
            # An organization's acronym tagged as a person ('NCFL chief executive …') is not one.
            if orgs.name_of((ent.start_char, ent.end_char)) is None:
                end = self._known_prefix(ent.start, ent.end) if ent.start_char < headline else ent.end
                self._add_mention(ent.start, end)
        self._events.sort(key=lambda e: e.offset)

    # --- people -------------------------------------------------------------------------------

    def _in_quotes(self, offset: int) -> bool:
        i = bisect.bisect_right(self._quoted, (offset, len(self.text) + 1)) - 1
        return i >= 0 and self._quoted[i][0] <= offset < self._quoted[i][1]

    def _sentence(self, offset: int) -> int:
        return bisect.bisect_right(self._sent_starts, offset) - 1

    def _known_prefix(self, start: int, end: int) -> int:
        """The end of the longest prefix of a name's tokens whose last word is a known surname."""
        for stop in range(end, start, -1):
            if _norm(_POSSESSIVE.sub("", self.doc[stop - 1].text)) in self._by_key:
                return stop
        return end

    def _add_mention(self, start: int, end: int) -> None:
        doc = self.doc
        while end - start > 1 and doc[start].pos_ in ("ADJ", "NOUN") and doc[start].is_title:
            start += 1  # 'Rival Hillary Clinton': the adjective is not part of the name
        raw = doc[start:end].text
        name = clean_name(raw)
        words = name.split()
        if not words or not words[-1][:1].isupper():
            return
        titled = name != _POSSESSIVE.sub("", raw.strip()).strip()
        gender = None
        honorific = _norm(raw.split()[0].rstrip("."))
        for g, gendered in _GENDERED_WORDS.items():
            if honorific in gendered or (start > 0 and doc[start - 1].lower_.rstrip(".") in gendered):
                gender = g
        person = self._link(words, gender, doc[start].idx)
        self._ent_person.update((i, person) for i in range(start, end))
        bisect.insort(person.mentions, doc[start].idx)
        if gender:
            person.gender = gender
        head = doc[end - 1]
        # One word that no census list knows ('Obamacare') is credible only once it speaks.
        person.credible |= len(words) > 1 or titled or _norm(words[0]) in known_names()
        # Titles before the name ('Kremlin spokesman', 'Russian President', 'Sen.') and appositives.
        i = start - 1
        while i >= 0 and doc[i].pos_ in _DESCRIPTOR_POS and doc[i].ent_type_ != "PERSON":
            person.descriptors.add(doc[i].lower_.rstrip("."))
            i -= 1
        for word in raw.split()[: len(raw.split()) - len(words)]:
            person.descriptors.add(word.lower().rstrip("."))
        for child in head.children:
            if child.dep_ == "appos":
                person.descriptors.update(t.lower_ for t in child.subtree if t.pos_ in _DESCRIPTOR_POS)
        if head.dep_ == "appos" and head.head.pos_ == "NOUN":  # 'Her spokesman, Dan Ortiz,'
            person.descriptors.add(head.head.lower_)
        person.descriptors |= {_TITLES[d] for d in person.descriptors if _TITLES.get(d)}
        if person.gender is None:
            for g, gendered in _GENDERED_WORDS.items():
                if person.descriptors & gendered:
                    person.gender = g
        quoted = self._in_quotes(doc[start].idx)
        rank = 0 if head.dep_ in _SUBJECTS else 1
        self._events.append(_Event(doc[start].idx, person, rank, quoted))

    def _link(self, words: list[str], gender: str | None, offset: int) -> Person:
        """The person a name's words name: a known one, or a new one."""
        last, keys = _name_keys(words)
        # 'De Blasio', 'Van Voorhis', 'Guajardo Villarreal': a surname of several words, no first name.
        first = _norm(words[0]) if len(words) > 1 and _norm(words[0]) not in _PARTICLES else None
        candidates = self._by_key.get(last, [])
        lower = [_norm(w) for w in words]
        for person in candidates:
            known = [_norm(w) for w in person.name.split()]
            if 1 < len(lower) < len(known) and known[-len(lower) :] == lower:
                return person  # the end of a name already known
        if first is not None:
            for person in candidates:
                if person.first == first:
                    if len(words) > len(person.name.split()):
                        person.name = " ".join(words)
                    return person
            fitting = (None, gender or self._genders.get(first.rstrip(".")))
            for person in candidates:
                # The surname came first ('Trump', then 'Donald Trump'), unless its honorific's
                # gender says it was someone else ('Mr. Obama', then 'Michelle Obama').
                if person.first is None and (person.gender in fitting or fitting[1] is None):
                    person.name, person.first = " ".join(words), first
                    self._index(person, keys)
                    return self._with_first_name_gender(person)
        elif candidates:
            return self._surname(candidates, gender, offset)
        elif len(words) == 1:
            for person in self.people:  # a first name alone ('Hillary')
                if person.first == _norm(words[0]):
                    return person
        person = Person(" ".join(words), first=first)
        self.people.append(person)
        self._index(person, keys)
        return self._with_first_name_gender(person)

    def _with_first_name_gender(self, person: Person) -> Person:
        if person.gender is None and person.first:
            person.gender = self._genders.get(person.first.rstrip("."))
        if person.first and person.first.rstrip(".") in self._genders:
            person.credible = True
        return person

    def _index(self, person: Person, keys: list[str]) -> None:
        for key in keys:
            if person not in self._by_key.setdefault(key, []):
                self._by_key[key].append(person)

    def _surname(self, candidates: list[Person], gender: str | None, offset: int) -> Person:
        """Of the people a surname may name, the one the honorific's gender fits, else the one
        mentioned last before the offset, else the first."""
        fits = [p for p in candidates if gender is None or p.gender in (None, gender)] or candidates
        if gender is not None:
            fits = [p for p in fits if p.gender == gender] or fits

        def last_before(p: Person) -> int:
            i = bisect.bisect_left(p.mentions, offset)  # mentions are kept sorted
            return p.mentions[i - 1] if i else -1

        return max(fits, key=last_before)

    # --- sources ------------------------------------------------------------------------------

    def resolve(self, attributions: list[Attribution]) -> list[str | None]:
        """One canonical speaker per attribution (None where unknown), in the given order.

        Names, descriptions, organizations and groups first; then relative pronouns; then the
        other pronouns in text order, each seeing the speakers resolved before it; then 'I'.
        """
        order = sorted(range(len(attributions)), key=lambda i: attributions[i].start)
        names: dict[int, str | None] = {}
        later: list[tuple[int, int]] = []  # (pass, attribution index)
        for i in order:
            tokens = attributions[i].source_tokens
            if not tokens:
                names[i] = None
                continue
            head = _head(tokens)
            word = head.lower_
            if head.pos_ == "PRON" or word in RELATIVE:
                later.append((0 if word in RELATIVE else 2 if word in FIRST_PERSON else 1, i))
                continue
            names[i], person = self._resolve_words(tokens, head)
            # a role noun that named no one and no organization: its own words came back
            anaphoric = person is None and self._anaphoric_role(tokens, head)
            if anaphoric and names[i] == self._own_words(tokens, head):
                later.append((1, i))  # with the pronouns; its own words if no one fits
                continue
            self._speaker_event(tokens, person)
        for _, i in sorted(later, key=lambda p: (p[0], attributions[p[1]].start)):
            tokens = attributions[i].source_tokens
            head = _head(tokens)
            if i in names:
                person = self._described_antecedent(tokens, head)
                names[i] = person.name if person else names[i]
            else:
                names[i], person = self._resolve_pronoun(tokens, head, attributions, names)
            self._speaker_event(tokens, person)
        return [names[i] for i in range(len(attributions))]

    def _speaker_event(self, tokens: list[Token], person: Person | None) -> None:
        if person is not None:
            person.credible = True
            bisect.insort(
                self._events, _Event(tokens[0].idx, person, 0, False), key=lambda e: e.offset
            )

    def _person_near(self, token: Token) -> Person | None:
        """The person a noun stands for: its own name, its appositive's ('a critic, Laurence
        Tribe'), the name it is an appositive or a predicate of ('Kaine is a lawyer who'), or
        the nearest name above it ('Donna Rawlings, 59, of Ashton, who')."""
        person = self._ent_person.get(token.i)
        if person is not None:
            return person
        for child in token.children:
            if child.dep_ == "appos" and child.i in self._ent_person:
                return self._ent_person[child.i]
        if token.dep_ == "attr":
            subject = next((c for c in token.head.children if c.dep_ in _SUBJECTS), None)
            return self._ent_person.get(subject.i) if subject is not None else None
        up = token
        for _ in range(3):
            if up.dep_ not in ("appos", "pobj", "prep", "npadvmod", "conj") or up.head.i == up.i:
                break
            up = up.head
            if up.i in self._ent_person:
                return self._ent_person[up.i]
        return None

    def _resolve_words(self, tokens: list[Token], head: Token) -> tuple[str | None, Person | None]:
        person = self._ent_person.get(head.i)
        if person is None and head.pos_ == "NOUN":
            # 'An attorney for Pagliano, Mark MacDougall,': the name set beside the role.
            beside = list(tokens) + [c for c in head.children if c.dep_ == "appos"]
            named = [t for t in beside if t.dep_ == "appos" and t.i in self._ent_person]
            person = self._ent_person[named[0].i] if named else None
        inside = {t.i for t in tokens}
        joined = [c for c in head.children if c.dep_ == "conj" and c.i in inside]
        if joined and (head.i in self._ent_person or person is None):
            # 'Tester and Vitter', 'Joseph and others', 'critics and unions' are a group; 'his wife
            # and current nominee Hillary Clinton' (or '…, Anna Reyes,') is the one person named.
            named = [self._ent_person[t.i] for c in joined for t in c.subtree if t.i in self._ent_person]
            if head.i in self._ent_person or not named:
                return self._own_words(tokens, head), None
            person = named[0]
        if person is None and head.lower_ in _OUTPUTS:
            owners = [c for c in head.children if c.dep_ in ("poss", "compound") and c.i in self._ent_person]
            person = self._ent_person[owners[0].i] if owners else None
        if person is None and head.text[:1].isupper():
            person = self._known_surname(head)
        if person is not None:
            return person.name, person
        # 'the Kremlin said' is the Kremlin; 'the Kremlin spokesman said' is a person.
        org = self._org_at(head)
        if org is not None:
            return org, None
        person = self._described_person(tokens, head)
        if person is not None:
            return person.name, person
        if head.pos_ == "NOUN" and tokens[0].lower_ == "the":
            org = self.orgs.by_word(head.lemma_, tokens[0].idx) or self.orgs.by_word(head.text, tokens[0].idx)
            if org is not None:
                return org, None
        return self._own_words(tokens, head), None

    def _org_at(self, token: Token) -> str | None:
        """The organization a token is part of a mention of, if any."""
        return self.orgs.name_of((token.idx, token.idx + len(token.text)))

    def _known_surname(self, head: Token) -> Person | None:
        """A proper noun the NER missed that is the surname of a known person ('WALLACE', 'Tester')."""
        candidates = self._by_key.get(_norm(_POSSESSIVE.sub("", head.text)))
        return self._surname(candidates, None, head.idx) if candidates else None

    def _own_words(self, tokens: list[Token], head: Token) -> str | None:
        """A group or an unnamed speaker ('officials', 'a source', 'critics of the plan'): the
        source's own words to the end of its head's phrase, before any comma or clause, without
        a leading article."""
        words: list[Token] = []
        for tok in tokens:
            ends = (tok.is_punct and tok.text not in _PHRASE_PUNCT) or tok.dep_ in _CLAUSES
            if tok.i > head.i and (ends or tok.lower_ in RELATIVE):
                break
            words.append(tok)
        while words and (words[0].lower_ in _GROUP_DETERMINERS or words[0].lower_ in RELATIVE):
            words = words[1:]
        if not words:
            return None
        text = self.text[words[0].idx : words[-1].idx + len(words[-1].text)]
        return clean_name(text) if head.pos_ == "PROPN" else text.strip(" ,")

    def _described_person(self, tokens: list[Token], head: Token) -> Person | None:
        """The person a description fits ('the Vermont senator'): of those whose titles or
        appositives hold its role, the ones that also hold its modifiers, else all; of those the
        one introduced last before it, else the first after it."""
        if head.pos_ != "NOUN":
            return None
        role = head.lower_
        gender = next((g for g, words in _GENDERED_WORDS.items() if role in words), None)
        before = [t for t in tokens if t.i < head.i and t.pos_ in ("PROPN", "ADJ")]
        # A capitalised modifier ('the Vermont senator', 'the GOP nominee') must be one of the
        # person's own words; others ('the former secretary') need only share one where given.
        proper = {t.lower_ for t in before if t.pos_ == "PROPN" or t.text[:1].isupper() and t.i > tokens[0].i}
        parties = {_PARTIES.get(w, w) for w in proper if w in _PARTIES}
        modifiers = {t.lower_ for t in before}
        offset = tokens[0].idx
        fits = [
            p
            for p in self.people
            if any(_roles_match(role, d) for d in p.descriptors)
            and p.gender in (None, gender or p.gender)
            # another party's nominee is not 'the Republican nominee'
            and not (parties and {_PARTIES[d] for d in p.descriptors if d in _PARTIES} - parties)
        ]
        if modifiers:
            fits = [p for p in fits if modifiers & p.descriptors] or fits
        if not fits:
            return None

        def rank(person: Person) -> int:
            first = person.mentions[0]
            return offset - first if first < offset else 10**9 + first

        return min(fits, key=rank)

    def _anaphoric_role(self, tokens: list[Token], head: Token) -> bool:
        """'The Republican presidential nominee', 'the Vermont senator': 'the', modifiers, a role noun."""
        return (
            tokens[0].lower_ == "the"
            and head.lower_ in _ANAPHORIC_ROLES
            # 'The man, who declined to give his name,': a new person, not one named before
            and not any(c.dep_ in ("conj", "relcl", "appos", "acl") for c in head.children)
            and all(t.pos_ in (*_DESCRIPTOR_POS, "DET", "PUNCT") for t in tokens if t.i <= head.i)
        )

    def _described_antecedent(self, tokens: list[Token], head: Token) -> Person | None:
        """The person a definite description stands for, found as a pronoun's is, among those its
        gender, parties and role fit ('The Republican' is no Democrat, 'the governor' no mayor)."""
        words = {t.lower_ for t in tokens if t.i <= head.i}
        gender = next((g for g, gendered in _GENDERED_WORDS.items() if head.lower_ in gendered), None)
        parties = frozenset(_PARTIES[w] for w in words if w in _PARTIES)
        role = None if head.lower_ in _PARTIES else head.lower_
        return self._antecedent(tokens[0].idx, gender, parties, role)

    def _resolve_pronoun(
        self, tokens: list[Token], head: Token, attributions: list[Attribution], names: dict[int, str | None]
    ) -> tuple[str | None, Person | None]:
        word = head.lower_
        offset = head.idx
        if word in RELATIVE:
            verb = head.head
            antecedent = verb.head if verb.dep_ == "relcl" else None
            if antecedent is None and head.dep_ == "relcl":
                antecedent = head.head
            if antecedent is not None and antecedent.i != head.i:
                person = self._person_near(antecedent)
                if person is not None:
                    return person.name, person
                return self._org_at(antecedent), None
            return None, None
        if word in FIRST_PERSON:
            # 'I' inside a quote is the quote's speaker: the innermost attribution holding it.
            holders = [
                (max(e for _, e in a.content) - min(s for s, _ in a.content), i)
                for i, a in enumerate(attributions)
                if any(s <= offset < e for s, e in a.content) and i in names
            ]
            if holders:
                i = min(holders)[1]
                return names[i], None
            return None, None
        if word in MALE or word in FEMALE:
            gender = "m" if word in MALE else "f"
            person = self._antecedent(offset, gender)
            if person is not None and person.gender is None:
                person.gender = gender  # later pronouns of the other gender look elsewhere
            return (person.name, person) if person else (None, None)
        if word in ("it", "they", "its", "their"):
            return self.orgs.last_before(offset), None
        return None, None

    def _antecedent(
        self, offset: int, gender: str | None, parties: frozenset[str] = frozenset(), role: str | None = None
    ) -> Person | None:
        """The person a pronoun at an offset stands for: walking back sentence by sentence, the
        nearest sentence with a fitting person, and in it a speaker or subject before any other
        mention; names inside quotation marks only if no other fits; credible names only. Fitting:
        the gender, where given, no party outside `parties`, and no role but `role`, where given."""
        here = self._sentence(offset)
        end = bisect.bisect_left(self._events, offset, key=lambda e: e.offset)
        for allow_quoted in (False, True):
            best: tuple[tuple[int, int, int, int], Person] | None = None
            for j in range(end - 1, -1, -1):
                event = self._events[j]
                distance = here - self._sentence(event.offset)
                if distance > PRONOUN_REACH or (best is not None and distance > best[0][0]):
                    break
                person = event.person
                if (event.quoted and not allow_quoted) or not person.credible:
                    continue
                if gender is not None and person.gender not in (None, gender):
                    continue
                if parties and {_PARTIES[d] for d in person.descriptors if d in _PARTIES} - parties:
                    continue
                roles = person.descriptors & _ROLE_WORDS
                if role is not None and roles and not any(_roles_match(role, r) for r in roles):
                    continue
                key = (distance, event.rank, person.gender is None, offset - event.offset)
                if best is None or key < best[0]:
                    best = (key, person)
            if best is not None:
                return best[1]
        return None
