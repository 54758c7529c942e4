"""Label Studio: records to tasks with pre-annotations, the labelling configuration, and a
project's JSON export back to records.

The format follows Label Studio's documented task format (``data`` plus ``predictions`` or
``annotations``, each a ``result`` list of items with ``id``, ``from_name``, ``to_name``,
``type`` and ``value``). One task per article:

- ``data``: ``text``, ``id``, ``meta`` (the record's), and ``organizations``, the labels the
  ``organization`` control offers in that task (its targets' names, those of ``--targets``, and
  ``Other organization``, for one that is not listed: its name goes in the ``name`` field);
- one ``labels`` region (``from_name`` ``span``) per content, cue and source span, with
  ``value.start``/``end`` (character offsets into ``data.text``, as Python counts them) and
  ``value.text``;
- one ``labels`` region (``from_name`` ``organization``) per mention of each target, labelled
  with the target's name;
- ``relation`` items (``from_id``/``to_id``): each content part to the next part of the same
  quote, the first content part to each cue and source region, and each mention to the content
  of its quote. A quote is the content parts joined by relations; a cue, source or mention
  belongs to the quote its relation leads to;
- per-region results, sharing the region's ``id``: on the first content part the ``kind``
  choice and the ``speaker`` text field; on each mention the ``stance`` choice (with the chosen
  label's probability as ``score`` and all three in ``meta.stance_scores`` when the record has
  scores).

A prediction's ``score`` is the lowest top probability among the task's pairs, so Label Studio's
"prediction score" order (and ``--sampling prediction-score-min``) puts the least certain
articles first.

Reading an export, each task gives one record: the text is ``data.text``, and every region is
checked against it (a region whose offsets fall outside the text or whose ``value.text``
disagrees with the text there, whitespace aside, is left out and reported). Relations are read
without direction; a mention related to no content is given to the quote whose content holds
it, if exactly one does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from stance.formats import json_text
from stance.io import InputError, Problems, printable, replaced_atomically
from stance.kinds import kind_from_marks
from stance.records import KINDS, STANCES, Article, Quote, Span, Target

TEXT = "text"  # the object tag
SPANS = "span"  # content, cue and source
ORGANIZATIONS = "organization"  # target mentions, labelled with the organization's name
KIND, SPEAKER, STANCE, NAME = "kind", "speaker", "stance", "name"
CONTENT, CUE, SOURCE = "Content", "Cue", "Source"
OTHER = "Other organization"
_ROLES = {CONTENT: "content", CUE: "cue", SOURCE: "source"}
_COLOURS = {CONTENT: "#f6c343", CUE: "#e8590c", SOURCE: "#4dabf7"}


def label_config() -> str:
    """The labelling configuration (XML) that the exported tasks are made for."""
    span_labels = "\n".join(
        f'    <Label value={quoteattr(v)} background="{_COLOURS[v]}"/>' for v in (CONTENT, CUE, SOURCE)
    )
    kinds = "\n".join(f'      <Choice value="{k}"/>' for k in KINDS)
    stances = "\n".join(f'      <Choice value="{s}"/>' for s in STANCES)
    return f"""<View>
  <!-- stance: quotes, their speakers, the organizations they talk about, the speaker's stance.
       A quote is its content parts joined by relations; relate its cue, its source and each
       organization mention to its content. -->
  <Header value="$id"/>
  <Labels name="{SPANS}" toName="{TEXT}">
{span_labels}
  </Labels>
  <Labels name="{ORGANIZATIONS}" toName="{TEXT}" value="$organizations" background="#51cf66"/>
  <Style>.htx-text {{ white-space: pre-wrap; }}</Style>
  <Text name="{TEXT}" value="$text"/>
  <View visibleWhen="region-selected" whenTagName="{SPANS}" whenLabelValue="{CONTENT}">
    <Header value="Quote kind (on its first content part)"/>
    <Choices name="{KIND}" toName="{TEXT}" perRegion="true" choice="single" showInline="true">
{kinds}
    </Choices>
    <Header value="Speaker: the fullest name the article gives"/>
    <TextArea name="{SPEAKER}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1"
              placeholder="unknown"/>
  </View>
  <View visibleWhen="region-selected" whenTagName="{ORGANIZATIONS}">
    <Header value="The speaker's stance toward this organization"/>
    <Choices name="{STANCE}" toName="{TEXT}" perRegion="true" choice="single" showInline="true">
{stances}
    </Choices>
    <Header value="Organization name, if not the label (needed for {OTHER})"/>
    <TextArea name="{NAME}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1"/>
  </View>
