"""brat standoff: ``.txt``/``.ann`` pairs in the PolNeAR convention, read and written.

One reader serves both the PolNeAR converter (``stance convert polnear``) and ``stance import
--format brat``; the writer is ``stance export --format brat``. An ``.ann`` file holds, one per
line (tab-separated)::

    T1  Source 606 615      Pashinyan                  a text-bound span (several
    T2  Cue 616 620         said                       "start end" pairs joined by ";" make
    T3  Content 472 604     We asked our partners …    a discontinuous span)
    T4  Attribution 616 620 said                       the event's trigger (a copy of the cue)
    T5  Organization 540 544 CSTO                      a target mention
    E1  Attribution:T4 Content:T3 Cue:T2 Source:T1 Target:T5
    A1  Kind E1 direct                                 the quote's kind
    A2  Stance T5 critical                             the speaker's stance toward T5's organization
    #1  AnnotatorNotes E1   Nikol Pashinyan            the canonical speaker
    #2  AnnotatorNotes T5   Collective Security Treaty Organization   the target's name

PolNeAR writes the first six kinds of line (``Attribution-no-source`` events have no Source, and
a second content part is a ``Content2`` argument); the organizations, ``Kind``, ``Stance`` and
the notes are this project's additions, declared in the ``annotation.conf`` written beside the
files, so brat and INCEpTION show and edit them.

Each quote is one event. Reading: ``content`` / ``cue`` / ``source`` are the spans of its
Content / Cue / Source arguments (sorted, without repeats); each Target argument is one
mention, and mentions with the same name note form one target, whose stance is the ``Stance``
attribute of its mentions; ``kind`` is the ``Kind`` attribute, or read off the quotation marks
(``stance.kinds``) where there is none; ``speaker`` is the event's note, or None. Every span is
checked against the ``.ann`` text column (whitespace-insensitively: that column is a lossy echo
of newlines); one that does not match, or lies outside the text, is left out and reported.

A document is a ``.txt`` file named after the article id (each ``/``-separated part of the id a
folder, characters unsafe in file names written ``%XX``, so any id comes back as it was); the
articles' ``meta`` travel in ``stance-meta.jsonl`` beside them. Stance scores (model
probabilities) are not written: brat has no place for them, and a person's label replaces them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import unquote

from stance.formats import json_text
from stance.io import OutputError, Problems, printable
from stance.kinds import kind_from_marks
from stance.records import KINDS, STANCES, Article, Quote, Span, Target

# (reason, where) for each annotation left out; the converter counts them, the importer prints them.
SkipCallback = Callable[[str, str], None]

# A new standoff line starts with an id like T12 / E3 / #1 and a tab; anything else continues
# the previous span's text (a span whose text holds a newline).
_ANN_LINE = re.compile(r"^(?:[TREAMN#]\d+|\*)\t")
_ROLE = re.compile(r"^([A-Za-z-]+?)\d*$")

SPAN_TYPES = ("Content", "Cue", "Source")
ORGANIZATION = "Organization"
EVENT_TYPES = ("Attribution", "Attribution-no-source")
META_FILE = "stance-meta.jsonl"
# What an export folder holds; --overwrite replaces only a folder holding nothing else.
_EXPORT_SUFFIXES = (".txt", ".ann", ".conf")

ANNOTATION_CONF = """\
# brat configuration for stance exports (stance export --format brat): PolNeAR's attributions
# (Source, Cue, Content joined by an Attribution event) plus the organizations each quote talks
# about, the speaker's stance toward each (Stance), the quote's kind (Kind), and in the notes of
# an event its canonical speaker, and of an Organization its canonical name.

[entities]

Source
Cue
Content
Organization

[relations]

<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]

Attribution\tSource*:Source, Cue*:Cue, Content+:Content, Target*:Organization
Attribution-no-source\tCue*:Cue, Content+:Content, Target*:Organization

[attributes]

