"""Dataset converters (stance.converters).

The data tests read the real sets from ``$STANCE_DATA`` (default ``<repo>/../shared/data``) and
skip when a set is absent; no text from the sets is kept here. They use train splits only, so
dev and test stay unseen.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest

from stance.converters import CONVERTERS, SPLITS, convert, default_data_dir
from stance.converters import directed_sentiment as ds
from stance.converters import finentity as fe
from stance.converters import polnear as pn
from stance.converters import riqua as rq
from stance.kinds import PTB_MARKS, kind_from_marks
from stance.records import KINDS, STANCES, Article, article_from_dict

# The converters' end-of-run summaries (realigned offsets, duplicates, ...) are expected here.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:(polnear|newsmtsc|directed-sentiment|finentity|riqua) \w+\b:UserWarning"
)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("STANCE_DATA", ROOT.parent / "shared" / "data"))


def needs(folder: str):
    return pytest.mark.skipif(not (DATA / folder).exists(), reason=f"{DATA / folder} not present")


def check_articles(articles: list[Article]) -> None:
    """Properties every converted article must have."""
    ids = [a.id for a in articles]
    assert len(ids) == len(set(ids)), "ids are not unique"
    for a in articles:
        article_from_dict(a.to_dict())  # rejects spans outside the text, bad kinds or stances
        for q in a.quotes:
            assert q.content and q.kind in KINDS
            for s, e in q.content + q.cue + q.source:
                assert 0 <= s < e <= len(a.text)
            for t in q.targets:
                assert t.stance in STANCES
                for s, e in t.mentions:
                    assert 0 <= s < e <= len(a.text)


def span(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


# --- kind_from_marks, on strings written here -------------------------------------------------


def test_kind_indirect_without_marks():
    text = "The minister said that the plan would fail."
    assert kind_from_marks(text, [span(text, "that the plan would fail")]) == "indirect"


def test_kind_apostrophes_are_not_marks():
    text = "He said it's the workers' fault, not the board's."
    assert kind_from_marks(text, [span(text, "it's the workers' fault, not the board's")]) == "indirect"


@pytest.mark.parametrize(
    "piece", ["“We will win this year.”", "We will win this year.", "We will win this year"]
)
def test_kind_direct_with_or_without_the_marks_in_the_span(piece):
    text = "She said: “We will win this year.” Then she left."
    assert kind_from_marks(text, [span(text, piece)]) == "direct"


def test_kind_direct_straight_marks():
    text = 'The mayor said "the bridge opens on Monday" and left.'
    assert kind_from_marks(text, [span(text, '"the bridge opens on Monday"')]) == "direct"
    assert kind_from_marks(text, [span(text, "the bridge opens on Monday")]) == "direct"


def test_kind_mixed():
    text = "He called the deal “a disaster for workers” in a statement."
    assert kind_from_marks(text, [span(text, "the deal “a disaster for workers”")]) == "mixed"
    text = 'They said that the rules were "unfair" to small firms.'
    assert kind_from_marks(text, [span(text, 'that the rules were "unfair" to small firms')]) == "mixed"


def test_kind_discontinuous_direct_quote():
    text = "“We will win,” she said, “and we will win soon.”"
    parts = [span(text, "“We will win,”"), span(text, "“and we will win soon.”")]
    assert kind_from_marks(text, parts) == "direct"
    # Marks left out of both parts, and the parts given out of order.
    parts = [span(text, "and we will win soon."), span(text, "We will win,")]
    assert kind_from_marks(text, parts) == "direct"


def test_kind_span_stopping_short_of_a_partner_mark():
    text = "“We will win this year, and then we will see"
    assert kind_from_marks(text, [(0, len(text))]) == "direct"
    text = "and that is why we will win this year.”"
    assert kind_from_marks(text, [(0, len(text))]) == "direct"


def test_kind_wrongly_curled_opener_and_stray_mark():
    text = "” We will win this year.”"
    assert kind_from_marks(text, [(0, len(text))]) == "direct"
    text = ' " The committee met on Monday.'
    assert kind_from_marks(text, [(0, len(text))]) == "indirect"


def test_kind_unquoted_words_after_a_closed_quote_are_mixed():
    text = "“We will win,” he said, adding that the team was ready."
    assert kind_from_marks(text, [(0, len(text))]) == "mixed"


def test_kind_ptb_marks():
    text = "`` We will win this year , '' he said ."
    content = [span(text, "`` We will win this year , ''")]
    assert kind_from_marks(text, content, PTB_MARKS) == "direct"
    assert kind_from_marks(text, content) == "indirect"  # backticks are no marks by default
    # Marks outside the span, one space away, still count in tokenised text.
    assert kind_from_marks(text, [span(text, "We will win this year ,")], PTB_MARKS) == "direct"
    text = "she called it a `` small step '' for the town ."
    assert kind_from_marks(text, [span(text, "it a `` small step '' for the town")], PTB_MARKS) == "mixed"


# --- pieces of the converters, on inputs written here -----------------------------------------


def test_dispatch_validates_format_split_and_path(tmp_path):
    formats = "polnear, polnear-stance, polnear-speakers, news-stance, newsmtsc"
    with pytest.raises(ValueError, match=f"valid formats: {formats}"):
        convert("nope", tmp_path, "train")
    with pytest.raises(ValueError, match="valid splits: train, dev, test"):
        convert("polnear", tmp_path, "valid")
    missing = tmp_path / "absent"
    with pytest.raises(FileNotFoundError, match="absent"):
        convert("riqua", missing, "train")
    with pytest.raises(FileNotFoundError, match="test.txt"):
        CONVERTERS["riqua"](tmp_path, "test")
    assert (
        set(CONVERTERS)
        == set(SPLITS)
        == {"polnear", "polnear-stance", "polnear-speakers", "news-stance", "newsmtsc"}
        | {"directed-sentiment", "finentity", "riqua"}
    )


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STANCE_DATA", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("STANCE_DATA")
    assert default_data_dir() == ROOT.parent / "shared" / "data"


def test_parse_ann_discontinuous_and_multiline():
    raw = (
        "T1\tSource 0 2\tWe\n"
        "T2\tContent 10 14;20 24\tab c\nd e\n"
        "T3\tCue 3 7\tsaid\n"
        "#1\tAnnotatorNotes T1\ta note\n"
        "E1\tAttribution-no-source:T4 Content:T2 Cue:T3 Content2:T5\n"
    )
    spans, events = pn.parse_ann(raw)
    assert spans["T2"] == ("Content", [(10, 14), (20, 24)], "ab c\nd e")
    assert events == [("E1", "Attribution-no-source", {"Content": ["T2", "T5"], "Cue": ["T3"]})]


def test_unbracket():
    sentence = "Yesterday [ Acme Corp ] sued [Bolt] over a [draft] deal."
    text, p, q = ds.unbracket(sentence, "Acme Corp", "Bolt")
    assert text == "Yesterday  Acme Corp  sued Bolt over a [draft] deal."
    assert text[p[0] : p[1]] == "Acme Corp" and text[q[0] : q[1]] == "Bolt"
    # Entities listed in the other order than they appear.
    text, p, q = ds.unbracket(sentence, "Bolt", "Acme Corp")
    assert text[p[0] : p[1]] == "Bolt"
    assert ds.unbracket(sentence, "Acme Corp", "Nobody") is None
    # A bracket that cuts a word is widened to the whole word.
    text, p, q = ds.unbracket("[Acme Cor]p and [Bol]t’s staff", "Acme Cor", "Bol")
    assert text[p[0] : p[1]] == "Acme Corp" and text[q[0] : q[1]] == "Bolt"


def test_bio_spans_and_grouping():
    tokens = ["``", "Go", ",", "''", "said", "Ann", ".", "``", "Now", "!", "''", "Bob", "replied"]
    labels = ["B-content", "I-content", "I-content", "I-content", "B-cue", "B-source", "O"]
    labels += ["I-content", "I-content", "I-content", "I-content", "B-source", "I-cue"]
    text, tok_spans = rq.join_tokens(tokens)
    assert text == " ".join(tokens)
    spans = rq.bio_spans(labels, tok_spans)
    assert [text[s:e] for s, e in spans["content"]] == ["`` Go , ''", "`` Now ! ''"]
    assert [text[s:e] for s, e in spans["cue"]] == ["said", "replied"]  # I- without B- starts a span
    grouped = rq.group(text, spans)
    assert [[text[s:e] for s, e in src] for _, _, src in grouped] == [["Ann"], ["Bob"]]
    assert [[text[s:e] for s, e in cue] for _, cue, _ in grouped] == [["said"], ["replied"]]


def test_finentity_locate_realigns_nearby_only():
    text = "Shares of Acme rose while Bolt fell."
    assert fe.locate(text, "Acme", 10, 14) == (10, 14)
    assert fe.locate(text, "Acme", 8, 12) == (10, 14)
    assert fe.locate(text, "Acme", 30, 34) is None


# --- the real sets ------------------------------------------------------------------------------


@pytest.mark.data
@needs("polnear")
def test_polnear_train_first_articles():
    skipped: list[str] = []
    articles = list(islice(pn.convert(DATA / "polnear", "train", on_skip=lambda r, w: skipped.append(r)), 5))
    assert len(articles) == 5
    check_articles(articles)
    text_dir = DATA / "polnear" / "data" / "train" / "text"
    assert [a.id for a in articles] == sorted(p.stem for p in text_dir.glob("*.txt"))[:5]
    for a in articles:
        assert a.meta["annotator"] and a.meta.get("publisher")
        assert all(q.speaker is None and q.targets == [] for q in a.quotes)
    assert sum(len(a.quotes) for a in articles) > 20


def _polnear_doc(tmp_path: Path, split_dir: Path, stem: str) -> Path:
    """A one-document copy of the set under tmp_path (links only), so a test converts just it."""
    root = tmp_path / "polnear" / "data"
    for sub, pattern in (("text", f"{stem}.txt"), ("attributions", f"{stem}_*.ann")):
        (root / "train" / sub).mkdir(parents=True, exist_ok=True)
        for path in (split_dir / sub).glob(pattern):
            (root / "train" / sub / path.name).symlink_to(path)
    return tmp_path / "polnear"


@pytest.mark.data
@needs("polnear")
def test_polnear_discontinuous_content_and_annotator_choice(tmp_path):
    split_dir = DATA / "polnear" / "data" / "train"
    by_doc: dict[str, list[Path]] = {}
    for path in sorted(split_dir.glob("attributions/*.ann")):
        by_doc.setdefault(path.stem.rpartition("_")[0], []).append(path)
    multi = next(doc for doc, paths in sorted(by_doc.items()) if len(paths) > 1)
    chosen = min(by_doc[multi], key=lambda p: p.stem.rpartition("_")[2])
    # The first Content span with several fragments in the chosen annotation of that document.
    spans, _ = pn.parse_ann(chosen.read_text(encoding="utf-8"))
    disc = next((offs for typ, offs, _ in spans.values() if typ == "Content" and len(offs) > 1), None)
    if disc is None:
        pytest.skip("the chosen multi-annotator document has no discontinuous content")
    (article,) = pn.convert(_polnear_doc(tmp_path, split_dir, multi), "train")
    assert article.id == multi
    assert article.meta["annotator"] == chosen.stem.rpartition("_")[2]
    check_articles([article])
    holding = [q for q in article.quotes if set(disc) <= set(q.content)]
    assert len(holding) == 1 and len(holding[0].content) >= 2
    assert holding[0].content == sorted(holding[0].content)


@pytest.mark.data
@needs("newsmtsc")
def test_newsmtsc_train_first_records_and_polarity():
    path = DATA / "newsmtsc" / "train.jsonl"
    with open(path, encoding="utf-8") as f:
        raw = [json.loads(line) for line in islice(f, 200)]
    lineno, row = next(
        (i, r) for i, r in enumerate(raw, 1) if any(t["polarity"] == 2.0 for t in r["targets"])
    )
    articles = list(islice(CONVERTERS["newsmtsc"](DATA / "newsmtsc", "train"), 200))
    check_articles(articles)
    assert len(articles) == 200
    for a in articles:
        (q,) = a.quotes
        assert q.content == [(0, len(a.text))] and q.source == [] and q.speaker is None
        for t in q.targets:
            assert a.text[t.mentions[0][0] : t.mentions[0][1]] == t.name
    art = next(a for a in articles if a.id == f"newsmtsc:train:{lineno}")
    assert art.text == row["sentence_normalized"]
    neg = next(t for t in row["targets"] if t["polarity"] == 2.0)
    target = next(t for t in art.quotes[0].targets if t.mentions == [(neg["from"], neg["to"])])
    assert target.stance == "critical"
    stances = Counter(t.stance for a in articles for t in a.quotes[0].targets)
    assert set(stances) == set(STANCES)


@pytest.fixture(scope="module")
def directed_valid() -> tuple[list[list[str]], dict[str, Article]]:
    """Raw rows and converted articles of the whole valid split.

    The files are sorted by label (all 0s first), so the first line with a given label lies deep
    in the file; the valid split is small enough to convert whole (train stays for the others).
    """
    path = DATA / "directed-sentiment" / "valid.txt"
    with open(path, encoding="utf-8", newline="") as f:
        raw = [next(csv.reader([line.rstrip("\r\n")], delimiter="\t")) for line in f]
    articles = list(CONVERTERS["directed-sentiment"](DATA / "directed-sentiment", "valid"))
    check_articles(articles)
    return raw, {a.id: a for a in articles}


@pytest.mark.data
@needs("directed-sentiment")
@pytest.mark.parametrize(
    ("label", "holder_is_p", "stance"),
    [
        ("0", True, "neutral"),
        ("1", True, "supportive"),
        ("2", False, "supportive"),
        ("3", True, "critical"),
        ("4", False, "critical"),
    ],
)
def test_directed_sentiment_label_mapping(directed_valid, label, holder_is_p, stance):
    raw, articles = directed_valid
    lineno = next(i for i, r in enumerate(raw, 1) if r[3] == label)
    sentence, p, q, _ = raw[lineno - 1]
    art = articles[f"directed-sentiment:valid:{lineno}"]
    assert len(art.text) == len(sentence) - 4  # the two bracket pairs are gone
    (quote,) = art.quotes
    (target,) = quote.targets
    holder, other = (p, q) if holder_is_p else (q, p)
    # Mentions are the bracketed entities, widened to whole words where a bracket cut one.
    ((source_start, source_end),) = quote.source
    ((mention_start, mention_end),) = target.mentions
    assert quote.speaker == art.text[source_start:source_end] and holder.strip() in quote.speaker
    assert target.name == art.text[mention_start:mention_end] and other.strip() in target.name
    assert target.stance == stance and art.meta["label"] == int(label)


@pytest.mark.data
@needs("directed-sentiment")
def test_directed_sentiment_first_lines():
    articles = list(islice(CONVERTERS["directed-sentiment"](DATA / "directed-sentiment", "train"), 300))
    check_articles(articles)
    assert len(articles) == 300
    neutral = [a for a in articles if a.meta["label"] == 0]
    assert neutral and all(a.quotes[0].targets[0].stance == "neutral" for a in neutral)
    assert all("[" not in a.text[s:e] for a in articles for s, e in a.quotes[0].source)


@pytest.mark.data
@needs("finentity")
def test_finentity_split_is_deterministic_disjoint_and_about_a_fifth():
    with open(DATA / "finentity" / "FinEntity.json", encoding="utf-8") as f:
        rows = json.load(f)
    digests = {hashlib.sha1(r["content"].encode("utf-8")).hexdigest() for r in rows}
    held = {d for d in digests if int(d, 16) % 5 == 0}
    assert 0.15 <= len(held) / len(digests) <= 0.25
    src = DATA / "finentity"
    test_ids = [a.id for a in CONVERTERS["finentity"](src, "test")]
    train = list(CONVERTERS["finentity"](src, "train"))
    check_articles(train)
    train_ids = [a.id for a in train]
    assert not set(test_ids) & set(train_ids)
    assert set(test_ids) == {f"finentity:{d[:12]}" for d in held}
    assert set(train_ids) | set(test_ids) == {f"finentity:{d[:12]}" for d in digests}
    assert [a.id for a in CONVERTERS["finentity"](src, "test")] == test_ids  # same again


@pytest.mark.data
@needs("finentity")
def test_finentity_label_mapping():
    with open(DATA / "finentity" / "FinEntity.json", encoding="utf-8") as f:
        rows = json.load(f)
    expect = {"Negative": "critical", "Positive": "supportive", "Neutral": "neutral"}
    articles = {
        a.id: a for split in ("train", "test") for a in CONVERTERS["finentity"](DATA / "finentity", split)
    }
    for label, stance in expect.items():
        row, ann = next(
            (r, a)
            for r in rows
            for a in r["annotations"]
            if a["label"] == label and r["content"][a["start"] : a["end"]] == a["value"]
        )
        art = articles["finentity:" + hashlib.sha1(row["content"].encode("utf-8")).hexdigest()[:12]]
        target = next(t for t in art.quotes[0].targets if t.mentions == [(ann["start"], ann["end"])])
        assert target.name == ann["value"] and target.stance == stance


def _runs(labels: list[str], role: str) -> int:
    """BIO runs of one role, counted independently of the converter."""
    inside = (f"B-{role}", f"I-{role}")
    return sum(
        1
        for i, lab in enumerate(labels)
        if lab == f"B-{role}" or (lab == f"I-{role}" and (i == 0 or labels[i - 1] not in inside))
    )


@pytest.mark.data
@needs("riqua")
def test_riqua_train_first_lines():
    path = DATA / "riqua" / "train.txt"
    with open(path, encoding="utf-8") as f:
        raw = [json.loads(line) for line in islice(f, 40)]
    articles = list(islice(CONVERTERS["riqua"](DATA / "riqua", "train"), 40))
    check_articles(articles)
    assert len(articles) == 40
    for row, art in zip(raw, articles, strict=True):
        assert art.text == " ".join(row["tokens"])
        assert len(art.quotes) == _runs(row["labels"], "content")
        assert all(q.speaker is None and len(q.content) == 1 for q in art.quotes)
        if len(art.quotes) > 1:
            # Several quotes: every cue and source goes to exactly one of them.
            assert sum(len(q.source) for q in art.quotes) == _runs(row["labels"], "source")
            assert sum(len(q.cue) for q in art.quotes) == _runs(row["labels"], "cue")
    # A line with one content run and a source: that quote carries all cues and sources.
    i, row = next(
        (i, r)
        for i, r in enumerate(raw)
        if _runs(r["labels"], "content") == 1 and _runs(r["labels"], "source") > 0
    )
    (quote,) = articles[i].quotes
    assert len(quote.source) == _runs(row["labels"], "source")
    assert len(quote.cue) == _runs(row["labels"], "cue")
    first = next(j for j, lab in enumerate(row["labels"]) if lab.endswith("-source"))
    assert articles[i].text[quote.source[0][0] :].startswith(row["tokens"][first])
    kinds = Counter(q.kind for a in articles for q in a.quotes)
    assert kinds["direct"] > 0


@pytest.mark.data
@needs("riqua")
@pytest.mark.filterwarnings("default")
def test_skips_are_counted_and_summarised_once_per_reason():
    with open(DATA / "riqua" / "train.txt", encoding="utf-8") as f:
        empty = sum(1 for line in islice(f, 30) if _runs(json.loads(line)["labels"], "content") == 0)
    if not empty:
        pytest.skip("no line without content among the first 30")
    seen: list[tuple[str, str]] = []
    list(islice(rq.convert(DATA / "riqua", "train", on_skip=lambda r, w: seen.append((r, w))), 30))
    assert len(seen) == empty and all(w.startswith("train.txt:") for _, w in seen)
    articles = rq.convert(DATA / "riqua", "train")
    list(islice(articles, 30))
    with pytest.warns(UserWarning, match=f"riqua train: line without a content span.*: {empty} "):
        articles.close()  # type: ignore[attr-defined]


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "directed-sentiment").is_dir(), reason="the sets are not in ../shared/data")
def test_news_stance_joins_the_labels_with_the_sets_texts():
    import json

    labels = [
        json.loads(line)
        for line in open(ROOT / "eval" / "stance_labels" / "news.train.jsonl", encoding="utf-8")
    ]
    usable = [r for r in labels if r["stance"] != "invalid"]
    articles = list(convert("news-stance", None, "train"))
    targets = [t for a in articles for q in a.quotes for t in q.targets]
    assert len(targets) == len(usable)
    by_id = {a.id: a for a in articles}
    for row in usable[:200]:  # the stored name offsets still point at the organization's name
        article = by_id[row["article"]]
        start, end = row["name"]
        assert any(t.name == article.text[start:end] for q in article.quotes for t in q.targets)
