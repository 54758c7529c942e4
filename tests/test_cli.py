"""The command line through typer's runner, and the end-to-end check against the examples' gold."""

from __future__ import annotations

import csv
import json
import math

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from stance.cli import app
from stance.io import read_records
from stance.records import STANCES

runner = CliRunner()
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def examples_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "examples.jsonl"
    result = runner.invoke(
        app, ["extract", str(EXAMPLES), "--targets", str(EXAMPLES / "targets.list"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_extract_examples_finds_every_direct_quote_with_its_speaker(examples_output):
    gold = {a.id: a for a in read_records(EXAMPLES / "gold.jsonl")}
    pred = {a.id: a for a in read_records(examples_output)}
    assert set(pred) == set(gold)
    for art_id, g in gold.items():
        found = {(tuple(q.content), q.speaker) for q in pred[art_id].quotes if q.kind == "direct"}
        for q in g.quotes:
            if q.kind == "direct":
                assert (tuple(q.content), q.speaker) in found, (art_id, g.span_text(q.content))


def _examples_scores(path) -> dict[str, float]:
    from stance.evaluation import evaluate

    return evaluate(read_records(EXAMPLES / "gold.jsonl"), read_records(path), samples=0).scores


def test_extract_examples_scores_against_gold(examples_output):
    # The default (tagger+rules) finds every gold quote; its extra quotes are PolNeAR-style
    # attributions the examples' gold does not annotate. These pin today's behaviour, not a benchmark.
    scores = _examples_scores(examples_output)
    assert scores["content.exact.r"] >= 0.95 and scores["content.exact.f1"] >= 0.8
    assert scores["speaker.accuracy"] >= 0.9
    assert scores["targets.f1"] >= 0.85


def test_rules_extract_examples_as_their_gold_was_written(tmp_path):
    # The examples were written with the rule-based extractor in mind.
    out = tmp_path / "rules.jsonl"
    args = ["extract", str(EXAMPLES), "--extractor", "rules", "--targets", str(EXAMPLES / "targets.list")]
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = _examples_scores(out)
    assert scores["content.exact.f1"] >= 0.95
    assert scores["speaker.accuracy"] >= 0.95
    assert scores["targets.f1"] >= 0.8


def test_extract_writes_csv_with_one_row_per_target(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(
        '"The Collective Security Treaty Organization failed us," Pashinyan said.', encoding="utf-8"
    )
    targets = tmp_path / "targets.list"
    targets.write_text("Collective Security Treaty Organization | CSTO\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["extract", str(src), "--targets", str(targets), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["speaker"], r["target"], r["kind"]) for r in rows] == [
        ("Pashinyan", "Collective Security Treaty Organization", "direct")
    ]


def test_bad_rows_are_reported_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "ok1", "text": '"We will act," she said.'})
        + "\n{not json\n"
        + json.dumps({"id": "no-text"})
        + "\n"
        + json.dumps({"id": "ok2", "text": "The mayor said that the budget passed."})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{src}:2:" in result.output and f"{src}:3:" in result.output
    assert [a.id for a in read_records(out)] == ["ok1", "ok2"]


def test_missing_input_and_bad_output_suffix_fail_in_one_line(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "nope.jsonl" in result.output
    result = runner.invoke(app, ["extract", str(EXAMPLES), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2 and ".xlsx" in result.output


@pytest.mark.parametrize("command", ["label", "classify"])
def test_stance_commands_refuse_a_missing_model_in_one_line(command, tmp_path):
    src = EXAMPLES / ("gold.jsonl" if command == "classify" else "csto-armenia.txt")
    out = tmp_path / "out.jsonl"
    missing = tmp_path / "no-model"
    result = runner.invoke(app, [command, str(src), "-o", str(out), "--stance-model", str(missing)])
    assert result.exit_code == 2
    assert "no stance model here" in result.output and str(missing) in result.output
    assert not out.exists()


def test_show_prints_a_table(examples_output):
    result = runner.invoke(app, ["show", str(examples_output), "--limit", "3"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["article", "speaker", "organization", "stance"]
    assert "Nikol Pashinyan" in lines[2] and "not classified" in lines[2]
    assert lines[-1].startswith("…") and lines[-1].endswith("more rows")


@pytest.mark.parametrize("command", ["extract", "label", "classify", "show"])
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"stance {command}" in result.output


SHIPPED_STANCE = pytest.mark.skipif(
    not (ROOT / "models" / "stance" / "stance_classifier.json").exists(),
    reason="no stance classifier shipped in models/stance",
)


_CONFIG = ROOT / "models" / "stance" / "stance_classifier.json"
_SHIPPED = json.loads(_CONFIG.read_text(encoding="utf-8")) if _CONFIG.exists() else {}
BIAS = _SHIPPED.get("bias") or [0.0] * len(STANCES)


def _all_targets_classified(path):
    targets = [t for a in read_records(path) for q in a.quotes for t in q.targets]
    assert targets
    for t in targets:
        assert t.stance in ("critical", "supportive", "neutral")
        assert set(t.scores) == {"critical", "supportive", "neutral"}
        assert sum(t.scores.values()) == pytest.approx(1, abs=1e-3)
        # The stance is the model's decision rule over its calibrated scores.
        ruled = {
            label: math.log(max(t.scores[label], 1e-12)) + b for label, b in zip(STANCES, BIAS, strict=True)
        }
        assert max(ruled, key=ruled.get) == t.stance


@SHIPPED_STANCE
def test_label_gives_every_target_a_stance_and_scores(tmp_path):
    out = tmp_path / "labelled.jsonl"
    src = EXAMPLES / "csto-armenia.txt"
    result = runner.invoke(
        app, ["label", str(src), "--targets", str(EXAMPLES / "targets.list"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    _all_targets_classified(out)


@SHIPPED_STANCE
def test_classify_fills_gold_targets_and_keeps_the_rest(tmp_path):
    out = tmp_path / "classified.jsonl"
    result = runner.invoke(app, ["classify", str(EXAMPLES / "gold.jsonl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    _all_targets_classified(out)
    gold = read_records(EXAMPLES / "gold.jsonl")
    assert [[q.content for q in a.quotes] for a in read_records(out)] == [
        [q.content for q in a.quotes] for a in gold
    ]


def test_min_confidence_needs_the_tagger(tmp_path):
    out = tmp_path / "out.jsonl"
    args = ["extract", str(ROOT / "examples"), "-o", str(out), "--extractor", "rules"]
    args += ["--min-confidence", "0.5"]
    result = runner.invoke(app, args)
    assert result.exit_code != 0 and "--min-confidence reads the tagger's confidence" in result.output
    assert not out.exists()
