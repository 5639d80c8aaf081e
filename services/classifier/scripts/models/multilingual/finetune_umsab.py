#!/usr/bin/env python3
"""Fine-tunes the dequantised multilingual-e5-small on UMSAB tweet sentiment (8 languages)
on CPU: low-rank adapters (finetune.py's LoRALinear) on the top --layers transformer
blocks, their biases and norms, and one 3-way sentiment head, with the "query: " prefix
(the model card's advice for non-retrieval tasks). Build-time only (PyTorch, tokenizers,
transformers, safetensors, numpy).

  python3 finetune_umsab.py --base DIR --out DIR [--steps N] [--check-every N]

Choices never look at UMSAB val or test: a fixed slice of each language's train split
(--holdout per language) is kept out of training and picks the checkpoint. Val is scored
once, at the end (--score-val), on the chosen checkpoint, per language.
Every --check-every steps the model is scored on the held-out slice; the best checkpoint
so far is written (adapter.safetensors, heads.json, progress.json), so the run can be
stopped at any time and still leave its best result.
"""
import argparse, json, os, sys, time
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tokenizers import Tokenizer

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from embed_umsab import LANGUAGES, read_split  # noqa: E402
from finetune import adapt_layer, class_weights, export_adapter, macro_f1, mean_pool, prepare  # noqa: E402
from write_tokenizer import PREFIX  # noqa: E402

SENTIMENT = ["negative", "neutral", "positive"]
# The languages whose mentions the runtime sends to this encoder (written into its heads
# file): UMSAB's non-English ones less romanised Hindi, which the frozen encoder read
# worse than the fast tier (README.md). The head still trains on all eight.
TIER_LANGUAGES = ["ar", "de", "es", "fr", "it", "pt"]


def load_encoder(base_dir, layers, rank, alpha):
    """The base BERT with adapters on its top `layers` blocks; everything below frozen, so
    the backward pass stops there (the point of adapting only the top on CPU)."""
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel
    cfg = BertConfig.from_json_file(os.path.join(base_dir, "config.json"))
    model = BertModel(cfg, add_pooling_layer=False)
    missing, _ = model.load_state_dict(load_file(os.path.join(base_dir, "model.safetensors")), strict=False)
    if [m for m in missing if "position_ids" not in m]:
        raise SystemExit(f"base weights lack {missing}")
    for p in model.parameters():
        p.requires_grad_(False)
    lora, first = {}, cfg.num_hidden_layers - layers
    for i in range(first, cfg.num_hidden_layers):
        layer = model.encoder.layer[i]
        lora.update(adapt_layer(layer, i, rank, alpha))
        for name, p in layer.named_parameters():
            if name.endswith(".bias") or "LayerNorm" in name or name.endswith((".A", ".B")):
                p.requires_grad_(True)
    return model, lora


class Batcher:
    def __init__(self, tokenizer):
        self.tok = tokenizer

    def __call__(self, texts):
        enc = self.tok.encode_batch([PREFIX + prepare(t) for t in texts])
        n = max(len(e.ids) for e in enc)
        ids = np.ones((len(enc), n), np.int64)  # <pad> is 1 in XLM-R's vocabulary
        mask = np.zeros((len(enc), n), np.int64)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return torch.from_numpy(ids), torch.from_numpy(mask)


