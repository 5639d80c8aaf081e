#!/usr/bin/env bash
# npm run train:classifier:complaint — the accurate tier's complaint stage
# (finetune_complaint.py, seeded): from the multi-task run's adapter and heads, fine-tunes
# the encoder for complaints with each brand domain held out in turn, then on all of them;
# writes the adapter, heads, held-out probabilities and figures into models/, sets the
# complaint head's decision on the held-out domains, and rebuilds the ONNX encoder.
# 2,897 s of training on 2 CPU cores; npm run train:classifier:accurate runs it after the
# multi-task training.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare_training
"$venv/bin/python" "$here/finetune_complaint.py" --base "$base" --adapter "$multitask_adapter" --heads "$multitask_heads" \
  --corpus "$work/corpus.json" --out "$work/out" "$@"
"$venv/bin/python" - "$work/out" "$models" <<'PY'
import json, shutil, sys
out, models = sys.argv[1], sys.argv[2]
c = json.load(open(f"{out}/complaint-metrics.json"))
path = f"{models}/earshot-minilm-tuned.metrics.json"
m = json.load(open(path))
m["complaint_f1_domain_cv"] = c["complaint_f1_domain_cv"]
m["complaint_stage"] = c
json.dump(m, open(path, "w"), indent=1)
shutil.copy(f"{out}/heads.json", f"{models}/earshot-minilm-tuned-heads.json")
shutil.copy(f"{out}/adapter.safetensors", f"{models}/earshot-minilm-tuned.adapter.safetensors")
shutil.copy(f"{out}/complaint-cv.json", f"{models}/earshot-minilm-tuned.complaint-cv.json")
print(f"[train] complaint F1, brand domains held out, encoder alone: {c['complaint_f1_domain_cv']:.1f}; {c['wall_s']}s on {c['device']}", file=sys.stderr)
PY
# The complaint head's decision, set on the held-out brand domains (complaint-calibration.ts).
(cd "$here/../../../.." && npx tsx services/classifier/scripts/calibrate-complaint.ts)
bash "$here/build-default.sh" --force
# The toxicity heads' decisions, set after the mix with the linear model (calibrate-mix.ts).
(cd "$here/../../../.." && npx tsx services/classifier/scripts/calibrate-mix.ts)
