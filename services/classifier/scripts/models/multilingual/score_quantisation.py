#!/usr/bin/env python3
"""Compare int8 versions of the multilingual encoder with its fp32 ONNX on the fine-tune's
held-out train slice (finetune_umsab.py: 100 train tweets a language, seed 1, never trained
on): cosine of each tweet's embedding to fp32's, and macro-F1 of the shipped sentiment head
per language. Choosing a quantisation here never looks at UMSAB val.
Also CPU ms per text (one thread) and size. Build-time only (onnxruntime, tokenizers, numpy).

  python3 score_quantisation.py --fp32 DIR/onnx/model.onnx --tokenizer DIR --heads HEADS.json A.onnx B.onnx ...
"""
import argparse, json, os, sys, time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from embed_onnx import OnnxEncoder  # noqa: E402
from embed_umsab import LANGUAGES  # noqa: E402
from finetune import macro_f1  # noqa: E402


def held_out_slice(holdout=100, seed=1):
    """finetune_umsab.splits' held-out rows, without importing PyTorch."""
    from embed_umsab import read_split
    rng = np.random.default_rng(seed)
    rows = []
    for lang in LANGUAGES:
        texts, labels = read_split(lang, "train")
        perm = rng.permutation(len(texts))
        rows += [(texts[i], int(labels[i]), lang) for i in perm[:holdout]]
    return rows


def head_scores(heads, x, rows):
    h = heads["heads"][0]
    z = x @ np.array(h["weights"], np.float32).T + np.array(h["bias"], np.float32)
    y, lang = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
    out = {l: round(100 * macro_f1(y[lang == l], z[lang == l].argmax(1), 3), 1) for l in LANGUAGES}
    out["average"] = round(float(np.mean([out[l] for l in LANGUAGES])), 2)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fp32", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--heads", required=True)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    rows = held_out_slice()
    texts = [r[0] for r in rows]
    heads = json.load(open(a.heads))
    ref = None
    for path in [a.fp32] + a.models:
        enc = OnnxEncoder(path, a.tokenizer)
        enc(texts[:32])  # warm up
        c0 = time.process_time()
        x = enc(texts)
        cpu = 1000 * (time.process_time() - c0) / len(texts)
        ref = x if ref is None else ref
        cos = (x * ref).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(ref, axis=1)
        print(json.dumps({"model": os.path.basename(path), "mb": round(os.path.getsize(path) / 1e6, 1),
                          "cpu_ms_per_text": round(cpu, 1), "cosine_to_fp32": {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4)},
                          "held_out_macro_f1": head_scores(heads, x, rows)}), flush=True)


if __name__ == "__main__":
    main()
