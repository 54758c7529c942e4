"""Write examples/gold.jsonl: the hand-made gold annotations for the articles in examples/.

The annotations live here as strings, not offsets, so that they can be read and corrected by
hand. For every quote:

* ``anchor`` is a passage that occurs exactly once in the article (usually the sentence or
  sentences of the quote); every other string of that quote is looked up inside it.
* ``content``, ``cue``, ``source`` and target ``mentions`` are strings that occur exactly once
  inside the anchor. Where a string alone is ambiguous, write it with some context and put the
  part that is the span in square brackets: ``"The [CSTO]’s image"`` marks only ``CSTO``.

Every lookup asserts uniqueness, so a changed article makes this script fail instead of
silently shifting offsets. Run from anywhere:

    python scripts/make_examples_gold.py            # writes examples/gold.jsonl
    python scripts/make_examples_gold.py --print    # also prints every span for review

Conventions (see the brief in the docs): content of a direct quote is the text between the
marks (marks excluded, punctuation inside them kept); content of an indirect quote starts at
"that" when there is one and stops before the sentence-final period; a mixed quote is the whole
reported clause with its inner quote marks; a floating quote is written with no cue and no
source, and is then merged into the quote before it (another content span of the same
attribution, as in PolNeAR); target mentions exclude a possessive ’s / 's and a leading "the".
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GOLD = EXAMPLES / "gold.jsonl"

OPENING_MARKS = "\"“«'‘"
CLOSING_MARKS = "\"”»'’"
DOUBLE_MARKS = '"“”«»'  # a mixed quote holds one of these; an apostrophe does not count
KINDS = ("direct", "indirect", "mixed")
STANCES = ("critical", "supportive", "neutral")


@dataclass
class T:
    """A target organization: its full name, its mentions in the quote, the speaker's stance."""

    name: str
    mentions: list[str]
    stance: str


@dataclass
class Q:
    """One quote, written as strings (see the module docstring)."""

    anchor: str
    kind: str
    content: list[str]
    cue: list[str]
    source: list[str]
    speaker: str
    targets: list[T] = field(default_factory=list)


# Organization names, written once so that every quote uses the same canonical form.
CSTO = "Collective Security Treaty Organization"
COUNCIL = "Northfield City Council"
RTWU = "Rail and Transport Workers Union"
EMA = "European Medicines Agency"
VELTRIS = "Veltris Therapeutics"
FDA = "Food and Drug Administration"
NCFL = "Northern Counties Football League"
RIVERSIDE = "Riverside United"
ASHBURY = "Ashbury Town"
WFP = "World Food Programme"
MINISTRY = "Ministry of Health"
SRN = "Sahel Relief Network"
UN = "United Nations"

