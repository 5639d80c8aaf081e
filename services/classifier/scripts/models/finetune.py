#!/usr/bin/env python3
"""Fine-tunes the accurate tier end to end: all-MiniLM-L6-v2 with low-rank adapters on
every linear layer of every transformer block (and its biases and layer norms), trained
jointly with the sentiment, emotion, offensive and hate heads on the shared labelled data.
The complaint head is then fitted on the tuned encoder's embeddings: the encoder never
sees the complaint data, so the brand-domain-held-out check stays honest.

Build-time only (PyTorch, tokenizers, safetensors, numpy); Earshot runs on Node.

  python3 finetune.py --base DIR --corpus corpus.json[.gz] --out DIR [--shift]

--base: the base model folder (config.json, tokenizer.json, model.safetensors).
--corpus: written by services/classifier/scripts/export-corpus.ts (splits and dedupe
  shared with the fast tier).
--out: adapter.safetensors (the adapters, biases and norms; merged into the base by
  merge_adapter.py), heads.json (Earshot dense heads, calibrated on val) and
  metrics.json (val figures, calibration error, wall time).
--shift: the shift check instead: the same recipe with sentiment trained on the older
  SemEval releases only, scored on the newest; writes shift-metrics.json only.

Val serves only to pick the epoch and to calibrate the heads (temperature; for the
yes/no heads also the threshold, so the predicted-positive rate matches val's).
"""
import argparse, gzip, json, math, os, random, re, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer

SENTIMENT = ["negative", "neutral", "positive"]
HEADS = {  # name: (labels, kind); the order of the labels is the data's label numbers
    "sentiment": (SENTIMENT, "softmax"),
    "emotion": (["anger", "joy", "optimism", "sadness"], "softmax"),
    "offensive": (["offensive"], "sigmoid"),
    "hate": (["hateful"], "sigmoid"),
}
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")
UMSAB = ["arabic", "english", "french", "german", "hindi", "italian", "portuguese", "spanish"]
# The heads serve English (and undetermined) texts: the base encoder's vocabulary is
# English, and on UMSAB val the fast tier alone beat the mix in six of the other seven
# languages, so they stay with it.
LANG_CODES = ["en", "und"]
MAX_TOKENS = 128
URL = re.compile(r"https?://\S+")
USER = re.compile(r"@\w+", re.ASCII)


def prepare(text):
    """The same cut and substitutions as the Node encoder (services/classifier/src/encoder.ts)."""
    return "." if text.strip() == "" else USER.sub("@user", URL.sub("http", text[:600]))


