#!/usr/bin/env bash
# npm run train:classifier:accurate — fine-tunes the accurate tier end to end (finetune.py,
# seeded) and then the shift check, writes the adapter, heads and figures into models/,
# and rebuilds the ONNX encoder. Uses a CUDA GPU when PyTorch sees one; on CPU it is
# slow (hours on 2 cores). Extra arguments go to finetune.py (e.g. --epochs 1 --limit 500).
# The multi-task result is kept as earshot-minilm-multitask.*; the complaint stage
# (train-complaint.sh) then continues from it and writes the shipped adapter and heads.
# Also writes the teacher's sentiment probabilities the fast tier distils (models/teacher/);
# run npm run train:classifier afterwards to retrain the fast tier on them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare_training
t0=$(date +%s)
"$venv/bin/python" "$here/finetune.py" --base "$base" --corpus "$work/corpus.json" --out "$work/out" --teach "$@"
"$venv/bin/python" "$here/finetune.py" --base "$base" --corpus "$work/corpus.json" --out "$work/out" --shift --teach "$@"
"$venv/bin/python" - "$work/out" "$models" "$(( $(date +%s) - t0 ))" <<'PY'
import json, shutil, sys
out, models, wall = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(f"{out}/metrics.json"))
s = json.load(open(f"{out}/shift-metrics.json"))
m["shift_check"] = {k: s[k] for k in ("sentiment_macro_recall", "check_rows", "train_rows", "wall_s", "device")}
m["total_wall_s"] = wall
json.dump(m, open(f"{models}/earshot-minilm-tuned.metrics.json", "w"), indent=1)
shutil.copy(f"{out}/heads.json", f"{models}/earshot-minilm-multitask-heads.json")
shutil.copy(f"{out}/adapter.safetensors", f"{models}/earshot-minilm-multitask.adapter.safetensors")
# The fast tier distils these (npm run train:classifier); rounded, gzipped, in the repo.
import gzip
for name in ("teacher", "shift-teacher"):
    d = json.load(open(f"{out}/{name}.json"))
    with gzip.open(f"{models}/teacher/{name}.json.gz", "wt", compresslevel=9) as f:
        json.dump({k: [[round(v, 3) for v in row] for row in rows] for k, rows in d.items()}, f, separators=(",", ":"))
print(f"[train] val sentiment {m['val']['sentiment']:.1f}, shift check {s['sentiment_macro_recall']:.1f}, {wall}s on {m['device']}", file=sys.stderr)
PY
bash "$here/train-complaint.sh"