GOLD_QUOTES: dict[str, list[Q]] = {
    "csto-armenia.txt": [
        Q(
            anchor="Prime Minister Nikol Pashinyan said membership of the CSTO had “failed to "
            "contain aggression” against Armenia during the border clashes with Azerbaijan in "
            "2021 and 2022.",
            kind="mixed",
            content=[
                "membership of the CSTO had “failed to contain aggression” against Armenia "
                "during the border clashes with Azerbaijan in 2021 and 2022"
            ],
            cue=["said"],
            source=["Prime Minister Nikol Pashinyan"],
            speaker="Nikol Pashinyan",
            targets=[T(CSTO, ["CSTO"], "critical")],
        ),
        Q(
            anchor="“We asked our partners for help and received statements instead. The CSTO’s "
            "image in Armenia cannot be repaired with more statements,” Pashinyan said",
            kind="direct",
            content=[
                "We asked our partners for help and received statements instead. The CSTO’s "
                "image in Armenia cannot be repaired with more statements,"
            ],
            cue=["said"],
            source=["Pashinyan"],
            speaker="Nikol Pashinyan",
            targets=[T(CSTO, ["The [CSTO]’s image"], "critical")],
        ),
        Q(
            anchor="He added that Armenian officers would no longer take part in the "
            "organization’s exercises or summits.",
            kind="indirect",
            content=[
                "that Armenian officers would no longer take part in the organization’s exercises or summits"
            ],
            cue=["added"],
            source=["He"],
            speaker="Nikol Pashinyan",
            targets=[T(CSTO, ["organization"], "neutral")],
        ),
        Q(
            anchor="The Kremlin said it regretted the decision.",
            kind="indirect",
            content=["it regretted the decision"],
            cue=["said"],
            source=["The Kremlin"],
            speaker="Kremlin",
        ),
        Q(
            anchor="Kremlin spokesman Dmitry Peskov told reporters in Moscow that the alliance "
            "remained “necessary” for stability across the region.",
            kind="mixed",
            content=["that the alliance remained “necessary” for stability across the region"],
            cue=["told"],
            source=["Kremlin spokesman Dmitry Peskov"],
            speaker="Dmitry Peskov",
            targets=[T(CSTO, ["alliance"], "supportive")],
        ),
        Q(
            anchor="“The CSTO is not a club that one can leave for a season and rejoin when it "
            "suits,” the Kremlin spokesman said.",
            kind="direct",
            content=["The CSTO is not a club that one can leave for a season and rejoin when it suits,"],
            cue=["said"],
            source=["the Kremlin spokesman"],
            speaker="Dmitry Peskov",
            targets=[T(CSTO, ["CSTO"], "supportive")],
        ),
        # A floating quote: no cue of its own, same speaker as the quote before it.
        Q(
            anchor="“The organization’s doors remain open to our Armenian partners.”",
            kind="direct",
            content=["The organization’s doors remain open to our Armenian partners."],
            cue=[],
            source=[],
            speaker="Dmitry Peskov",
            targets=[T(CSTO, ["organization"], "supportive")],
        ),
        Q(
            anchor="the Russian leader argued that the bloc was the main guarantor of security "
            "in the former Soviet space.",
            kind="indirect",
            content=["that the bloc was the main guarantor of security in the former Soviet space"],
            cue=["argued"],
            source=["the Russian leader"],
            speaker="Vladimir Putin",
            targets=[T(CSTO, ["bloc"], "supportive")],
        ),
        Q(
            anchor="According to Anna Grigoryan, a researcher at the Yerevan Centre for Regional "
            "Studies, the freeze does not yet amount to an exit, because the CSTO charter "
            "requires a formal notice of withdrawal.",
            kind="indirect",
            content=[
                "the freeze does not yet amount to an exit, because the CSTO charter requires "
                "a formal notice of withdrawal"
            ],
            cue=["According to"],
            source=["Anna Grigoryan"],
            speaker="Anna Grigoryan",
            targets=[T(CSTO, ["CSTO"], "neutral")],
        ),
    ],
    "rail-strike.txt": [
        Q(
            anchor="Maria Lopez, a spokeswoman for the union, said the council's plan was "
            '"a betrayal of workers".',
            kind="mixed",
            content=['the council\'s plan was "a betrayal of workers"'],
            cue=["said"],
            source=["Maria Lopez"],
            speaker="Maria Lopez",
            targets=[T(COUNCIL, ["the [council]'s plan"], "critical")],
        ),
        Q(
            anchor='"We have offered to meet every week since October. The council chose to '
            'publish a new timetable instead," said Lopez.',
            kind="direct",
            content=[
                "We have offered to meet every week since October. The council chose to "
                "publish a new timetable instead,"
            ],
            cue=["said"],
            source=["Lopez"],
            speaker="Maria Lopez",
            targets=[T(COUNCIL, ["council"], "critical")],
        ),
        # One quote over two paragraphs: the first paragraph has no closing mark.
        Q(
            anchor='the RTWU said: "Our members do not strike lightly. Every day without trains '
            'costs them money as well.\n\n"But if the council will not withdraw its plan, the '
            "walkout goes ahead on Tuesday, and we will ballot the city's bus drivers next.\"",
            kind="direct",
            content=[
                "Our members do not strike lightly. Every day without trains costs them money "
                'as well.\n\n"But if the council will not withdraw its plan, the walkout goes '
                "ahead on Tuesday, and we will ballot the city's bus drivers next."
            ],
            cue=["said"],
            source=["the RTWU"],
            speaker=RTWU,
            targets=[T(COUNCIL, ["council"], "critical")],
        ),
        Q(
            anchor="Council leader David Okafor said: \"The RTWU keeps calling this 'a betrayal', "
            'but we cannot keep running a railway that loses four million pounds a year."',
            kind="direct",
            content=[
                "The RTWU keeps calling this 'a betrayal', but we cannot keep running a railway "
                "that loses four million pounds a year."
            ],
            cue=["said"],
            source=["Council leader David Okafor"],
            speaker="David Okafor",
            targets=[T(RTWU, ["RTWU"], "critical")],
        ),
        Q(
            anchor="He denied that any driver would be forced out of a job.",
            kind="indirect",
            content=["that any driver would be forced out of a job"],
            cue=["denied"],
            source=["He"],
            speaker="David Okafor",
        ),
        # One sentence interrupted by its attribution: one quote, two content spans.
        Q(
            anchor='"We are ready to meet the union any day," Okafor added, "but the timetable '
            'will not change."',
            kind="direct",
            content=["We are ready to meet the union any day,", "but the timetable will not change."],
            cue=["added"],
            source=["Okafor"],
            speaker="David Okafor",
            targets=[T(RTWU, ["union"], "neutral")],
        ),
        Q(
            anchor='"The council and the RTWU need to get back to the table before thousands of '
            'commuters pay the price," urged Priya Shah,',
            kind="direct",
            content=[
                "The council and the RTWU need to get back to the table before thousands of "
                "commuters pay the price,"
            ],
            cue=["urged"],
            source=["Priya Shah"],
            speaker="Priya Shah",
            targets=[T(COUNCIL, ["council"], "neutral"), T(RTWU, ["RTWU"], "neutral")],
        ),
    ],
    "ema-obesity-drug.txt": [
        Q(
            anchor="According to the EMA, the company’s trial data show a small but unexplained "
            "rise in heart-rhythm problems among patients over 65.",
            kind="indirect",
            content=[
                "the company’s trial data show a small but unexplained rise in heart-rhythm "
                "problems among patients over 65"
            ],
            cue=["According to"],
            source=["the EMA"],
            speaker=EMA,
            targets=[T(VELTRIS, ["company"], "neutral")],
        ),
        # The cue's object ("the agency’s request") holds a mention too.
        Q(
            anchor="Veltris chief executive Sofie Brandt criticized the agency’s request in a "
            "statement on Friday: “Every figure the EMA is now asking for was in the file we "
            "submitted last March.”",
            kind="direct",
            content=["Every figure the EMA is now asking for was in the file we submitted last March."],
            cue=["criticized"],
            source=["Veltris chief executive Sofie Brandt"],
            speaker="Sofie Brandt",
            targets=[T(EMA, ["the [agency]’s request", "EMA"], "critical")],
        ),
        Q(
            anchor="Brandt insisted that the injection was safe.",
            kind="indirect",
            content=["that the injection was safe"],
            cue=["insisted"],
            source=["Brandt"],
            speaker="Sofie Brandt",
        ),
        Q(
            anchor="“We understand the urgency for patients and for Veltris,” said EMA spokesman "
            "Jan de Vries.",
            kind="direct",
            content=["We understand the urgency for patients and for Veltris,"],
            cue=["said"],
            source=["EMA spokesman Jan de Vries"],
            speaker="Jan de Vries",
            targets=[T(VELTRIS, ["for [Veltris]"], "neutral")],
        ),
        # A floating quote after de Vries's cued one.
        Q(
            anchor="“But a medicine that millions of people could take for decades has to clear "
            "a higher bar.”",
            kind="direct",
            content=[
                "But a medicine that millions of people could take for decades has to clear a higher bar."
            ],
            cue=[],
            source=[],
            speaker="Jan de Vries",
        ),
        Q(
            anchor="Hanna Lind, who leads the European Obesity Patients Network (EOPN), warned "
            "that the EMA’s caution would push patients towards unregulated copies of the drug "
            "sold online.",
            kind="indirect",
            content=[
                "that the EMA’s caution would push patients towards unregulated copies of the "
                "drug sold online"
            ],
            cue=["warned"],
            source=["Hanna Lind"],
            speaker="Hanna Lind",
            targets=[T(EMA, ["EMA"], "critical")],
        ),
        Q(
            anchor="She noted that the Food and Drug Administration (FDA) had approved the "
            "injection in the United States in January.",
            kind="indirect",
            content=[
                "that the Food and Drug Administration (FDA) had approved the injection in the "
                "United States in January"
            ],
            cue=["noted"],
            source=["She"],
            speaker="Hanna Lind",
            targets=[T(FDA, ["Food and Drug Administration", "FDA"], "neutral")],
        ),
        Q(
            anchor="“Patients in Europe are being asked to wait while the same medicine is "
            "already on pharmacy shelves across the Atlantic,” Lind said.",
            kind="direct",
            content=[
                "Patients in Europe are being asked to wait while the same medicine is already "
                "on pharmacy shelves across the Atlantic,"
            ],
            cue=["said"],
            source=["Lind"],
            speaker="Hanna Lind",
        ),
    ],
    "stadium-dispute.txt": [
        Q(
            anchor="\"The NCFL's safety panel made this decision without anyone setting foot in "
            'Mill Lane," club chairman Graham Whitaker said.',
            kind="direct",
            content=["The NCFL's safety panel made this decision without anyone setting foot in Mill Lane,"],
            cue=["said"],
            source=["club chairman Graham Whitaker"],
            speaker="Graham Whitaker",
            targets=[T(NCFL, ["NCFL"], "critical")],
        ),
        Q(
            anchor="Whitaker argued that the league's inspectors had ignored more than £2 million "
            "of improvements made to the stands and floodlights since 2021.",
            kind="indirect",
            content=[
                "that the league's inspectors had ignored more than £2 million of improvements "
                "made to the stands and floodlights since 2021"
            ],
            cue=["argued"],
            source=["Whitaker"],
            speaker="Graham Whitaker",
            targets=[T(NCFL, ["league"], "critical")],
        ),
        Q(
            anchor="The chairman denied that he had been warned about problems with the main "
            "stand before March.",
            kind="indirect",
            content=["that he had been warned about problems with the main stand before March"],
            cue=["denied"],
            source=["The chairman"],
            speaker="Graham Whitaker",
        ),
        Q(
            anchor='the league said the decision was based on "independent safety advice" and was final.',
            kind="mixed",
            content=['the decision was based on "independent safety advice" and was final'],
            cue=["said"],
            source=["the league"],
            speaker=NCFL,
        ),
        Q(
            anchor="NCFL chief executive Karen Holt told reporters that Riverside United had been "
            "offered the use of Ashbury Town's ground for the whole season.",
            kind="indirect",
            content=[
                "that Riverside United had been offered the use of Ashbury Town's ground for the whole season"
            ],
            cue=["told"],
            source=["NCFL chief executive Karen Holt"],
            speaker="Karen Holt",
            targets=[
                T(RIVERSIDE, ["Riverside United"], "neutral"),
                T(ASHBURY, ["Ashbury Town"], "neutral"),
            ],
        ),
        Q(
            anchor='"Nobody wants to see Riverside United leave its home," she said, "but the '
            'safety rules apply to every club, big or small."',
            kind="direct",
            content=[
                "Nobody wants to see Riverside United leave its home,",
                "but the safety rules apply to every club, big or small.",
            ],
            cue=["said"],
            source=["she"],
            speaker="Karen Holt",
            targets=[T(RIVERSIDE, ["Riverside United"], "neutral")],
        ),
        Q(
            anchor="Lisa Grant, secretary of the Riverside Supporters' Trust, said fans would "
            "march on the league's headquarters in protest on Saturday.",
            kind="indirect",
            content=["fans would march on the league's headquarters in protest on Saturday"],
            cue=["said"],
            source=["Lisa Grant"],
            speaker="Lisa Grant",
            targets=[T(NCFL, ["league"], "critical")],
        ),
    ],
    "famine-report.txt": [
        Q(
            anchor='the WFP said that 1.2 million people faced "emergency" levels of hunger but '
            "that data from the region were too patchy to confirm famine conditions.",
            kind="mixed",
            content=[
                'that 1.2 million people faced "emergency" levels of hunger but that data from '
                "the region were too patchy to confirm famine conditions"
            ],
            cue=["said"],
            source=["the WFP"],
            speaker=WFP,
        ),
        Q(
            anchor="«The WFP is arguing over spreadsheets while our nurses dig graves every "
            "morning,» said Claire Moreau,",
            kind="direct",
            content=["The WFP is arguing over spreadsheets while our nurses dig graves every morning,"],
            cue=["said"],
            source=["Claire Moreau"],
            speaker="Claire Moreau",
            targets=[T(WFP, ["WFP"], "critical")],
        ),
        Q(
            anchor="She added that child deaths from malnutrition in the region had tripled since June.",
            kind="indirect",
            content=["that child deaths from malnutrition in the region had tripled since June"],
            cue=["added"],
            source=["She"],
            speaker="Claire Moreau",
        ),
        Q(
            anchor="Samuel Osei, the WFP's country director, argued that a famine declaration had "
            "to rest on data that could survive scrutiny.",
            kind="indirect",
            content=["that a famine declaration had to rest on data that could survive scrutiny"],
            cue=["argued"],
            source=["Samuel Osei"],
            speaker="Samuel Osei",
        ),
        Q(
            anchor='"If we declare famine on numbers we cannot defend, we hand every government '
            'that wants to deny a crisis an easy argument," he told reporters in Geneva.',
            kind="direct",
            content=[
                "If we declare famine on numbers we cannot defend, we hand every government "
                "that wants to deny a crisis an easy argument,"
            ],
            cue=["told"],
            source=["he"],
            speaker="Samuel Osei",
        ),
        # A floating quote that also runs over two paragraphs.
        Q(
            anchor='"We owe the people of Kaluma better than that.\n\n"What we need is access. '
            "Our teams have been refused entry to three districts since July, and until the "
            'Ministry of Health lifts those restrictions, nobody can give an honest count."',
            kind="direct",
            content=[
                'We owe the people of Kaluma better than that.\n\n"What we need is access. '
                "Our teams have been refused entry to three districts since July, and until the "
                "Ministry of Health lifts those restrictions, nobody can give an honest count."
            ],
            cue=[],
            source=[],
            speaker="Samuel Osei",
            targets=[T(MINISTRY, ["Ministry of Health"], "critical")],
        ),
        Q(
            anchor='Osei said that the SRN\'s clinics had done "remarkable work" in the region.',
            kind="mixed",
            content=['that the SRN\'s clinics had done "remarkable work" in the region'],
            cue=["said"],
            source=["Osei"],
            speaker="Samuel Osei",
            targets=[T(SRN, ["SRN"], "supportive")],
        ),
        Q(
            anchor="the ministry said that all humanitarian routes in the east were open.",
            kind="indirect",
            content=["that all humanitarian routes in the east were open"],
            cue=["said"],
            source=["the ministry"],
            speaker=MINISTRY,
        ),
        Q(
            anchor="It denied that any aid convoy had been turned back.",
            kind="indirect",
            content=["that any aid convoy had been turned back"],
            cue=["denied"],
            source=["It"],
            speaker=MINISTRY,
        ),
        Q(
            anchor="According to Moreau, donors have so far provided less than a third of the "
            "$400 million the UN has requested for Kaluma this year.",
            kind="indirect",
            content=[
                "donors have so far provided less than a third of the $400 million the UN has "
                "requested for Kaluma this year"
            ],
            cue=["According to"],
            source=["Moreau"],
            speaker="Claire Moreau",
            targets=[T(UN, ["UN"], "neutral")],
        ),
    ],
}