# ---------------------------------------------------------------- the model
class LoRALinear(nn.Module):
    """y = x W^T + b + (x A^T) B^T * alpha/r, with W frozen; b is trained."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float):
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        self.scale = alpha / rank
        self.A = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.drop(x) @ self.A.t() @ self.B.t()) * self.scale


def adapt_layer(layer, i, rank, alpha):
    """Wraps the ADAPTED linears of transformer block i in LoRALinear; returns them by weight name."""
    lora = {}
    for path in ADAPTED:
        parent = layer
        *parents, leaf = path.split(".")
        for p in parents:
            parent = getattr(parent, p)
        wrapped = LoRALinear(getattr(parent, leaf), rank, alpha, 0.05)
        setattr(parent, leaf, wrapped)
        lora[f"encoder.layer.{i}.{path}"] = wrapped
    return lora


def load_encoder(base_dir, rank, alpha):
    from transformers import BertConfig, BertModel
    cfg = BertConfig.from_json_file(os.path.join(base_dir, "config.json"))
    model = BertModel(cfg, add_pooling_layer=False)
    weights = {k: v.float() for k, v in load_file(os.path.join(base_dir, "model.safetensors")).items()}
    weights = {(k[5:] if k.startswith("bert.") else k): v for k, v in weights.items()}
    missing, _ = model.load_state_dict(weights, strict=False)
    if [m for m in missing if "position_ids" not in m]:
        raise SystemExit(f"base weights lack {missing}")
    for p in model.parameters():
        p.requires_grad_(False)
    lora = {}
    for i, layer in enumerate(model.encoder.layer):
        lora.update(adapt_layer(layer, i, rank, alpha))
    # Biases and layer norms are small: train them in full.
    for name, p in model.named_parameters():
        if name.endswith(".bias") or "LayerNorm" in name:
            if not name.startswith("embeddings.") or "LayerNorm" in name:
                p.requires_grad_(True)
    for m in lora.values():
        m.A.requires_grad_(True)
        m.B.requires_grad_(True)
    return model, lora


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1)


class MultiTask(nn.Module):
    def __init__(self, encoder, dims):
        super().__init__()
        self.encoder = encoder
        self.heads = nn.ModuleDict({n: nn.Linear(dims, len(l) if k == "softmax" else 1) for n, (l, k) in HEADS.items()})

    def embed(self, ids, mask):
        out = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
        return mean_pool(out.last_hidden_state, mask)


# ---------------------------------------------------------------- data
class Batcher:
    def __init__(self, tokenizer, device):
        self.tok, self.device = tokenizer, device

    def __call__(self, texts):
        enc = self.tok.encode_batch([prepare(t) for t in texts])
        n = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), n), np.int64)
        mask = np.zeros((len(enc), n), np.int64)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device)


def class_weights(labels, k):
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    return torch.tensor(len(labels) / (k * np.maximum(counts, 1)), dtype=torch.float32)


# ---------------------------------------------------------------- metrics
def macro_recall(gold, pred, k):
    return float(np.mean([np.mean(pred[gold == c] == c) for c in range(k) if np.any(gold == c)]))


def f1(gold, pred, c):
    tp = np.sum((pred == c) & (gold == c))
    fp = np.sum((pred == c) & (gold != c))
    fn = np.sum((pred != c) & (gold == c))
    return 0.0 if tp == 0 else float(2 * tp / (2 * tp + fp + fn))


def macro_f1(gold, pred, k):
    return float(np.mean([f1(gold, pred, c) for c in range(k)]))


def ece(probs, gold, bins=15):
    """Expected calibration error of the top-label confidence."""
    conf = probs.max(1)
    right = probs.argmax(1) == gold
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - right[sel].mean())
    return float(total)


def as_two_class(p1):
    return np.stack([1 - p1, p1], 1)


# ---------------------------------------------------------------- training
@torch.no_grad()
def embed_all(model, batch, texts, size=256):
    model.eval()
    out = []
    for i in range(0, len(texts), size):
        ids, mask = batch(texts[i : i + size])
        with torch.autocast(ids.device.type, dtype=torch.bfloat16, enabled=ids.device.type == "cuda"):
            out.append(model.embed(ids, mask).float())
    return torch.cat(out) if out else torch.zeros(0)


def logits_of(head, x):
    with torch.no_grad():
        return head(x).float().cpu().numpy()


def val_scores(model, batch, val):
    """Each val set's own metric, from the uncalibrated heads (argmax / logit ≥ 0)."""
    s = {}
    for name, metric in (("sentiment", "macro_recall"), ("emotion", "macro_f1"), ("offensive", "macro_f1"), ("hate", "macro_f1")):
        rows = val[name]
        z = logits_of(model.heads[name], embed_all(model, batch, [r["text"] for r in rows]))
        gold = np.array([r["label"] for r in rows])
        pred = z.argmax(1) if z.shape[1] > 1 else (z[:, 0] >= 0).astype(int)
        k = max(2, z.shape[1])
        s[name] = 100 * (macro_recall(gold, pred, k) if metric == "macro_recall" else macro_f1(gold, pred, k))
    per_lang = {}
    for lang in UMSAB:
        rows = val["umsab"][lang]
        z = logits_of(model.heads["sentiment"], embed_all(model, batch, [r["text"] for r in rows]))
        per_lang[lang] = 100 * macro_f1(np.array([r["label"] for r in rows]), z.argmax(1), 3)
    s["umsab"] = per_lang
    s["umsab_avg"] = float(np.mean(list(per_lang.values())))
    s["selection"] = float(np.mean([s["sentiment"], s["emotion"], s["offensive"], s["hate"], s["umsab_avg"]]))
    return s