Kind\tArg:<EVENT>, Value:direct|indirect|mixed
Stance\tArg:Organization, Value:critical|supportive|neutral
"""


# --------------------------------------------------------------------------- reading


@dataclass
class Standoff:
    """The annotations of one ``.ann`` file that stance reads; other lines are ignored."""

    # tid -> (type, spans in file order, text column or None)
    spans: dict[str, tuple[str, list[Span], str | None]] = field(default_factory=dict)
    # (eid, type, {role: [tid, ...]}), in file order; Content2 counts as Content
    events: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    # annotation id -> {attribute: value} (True for a binary attribute)
    attributes: dict[str, dict[str, str | bool]] = field(default_factory=dict)
    # annotation id -> its AnnotatorNotes text (the last one, if several)
    notes: dict[str, str] = field(default_factory=dict)


def read_standoff(raw: str) -> Standoff:
    """Parse a brat ``.ann`` file's text: T spans, E events, A attributes and ``#`` notes."""
    out = Standoff()
    current: str | None = None
    for line in raw.split("\n"):
        if not _ANN_LINE.match(line):
            if current is not None:
                typ, offs, txt = out.spans[current]
                out.spans[current] = (typ, offs, (txt or "") + "\n" + line)
            continue
        current = None
        ident, _, rest = line.partition("\t")
        if ident.startswith("T"):
            head, _, txt = rest.partition("\t")
            typ, _, offsets = head.partition(" ")
            try:
                offs = [(int(a), int(b)) for a, b in (p.split() for p in offsets.split(";"))]
            except ValueError:
                continue
            out.spans[ident] = (typ, offs, txt if "\t" in rest else None)
            current = ident
        elif ident.startswith("E"):
            args = rest.split()
            if not args:
                continue
            etype = args[0].partition(":")[0]
            roles: dict[str, list[str]] = {}
            for arg in args[1:]:
                role, _, tid = arg.partition(":")
                m = _ROLE.match(role)
                # Content2 is a second part of the content: same role.
                roles.setdefault(m.group(1) if m else role, []).append(tid)
            out.events.append((ident, etype, roles))
        elif ident.startswith(("A", "M")):
            parts = rest.split()
            if len(parts) >= 2:
                out.attributes.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) > 2 else True
        elif ident.startswith("#"):
            head, _, note = rest.partition("\t")
            kind, _, target = head.partition(" ")
            if kind == "AnnotatorNotes" and target:
                out.notes[target.strip()] = note
    return out


def span_matches(text: str, offs: list[Span], shown: str | None) -> bool:
    """Whether a T span lies in the text and its text column agrees with it (modulo whitespace)."""
    if any(not 0 <= s <= e <= len(text) for s, e in offs):
        return False
    if shown is None:
        return True
    got = " ".join(text[s:e] for s, e in offs)
    return got == shown or got.split() == shown.split()


def attributions(text: str, standoff: Standoff, name: str, skip: SkipCallback) -> list[Quote]:
    """One Quote per event, in file order (see the module docstring); ``skip(reason, where)`` is
    called for each span, mention or event left out, ``where`` naming ``name`` and the id."""
    good: dict[str, list[Span]] = {}
    for tid, (typ, offs, shown) in standoff.spans.items():
        if span_matches(text, offs, shown):
            good[tid] = offs
        elif typ in (*SPAN_TYPES, ORGANIZATION):
            skip("span text differs from the .ann or lies outside the text", f"{name}:{tid}")
    quotes: list[Quote] = []
    in_events: set[str] = set()
    for eid, _etype, roles in standoff.events:
        where = f"{name}:{eid}"
        parts: dict[str, list[Span]] = {role: [] for role in SPAN_TYPES}
        mentions: list[str] = []
        for role, tids in roles.items():
            if role not in parts and role != "Target":
                continue
            for tid in tids:
                in_events.add(tid)
                if tid in good:
                    if role == "Target":
                        mentions.append(tid)
                    else:
                        parts[role].extend(good[tid])
                elif tid not in standoff.spans:
                    skip("attribution refers to a missing span", where)
        content = sorted(set(parts["Content"]))
        if not content:
            skip("attribution without a content span", where)
            continue
        attrs = standoff.attributes.get(eid, {})
        kind = attrs.get("Kind")
        if kind is not None and kind not in KINDS:
            skip(f"Kind {kind!r} is not one of {', '.join(KINDS)}; read off the quotation marks", where)
            kind = None
        speaker = standoff.notes.get(eid, "").strip() or None
        quotes.append(
            Quote(
                content=content,
                cue=sorted(set(parts["Cue"])),
                source=sorted(set(parts["Source"])),
                speaker=speaker,
                kind=kind if isinstance(kind, str) else kind_from_marks(text, content),
                targets=_targets(text, standoff, mentions, name, skip),
            )
        )
    for tid, (typ, _offs, _shown) in standoff.spans.items():
        if typ == ORGANIZATION and tid in good and tid not in in_events:
            skip("organization mention that is no attribution's Target", f"{name}:{tid}")
    return quotes