def occurrences(haystack: str, needle: str) -> list[int]:
    """Every start index of needle in haystack, overlapping ones included."""
    found, start = [], haystack.find(needle)
    while start != -1:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


def locate(text: str, region: tuple[int, int], spec: str, what: str) -> tuple[int, int]:
    """The span that spec marks inside text[region]; spec must match there exactly once."""
    if "[" in spec:
        before, rest = spec.split("[", 1)
        inner, after = rest.split("]", 1)
    else:
        before, inner, after = "", spec, ""
    needle = before + inner + after
    assert inner and inner == inner.strip(), f"{what}: empty or padded span {spec!r}"
    lo, hi = region
    hits = occurrences(text[lo:hi], needle)
    assert len(hits) == 1, f"{what}: {needle!r} occurs {len(hits)} times in {text[lo:hi]!r}"
    start = lo + hits[0] + len(before)
    return start, start + len(inner)


def within(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def build_quote(text: str, q: Q, where: str) -> dict:
    assert q.kind in KINDS, f"{where}: kind {q.kind!r}"
    anchors = occurrences(text, q.anchor)
    assert len(anchors) == 1, f"{where}: anchor occurs {len(anchors)} times: {q.anchor!r}"
    region = (anchors[0], anchors[0] + len(q.anchor))

    content = [locate(text, region, s, f"{where} content") for s in q.content]
    cue = [locate(text, region, s, f"{where} cue") for s in q.cue]
    source = [locate(text, region, s, f"{where} source") for s in q.source]
    assert content, f"{where}: no content"
    assert bool(cue) == bool(source), f"{where}: a cue without a source or the reverse"
    if q.kind == "direct":
        for s, e in content:
            assert text[s - 1] in OPENING_MARKS, f"{where}: direct content not after a mark"
            assert text[e] in CLOSING_MARKS, f"{where}: direct content not before a mark"
    else:
        assert cue, f"{where}: an {q.kind} quote needs a cue"
        has_mark = any(c in text[s:e] for s, e in content for c in DOUBLE_MARKS)
        assert has_mark == (q.kind == "mixed"), f"{where}: quote marks do not fit kind {q.kind}"
    for s, e in cue + source:
        assert not within((s, e), content), f"{where}: cue or source inside the content"

    targets = []
    for t in q.targets:
        assert t.stance in STANCES, f"{where}: stance {t.stance!r}"
        assert not t.name.lower().startswith("the "), f"{where}: target name {t.name!r}"
        mentions = [locate(text, region, m, f"{where} mention of {t.name}") for m in t.mentions]
        assert mentions, f"{where}: target {t.name} has no mention"
        for m in mentions:
            # A mention lies in the content or in the cue's object (after the cue, outside the
            # content), as in "criticized the agency’s request: “…”".
            in_cue_object = bool(cue) and m[0] >= cue[0][1] and not within(m, content)
            assert within(m, content) or in_cue_object, f"{where}: mention {m} of {t.name} astray"
        targets.append({"name": t.name, "mentions": [list(m) for m in mentions], "stance": t.stance})

    return {
        "content": [list(s) for s in content],
        "cue": [list(s) for s in cue],
        "source": [list(s) for s in source],
        "speaker": q.speaker,
        "kind": q.kind,
        "targets": targets,
    }


def merge_floating(built: list[dict]) -> list[dict]:
    """A floating quote (no cue, no source) continues the quote before it, as in PolNeAR and PARC:
    its content becomes another span of that quote, and its targets join that quote's."""
    merged: list[dict] = []
    for q in built:
        if q["cue"] or q["source"] or not merged:
            merged.append(q)
            continue
        prev = merged[-1]
        assert prev["speaker"] == q["speaker"], f"floating quote of {q['speaker']} after {prev['speaker']}"
        prev["content"] += q["content"]
        for t in q["targets"]:
            same = [u for u in prev["targets"] if u["name"] == t["name"]]
            if same:
                assert same[0]["stance"] == t["stance"], f"two stances toward {t['name']} in one quote"
                same[0]["mentions"] += t["mentions"]
            else:
                prev["targets"].append(t)
    return merged


def build_record(art_id: str, quotes: list[Q]) -> dict:
    text = (EXAMPLES / art_id).open(encoding="utf-8", newline="").read()
    assert "[" not in text and "]" not in text, f"{art_id}: brackets clash with the span notation"
    built = [build_quote(text, q, f"{art_id} quote {i}") for i, q in enumerate(quotes)]
    built.sort(key=lambda d: d["content"][0][0])
    built = merge_floating(built)
    starts = [d["content"][0][0] for d in built]
    assert len(set(starts)) == len(starts), f"{art_id}: two quotes share a content start"
    return {"id": art_id, "text": text, "meta": {}, "quotes": built}


def show(record: dict) -> None:
    text = record["text"]

    def spans(pairs: list[list[int]]) -> str:
        return " … ".join(repr(text[s:e]) for s, e in pairs) or "—"

    print(f"=== {record['id']} ({len(record['quotes'])} quotes)")
    for i, q in enumerate(record["quotes"]):
        print(f"[{i}] {q['kind']}  speaker={q['speaker']!r}")
        print(f"    content: {spans(q['content'])}")
        print(f"    cue:     {spans(q['cue'])}")
        print(f"    source:  {spans(q['source'])}")
        for t in q["targets"]:
            print(f"    target:  {t['name']!r} {t['stance']}  mentions: {spans(t['mentions'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print every span for review")
    args = parser.parse_args(argv)

    records = [build_record(art_id, quotes) for art_id, quotes in GOLD_QUOTES.items()]
    with GOLD.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    n_quotes = sum(len(r["quotes"]) for r in records)
    print(f"wrote {GOLD} ({len(records)} articles, {n_quotes} quotes)")
    if args.print:
        for record in records:
            show(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
