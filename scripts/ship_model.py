"""Copy a trained stance model into models/ to ship it, optionally with its adapter in fp16.

    python scripts/ship_model.py out/capacity-mpnet-relabel models/stance-mpnet --half

The repository keeps at most 10 MB per model; the mpnet adapter (LoRA on every layer plus the
classification head) is 13 MB in fp32 and half that in fp16. The loader casts the weights back to
the encoder's fp32 (`load_state_dict` copies with a cast), so only the stored precision changes;
the card says so. Copies the adapter, its config, the classifier config and the card.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

from stance.classifier.model import CONFIG_NAME
from stance.encoder import ADAPTER_WEIGHTS

FILES = ("adapter_config.json", CONFIG_NAME, "README.md")


def ship(source: Path, target: Path, half: bool) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(source / name, target / name)
    weights = load_file(str(source / ADAPTER_WEIGHTS))
    if half:
        weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
        card = target / "README.md"
        text = card.read_text(encoding="utf-8")
        note = "and the classification head, in safetensors"
        card.write_text(
            text.replace(note, note + " (stored in fp16 to stay under 10 MB; computed in fp32)", 1),
            encoding="utf-8",
        )
    save_file(weights, str(target / ADAPTER_WEIGHTS), metadata={"format": "pt"})
    print(f"{target}: {(target / ADAPTER_WEIGHTS).stat().st_size / 1e6:.1f} MB adapter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--half", action="store_true", help="store the adapter's weights in fp16")
    args = parser.parse_args()
    ship(args.source, args.target, args.half)


if __name__ == "__main__":
    main()
