"""Organization targets: every organization mention in an article, linked to one canonical name.

Mentions come from spaCy ORG entities, acronyms defined in the text ('Collective Security Treaty
Organization (CSTO)'), repeated mentions of names already found, and the user's target list.
The canonical name is the fullest form the article gives.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from stance.records import Span

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z0-9&.-]{1,11})\s*\)")
_SMALL_WORDS = frozenset("of the and for on in to de des du la le".split())


@dataclass
class TargetList:
    """Organizations a user names, each with aliases: one line per organization, 'Name | alias | alias'."""

    entries: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> TargetList:
        entries: dict[str, list[str]] = {}
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            names = [n.strip() for n in line.split("|") if n.strip()]
            if not names:
                raise ValueError(f"{path}:{lineno}: empty organization name")
            entries.setdefault(names[0], []).extend(names[1:])
        return cls(entries)

    def patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """One regex per name and alias, paired with the canonical name."""
        out = []
        for name, aliases in self.entries.items():
            for alias in [name, *aliases]:
                # Acronyms and capitalised single words are matched as written ('WHO' is not 'who');
                # lower-case aliases and multi-word names are distinctive enough in any case.
                distinctive = alias.islower() or (" " in alias and not alias.isupper())
                flags = re.IGNORECASE if distinctive else 0
                out.append((re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", flags), name))
        return out


@lru_cache(maxsize=4096)
def acronym_of(name: str) -> str:
    """Initials of the significant words: 'Collective Security Treaty Organization' -> 'CSTO'."""
    return "".join(w[0] for w in name.split() if w.lower() not in _SMALL_WORDS and w[:1].isalpha()).upper()


def _clean(text: str, start: int, end: int) -> Span:
    """Trim a leading 'the', a possessive ending and spaces from a mention span."""
    piece = text[start:end]
    lead = _LEADING_THE.match(piece)
    if lead:
        start += lead.end()
    piece = text[start:end]
    poss = _POSSESSIVE.search(piece)
    if poss and len(piece) > poss.end() - poss.start():
        end -= poss.end() - poss.start()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _occurrences(text: str, form: str) -> Iterator[Span]:
    r"""Where form occurs as a whole word: the matches of the regex (?<!\w)form(?!\w), found by
    str.find, as the regex scans a long text some fifteen times slower."""
    n = len(form)
    i = text.find(form)
    while i >= 0 and n:
        if (i == 0 or not _is_word(text[i - 1])) and (i + n == len(text) or not _is_word(text[i + n])):
            yield (i, i + n)
            i = text.find(form, i + n)
        else:
            i = text.find(form, i + 1)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what a regex word character is


class _Held:
    """Spans added so far, asked whether one of them holds a given span. A holder starts no further
    before the span than the longest span is long, so a question looks at that many offsets, not
    at every span of the article."""

    def __init__(self, spans: Iterator[Span] | list[Span] = ()):
        self.ends: dict[int, int] = {}  # start -> the furthest end of a span starting there
        self.longest = 0
        for span in spans:
            self.add(span)

    def add(self, span: Span) -> None:
        start, end = span
        if end > self.ends.get(start, -1):
            self.ends[start] = end
        self.longest = max(self.longest, end - start)

    def holds(self, span: Span) -> bool:
        start, end = span
        return any(self.ends.get(s, -1) >= end for s in range(start, end - self.longest - 1, -1))


class _Forms:
    """Surface form -> canonical name (the first one given stands), with the lookups that link a
    new form to a known name indexed, so that linking does not read every known form."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self._lower: dict[str, tuple[int, str]] = {}  # first known form with this lower case
        self._acronym: dict[str, tuple[int, str]] = {}  # first known form whose name has it
        self._by_first_word: dict[str, dict[str, str]] = {}

    def add(self, form: str, name: str) -> None:
        if form in self.names:
            return
        at = (len(self.names), name)
        self.names[form] = name
        self._lower.setdefault(form.lower(), at)
        self._acronym.setdefault(acronym_of(name), at)
        words = form.split()
        if words:
            self._by_first_word.setdefault(words[0], {})[form] = name

    def linked(self, form: str) -> str | None:
        """An acronym or shorter form of a name already seen."""
        # The first known form that the new one is the acronym of, or equals but for case.
        hits = [self._lower.get(form.lower())]
        if form.isupper() and len(form) >= 2:
            hits.append(self._acronym.get(form))
        found = [h for h in hits if h is not None]
        if found:
            return min(found)[1]
        # 'Veltris' after 'Veltris Therapeutics': the first word of exactly one longer name.
        longer = {name for known, name in self._by_first_word.get(form, {}).items() if known != form}
        if " " not in form and len(longer) == 1:
            return longer.pop()
        return None