</View>
"""


# --------------------------------------------------------------------------- export


def _organizations(article: Article, extra: Sequence[str]) -> list[str]:
    names = [t.name for q in article.quotes for t in q.targets]
    return list(dict.fromkeys([*names, *extra, OTHER]))


def task(
    article: Article,
    *,
    as_annotations: bool = False,
    organizations: Sequence[str] = (),
    model_version: str = "stance",
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """One article as a Label Studio task (see the module docstring)."""
    text = article.text
    result: list[dict[str, Any]] = []
    top_scores: list[float] = []

    def per_region(rid: str, span: Span, control: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
        # A region and the per-region results on it share its id and carry its offsets and text.
        start, end = span
        item = {
            "id": rid,
            "from_name": control,
            "to_name": TEXT,
            "type": kind,
            "value": {"start": start, "end": end, "text": text[start:end], **value},
        }
        result.append(item)
        return item

    def region(rid: str, control: str, label: str, span: Span) -> dict[str, Any]:
        return per_region(rid, span, control, "labels", {"labels": [label]})

    def relate(a: str, b: str) -> None:
        result.append({"from_id": a, "to_id": b, "type": "relation", "direction": "right"})

    for qi, quote in enumerate(article.quotes):
        parts = [f"q{qi}-content{j}" for j in range(len(quote.content))]
        for rid, span in zip(parts, quote.content, strict=True):
            region(rid, SPANS, CONTENT, span)
        first, first_span = parts[0], quote.content[0]
        per_region(first, first_span, KIND, "choices", {"choices": [quote.kind]})
        if quote.speaker:
            # A per-region text field's value.text is what was typed (a list), not the region's text.
            per_region(first, first_span, SPEAKER, "textarea", {"text": [quote.speaker]})
        for a, b in zip(parts, parts[1:], strict=False):
            relate(a, b)
        for label, spans in ((CUE, quote.cue), (SOURCE, quote.source)):
            for j, span in enumerate(spans):
                rid = f"q{qi}-{label.lower()}{j}"
                region(rid, SPANS, label, span)
                relate(first, rid)
        for ti, target in enumerate(quote.targets):
            if not target.mentions and warn is not None:
                warn(f"{article.id}: quote {qi}: target {target.name!r} has no mention to mark; left out")
            for mi, span in enumerate(target.mentions):
                rid = f"q{qi}-t{ti}-m{mi}"
                region(rid, ORGANIZATIONS, target.name, span)
                if target.stance is not None:
                    item = per_region(rid, span, STANCE, "choices", {"choices": [target.stance]})
                    scores = target.scores or {}
                    if isinstance(scores.get(target.stance), (int, float)):
                        item["score"] = float(scores[target.stance])
                    if scores:
                        item["meta"] = {"stance_scores": scores}
                        numbers = [v for v in scores.values() if isinstance(v, (int, float))]
                        if numbers and mi == 0:
                            top_scores.append(max(numbers))
                # The mention belongs to the content part that holds it, else to the first.
                holding = [p for p, part in zip(parts, quote.content, strict=True) if _inside(span, part)]
                holder = holding[0] if holding else first
                relate(rid, holder)
    data = {
        "text": text,
        "id": article.id,
        "meta": article.meta,
        "organizations": [{"value": name} for name in _organizations(article, organizations)],
    }
    if as_annotations:
        return {"data": data, "annotations": [{"result": result}]}
    prediction: dict[str, Any] = {"model_version": model_version, "result": result}
    if top_scores:
        prediction["score"] = round(min(max(0.0, min(top_scores)), 1.0), 6)
    return {"data": data, "predictions": [prediction]}


def write_tasks(tasks: Iterable[dict[str, Any]], path: Path) -> int:
    """Write tasks as one JSON list (what Label Studio imports), through a temporary file renamed
    into place at the end, so a failed export never leaves half a file; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with replaced_atomically(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("[")
        for item in tasks:
            f.write(("\n" if count == 0 else ",\n") + json_text(item))
            count += 1
        f.write("\n]\n")
    return count


# --------------------------------------------------------------------------- import


def read_export(path: Path) -> list[Any]:
    """The tasks of a Label Studio JSON export (or of a file `stance export` wrote); InputError
    when the file as a whole cannot be read."""
    name = printable(str(path))
    try:
        with open(path, encoding="utf-8-sig") as f:
            tasks = json.load(f)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not valid UTF-8 ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        hint = ""
        if path.suffix.lower() in (".jsonl", ".csv", ".tsv"):
            hint = "; export the project as JSON"
        raise InputError(f"{name}: not JSON ({err.msg} at line {err.lineno}){hint}") from None
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({err.strerror or err})") from None
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]  # one task on its own
    if not isinstance(tasks, list):
        raise InputError(f"{name}: not a Label Studio export (a JSON list of tasks)")
    if tasks and all(isinstance(t, dict) and "data" not in t and TEXT in t for t in tasks):
        raise InputError(f"{name}: this is Label Studio's JSON-MIN export; export the project as JSON")
    return tasks


