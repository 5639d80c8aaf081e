#!/usr/bin/env python3
"""The yardstick for embed_umsab.py --bench: CPU time per text of today's accurate-tier
encoder (models/earshot-minilm-tuned/onnx/model_quantized.onnx, int8, ONNX Runtime with
one intra-op thread, batches of 32 sorted by length as src/encoder.ts does) on the same
400 UMSAB train tweets. Build-time only (pip: onnxruntime, tokenizers, numpy).

  python3 bench_accurate_onnx.py [--model DIR]
"""
import argparse, json, os, sys, time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embed_umsab import LANGUAGES, ROOT, read_split  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "services/classifier/models/earshot-minilm-tuned"))
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    texts = [t for lang in LANGUAGES for t in read_split(lang, "train")[0][:a.n // len(LANGUAGES)]]
    tok = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
    tok.no_padding()  # the saved tokenizer pads to a fixed length; batches pad themselves below
    tok.enable_truncation(128)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = 1, 1
    sess = ort.InferenceSession(os.path.join(a.model, "onnx/model_quantized.onnx"), so)
    names = {i.name for i in sess.get_inputs()}

    def run(batch):
        enc = tok.encode_batch(batch)
        width = max(len(e.ids) for e in enc)
        ids = np.array([e.ids + [0] * (width - len(e.ids)) for e in enc], dtype=np.int64)
        mask = (np.arange(width)[None, :] < np.array([len(e.ids) for e in enc])[:, None]).astype(np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        sess.run(None, {k: v for k, v in feed.items() if k in names})

    order = sorted(texts, key=len)
    run(order[:16])  # warm up
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(order), 32):
        run(order[i:i + 32])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = sum(len(e.ids) for e in tok.encode_batch(texts)) / len(texts)
    print(json.dumps({"encoder": "earshot-minilm-tuned int8", "texts": len(texts), "mean_tokens": round(tokens, 1),
                      "texts_per_s": round(len(texts) / dt, 1),
                      "cpu_ms_per_text": round(1000 * cpu / len(texts), 1), "load_average": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
