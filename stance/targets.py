"""Organization targets: every organization mention in an article, linked to one canonical name.

Mentions come from spaCy ORG entities, acronyms defined in the text ('Collective Security Treaty
Organization (CSTO)'), repeated mentions of names already found, and the user's target list.
The canonical name is the fullest form the article gives.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
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


class OrganizationIndex:
    """All organization mentions of one article, each with its canonical name."""

    def __init__(self, doc: Doc, targets: TargetList | None = None):
        text = doc.text
        forms: dict[str, str] = {}  # surface form -> canonical name
        mentions: dict[Span, str] = {}

        if targets is not None:
            for pattern, name in targets.patterns():
                for m in pattern.finditer(text):
                    start, end = _clean(text, m.start(), m.end())
                    mentions[(start, end)] = name
                    forms.setdefault(text[start:end], name)

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
            name = forms.get(form) or self._linked_name(form, forms) or form
            forms.setdefault(form, name)
            m = _ACRONYM_AFTER.match(text, end)
            if m:
                forms.setdefault(m.group(1), name)

        # Repeated mentions the NER missed: every occurrence of a known form.
        for form, name in sorted(forms.items(), key=lambda f: -len(f[0])):
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
                span = (m.start(), m.end())
                if not any(s <= span[0] and span[1] <= e for s, e in mentions):
                    mentions[span] = name
        self._add_descriptions(text, forms, mentions)
        self.mentions = sorted(mentions.items())
        self._starts = [s for (s, _), _ in self.mentions]
        self._forms = forms

    @staticmethod
    def _add_descriptions(text: str, forms: dict[str, str], mentions: dict[Span, str]) -> None:
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
                if not any(s <= span[0] and span[1] <= e for s, e in mentions):
                    mentions[span] = next(iter(names))

    @staticmethod
    def _linked_name(form: str, forms: dict[str, str]) -> str | None:
        """An acronym or shorter form of a name already seen."""
        for known, name in forms.items():
            if form.isupper() and len(form) >= 2 and acronym_of(name) == form:
                return name
            if form.lower() == known.lower():
                return name
        # 'Veltris' after 'Veltris Therapeutics': the first word of exactly one longer name.
        longer = {name for known, name in forms.items() if known.split()[0] == form and known != form}
        if " " not in form and len(longer) == 1:
            return longer.pop()
        return None

    def name_of(self, span: Span) -> str | None:
        """The canonical name of an organization mention covering most of this span, if any."""
        start, end = span
        for (s, e), name in self.mentions:
            if s < end and start < e:
                return name
        return None

    def within(self, spans: list[Span]) -> dict[str, list[Span]]:
        """Organization mentions inside the given spans, grouped by canonical name, in text order."""
        out: dict[str, list[Span]] = {}
        for start, end in spans:
            i = bisect.bisect_left(self._starts, start)
            while i < len(self.mentions) and self.mentions[i][0][0] < end:
                (s, e), name = self.mentions[i]
                if e <= end:
                    out.setdefault(name, []).append((s, e))
                i += 1
        return out

    def by_word(self, word: str, before: int) -> str | None:
        """The most recent organization before an offset whose name contains a word ('the ministry')."""
        word = word.lower()
        best = None
        for (s, _), name in self.mentions:
            if s >= before:
                break
            if word in name.lower().split():
                best = name
        return best

    def last_before(self, offset: int) -> str | None:
        i = bisect.bisect_left(self._starts, offset)
        return self.mentions[i - 1][1] if i else None