def _targets(text: str, standoff: Standoff, tids: list[str], name: str, skip: SkipCallback) -> list[Target]:
    """The targets of one event: its Target mentions grouped by their name notes, in order."""
    targets: dict[str, Target] = {}
    for tid in tids:
        where = f"{name}:{tid}"
        offs = standoff.spans[tid][1]
        label = standoff.notes.get(tid, "").strip()
        if not label:
            label = " ".join(text[s:e] for s, e in offs)
            skip(f"organization mention without a name note; named {label!r} after its text", where)
        stance = standoff.attributes.get(tid, {}).get("Stance")
        if stance is not None and stance not in STANCES:
            skip(f"Stance {stance!r} is not one of {', '.join(STANCES)}; left unlabelled", where)
            stance = None
        target = targets.setdefault(label, Target(label, []))
        target.mentions.extend(s for s in offs if s not in target.mentions and s[0] < s[1])
        if isinstance(stance, str):
            if target.stance is None:
                target.stance = stance
            elif target.stance != stance:
                skip(f"mentions of {label!r} disagree on the stance; kept {target.stance!r}", where)
    for target in targets.values():
        target.mentions.sort()
    return [t for t in targets.values() if t.mentions]


# --------------------------------------------------------------------------- writing


def _column(text: str) -> str:
    # The text column is one line: brat itself writes newlines and tabs there as spaces.
    return re.sub(r"[\t\n\r]", " ", text)


def ann_text(article: Article, warn: Callable[[str], None] | None = None) -> str:
    """The ``.ann`` file of one article (see the module docstring for the lines)."""
    lines: list[str] = []
    counters = {"T": 0, "E": 0, "A": 0, "#": 0}

    def new(prefix: str) -> str:
        counters[prefix] += 1
        return f"{prefix}{counters[prefix]}"

    def span(typ: str, start: int, end: int) -> str:
        tid = new("T")
        lines.append(f"{tid}\t{typ} {start} {end}\t{_column(article.text[start:end])}")
        return tid

    for index, quote in enumerate(article.quotes):
        args: list[tuple[str, str]] = []
        for role, spans in (("Source", quote.source), ("Cue", quote.cue), ("Content", quote.content)):
            args.extend((role, span(role, s, e)) for s, e in spans)
        etype = "Attribution" if quote.source else "Attribution-no-source"
        # The trigger is a copy of the cue, as in PolNeAR; a quote without a cue hangs on its source
        # or, failing that, on its content.
        anchor = (quote.cue or quote.source or quote.content)[0]
        trigger = span(etype, *anchor)
        mentions: list[tuple[str, Target]] = []
        for target in quote.targets:
            if not target.mentions and warn is not None:
                warn(f"{article.id}: quote {index}: target {target.name!r} has no mention to mark; left out")
            for s, e in target.mentions:
                tid = span(ORGANIZATION, s, e)
                mentions.append((tid, target))
                args.append(("Target", tid))
        eid = new("E")
        numbered: dict[str, int] = {}
        parts = []
        for role, tid in args:
            numbered[role] = numbered.get(role, 0) + 1
            parts.append(f"{role}{numbered[role] if numbered[role] > 1 else ''}:{tid}")
        lines.append(f"{eid}\t{etype}:{trigger} {' '.join(parts)}".rstrip())
        lines.append(f"{new('A')}\tKind {eid} {quote.kind}")
        if quote.speaker:
            lines.append(f"{new('#')}\tAnnotatorNotes {eid}\t{_column(quote.speaker)}")
        for tid, target in mentions:
            if target.stance is not None:
                lines.append(f"{new('A')}\tStance {tid} {target.stance}")
            lines.append(f"{new('#')}\tAnnotatorNotes {tid}\t{_column(target.name)}")
    return "".join(line + "\n" for line in lines)


