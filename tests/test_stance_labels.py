"""The project's stance labels: stored without text, and their agreement as reported."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import ROOT

LABELS = ROOT / "eval" / "stance_labels"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in open(LABELS / name, encoding="utf-8")]


def _script():
    spec = importlib.util.spec_from_file_location("stance_labels", ROOT / "scripts" / "stance_labels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_label_files_hold_ids_offsets_and_labels_only():
    allowed = {"pair", "article", "content", "cue", "source", "name", "mentions", "stance", "annotator"}
    for split in ("train", "dev"):
        for row in _rows(f"polnear.{split}.jsonl"):
            assert set(row) == allowed
            assert row["stance"] in ("critical", "supportive", "neutral", "invalid")
            assert all(isinstance(v, int) for span in row["mentions"] for v in span)


def test_cohen_kappa_by_hand():
    kappa = _script().cohen_kappa
    # observed 3/4; expected (2*1 + 2*3)/16 = 1/2 -> (0.75 - 0.5) / 0.5
    assert kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(0.5)
    assert kappa(["a", "b"], ["a", "b"]) == pytest.approx(1.0)


def test_agreement_is_what_the_readme_reports():
    first = {r["pair"]: r["stance"] for split in ("train", "dev") for r in _rows(f"polnear.{split}.jsonl")}
    second = {r["pair"]: r["stance"] for r in _rows("second_labels.jsonl")}
    pairs = sorted(second)
    assert len(pairs) == 290
    a, b = [first[p] for p in pairs], [second[p] for p in pairs]
    assert _script().cohen_kappa(a, b) == pytest.approx(0.864, abs=5e-4)
