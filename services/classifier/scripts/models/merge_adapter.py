#!/usr/bin/env python3
"""Merges the accurate tier's fine-tuning (written by finetune.py) into the base
encoder's weights: W + B·A for every adapted linear layer, the trained biases and layer
norms as they are. Writes a model folder build_bert_onnx.py turns into ONNX.

Build-time only (numpy, safetensors).

  python3 merge_adapter.py --base DIR --adapter FILE --out DIR
"""
import argparse, os, shutil, sys
import numpy as np
from safetensors.numpy import load_file, save_file


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    base = {k[5:] if k.startswith("bert.") else k: v.astype(np.float32) for k, v in load_file(os.path.join(a.base, "model.safetensors")).items()}
    adapter = {k: v.astype(np.float32) for k, v in load_file(a.adapter).items()}
    merged, low_rank, replaced = dict(base), 0, 0
    for key, value in adapter.items():
        if key.endswith(".lora_A"):
            layer = key[: -len(".lora_A")]
            delta = adapter[f"{layer}.lora_B"] @ value
            if merged[f"{layer}.weight"].shape != delta.shape:
                sys.exit(f"{layer}: adapter shape {delta.shape} does not fit the base {merged[layer + '.weight'].shape}")
            merged[f"{layer}.weight"] = merged[f"{layer}.weight"] + delta
            low_rank += 1
        elif not key.endswith(".lora_B"):
            if key not in base or base[key].shape != value.shape:
                sys.exit(f"adapter tensor {key} has no counterpart in the base weights")
            merged[key] = value
            replaced += 1
    os.makedirs(a.out, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in merged.items()}, os.path.join(a.out, "model.safetensors"))
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if os.path.exists(os.path.join(a.base, f)):
            shutil.copy(os.path.join(a.base, f), os.path.join(a.out, f))
    print(f"merged {low_rank} low-rank updates and {replaced} biases and norms into {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
