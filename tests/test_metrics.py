"""The metric definitions, pinned on tiny hand-made cases with values computed by hand."""

from __future__ import annotations

import pytest
from conftest import span_of

from stance.evaluation import EvaluationError, compare, evaluate, pair_articles
from stance.evaluation.spans import exact_key, trim
from stance.records import Article, Quote, Target

TEXT = 'Alpha said: "one two three four." Beta said five six seven, and eight nine.'


def quote(*pieces: str, kind: str = "direct", **kw) -> Quote:
    return Quote(content=[span_of(TEXT, p) for p in pieces], kind=kind, **kw)


def score(gold: list[Quote], pred: list[Quote], text: str = TEXT) -> dict[str, float]:
    return evaluate([Article("a", text, quotes=gold)], [Article("a", text, quotes=pred)], samples=0).scores


def test_trim_removes_space_punctuation_and_quote_marks():
    text = ' "one, two." '
    assert trim(text, (0, len(text))) == (2, 10)
    assert exact_key(text, [(0, len(text))]) == ((2, 10),)
    assert trim(text, (0, 2)) is None


def test_perfect_prediction():
    gold = [quote('"one two three four."'), quote("five six seven", kind="indirect")]
    s = score(gold, [quote("one two three four"), quote("five six seven", kind="indirect")])
    assert s["content.exact.f1"] == s["content.overlap.f1"] == 1.0
    assert s["content.direct.exact.r"] == s["content.indirect.exact.p"] == 1.0


def test_empty_prediction():
    s = score([quote("one two three four")], [])
    assert (s["content.exact.p"], s["content.exact.r"], s["content.exact.f1"]) == (0.0, 0.0, 0.0)
    assert s["content.overlap.f1"] == 0.0
    assert s["n_pred_quotes"] == 0 and s["n_gold_quotes"] == 1


def test_all_wrong():
    s = score([quote("one two three four")], [quote("five six seven")])
    assert s["content.exact.f1"] == 0.0 and s["content.overlap.f1"] == 0.0


def test_partial_overlap_credits_shared_tokens():
    # gold "one two three four" (4 tokens); predicted "three four." + nothing else: 2 tokens, both in gold.
    s = score([quote("one two three four")], [quote("three four")])
    assert s["content.exact.f1"] == 0.0
    assert s["content.overlap.p"] == 1.0
    assert s["content.overlap.r"] == 0.5
    assert s["content.overlap.f1"] == pytest.approx(2 / 3)


def test_discontinuous_spans():
    gold = [quote("five six seven", "eight nine", kind="indirect")]  # 3 + 2 tokens
    s = score(gold, [quote("five six seven", kind="indirect")])
    assert s["content.exact.f1"] == 0.0  # both parts are needed for an exact match
    assert s["content.overlap.p"] == 1.0
    assert s["content.overlap.r"] == pytest.approx(3 / 5)
    assert s["content.overlap.f1"] == pytest.approx(0.75)
    assert score(gold, [quote("eight nine", "five six seven", kind="indirect")])["content.exact.f1"] == 1.0


def test_spans_convention_scores_each_contiguous_span_on_its_own():
    # Gold: one quote in two pieces; the prediction gets the first piece only.
    gold = [quote("five six seven", "eight nine", kind="indirect")]
    pred = [quote("five six seven", kind="indirect")]
    both = ([Article("a", TEXT, quotes=gold)], [Article("a", TEXT, quotes=pred)])
    quotes = evaluate(*both, samples=0).scores
    spans = evaluate(*both, samples=0, convention="spans").scores
    assert (quotes["content.exact.p"], quotes["content.exact.r"]) == (0.0, 0.0)
    assert (spans["content.exact.p"], spans["content.exact.r"]) == (1.0, 0.5)
    with pytest.raises(ValueError, match="unknown convention"):
        evaluate(*both, samples=0, convention="tokens")


def test_spans_with_only_punctuation_between_are_one_span():
    text = '"One. Two," she said. "Three."'
    joined = [span_of(text, "One. Two,")]
    split = [span_of(text, "One."), span_of(text, "Two,")]
    assert exact_key(text, split) == exact_key(text, joined) == ((1, 9),)
    assert exact_key(text, split + [span_of(text, "Three.")]) == ((1, 9), (23, 28))


def test_duplicate_predictions_count_once():
    s = score([quote("one two three four"), quote("five six seven")], [quote("one two three four")] * 3)
    assert s["content.exact.p"] == 1.0 and s["content.exact.r"] == 0.5
    assert s["content.overlap.p"] == 1.0


def test_source_and_cue_layers():
    gold = [quote("one two three four", source=[span_of(TEXT, "Alpha")], cue=[span_of(TEXT, "said")])]
    pred = [quote("one two three four", source=[span_of(TEXT, "Alpha said")], cue=[span_of(TEXT, "said")])]
    s = score(gold, pred)
    assert s["cue.exact.f1"] == 1.0
    assert s["source.exact.f1"] == 0.0
    assert s["source.overlap.p"] == 0.5 and s["source.overlap.r"] == 1.0
    assert s["source.match.accuracy"] == 0.0 and s["source.match.n"] == 1