class OrganizationIndex:
    """All organization mentions of one article, each with its canonical name."""

    def __init__(self, doc: Doc, targets: TargetList | None = None):
        text = doc.text
        forms = _Forms()  # surface form -> canonical name
        mentions: dict[Span, str] = {}

        if targets is not None:
            for pattern, name in targets.patterns():
                for m in pattern.finditer(text):
                    start, end = _clean(text, m.start(), m.end())
                    if start < end:  # an alias that is all 'the' and possessive leaves nothing
                        mentions[(start, end)] = name
                        forms.add(text[start:end], name)

        # The NER often calls a person an organization ("Trump's"); a name the article also gives
        # a person, or a person's surname, is a person.
        people = set()
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                start, end = _clean(text, ent.start_char, ent.end_char)
                people.add(text[start:end])
                people.add(text[start:end].split()[-1] if end > start else "")
        found = []
        for ent in doc.ents:
            if ent.label_ != "ORG" or not any(c.isupper() for c in ent.text):
                continue
            span = _clean(text, ent.start_char, ent.end_char)
            if span[1] > span[0] and text[span[0] : span[1]] not in people:
                found.append(span)
        # Longer names first, so an acronym or short form links to the fullest name.
        for start, end in sorted(found, key=lambda s: s[0] - s[1]):
            form = text[start:end]
            name = forms.names.get(form) or forms.linked(form) or form
            forms.add(form, name)
            m = _ACRONYM_AFTER.match(text, end)
            if m:
                forms.add(m.group(1), name)

        # Repeated mentions the NER missed: every occurrence of a known form.
        held = _Held(mentions)
        for form, name in sorted(forms.names.items(), key=lambda f: -len(f[0])):
            for span in _occurrences(text, form):
                if not held.holds(span):
                    mentions[span] = name
                    held.add(span)
        self._add_descriptions(text, forms.names, mentions, held)
        self.mentions = sorted(mentions.items())
        self._starts = [s for (s, _), _ in self.mentions]
        self._longest = max((e - s for (s, e), _ in self.mentions), default=0)
        self._by_word: dict[str, list[tuple[int, str]]] = {}  # word of a name -> (start, name) in order
        for (s, _), name in self.mentions:
            for word in set(name.lower().split()):
                self._by_word.setdefault(word, []).append((s, name))
        self._forms = forms.names

    @staticmethod
    def _add_descriptions(text: str, forms: dict[str, str], mentions: dict[Span, str], held: _Held) -> None:
        """'the organization' after 'Collective Security Treaty Organization': the head noun of one
        known name, with a definite article, is that organization."""
        heads: dict[str, set[str]] = {}
        for name in set(forms.values()):
            words = name.split()
            if len(words) < 2:
                continue
            head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
            heads.setdefault(head.lower(), set()).add(name)
        for head, names in heads.items():
            if len(names) != 1:
                continue  # 'the ministry' with two ministries in the article: leave it
            for m in re.finditer(rf"(?<!\w)(?:the|The) ({re.escape(head)})(?!\w)", text, re.IGNORECASE):
                span = (m.start(1), m.end(1))
                if not held.holds(span):
                    mentions[span] = next(iter(names))
                    held.add(span)

    def name_of(self, span: Span) -> str | None:
        """The canonical name of the first organization mention that overlaps this span, if any."""
        start, end = span
        # A mention that starts more than the longest mention's length before the span ends before it.
        i = bisect.bisect_left(self._starts, start - self._longest)
        while i < len(self.mentions) and self._starts[i] < end:
            (s, e), name = self.mentions[i]
            if start < e:
                return name
            i += 1
        return None

    def within(self, spans: list[Span]) -> dict[str, list[Span]]:
        """Organization mentions inside the given spans, grouped by canonical name, each name's
        mentions once and in text order (spans that overlap hold some mentions twice)."""
        found: dict[str, set[Span]] = {}
        for start, end in spans:
            i = bisect.bisect_left(self._starts, start)
            while i < len(self.mentions) and self.mentions[i][0][0] < end:
                (s, e), name = self.mentions[i]
                if e <= end:
                    found.setdefault(name, set()).add((s, e))
                i += 1
        return {name: sorted(mentions) for name, mentions in found.items()}

    def by_word(self, word: str, before: int) -> str | None:
        """The most recent organization before an offset whose name contains a word ('the ministry')."""
        named = self._by_word.get(word.lower(), [])
        i = bisect.bisect_left(named, before, key=lambda m: m[0])
        return named[i - 1][1] if i else None

    def last_before(self, offset: int) -> str | None:
        i = bisect.bisect_left(self._starts, offset)
        return self.mentions[i - 1][1] if i else None