def embed(encoder, ids, mask):
    out = encoder(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
    return mean_pool(out.last_hidden_state, mask)


@torch.no_grad()
def predict(encoder, head, batch, texts, size=64):
    encoder.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding
    z = np.zeros((len(texts), len(SENTIMENT)), np.float32)
    for b in range(0, len(order), size):
        idx = order[b:b + size]
        z[idx] = head(embed(encoder, *batch([texts[i] for i in idx]))).numpy()
    encoder.train()
    return z


def splits(holdout, seed):
    """train rows (text, label, language) less a fixed held-out slice per language."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for lang in LANGUAGES:
        texts, labels = read_split(lang, "train")
        perm = rng.permutation(len(texts))
        for k, i in enumerate(perm):
            (held if k < holdout else train).append((texts[i], int(labels[i]), lang))
    return train, held


def per_language(rows, z):
    out = {}
    for lang in LANGUAGES:
        sel = [i for i, r in enumerate(rows) if r[2] == lang]
        out[lang] = 100 * macro_f1(np.array([rows[i][1] for i in sel]), z[sel].argmax(1), 3)
    out["average"] = float(np.mean([out[l] for l in LANGUAGES]))
    return out


def save(out, encoder, lora, head, train_rows):
    """The adapter (finetune.py's format, for merge_adapter.py) and the head."""
    tmp = os.path.join(out, "adapter.safetensors.tmp")
    export_adapter(SimpleNamespace(encoder=encoder), lora, tmp)
    os.replace(tmp, os.path.join(out, "adapter.safetensors"))
    with open(os.path.join(out, "heads.json"), "w") as fh:
        json.dump(dense_heads(head.weight.detach().tolist(), head.bias.detach().tolist(), train_rows), fh)


def dense_heads(weights, bias, train_rows):
    """Earshot's dense-heads file (services/classifier/src/dense/heads.ts): mean-pooled,
    unnormalised embeddings of "query: " + text, sentiment only."""
    r = lambda a: [float(f"{v:.6g}") for v in a]  # noqa: E731
    return {"format": "earshot-dense-heads/1",
            "encoder": {"name": "earshot-e5-multilingual", "dims": len(weights[0]), "pooling": "mean", "normalize": False,
                        "languages": TIER_LANGUAGES, "prefix": PREFIX},
            "heads": [{"name": "sentiment", "labels": SENTIMENT, "kind": "softmax", "weights": [r(w) for w in weights], "bias": r(bias)}],
            "trainedOn": {"umsab_sentiment": train_rows}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="dequantised folder (dequantise_e5.py + write_tokenizer.py)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=6, help="adapt the top N blocks")
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--head-lr", type=float, default=3e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=280)
    ap.add_argument("--check-every", type=int, default=70)
    ap.add_argument("--holdout", type=int, default=100, help="train tweets per language kept for choosing")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-steps", type=int, default=0, help="only time this many steps, then exit")
    ap.add_argument("--score-val", action="store_true", help="score the best checkpoint on val at the end")
    ap.add_argument("--score-only", action="store_true", help="no training: score the checkpoint in --out on val")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = lambda s: print(f"[finetune-umsab] {time.strftime('%H:%M:%S')} {s}", flush=True)  # noqa: E731
    os.makedirs(a.out, exist_ok=True)

    tok = Tokenizer.from_file(os.path.join(a.base, "tokenizer.json"))
    tok.enable_truncation(a.max_tokens)
    tok.no_padding()
    if a.score_only:
        return score_val(a, tok, log)
    batch = Batcher(tok)
    encoder, lora = load_encoder(a.base, a.layers, a.rank, a.alpha)
    head = nn.Linear(encoder.config.hidden_size, len(SENTIMENT))
    train, held = splits(a.holdout, a.seed)
    weights = class_weights(np.array([r[1] for r in train]), len(SENTIMENT))
    enc_params = [p for p in encoder.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": a.lr}, {"params": head.parameters(), "lr": a.head_lr}], weight_decay=0.01)
    warm = max(1, int(0.06 * a.steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (a.steps - s) / max(1, a.steps - warm)))
    log(f"{len(train)} train, {len(held)} held out; {sum(p.numel() for p in enc_params):,} encoder parameters "
        f"trained (top {a.layers} blocks, rank {a.rank}); {a.steps} steps of {a.batch}")

    rng = np.random.default_rng(a.seed)
    order, cursor = rng.permutation(len(train)), 0
    best, history, t0 = -1.0, [], time.time()
    held_texts = [r[0] for r in held]
    for step in range(1, a.steps + 1):
        if cursor + a.batch > len(order):
            order, cursor = rng.permutation(len(train)), 0
        rows = [train[i] for i in order[cursor:cursor + a.batch]]
        cursor += a.batch
        ids, mask = batch([r[0] for r in rows])
        loss = F.cross_entropy(head(embed(encoder, ids, mask)), torch.tensor([r[1] for r in rows]), weight=weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(enc_params + list(head.parameters()), 1.0)
        opt.step()
        sched.step()
        if a.time_steps and step == a.time_steps:
            log(f"{(time.time() - t0) / step:.2f} s/step (wall, {a.threads} thread(s)), loss {loss.item():.3f}")
            return
        if step % 20 == 0:
            log(f"step {step}/{a.steps} loss {loss.item():.3f} ({(time.time() - t0) / step:.2f} s/step)")
        if step % a.check_every == 0 or step == a.steps:
            s = per_language(held, predict(encoder, head, batch, held_texts))
            history.append({"step": step, "held_out": round(s["average"], 2), "wall_s": round(time.time() - t0)})
            log(f"step {step}: held-out train slice macro-F1 {s['average']:.1f}")
            if s["average"] > best:
                best = s["average"]
                save(a.out, encoder, lora, head, len(train))
            with open(os.path.join(a.out, "progress.json"), "w") as fh:
                json.dump({"history": history, "best_held_out": best, "recipe": {k: getattr(a, k) for k in
                           ("layers", "rank", "alpha", "lr", "head_lr", "batch", "steps", "holdout", "max_tokens", "seed")}}, fh, indent=1)
    if a.score_val:
        score_val(a, tok, log)


def score_val(a, tok, log):
    """The chosen checkpoint (adapter merged into a fresh base) on each language's val split."""
    from safetensors.torch import load_file
    encoder, lora = load_encoder(a.base, a.layers, a.rank, a.alpha)
    adapter = load_file(os.path.join(a.out, "adapter.safetensors"))
    extra = {k.rsplit(".", 1)[0] for k in adapter if k.endswith(".lora_A")} - set(lora)
    if extra:
        raise SystemExit(f"the adapter adapts blocks --layers {a.layers} leaves frozen ({len(extra)} linear layers): pass its --layers")
    with torch.no_grad():
        for name, m in lora.items():
            m.A.copy_(adapter[f"{name}.lora_A"].float())
            m.B.copy_(adapter[f"{name}.lora_B"].float() / m.scale)
        params = dict(encoder.named_parameters())
        for k, v in adapter.items():
            if not k.endswith((".lora_A", ".lora_B")):
                key = k if k in params else k.replace(".weight", ".base.weight").replace(".bias", ".base.bias")
                params[key].copy_(v.float())
    h = json.load(open(os.path.join(a.out, "heads.json")))["heads"][0]
    head = nn.Linear(encoder.config.hidden_size, len(SENTIMENT))
    with torch.no_grad():
        head.weight.copy_(torch.tensor(h["weights"]))
        head.bias.copy_(torch.tensor(h["bias"]))
    rows = [(t, int(l), lang) for lang in LANGUAGES for t, l in zip(*read_split(lang, "val"))]
    s = per_language(rows, predict(encoder, head, Batcher(tok), [r[0] for r in rows]))
    log("val macro-F1: " + json.dumps({k: round(v, 1) for k, v in s.items()}))
    with open(os.path.join(a.out, "val.json"), "w") as fh:
        json.dump(s, fh, indent=1)


if __name__ == "__main__":
    main()
