#!/usr/bin/env python3
"""Embed UMSAB with a built ONNX encoder (the runtime's input: "query: " + the encoder's
text preparation, mean-pooled, unnormalised) and cache one .npy per language and split,
so quantisations and heads can be compared without re-running the encoder. ONNX Runtime
with one thread, batches of 32 sorted by length, as src/encoder.ts runs it.
Build-time only (pip: onnxruntime, tokenizers, numpy).

  python3 embed_onnx.py --model DIR/onnx/model_quantized.onnx --tokenizer DIR --cache DIR [--splits train,val]
"""
import argparse, os, sys, time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from embed_umsab import LANGUAGES, cache_paths, read_split  # noqa: E402
from finetune import prepare  # noqa: E402
from write_tokenizer import PREFIX  # noqa: E402

PAD = 1  # <pad> in XLM-R's vocabulary


class OnnxEncoder:
    def __init__(self, model, tokenizer_dir, threads=1):
        self.tok = Tokenizer.from_file(os.path.join(tokenizer_dir, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(512)
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        self.sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])

    def __call__(self, texts, batch=32):
        enc = self.tok.encode_batch([PREFIX + prepare(t) for t in texts])
        order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
        out = np.zeros((len(texts), 384), np.float32)
        for b in range(0, len(order), batch):
            idx = order[b:b + batch]
            width = max(len(enc[i].ids) for i in idx)
            ids = np.full((len(idx), width), PAD, np.int64)
            mask = np.zeros((len(idx), width), np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(enc[i].ids)] = enc[i].ids
                mask[r, :len(enc[i].ids)] = 1
            h = self.sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (h * m).sum(1) / np.maximum(m.sum(1), 1)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="an .onnx file (last_hidden_state output)")
    ap.add_argument("--tokenizer", required=True, help="folder with tokenizer.json")
    ap.add_argument("--cache", required=True, help="folder for the .npy embeddings (an ignored path)")
    ap.add_argument("--splits", default="train,val")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    enc = OnnxEncoder(a.model, a.tokenizer, a.threads)
    for split in a.splits.split(","):
        for lang in LANGUAGES:
            xp, yp = cache_paths(a.cache, lang, split)
            data = read_split(lang, split)
            if data is None or os.path.exists(xp):
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            x = enc(data[0])
            np.save(yp, data[1])
            np.save(xp, x)
            print(f"{lang}.{split}: {len(x)} texts, {1000 * (time.process_time() - c0) / len(x):.1f} ms CPU a text, "
                  f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