def test_speaker_accuracy_is_case_and_punctuation_insensitive_and_surnames_are_apart():
    gold = [
        quote("one two three four", speaker="Nikol Pashinyan"),
        quote("five six seven", speaker="Dmitry Peskov"),
    ]
    pred = [
        quote("one two three four", speaker="nikol pashinyan."),
        quote("five six seven", speaker="Peskov"),
    ]
    s = score(gold, pred)
    assert s["speaker.accuracy"] == 0.5
    assert s["speaker.surname_match"] == 0.5
    assert s["speaker.n"] == 2


def test_targets_by_mention_overlap_or_name():
    gold = [
        quote("one two three four", targets=[Target("One Org", [span_of(TEXT, "one")]), Target("Four Org")])
    ]
    pred = [
        quote(
            "one two three four",
            targets=[Target("ONE", [span_of(TEXT, "one")]), Target("four org"), Target("X")],
        )
    ]
    s = score(gold, pred)
    assert (s["targets.p"], s["targets.r"]) == (pytest.approx(2 / 3), 1.0)


def _stance_case(pred_labels: list[str | None]) -> dict[str, float]:
    gold_labels = ["critical", "supportive", "neutral", "critical"]
    names = ["A", "B", "C", "D"]
    gold = [
        quote(
            "one two three four",
            targets=[Target(n, stance=s) for n, s in zip(names, gold_labels, strict=True)],
        )
    ]
    pred = [
        quote(
            "one two three four",
            targets=[Target(n, stance=s) for n, s in zip(names, pred_labels, strict=True)],
        )
    ]
    return score(gold, pred)


def test_stance_on_matched_pairs():
    s = _stance_case(["critical", "neutral", "neutral", "supportive"])
    # critical: P 1/1 R 1/2 F 2/3; supportive: P 0/1 R 0/1 F 0; neutral: P 1/2 R 1/1 F 2/3.
    assert s["stance.accuracy"] == 0.5
    assert s["stance.critical.f1"] == pytest.approx(2 / 3)
    assert s["stance.supportive.f1"] == 0.0
    assert s["stance.neutral.p"] == 0.5
    assert s["stance.macro_f1"] == pytest.approx(4 / 9)


def test_stance_end_to_end_counts_unmatched_gold_pairs_as_errors():
    gold = [
        quote("one two three four", targets=[Target("A", stance="critical")]),
        quote("five six seven", targets=[Target("B", stance="supportive")]),
    ]
    pred = [quote("one two three four", targets=[Target("A", stance="critical")])]
    s = score(gold, pred)
    assert s["stance.accuracy"] == 1.0 and s["stance.n"] == 1
    assert s["stance.e2e.accuracy"] == 0.5 and s["stance.e2e.n"] == 2
    # critical F1 1.0, supportive F1 0 (its gold pair is missing), neutral 0: macro 1/3.
    assert s["stance.e2e.macro_f1"] == pytest.approx(1 / 3)


def test_bootstrap_is_seeded_and_paired_test_sees_a_better_system():
    golds, good, bad = [], [], []
    for i in range(12):
        g = Article(str(i), TEXT, quotes=[quote("one two three four"), quote("five six seven")])
        golds.append(g)
        good.append(Article(str(i), TEXT, quotes=[quote("one two three four"), quote("five six seven")]))
        bad.append(Article(str(i), TEXT, quotes=[quote("one two three four")] if i % 3 else []))
    a1 = evaluate(golds, good, samples=200, seed=1)
    a2 = evaluate(golds, good, samples=200, seed=1)
    b = evaluate(golds, bad, samples=200, seed=1)
    assert a1.intervals == a2.intervals
    lo, hi = b.intervals["content.exact.f1"]
    assert lo <= b.scores["content.exact.f1"] <= hi and lo < hi
    paired = compare(a1, b, samples=200, seed=1)
    assert paired["content.exact.f1"]["delta"] > 0
    assert paired["content.exact.f1"]["p"] < 0.05


def test_mismatched_files_are_clear_errors():
    gold = [Article("a", TEXT), Article("b", TEXT)]
    with pytest.raises(EvaluationError, match="1 gold ids missing from predictions: 'b'"):
        pair_articles(gold, [Article("a", TEXT)])
    with pytest.raises(EvaluationError, match="text of 'b' differs from gold \\(first at offset 0\\)"):
        pair_articles(gold, [Article("a", TEXT), Article("b", "x" + TEXT)])
    with pytest.raises(EvaluationError, match="predictions ids missing from gold: 'c'"):
        pair_articles(gold, [Article("a", TEXT), Article("b", TEXT), Article("c", TEXT)])
