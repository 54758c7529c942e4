"""`--engine ray`: the records, one-line problems, counts and `--resume` of the local engine, on a
local Ray instance (`ray.init(num_cpus=2)`, on loopback). Skipped when Ray is not installed
(`pip install 'stance[ray]'`; `make test` installs it)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from conftest import DATA, ROOT
from typer.testing import CliRunner

from stance.cli import app

runner = CliRunner()
EXAMPLES = ROOT / "examples"
TIMEOUT = 600  # seconds a run may take at most on a loaded two-core machine; none should come near


@pytest.fixture(scope="module")
def ray_address():
    """A Ray instance for this module; the runs connect to it as to a cluster (--ray-address)."""
    ray = pytest.importorskip("ray")
    saved = {name: os.environ.get(name) for name in ("RAY_AUTH_MODE",)}  # ray.init may set it
    ray.init(  # "local": a new instance, whatever else runs on this machine
        address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
        object_store_memory=256 * 2**20, log_to_driver=False, logging_level=logging.ERROR,
    )  # fmt: skip
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _stance(*args: str) -> tuple[int, str, float]:
    """`python -m stance.cli ARGS` in a process of its own: (exit status, stderr, wall seconds)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stance.cli", *args], capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT
    )
    return done.returncode, done.stderr, time.perf_counter() - start


def _engine(engine: str, address: str) -> list[str]:
    return ["--engine", engine, *(["--ray-address", address] if engine == "ray" else [])]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _messages(output: str) -> list[str]:
    """The lines stance writes (problems, the closing line), without Ray's own or progress lines."""
    return [line for line in output.splitlines() if line.startswith(("stance:", "wrote ", "kept "))]