@dataclass
class _Region:
    rid: str
    role: str  # "content", "cue", "source" or "mention"
    span: Span
    order: int
    label: str = ""
    kind: str | None = None
    speaker: str | None = None
    stance: str | None = None
    name: str | None = None
    scores: dict[str, float] | None = None
    changed: bool = False  # Label Studio says a person set this stance (origin "manual"/"prediction-changed")
    links: list[str] = field(default_factory=list)


def _chosen(items: list[Any], predictions: bool) -> tuple[list[Any] | None, str]:
    """The result list to read: the most recent completed annotation, or with ``predictions``
    the most recent prediction; None and the reason when there is none."""
    if predictions:
        usable = [p for p in items if isinstance(p, dict)]
        if not usable and items:
            # Label Studio's quick export lists predictions by id; a snapshot holds them whole.
            return None, (
                "its predictions are ids only: export a snapshot with the predictions in full "
                '(serialization_options {"predictions": {"only_id": false}})'
            )
        if not usable:
            return None, "no prediction"
        best = max(enumerate(usable), key=lambda ip: (str(ip[1].get("created_at") or ""), ip[0]))[1]
    else:
        done = [a for a in items if isinstance(a, dict) and not a.get("was_cancelled")]
        if not done:
            why = "only skipped annotations" if items else "no annotation"
            return None, f"{why} (--predictions reads the model's pre-annotations instead)"
        best = max(
            enumerate(done),
            key=lambda ia: (str(ia[1].get("updated_at") or ia[1].get("created_at") or ""), ia[0]),
        )[1]
    result = best.get("result")
    if not isinstance(result, list):
        return None, "its result is not a list"
    return result, ""


def _text_of(value: dict[str, Any]) -> str | None:
    typed = value.get("text")
    if isinstance(typed, str):
        typed = [typed]
    if not isinstance(typed, list):
        return None
    joined = " ".join(t.strip() for t in typed if isinstance(t, str) and t.strip())
    return joined or None