def train(args, corpus, sentiment_train, device, log):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    tok = Tokenizer.from_file(os.path.join(args.base, "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    batch = Batcher(tok, device)
    encoder, lora = load_encoder(args.base, args.rank, args.alpha)
    model = MultiTask(encoder, encoder.config.hidden_size).to(device)

    tasks = {"sentiment": sentiment_train, **{n: corpus["train"][n] for n in ("emotion", "offensive", "hate")}}
    weights = {n: class_weights(np.array([r["label"] for r in rows]), max(2, len(HEADS[n][0]))).to(device) for n, rows in tasks.items()}
    share = np.array([math.sqrt(len(tasks[n])) for n in tasks])
    share /= share.sum()
    steps_per_epoch = sum(len(r) for r in tasks.values()) // args.batch
    total = steps_per_epoch * args.epochs
    rng = np.random.default_rng(args.seed)
    order = {n: rng.permutation(len(rows)) for n, rows in tasks.items()}
    cursor = {n: 0 for n in tasks}

    head_params = list(model.heads.parameters())
    enc_params = [p for p in model.encoder.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}], weight_decay=0.01)
    warm = int(0.06 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (total - s) / max(1, total - warm)))
    log(f"training {sum(p.numel() for p in enc_params):,} encoder and {sum(p.numel() for p in head_params):,} head parameters, "
        f"{args.epochs} epochs of {steps_per_epoch} steps on {device}")

    best, best_state, history = -1.0, None, []
    names = list(tasks)
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        for step in range(steps_per_epoch):
            n = names[rng.choice(len(names), p=share)]
            rows = tasks[n]
            if cursor[n] + args.batch > len(rows):
                order[n], cursor[n] = rng.permutation(len(rows)), 0
            idx = order[n][cursor[n] : cursor[n] + args.batch]
            cursor[n] += args.batch
            ids, mask = batch([rows[i]["text"] for i in idx])
            y = torch.tensor([rows[i]["label"] for i in idx], device=device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                z = model.heads[n](model.embed(ids, mask)).float()
            if HEADS[n][1] == "softmax":
                loss = F.cross_entropy(z, y, weight=weights[n])
            else:
                w = weights[n][y]
                loss = (F.binary_cross_entropy_with_logits(z[:, 0], y.float(), reduction="none") * w).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
            opt.step()
            sched.step()
            if step % 500 == 0:
                log(f"  epoch {epoch + 1} step {step}/{steps_per_epoch} loss {loss.item():.3f} ({time.time() - t0:.0f}s)")
        scores = val_scores(model, batch, corpus["val"])
        history.append({"epoch": epoch + 1, **{k: v for k, v in scores.items() if k != "umsab"}})
        log(f"  epoch {epoch + 1}: val {json.dumps({k: round(v, 1) for k, v in history[-1].items()})} ({time.time() - t0:.0f}s)")
        if scores["selection"] > best:
            best = scores["selection"]
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, lora, batch, history


# ---------------------------------------------------------------- calibration and the complaint head
def fit_temperature(z, gold, sigmoid, shift_bias):
    """Temperature (and, for yes/no heads, a bias) minimising val log-loss."""
    zt = torch.tensor(z, dtype=torch.float64)
    y = torch.tensor(gold)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=shift_bias)
    opt = torch.optim.LBFGS([log_t, b] if shift_bias else [log_t], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        s = zt / log_t.exp() + b
        loss = F.binary_cross_entropy_with_logits(s[:, 0], y.double()) if sigmoid else F.cross_entropy(s, y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp()), float(b.detach())


def probs_of(z, sigmoid):
    if sigmoid:
        return as_two_class(1 / (1 + np.exp(-z[:, 0])))
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def fit_logistic(x, y, epochs=300, l2=1e-3, seed=1):
    """A balanced logistic read-out on frozen embeddings (full-batch L-BFGS)."""
    torch.manual_seed(seed)
    x = torch.tensor(x, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    cw = class_weights(np.array(y), 2).double()[torch.tensor(y)]
    opt = torch.optim.LBFGS([w, b], max_iter=epochs, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (F.binary_cross_entropy_with_logits(x @ w + b, yt, reduction="none") * cw).mean() + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), float(b.detach())


def calibrated_heads(model, batch, val, log):
    """Each head's temperature (and for yes/no heads a bias, so the predicted-positive
    rate matches val's) fitted on val, folded into its weights as Earshot head JSON."""
    heads, calibration = [], {}
    for name, (labels, kind) in HEADS.items():
        rows = val[name]
        z = logits_of(model.heads[name], embed_all(model, batch, [r["text"] for r in rows]))
        gold = np.array([r["label"] for r in rows])
        sig = kind == "sigmoid"
        # Sentiment keeps its balanced decision (the newest data has more negatives than val).
        t, b = fit_temperature(z, gold, sig, shift_bias=sig)
        before, after = ece(probs_of(z, sig), gold), ece(probs_of(z / t + b, sig), gold)
        w = model.heads[name].weight.detach().float().cpu().numpy() / t
        bias = model.heads[name].bias.detach().float().cpu().numpy() / t + b
        rate = float(np.mean(probs_of(z / t + b, sig)[:, 1] >= 0.5)) if sig else None
        calibration[name] = {"temperature": t, "bias_shift": b, "ece_before": before, "ece_after": after,
                             **({"predicted_positive_rate": rate, "true_rate": float(gold.mean())} if sig else {})}
        log(f"  {name}: temperature {t:.2f}, ECE {100 * before:.1f} -> {100 * after:.1f}" + (f", predicted positive {100 * rate:.0f}% vs {100 * gold.mean():.0f}%" if sig else ""))
        heads.append(head_json(name, labels, kind, w, bias))
    return heads, calibration


def complaint_head(model, batch, rows, log):
    x = embed_all(model, batch, [r["text"] for r in rows]).cpu().numpy().astype(np.float64)
    y = np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    gold, pred = [], []
    for d in sorted({g for g in groups if not g.startswith("random")}):
        w, b = fit_logistic(x[groups != d], y[groups != d])
        gold += list(y[groups == d])
        pred += list((x[groups == d] @ w + b >= 0).astype(int))
    cv = 100 * f1(np.array(gold), np.array(pred), 1)
    log(f"  complaint head: F1 {cv:.1f} with each brand domain held out")
    w, b = fit_logistic(x, y)
    return w, b, cv


def teach(model, batch, corpus, labelled, temperature, out, name):
    """Sentiment probabilities (temperature-scaled when known) for the fast tier's distillation."""
    result = {}
    for key, texts in (("pool", corpus["pool"]), ("labelled", [r["text"] for r in labelled])):
        z = logits_of(model.heads["sentiment"], embed_all(model, batch, texts)) / (temperature or 1.0)
        result[key] = [[round(float(v), 4) for v in row] for row in probs_of(z, False)]
    with open(os.path.join(out, name), "w") as f:
        json.dump(result, f)


# ---------------------------------------------------------------- export
def export_adapter(model, lora, path):
    """Low-rank factors (scale folded into B) and every trained bias and norm, fp16/fp32."""
    out = {}
    for name, m in lora.items():
        out[f"{name}.lora_A"] = m.A.detach().float().cpu().contiguous().half()
        out[f"{name}.lora_B"] = (m.B.detach().float() * m.scale).cpu().contiguous().half()
    for name, p in model.encoder.named_parameters():
        if p.requires_grad and not name.endswith((".A", ".B")):
            out[name.replace(".base.", ".")] = p.detach().float().cpu().contiguous()
    save_file(out, path)


def pick_device(name):
    """auto: CUDA when PyTorch sees a GPU; on CPU, every core."""
    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name)
    if device.type == "cpu":
        torch.set_num_threads(os.cpu_count() or 2)
    return device


def read_corpus(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def head_json(name, labels, kind, w, b):
    r = lambda a: [float(f"{v:.6g}") for v in a]
    return {"name": name, "labels": labels, "kind": kind, "weights": [r(row) for row in w], "bias": r(b)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shift", action="store_true")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--alpha", type=float, default=64)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="use at most this many rows per training set (smoke runs)")
    ap.add_argument("--teach", action="store_true", help="also write teacher.json: calibrated sentiment probabilities for the corpus's unlabelled pool and the sentiment training texts, for distilling the fast tier")
    args = ap.parse_args()
    started = time.time()
    log = lambda s: print(f"[finetune] {s}", flush=True)
    device, corpus = pick_device(args.device), read_corpus(args.corpus)
    if args.limit:
        cut = lambda rows: rows[: args.limit]
        corpus["train"] = {k: cut(v) for k, v in corpus["train"].items()}
        corpus["shift"]["train"] = cut(corpus["shift"]["train"])
        corpus["pool"] = cut(corpus["pool"])
    os.makedirs(args.out, exist_ok=True)

    if args.shift:
        model, _, batch, history = train(args, corpus, corpus["shift"]["train"], device, log)
        rows = corpus["shift"]["check"]
        z = logits_of(model.heads["sentiment"], embed_all(model, batch, [r["text"] for r in rows]))
        gold = np.array([r["label"] for r in rows])
        result = {"sentiment_macro_recall": 100 * macro_recall(gold, z.argmax(1), 3), "check_rows": len(rows),
                  "train_rows": len(corpus["shift"]["train"]), "history": history, "device": str(device),
                  "wall_s": round(time.time() - started)}
        if args.teach:
            teach(model, batch, corpus, corpus["shift"]["train"], None, args.out, "shift-teacher.json")
        log(f"shift check: sentiment macro-recall {result['sentiment_macro_recall']:.1f} on {len(rows)} tweets of the newest release")
        with open(os.path.join(args.out, "shift-metrics.json"), "w") as f:
            json.dump(result, f, indent=1)
        return

    model, lora, batch, history = train(args, corpus, corpus["train"]["sentiment"], device, log)
    heads, calibration = calibrated_heads(model, batch, corpus["val"], log)
    if args.teach:
        teach(model, batch, corpus, corpus["train"]["sentiment"], calibration["sentiment"]["temperature"], args.out, "teacher.json")
    cw, cb, complaint_cv = complaint_head(model, batch, corpus["train"]["complaint"], log)
    heads.append(head_json("complaint", ["complaint"], "sigmoid", [cw], [cb]))

    export_adapter(model, lora, os.path.join(args.out, "adapter.safetensors"))
    dims = model.encoder.config.hidden_size
    with open(os.path.join(args.out, "heads.json"), "w") as f:
        json.dump({"format": "earshot-dense-heads/1",
                   "encoder": {"name": "earshot-minilm-tuned", "dims": dims, "pooling": "mean", "normalize": False, "languages": LANG_CODES},
                   "heads": heads,
                   "trainedOn": {**{n: len(corpus["train"][n]) for n in ("sentiment", "emotion", "offensive", "hate", "complaint")}}}, f)
    final = history[[h["selection"] for h in history].index(max(h["selection"] for h in history))]
    metrics = {"val": final, "history": history, "calibration": calibration, "complaint_f1_domain_cv": complaint_cv,
               "device": str(device), "wall_s": round(time.time() - started),
               "recipe": {k: getattr(args, k) for k in ("epochs", "batch", "rank", "alpha", "lr", "head_lr", "seed")}}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    log(f"wrote {args.out} in {metrics['wall_s']}s")


if __name__ == "__main__":
    main()