# Characters kept as they are in file names; everything else is written %XX.
_SAFE = " !$&'()+,-.;=@[]^_`{}~"


def document_path(article_id: str) -> str | None:
    """The relative path (without suffix) of an article's documents, or None for an empty id.

    Each ``/``-separated part of the id becomes a folder; where a part would be empty, ``.`` or
    ``..``, the whole id is written as one file name instead, ``/`` as ``%2F``.
    """
    if not article_id:
        return None
    parts = article_id.split("/")
    if any(p in ("", ".", "..") for p in parts):
        parts = [article_id]
    # A leading dot would hide the file from brat and from the reader.
    return "/".join(re.sub(r"^\.", "%2E", url_quote(p, safe=_SAFE)) for p in parts)


def article_id(relative: str) -> str:
    """The article id of a document path relative to the folder, without its suffix."""
    return "/".join(unquote(p) for p in relative.split("/"))


def check_folder_output(folder: Path, inputs: Iterable[str | Path] = (), overwrite: bool = False) -> None:
    """Refuse (OutputError) an export folder that must not be written: a file, an input or a
    folder holding an input, a place that is not writable, or a non-empty folder without
    --overwrite; --overwrite replaces only a folder that holds nothing but an earlier export."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; brat output is a folder of .txt/.ann files")
    target = folder.resolve()
    for item in inputs:
        given = Path(item).expanduser().resolve()
        if given == target or target in given.parents:
            raise OutputError(f"{folder}: holds an input ({item}); write the output elsewhere")
    parent = folder.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: not writable (permission denied)")
    if folder.is_dir() and any(folder.iterdir()):
        if not overwrite:
            raise OutputError(f"{folder}: exists and is not empty; pass --overwrite to replace it")
        foreign = [
            p
            for p in sorted(folder.rglob("*"))
            if not p.is_dir() and p.suffix not in _EXPORT_SUFFIXES and p.name != META_FILE
        ]
        if foreign:
            raise OutputError(
                f"{folder}: holds files that are not a brat export ({foreign[0].relative_to(folder)}); "
                "not replaced"
            )


@dataclass
class FolderCounts:
    articles: int = 0
    quotes: int = 0
    scores_dropped: int = 0  # targets whose stance scores were not written (brat has no place for them)


def write_folder(articles: Iterable[Article], folder: Path, problems: Problems) -> FolderCounts:
    """Write each article as ``<id>.txt`` and ``<id>.ann`` under folder, with ``annotation.conf``
    and ``stance-meta.jsonl``. The folder is built beside its place and renamed into it at the
    end, so a failed export leaves an older one as it was."""
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    counts = FolderCounts()
    written: set[str] = set()
    try:
        (building / "annotation.conf").write_text(ANNOTATION_CONF, encoding="utf-8")
        with open(building / META_FILE, "w", encoding="utf-8", newline="\n") as meta:
            for article in articles:
                relative = document_path(article.id)
                if relative is None:
                    problems("an article with an empty id cannot be named as a file; skipped")
                    continue
                if relative.casefold() in written:
                    problems(f"{article.id}: duplicate id (or one that differs only in case); skipped")
                    continue
                written.add(relative.casefold())
                if "\r" in article.text:
                    problems(
                        f"{article.id}: the text holds \\r; brat counts \\r\\n as one character, so "
                        "its display of spans after a line break is shifted (the files are right)",
                        lost=0,
                    )
                path = building / f"{relative}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(article.text)
                with open(building / f"{relative}.ann", "w", encoding="utf-8", newline="\n") as f:
                    f.write(ann_text(article, lambda m: problems(m, lost=0)))
                meta.write(json_text({"document": relative, "meta": article.meta}) + "\n")
                counts.scores_dropped += sum(1 for q in article.quotes for t in q.targets if t.scores)
                counts.articles += 1
                counts.quotes += len(article.quotes)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
            os.replace(folder, old / "export")
            os.replace(building, folder)
            shutil.rmtree(old)
        else:
            os.replace(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return counts


# --------------------------------------------------------------------------- reading a folder


def _files(folder: Path, suffix: str) -> Iterator[Path]:
    """Every file with ``suffix`` under folder, in sorted path order, hidden files and folders skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(suffix) and not name.startswith("."):
                yield Path(root) / name