def _input(tmp_path: Path, n: int) -> list[Path]:
    """n articles (not a multiple of the 8 of a chunk) in a .jsonl with a line that is not JSON
    and a record without text, and a second input repeating one of their ids."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    lines = [json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) for i in range(n)]
    lines.insert(3, "{not json")
    lines.insert(10, json.dumps({"id": "empty"}))
    first, second = tmp_path / "in.jsonl", tmp_path / "more.jsonl"
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second.write_text(json.dumps({"id": "a4", "text": texts[0]}) + "\n", encoding="utf-8")
    return [first, second]


def test_engine_ray_without_ray_is_one_line_before_anything_is_read(tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    no_ray = lambda name, *rest: None if name == "ray" else find_spec(name, *rest)  # noqa: E731
    monkeypatch.setattr(importlib.util, "find_spec", no_ray)
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["label", str(tmp_path / "missing.jsonl"), "--engine", "ray", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == "stance: `--engine ray` needs Ray: pip install 'stance[ray]'"
    assert not out.exists()


def test_the_actor_pool_fits_the_cluster():
    from stance.ray_engine import RayEngine
    from stance.workers import PipelineOptions

    def pool(workers, cpus, nodes, gpus=0.0, device="auto"):
        engine = RayEngine(PipelineOptions(device=device), workers=workers)
        engine._size_pool({"CPU": cpus, "GPU": gpus}, [{"CPU": n} for n in nodes])
        return engine.actors, engine.actor_cpus, engine.actor_gpus, engine.actor_options.device

    assert pool(None, 2, [2]) == (1, 2, 0.0, "cpu")  # one actor per 2 CPUs
    assert pool(None, 16, [8, 8]) == (8, 2, 0.0, "cpu")
    assert pool(1, 6, [3, 3]) == (1, 3, 0.0, "cpu")  # never more CPUs than the largest node has
    assert pool(4, 2, [2]) == (4, 0.5, 0.0, "cpu")  # more actors than CPUs: they share
    assert pool(2, 8, [8], gpus=1) == (2, 4, 0.5, "cuda")
    assert pool(2, 8, [8], gpus=1, device="cpu")[2:] == (0.0, "cpu")
    with pytest.raises(ValueError, match="--device cuda: the Ray cluster has no GPU"):
        pool(2, 8, [8], device="cuda")


def test_ray_labels_the_examples_as_the_local_engine_does(ray_address, tmp_path):
    if not (ROOT / "models" / "stance" / "stance_classifier.json").exists():
        pytest.skip("no stance classifier shipped in models/stance")
    runs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        args = ["label", str(EXAMPLES), "--targets", str(EXAMPLES / "targets.list"), "-o", str(out)]
        rc, err, wall = _stance(*args, *_engine(engine, ray_address))
        assert rc == 0, err
        print(f"\n--engine {engine} on examples/: {wall:.1f} s wall (process start, models, 5 articles)")
        runs[engine] = (_lines(out), [m.replace(str(out), "OUT") for m in _messages(err)])
    assert runs["ray"] == runs["local"]
    records, messages = runs["ray"]
    assert [r["id"] for r in records] == sorted(p.name for p in EXAMPLES.glob("*.txt"))
    assert messages == [f"wrote 5 of 5 articles ({sum(len(r['quotes']) for r in records)} quotes) to OUT"]


def test_bad_records_give_the_local_problems_and_counts(ray_address, tmp_path):
    inputs = [str(p) for p in _input(tmp_path, 19)]
    runs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        args = ["extract", *inputs, str(tmp_path / "missing.jsonl"), "--extractor", "rules", "-o", str(out)]
        rc, err, _ = _stance(*args, *_engine(engine, ray_address))
        assert rc == 1, err  # the bad records
        runs[engine] = (_lines(out), [m.replace(str(out), "OUT") for m in _messages(err)])
    assert runs["ray"] == runs["local"]
    records, messages = runs["ray"]
    assert [r["id"] for r in records] == [f"a{i}" for i in range(19)] + ["a4"]
    # 20 articles written; lost: the line that is not JSON, the record without text, the missing input.
    assert messages[-1].startswith("wrote 20 of 23 articles (")
    assert messages[-1].endswith(" to OUT; 3 could not be read or processed (see above)")
    assert sum("duplicate id 'a4'" in m for m in messages) == 1


def test_ray_resume_continues_exactly_and_leaves_a_cluster_it_did_not_start(ray_address, tmp_path):
    import ray

    inputs = [str(_input(tmp_path, 13)[0])]  # a repeated id could not be resumed exactly by either engine
    whole = tmp_path / "whole.jsonl"
    assert _stance("extract", *inputs, "--extractor", "rules", "-o", str(whole))[0] == 1
    part = tmp_path / "part.jsonl"
    kept = whole.read_text(encoding="utf-8").splitlines(keepends=True)[:5]
    part.write_text("".join(kept) + '{"id": "a5", "te', encoding="utf-8")  # and a torn last line
    # No --ray-address: this run starts a Ray instance of its own, and stops only that one.
    args = ["extract", *inputs, "--extractor", "rules", "--resume", "-o", str(part)]
    rc, err, _ = _stance(*args, "--engine", "ray")
    assert rc == 1, err
    assert f"kept 5 articles already in {part}; wrote 8 of 10 more articles" in err, err
    assert part.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    assert ray.get(ray.put("still up"), timeout=60) == "still up"  # the module's instance


def _polnear_test_texts(path: Path) -> int:
    from stance.converters import convert

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what the converter skips is test_converters' business
        articles = list(convert("polnear", DATA / "polnear", "test"))
    with open(path, "w", encoding="utf-8") as f:
        for article in articles:
            f.write(json.dumps({"id": article.id, "text": article.text}) + "\n")
    return len(articles)


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "polnear").exists(), reason="PolNeAR not in ../shared/data")
def test_ray_labels_polnear_test_as_the_local_engine_does(ray_address, tmp_path):
    texts = tmp_path / "polnear.test.jsonl"
    n = _polnear_test_texts(texts)
    outs = {}
    for engine in ("local", "ray"):
        outs[engine] = tmp_path / f"{engine}.jsonl"
        args = ["label", str(texts), "-o", str(outs[engine])]
        rc, err, wall = _stance(*args, *_engine(engine, ray_address))
        assert rc == 0, err
        print(f"\n--engine {engine} on PolNeAR test ({n} articles): {wall:.1f} s wall")
    assert _lines(outs["ray"]) == _lines(outs["local"])
    assert len(_lines(outs["ray"])) == n