def _regions(result: list[Any], text: str, where: str, warn: Callable[[str], None]) -> dict[str, _Region]:
    """The regions of one result list, with their per-region values and relations."""
    regions: dict[str, _Region] = {}
    extras: list[dict[str, Any]] = []
    relations: list[tuple[str, str]] = []
    unknown: set[str] = set()
    for item in result:
        if not isinstance(item, dict):
            warn(f"{where}: a result item that is not an object; ignored")
            continue
        kind = item.get("type")
        if kind == "relation":
            a, b = item.get("from_id"), item.get("to_id")
            if isinstance(a, str) and isinstance(b, str):
                relations.append((a, b))
            continue
        control, value, rid = item.get("from_name"), item.get("value"), item.get("id")
        if not isinstance(value, dict) or not isinstance(rid, str):
            warn(f"{where}: a {kind} result without an id or value; ignored")
            continue
        if kind != "labels" or control not in (SPANS, ORGANIZATIONS):
            if control in (KIND, SPEAKER, STANCE, NAME):
                extras.append(item)
            else:
                unknown.add(str(control))
            continue
        labels = value.get("labels")
        label = labels[0] if isinstance(labels, list) and labels and isinstance(labels[0], str) else None
        role = "mention" if control == ORGANIZATIONS else _ROLES.get(label or "")
        if role is None or label is None:
            warn(f"{where}: region {rid} has label {label!r}, not one of {', '.join(_ROLES)}; left out")
            continue
        start, end = value.get("start"), value.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            warn(f"{where}: region {rid} ({label}) spans [{start}, {end}], not a span of the text; left out")
            continue
        shown = value.get("text")
        if isinstance(shown, str) and shown.split() != text[start:end].split():
            warn(
                f"{where}: region {rid} ({label}) says {shown[:40]!r} but the text at [{start}, {end}] is "
                f"{text[start:end][:40]!r}; left out"
            )
            continue
        if rid in regions:
            warn(f"{where}: region id {rid} used twice; the second left out")
            continue
        regions[rid] = _Region(rid, role, (start, end), len(regions), label)
    for item in extras:
        reg = regions.get(item["id"])
        if reg is None:
            continue  # its region was left out (and reported) above
        control, value = item["from_name"], item["value"]
        if control == KIND and item.get("type") == "choices":
            chosen = value.get("choices") or [None]
            reg.kind = chosen[0] if chosen[0] in KINDS else None
        elif control == STANCE and item.get("type") == "choices":
            chosen = value.get("choices") or [None]
            reg.stance = chosen[0] if chosen[0] in STANCES else None
            reg.changed = item.get("origin") in ("manual", "prediction-changed")
            meta = item.get("meta")
            scores = meta.get("stance_scores") if isinstance(meta, dict) else None
            if isinstance(scores, dict):
                reg.scores = dict(scores)
        elif control == SPEAKER and item.get("type") == "textarea":
            reg.speaker = _text_of(value)
        elif control == NAME and item.get("type") == "textarea":
            reg.name = _text_of(value)
    for a, b in relations:
        if a in regions and b in regions:
            regions[a].links.append(b)
            regions[b].links.append(a)
    if unknown:
        warn(
            f"{where}: results of controls this configuration does not have ignored: "
            + ", ".join(sorted(unknown))
        )
    return regions


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