def _documents(folder: Path) -> Iterator[Path]:
    return _files(folder, ".txt")


def _read_meta(folder: Path, problems: Problems) -> dict[str, dict[str, Any]]:
    path = folder / META_FILE
    if not path.is_file():
        return {}
    shown = printable(str(path))
    metas: dict[str, dict[str, Any]] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    metas[str(row["document"])] = dict(row["meta"])
                except (ValueError, KeyError, TypeError):
                    problems(f"{shown}:{lineno}: not a line of document meta; ignored", lost=0)
    except UnicodeDecodeError as err:
        # The documents do not depend on it: they are read without their meta, in sorted order.
        problems(f"{shown}: not valid UTF-8 ({err.reason}); the documents are read without meta", lost=0)
        return {}
    except OSError as err:
        problems(
            f"{shown}: cannot be read ({err.strerror or err}); the documents are read without meta", lost=0
        )
        return {}
    return metas


def count_documents(folder: Path) -> int:
    return sum(1 for _ in _documents(folder))


def read_folder(folder: Path, problems: Problems) -> Iterator[Article]:
    """The articles of a brat folder (``<id>.txt`` with its ``<id>.ann``): in the order of the
    export that wrote them (``stance-meta.jsonl``), then any other documents in sorted path order.

    A document that cannot be read is reported in one line and left out; an annotation that is
    left out (see ``attributions``) is reported and the document kept; a ``.txt`` without an
    ``.ann`` is an article without quotes, with a warning; an ``.ann`` without its ``.txt`` is
    reported and counted as a document lost.
    """
    metas = _read_meta(folder, problems)
    found = {path.relative_to(folder).as_posix()[: -len(".txt")]: path for path in _documents(folder)}
    for ann_path in _files(folder, ".ann"):
        # Offsets without their text mean nothing: the document is lost, and counted so.
        if ann_path.relative_to(folder).as_posix()[: -len(".ann")] not in found:
            problems(f"{printable(str(ann_path))}: no .txt beside it (the text of its offsets); skipped")
    # The export's order first (stance-meta.jsonl lists it), then documents added since, sorted.
    order = [r for r in metas if r in found] + [r for r in found if r not in metas]
    for relative in order:
        path = found[relative]
        shown = printable(str(path))
        ann_path = path.with_suffix(".ann")
        reading = path
        try:
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
            raw = None
            if ann_path.is_file():
                reading = ann_path  # a failure from here on is the .ann's, and is named so
                with open(ann_path, encoding="utf-8", newline="") as f:
                    raw = f.read()
        except UnicodeDecodeError as err:
            where = printable(str(reading))
            problems(f"{where}: not valid UTF-8 ({err.reason} at byte {err.start}); skipped")
            continue
        except OSError as err:
            problems(f"{printable(str(reading))}: cannot be read ({err.strerror or err}); skipped")
            continue
        if raw is None:
            problems(f"{shown}: no .ann beside it; read as an article without quotes", lost=0)
            quotes: list[Quote] = []
        else:
            name = printable(ann_path.relative_to(folder).as_posix())

            def skip(reason: str, where: str) -> None:
                problems(f"{folder / where}: {reason}", lost=0)

            quotes = attributions(text, read_standoff(raw), name, skip)
        yield Article(id=article_id(relative), text=text, meta=metas.get(relative, {}), quotes=quotes)
