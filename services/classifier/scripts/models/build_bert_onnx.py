#!/usr/bin/env python3
"""Build a transformers.js model folder (config, tokenizer, onnx/model.onnx) for a BERT
encoder from its safetensors weights, without PyTorch: the graph is written op by op
with the `onnx` package and checked against a NumPy forward pass of the same weights.

Build-time only (pip: onnx, numpy, safetensors; onnxruntime for --quantize and the check).

  python3 build_bert_onnx.py --src DIR --out DIR [--quantize]   # a real BERT (e.g. all-MiniLM-L6-v2)
  python3 build_bert_onnx.py --tiny --out DIR                   # a tiny random BERT for tests
"""
import argparse, json, os, shutil, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def load_weights(src):
    from safetensors.numpy import load_file
    w = load_file(os.path.join(src, "model.safetensors"))
    return {k[5:] if k.startswith("bert.") else k: v for k, v in w.items()}


def tiny_config_and_weights(vocab_size, seed=7):
    cfg = dict(model_type="bert", architectures=["BertModel"], hidden_size=16, num_hidden_layers=2,
               num_attention_heads=2, intermediate_size=32, max_position_embeddings=128, type_vocab_size=2,
               vocab_size=vocab_size, layer_norm_eps=1e-12, hidden_act="gelu", pad_token_id=0)
    rng = np.random.default_rng(seed)
    H, I = cfg["hidden_size"], cfg["intermediate_size"]
    r = lambda *s: (rng.standard_normal(s) * 0.2).astype(np.float32)
    w = {"embeddings.word_embeddings.weight": r(vocab_size, H), "embeddings.position_embeddings.weight": r(128, H),
         "embeddings.token_type_embeddings.weight": r(2, H), "embeddings.LayerNorm.weight": np.ones(H, np.float32),
         "embeddings.LayerNorm.bias": np.zeros(H, np.float32)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for n in ("query", "key", "value"):
            w[p + f"attention.self.{n}.weight"], w[p + f"attention.self.{n}.bias"] = r(H, H), r(H)
        w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"] = r(H, H), r(H)
        w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"] = np.ones(H, np.float32), np.zeros(H, np.float32)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = r(I, H), r(I)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = r(H, I), r(H)
        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"] = np.ones(H, np.float32), np.zeros(H, np.float32)
    return cfg, w


def build_graph(cfg, w, classifier=False):
    H, heads, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    eps = float(cfg.get("layer_norm_eps", 1e-12))
    nodes, inits = [], []
    counter = [0]

    def name(p):
        counter[0] += 1
        return f"{p}_{counter[0]}"

    def const(arr, n=None):
        n = n or name("c")
        inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def op(t, ins, **attrs):
        out = name(t)
        nodes.append(helper.make_node(t, ins, [out], **attrs))
        return out

    def linear(x, prefix):  # PyTorch Linear: x @ W.T + b
        return op("Add", [op("MatMul", [x, const(w[prefix + ".weight"].T.copy())]), const(w[prefix + ".bias"])])

    def layer_norm(x, prefix):
        return op("LayerNormalization", [x, const(w[prefix + ".weight"]), const(w[prefix + ".bias"])], axis=-1, epsilon=eps)

    ids, mask, types = "input_ids", "attention_mask", "token_type_ids"
    seq = op("Gather", [op("Shape", [ids]), const(np.array(1, np.int64))], axis=0)
    positions = op("Range", [const(np.array(0, np.int64)), seq, const(np.array(1, np.int64))])
    x = op("Add", [op("Gather", [const(w["embeddings.word_embeddings.weight"]), ids]),
                   op("Gather", [const(w["embeddings.position_embeddings.weight"]), positions])])
    x = op("Add", [x, op("Gather", [const(w["embeddings.token_type_embeddings.weight"]), types])])
    x = layer_norm(x, "embeddings.LayerNorm")
    # (1 - mask) * -10000, shaped [batch, 1, 1, seq] to add to the attention scores
    m = op("Cast", [op("Unsqueeze", [mask, const(np.array([1, 2], np.int64))])], to=TensorProto.FLOAT)
    bias = op("Mul", [op("Sub", [const(np.array(1.0, np.float32)), m]), const(np.array(-10000.0, np.float32))])
    split = const(np.array([0, 0, heads, H // heads], np.int64))
    merge = const(np.array([0, 0, H], np.int64))
    scale = const(np.array(1.0 / np.sqrt(H // heads), np.float32))
    for l in range(L):
        p = f"encoder.layer.{l}."
        q, k, v = (op("Transpose", [op("Reshape", [linear(x, p + f"attention.self.{n}"), split])], perm=[0, 2, 1, 3]) for n in ("query", "key", "value"))
        scores = op("Add", [op("Mul", [op("MatMul", [q, op("Transpose", [k], perm=[0, 1, 3, 2])]), scale]), bias])
        ctx = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        ctx = op("Reshape", [op("Transpose", [ctx], perm=[0, 2, 1, 3]), merge])
        x = layer_norm(op("Add", [linear(ctx, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        h = op("Mul", [op("Mul", [h, const(np.array(0.5, np.float32))]),
                       op("Add", [const(np.array(1.0, np.float32)), op("Erf", [op("Div", [h, const(np.array(np.sqrt(2.0), np.float32))])])])])
        x = layer_norm(op("Add", [linear(h, p + "output.dense"), x]), p + "output.LayerNorm")
    dims = ["batch_size", "sequence_length"]
    if classifier:  # BertForSequenceClassification: tanh pooler on [CLS], then a linear layer to logits
        cls = op("Squeeze", [op("Slice", [x, const(np.array([0], np.int64)), const(np.array([1], np.int64)), const(np.array([1], np.int64))]), const(np.array([1], np.int64))])
        pooled = op("Tanh", [linear(cls, "pooler.dense")])
        nodes.append(helper.make_node("Identity", [linear(pooled, "classifier")], ["logits"]))
        outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", len(cfg["id2label"])])]
    else:
        nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
        outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [H])]
    graph = helper.make_graph(
        nodes, "bert",
        [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in (ids, mask, types)],
        outputs,
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="earshot")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def numpy_forward(cfg, w, ids, mask):
    H, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    eps = float(cfg.get("layer_norm_eps", 1e-12))
    ln = lambda x, p: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * w[p + ".weight"] + w[p + ".bias"]
    lin = lambda x, p: x @ w[p + ".weight"].T + w[p + ".bias"]
    from math import erf
    verf = np.vectorize(erf)
    B, S = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][np.arange(S)] + w["embeddings.token_type_embeddings.weight"][np.zeros_like(ids)]
    x = ln(x, "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -10000.0
    d = H // heads
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        q, k, v = (lin(x, p + f"attention.self.{n}").reshape(B, S, heads, d).transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + bias
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, S, H)
        x = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = lin(x, p + "intermediate.dense")
        h = h * 0.5 * (1.0 + verf(h / np.sqrt(2.0)))
        x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
    return x


def tiny_tokenizer(out):
    """A small WordPiece vocabulary: specials, letters, digits, punctuation and their ## forms, common words."""
    words = "the a an and or but not no is are was be to of in on for it this that my your we i you they good bad great love hate awful terrible happy sad app service help please thanks order refund broken".split()
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789") + list("!?.,'#@:;-()")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + chars + ["##" + c for c in chars if c.isalnum()]
    vocab = list(dict.fromkeys(vocab))
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True} for i, t in enumerate(vocab[:5])],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                           "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in (("[CLS]", 2), ("[SEP]", 3))}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok, f)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]", "tokenizer_class": "BertTokenizer", "model_max_length": 128}, f)
    return len(vocab)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", help="folder with config.json, model.safetensors and tokenizer files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tiny", action="store_true", help="a tiny random BERT with its own small vocabulary, for tests")
    ap.add_argument("--quantize", action="store_true", help="also write onnx/model_quantized.onnx (dynamic int8)")
    ap.add_argument("--labels", help="with --tiny: a text-classification model with these comma-separated labels")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    if a.tiny:
        cfg, w = tiny_config_and_weights(tiny_tokenizer(a.out))
        if a.labels:
            labels = a.labels.split(",")
            rng = np.random.default_rng(11)
            H = cfg["hidden_size"]
            w["pooler.dense.weight"] = (rng.standard_normal((H, H)) * 0.3).astype(np.float32)
            w["pooler.dense.bias"] = np.zeros(H, np.float32)
            w["classifier.weight"] = (rng.standard_normal((len(labels), H)) * 0.5).astype(np.float32)
            w["classifier.bias"] = np.zeros(len(labels), np.float32)
            cfg.update(architectures=["BertForSequenceClassification"], id2label={str(i): l for i, l in enumerate(labels)}, label2id={l: i for i, l in enumerate(labels)})
    else:
        if not a.src:
            sys.exit("--src is required unless --tiny")
        cfg = json.load(open(os.path.join(a.src, "config.json")))
        w = load_weights(a.src)
        for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
            if os.path.exists(os.path.join(a.src, f)):
                shutil.copy(os.path.join(a.src, f), os.path.join(a.out, f))
    cfg = {k: v for k, v in cfg.items() if not k.startswith("_")}
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    path = os.path.join(a.out, "onnx", "model.onnx")
    classifier = "id2label" in cfg and any("SequenceClassification" in x for x in cfg.get("architectures", []))
    onnx.save(build_graph(cfg, w, classifier), path)
    if classifier:
        print(f"wrote {path} (text classification: {list(cfg['id2label'].values())})", file=sys.stderr)
        return
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not installed: skipped the numerical check", file=sys.stderr)
        return
    rng = np.random.default_rng(0)
    ids = rng.integers(5, cfg["vocab_size"], size=(2, 9)).astype(np.int64)
    mask = np.ones_like(ids); mask[1, 6:] = 0
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    want = numpy_forward(cfg, w, ids, mask)
    err = float(np.abs(got - want).max())
    print(f"wrote {path}: max |onnx - numpy| = {err:.2e}", file=sys.stderr)
    if err > 1e-3:
        sys.exit("ONNX graph disagrees with the reference forward pass")
    if a.quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        q = os.path.join(a.out, "onnx", "model_quantized.onnx")
        quantize_dynamic(path, q, weight_type=QuantType.QInt8)
        print(f"wrote {q} ({os.path.getsize(q) / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
