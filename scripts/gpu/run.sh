#!/bin/bash
# The stance recipe sweep (scripts/stance_sweep.py) on the GPU machine, in N parallel shards;
# prepare with scripts/gpu/prepare.sh. Environment: N (shards), LIMIT (seconds per shard),
# SEEDS, VARIANTS. Writes $OUT/sweep.jsonl, $OUT/shards.txt (each shard's last lines).
cd "$(dirname "$0")/../.."
nvidia-smi -L
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/.gpu/pkg:$PWD PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2 TOKENIZERS_PARALLELISM=false \
  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python3 -c "import datasets, pyarrow, peft, transformers, torch; print('datasets', datasets.__version__, 'pyarrow', pyarrow.__version__, 'peft', peft.__version__, 'transformers', transformers.__version__, 'torch', torch.__version__, torch.cuda.is_available())" || exit 1
python3 - <<'PYTHON' || exit 1
import shutil
from pathlib import Path
from safetensors.torch import load_file, save_file
source, target = Path(".gpu/minilm16"), Path("/tmp/minilm")
target.mkdir(exist_ok=True)
for f in source.iterdir():
    if f.name != "model.safetensors":
        shutil.copy(f, target / f.name)
weights = load_file(source / "model.safetensors")
save_file({k: v.float() for k, v in weights.items()}, target / "model.safetensors", {"format": "pt"})
PYTHON
mkdir -p /tmp/data && for f in .gpu/data/*.gz; do gunzip -c "$f" > "/tmp/data/$(basename "$f" .gz)"; done
N=${N:-8}
LIMIT=${LIMIT:-380}
VARIANTS=${VARIANTS:-"recipe no-marks no-speaker window-800 own-x4 own-only no-finentity cap-6000 lr-1e-3 epochs-6 r-32"}
for i in $(seq 0 $((N-1))); do
  timeout "$LIMIT" python3 scripts/stance_sweep.py --variants $VARIANTS --seeds ${SEEDS:-13 14 15} --data /tmp/data \
    --log "$OUT/sweep.jsonl" --shard "$i/$N" > "/tmp/err.$i" 2>&1 &
done
wait
for i in $(seq 0 $((N-1))); do echo "== shard $i"; grep -v "training:" "/tmp/err.$i" | tail -5; done > "$OUT/shards.txt"
wc -l "$OUT/sweep.jsonl"
