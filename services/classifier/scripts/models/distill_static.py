#!/usr/bin/env python3
"""Distil a static token embedding from a BERT sentence encoder (the model2vec method), for
stories: every vocabulary token is run through the encoder alone ([CLS] token [SEP], mean
pooled, as the sentence encoder pools), the vectors are PCA-reduced, and each row is
weighted by its smooth inverse frequency (SIF, a / (a + p(token))) with p counted on a
general tweet corpus, never on the sets stories are scored on. A sentence is then the
normalised sum of its tokens' rows: no transformer at run time.

Build-time only (pip: onnxruntime, numpy, tokenizers). Output, little-endian:
  u32 header length, header JSON {dims, rows, vocab: [...], source, sif_a, pca_dims},
  f32[rows] row scales, i8[rows * dims] rows (value = scale * int8)

  python3 distill_static.py --onnx DIR --corpus FILE.tsv --out FILE.bin [--dims 256]
"""
import argparse, json, os, struct, sys
import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", required=True, help="a folder with onnx/model.onnx and tokenizer.json, vocab.txt")
    ap.add_argument("--corpus", required=True, help="a text corpus (one text a line; for .tsv the last column) for token frequencies")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-3)
    a = ap.parse_args()
    import onnxruntime as ort
    from tokenizers import Tokenizer

    vocab = [l.rstrip("\n") for l in open(os.path.join(a.onnx, "vocab.txt"), encoding="utf-8")]
    # [unused*] rows never occur in text; special tokens are not content.
    keep = [i for i, t in enumerate(vocab) if not (t.startswith("[") and t.endswith("]"))]
    sess = ort.InferenceSession(os.path.join(a.onnx, "onnx", "model.onnx"), providers=["CPUExecutionProvider"])
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    out = np.zeros((len(keep), 384), np.float32)
    B = 1024
    for s in range(0, len(keep), B):
        ids = np.array([[cls, t, sep] for t in keep[s : s + B]], np.int64)
        h = sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})[0]
        out[s : s + len(ids)] = h.mean(1)
        print(f"\r[distill] {s + len(ids)}/{len(keep)} tokens", end="", file=sys.stderr)
    print(file=sys.stderr)

    # PCA to the wanted width (centred, then the top principal axes).
    mean = out.mean(0)
    x = out - mean
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    x = x @ vt[: a.dims].T

    # Token frequencies on a corpus unrelated to the scored sets.
    tok = Tokenizer.from_file(os.path.join(a.onnx, "tokenizer.json"))
    counts = np.zeros(len(vocab), np.float64)
    texts = [l.rstrip("\n").split("\t")[-1] if a.corpus.endswith(".tsv") else l.rstrip("\n") for l in open(a.corpus, encoding="utf-8")]
    for enc in tok.encode_batch(texts, add_special_tokens=False):
        np.add.at(counts, enc.ids, 1)
    p = (counts + 1) / (counts.sum() + len(vocab))
    w = (a.sif / (a.sif + p))[keep].astype(np.float32)
    x *= w[:, None]

    scale = np.abs(x).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(x / scale[:, None]), -127, 127).astype(np.int8)
    header = json.dumps({"dims": a.dims, "rows": len(keep), "vocab": [vocab[i] for i in keep], "source": "sentence-transformers/all-MiniLM-L6-v2", "sif_a": a.sif, "corpus_texts": len(texts)}).encode()
    with open(a.out, "wb") as f:
        f.write(struct.pack("<I", len(header)))
        f.write(header)
        f.write(scale.astype("<f4").tobytes())
        f.write(q.tobytes())
    print(f"[distill] wrote {a.out}: {len(keep)} tokens x {a.dims} dims, {os.path.getsize(a.out) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