def _find(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _quotes(
    regions: dict[str, _Region], text: str, where: str, predictions: bool, warn: Callable[[str], None]
) -> list[Quote]:
    """Quotes from regions: content parts joined by relations, and what relates to them."""
    contents = [r for r in regions.values() if r.role == "content"]
    parent = {r.rid: r.rid for r in contents}
    for r in contents:
        for other in r.links:
            if regions[other].role == "content":
                parent[_find(parent, r.rid)] = _find(parent, other)
    groups: dict[str, list[_Region]] = {}
    for r in contents:
        groups.setdefault(_find(parent, r.rid), []).append(r)
    quote_of = {r.rid: root for root, members in groups.items() for r in members}
    attached: dict[str, list[_Region]] = {root: [] for root in groups}
    for r in regions.values():
        if r.role == "content":
            continue
        roots = list(dict.fromkeys(quote_of[o] for o in r.links if o in quote_of))
        if not roots and r.role == "mention":
            holders = [root for root, group in groups.items() if any(_inside(r.span, m.span) for m in group)]
            roots = holders if len(holders) == 1 else []
        if not roots:
            what = f"{r.label} {text[r.span[0] : r.span[1]][:40]!r} at [{r.span[0]}, {r.span[1]}]"
            warn(f"{where}: {what} is related to no quote's content; left out")
            continue
        for root in roots:
            attached[root].append(r)
    quotes = []
    for root, members in groups.items():
        content = sorted({m.span for m in members})
        kinds = [m.kind for m in members if m.kind]
        speakers = list(dict.fromkeys(m.speaker for m in members if m.speaker))
        if len(speakers) > 1:
            warn(
                f"{where}: the parts of the quote at {content[0]} name several speakers; kept {speakers[0]!r}"
            )
        others = sorted(attached[root], key=lambda r: r.order)
        quotes.append(
            Quote(
                content=content,
                cue=sorted({r.span for r in others if r.role == "cue"}),
                source=sorted({r.span for r in others if r.role == "source"}),
                speaker=speakers[0] if speakers else None,
                kind=kinds[0] if kinds else kind_from_marks(text, content),
                targets=_targets([r for r in others if r.role == "mention"], text, where, predictions, warn),
            )
        )
    return quotes


def _targets(
    mentions: list[_Region], text: str, where: str, predictions: bool, warn: Callable[[str], None]
) -> list[Target]:
    """Mentions grouped into targets by name. Mentions of one organization in one quote share
    one stance: where they disagree, a stance a person set wins over one left from the
    prediction, then the first mention in text order; the disagreement is reported."""
    groups: dict[str, list[_Region]] = {}
    for m in mentions:
        name = m.name or (m.label if m.label != OTHER else None)
        if name is None:
            name = text[m.span[0] : m.span[1]]
            warn(f"{where}: an {OTHER!r} mention without a name; named {name!r} after its text")
        groups.setdefault(name, []).append(m)
    targets = []
    for name, group in groups.items():
        target = Target(name, sorted({m.span for m in group}))
        labelled = sorted((m for m in group if m.stance is not None), key=lambda m: (not m.changed, m.span))
        if labelled:
            best = labelled[0]
            target.stance = best.stance
            # Model scores belong to the model's labels only: a person's label has none.
            target.scores = best.scores if predictions else None
            others = sorted({m.stance for m in labelled} - {best.stance})  # type: ignore[type-var]
            if others:
                why = "set by the annotator" if best.changed else "on its first mention"
                warn(
                    f"{where}: mentions of {name!r} in one quote disagree on the stance "
                    f"({', '.join([best.stance, *others])}); kept {best.stance!r}, {why}"  # type: ignore[list-item]
                )
        targets.append(target)
    return targets


def task_article(task: Any, where: str, predictions: bool, problems: Problems) -> Article | None:
    """One task of an export as a record, or None (reported, one line) if it cannot be read."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        problems(f"{where}: not a Label Studio task (no 'data' object); skipped")
        return None
    data = task["data"]
    text = data.get(TEXT)
    if not isinstance(text, str):
        problems(f"{where}: the task has no string data.text; skipped")
        return None
    raw_id = data.get("id")
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and raw_id != "":
        article_id = str(raw_id)
    elif task.get("id") is not None:
        article_id = f"label-studio-task-{task['id']}"
    else:
        article_id = where
    items = task.get("predictions" if predictions else "annotations") or []
    result, why = _chosen(items if isinstance(items, list) else [], predictions)
    if result is None:
        problems(f"{where}: {why}; skipped")
        return None
    meta = dict(data["meta"]) if isinstance(data.get("meta"), dict) else {}
    for key, value in data.items():
        # Fields of tasks made elsewhere travel in meta, as the other readers do with a row's fields.
        if key not in (TEXT, "id", "meta", "organizations"):
            meta.setdefault(key, value)

    def warn(message: str) -> None:
        problems(message, lost=0)

    regions = _regions(result, text, where, warn)
    quotes = _quotes(regions, text, where, predictions, warn)
    return Article(id=article_id, text=text, meta=meta, quotes=quotes)


def read_tasks(path: Path, predictions: bool, problems: Problems) -> Iterator[Article]:
    """The records of an export, task by task; a task that cannot be read is reported and skipped,
    a repeated id is reported and kept."""
    tasks = read_export(path)
    seen: set[str] = set()
    name = printable(str(path))
    for number, item in enumerate(tasks, start=1):
        label = item.get("id") if isinstance(item, dict) else None
        where = f"{name}: task {number}" + (f" (Label Studio id {label})" if label is not None else "")
        article = task_article(item, where, predictions, problems)
        if article is None:
            continue
        if article.id in seen:
            problems(
                f"{where}: duplicate id {article.id!r}; kept, but its records cannot be told apart", lost=0
            )
        seen.add(article.id)
        yield article
