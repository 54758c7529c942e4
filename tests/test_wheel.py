"""The wheel carries the models: installed without -e, in a fresh environment with the network
refused, run from another folder, `stance label` labels the examples exactly as the checkout does
(issue 10)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

MODEL_FILES = [
    f"stance/models/{model}/{name}"
    for model in ("extractor", "stance")
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md")
] + ["stance/models/extractor/stance_tagger.json", "stance/models/stance/stance_classifier.json"]


NO_NETWORK = """
import socket


def _refuse(*args, **kwargs):
    raise OSError("network use at run time (refused by the test)")


socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*build, "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("stance-*.whl")
    return path


def test_wheel_holds_every_module_and_the_shipped_models(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(MODEL_FILES) <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "stance").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    for model in ("extractor", "stance"):  # byte for byte what the checkout ships
        for name in ("adapter_model.safetensors", "adapter_config.json"):
            assert zipfile.ZipFile(wheel).read(f"stance/models/{model}/{name}") == (
                ROOT / "models" / model / name
            ).read_bytes()
    assert not any(n.endswith((".pt", ".bin", ".pkl", ".pickle")) for n in names)  # no pickle


def test_installed_wheel_labels_the_examples_as_the_checkout_does(wheel, tmp_path):
    """A fresh venv holding only the wheel; its dependencies come from this environment's
    site-packages by a .pth line (so nothing is downloaded), which the editable install's
    finder does not reach."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # No network at run time: any connection attempt in that environment fails loudly.
    (site / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("STANCE_DATA", "PYTHONPATH")}
    where = subprocess.run(
        [str(python), "-c", "import stance.encoder as e; print(e.__file__, e.shipped_model('stance'))"],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(path.startswith(str(site)) for path in where), where
    probe = "import socket; socket.create_connection(('127.0.0.1', 9))"
    refused = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True)
    assert "refused by the test" in refused.stderr  # the guard is in force there

    examples = ROOT / "examples"
    args = ["label", str(examples), "--targets", str(examples / "targets.list"), "-q"]
    installed = subprocess.run(
        [str(python), "-m", "stance.cli", *args, "-o", str(elsewhere / "out.jsonl")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    assert "network use at run time" not in installed.stderr
    checkout = subprocess.run(
        [sys.executable, "-m", "stance.cli", *args, "-o", str(tmp_path / "checkout.jsonl")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checkout.returncode == 0, checkout.stderr
    assert (elsewhere / "out.jsonl").read_bytes() == (tmp_path / "checkout.jsonl").read_bytes()

    # Outside a checkout the data folder comes from STANCE_DATA only.
    convert = subprocess.run(
        [str(python), "-m", "stance.cli", "convert", "polnear", "--split", "dev", "-o", "p.jsonl"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert convert.returncode == 2 and "set STANCE_DATA" in convert.stderr, convert.stderr


def test_no_source_file_enables_remote_code():
    """Model code is never taken from a model folder: no loader passes trust_remote_code."""
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "stance").rglob("*.py")
        if "trust_remote_code" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
