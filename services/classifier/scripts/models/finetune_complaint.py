#!/usr/bin/env python3
"""Fine-tunes the accurate tier's encoder for complaints, after the multi-task run.

Starts from finetune.py's result (base + adapter + calibrated heads) and trains the same
low-rank adapters, biases and norms further on the complaints, 3 epochs. The other heads
keep their behaviour by distillation ("learning without forgetting", Li & Hoiem 2016):
each step also feeds texts from their training sets and pulls the heads' outputs towards
what the multi-task model said for them.

The complaint figure stays honest: for each brand domain, a run starts again from the
multi-task model with that domain left out and scores it. Those held-out probabilities
go to complaint-cv.json, which npm run eval:classifier mixes with the fast tier as the
classifier does. The shipped adapter is a last run on every domain. The other heads
are then calibrated on val again (temperature, and for yes/no heads a bias).

Small enough for a CPU: on 2 cores it trains about 24 texts/s (each step is 32
complaints and 32 rehearsal texts), and the six runs took 2,897 s.

  python3 finetune_complaint.py --base DIR --adapter FILE --heads FILE --corpus corpus.json --out DIR

--out: adapter.safetensors, heads.json, complaint-cv.json, complaint-metrics.json.
"""
import argparse, hashlib, json, math, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer

import finetune as ft

KEPT = tuple(ft.HEADS)  # the multi-task heads: sentiment, emotion, offensive, hate; kept by distillation
REHEARSAL = {"sentiment": 2500, "emotion": 800, "offensive": 1200, "hate": 1000}  # texts per task


def load_tuned(base, adapter_path, heads_path, rank, alpha):
    """The multi-task model: the base with its adapters as trainable factors, and its calibrated heads."""
    encoder, lora = ft.load_encoder(base, rank, alpha)
    adapter = load_file(adapter_path)
    params = {n.replace(".base.", "."): p for n, p in encoder.named_parameters()}
    with torch.no_grad():
        for name, m in lora.items():
            m.A.copy_(adapter[f"{name}.lora_A"].float())
            m.B.copy_(adapter[f"{name}.lora_B"].float() / m.scale)  # export folds the scale into B
        for key, value in adapter.items():
            if not key.endswith((".lora_A", ".lora_B")):
                params[key].copy_(value.float())
    file = json.load(open(heads_path))
    heads = nn.ModuleDict()
    for h in file["heads"]:
        lin = nn.Linear(encoder.config.hidden_size, len(h["weights"]))
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(h["weights"]))
            lin.bias.copy_(torch.tensor(h["bias"]))
        heads[h["name"]] = lin
    return encoder, lora, heads, file


class Tuned(nn.Module):
    def __init__(self, encoder, heads):
        super().__init__()
        self.encoder, self.heads = encoder, heads

    def embed(self, ids, mask):
        out = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
        return ft.mean_pool(out.last_hidden_state, mask)


def distill(z, teacher, sigmoid):
    if sigmoid:
        return F.binary_cross_entropy_with_logits(z, torch.sigmoid(teacher))
    return F.kl_div(F.log_softmax(z, 1), F.softmax(teacher, 1), reduction="batchmean")


class Stage:
    def __init__(self, args, corpus, device, log):
        self.args, self.log, self.device = args, log, device
        tok = Tokenizer.from_file(os.path.join(args.base, "tokenizer.json"))
        tok.enable_truncation(ft.MAX_TOKENS)
        tok.no_padding()
        self.batch = ft.Batcher(tok, device)
        encoder, self.lora, heads, self.file = load_tuned(args.base, args.adapter, args.heads, args.rank, args.alpha)
        self.model = Tuned(encoder, heads).to(device)
        rows = corpus["train"]["complaint"]
        self.texts = [r["text"] for r in rows]
        self.y = np.array([r["label"] for r in rows])
        self.groups = np.array([r["group"] for r in rows])
        self.frozen = ft.embed_all(self.model, self.batch, self.texts).cpu().numpy().astype(np.float64)
        rng = np.random.default_rng(args.seed)
        self.pool = []
        for name in KEPT:
            train = corpus["train"][name]
            self.pool += [train[i]["text"] for i in rng.choice(len(train), min(REHEARSAL[name], len(train)), replace=False)]
        e = ft.embed_all(self.model, self.batch, self.pool)
        self.teacher = {n: heads[n](e).detach() for n in KEPT}
        self.start = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        log(f"{len(self.texts)} complaint rows, {len(self.pool)} rehearsal texts")

    def run(self, train_idx):
        """Continues from the multi-task model on these complaint rows; returns the model."""
        a, m = self.args, self.model
        m.load_state_dict(self.start)
        torch.manual_seed(a.seed)
        rng = np.random.default_rng(a.seed)
        # The complaint head starts as the logistic read-out on the multi-task embeddings.
        w, b = ft.fit_logistic(self.frozen[train_idx], self.y[train_idx])
        head = nn.Linear(self.frozen.shape[1], 1).to(self.device)
        with torch.no_grad():
            head.weight.copy_(torch.tensor(w, dtype=torch.float32)[None])
            head.bias.copy_(torch.tensor([b], dtype=torch.float32))
        m.heads["complaint"] = head
        enc_params = [p for p in m.encoder.parameters() if p.requires_grad]
        head_params = list(m.heads.parameters())
        opt = torch.optim.AdamW([{"params": enc_params, "lr": a.lr}, {"params": head_params, "lr": a.head_lr}], weight_decay=0.01)
        weights = ft.class_weights(self.y[train_idx], 2).to(self.device)
        steps = len(train_idx) // a.batch
        total, warm = steps * a.epochs, int(0.06 * steps * a.epochs)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (total - s) / max(1, total - warm)))
        t0 = time.time()
        for epoch in range(a.epochs):
            m.train()
            order = rng.permutation(train_idx)
            for s in range(steps):
                idx = order[s * a.batch : (s + 1) * a.batch]
                rehearse = rng.choice(len(self.pool), a.batch, replace=False)
                ids, mask = self.batch([self.texts[i] for i in idx] + [self.pool[i] for i in rehearse])
                e = m.embed(ids, mask)
                y = torch.tensor(self.y[idx], device=self.device)
                z = m.heads["complaint"](e[: len(idx)])[:, 0]
                loss = (F.binary_cross_entropy_with_logits(z, y.float(), reduction="none") * weights[y]).mean()
                r = e[len(idx) :]
                for n in KEPT:
                    loss = loss + distill(m.heads[n](r), self.teacher[n][rehearse], ft.HEADS[n][1] == "sigmoid") / len(KEPT)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
                opt.step()
                sched.step()
            self.log(f"    epoch {epoch + 1}/{a.epochs}: loss {loss.item():.3f} ({time.time() - t0:.0f}s)")
        m.eval()
        return m

    def complaint_probabilities(self, idx):
        z = ft.logits_of(self.model.heads["complaint"], ft.embed_all(self.model, self.batch, [self.texts[i] for i in idx]))[:, 0]
        return 1 / (1 + np.exp(-z))


def limited(corpus, n):
    """The first n complaint rows of each domain, and n of everything else (smoke runs)."""
    complaints, count = [], {}
    for r in corpus["train"]["complaint"]:
        count[r["group"]] = count.get(r["group"], 0) + 1
        if count[r["group"]] <= n:
            complaints.append(r)
    train = {**corpus["train"], "complaint": complaints}
    train.update({k: corpus["train"][k][:n] for k in KEPT})
    val = {k: (v[:n] if isinstance(v, list) else {lang: rows[:n] for lang, rows in v.items()}) for k, v in corpus["val"].items()}
    return {**corpus, "train": train, "val": val}


def text_digest(texts):
    """Ties complaint-cv.json to the rows it scores: the eval refuses another corpus."""
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--base", "--adapter", "--heads", "--corpus", "--out"):
        ap.add_argument(name, required=True)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rank", type=int, default=32, help="the multi-task adapter's rank")
    ap.add_argument("--alpha", type=float, default=64)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="at most this many rows per domain, rehearsal task and val set (smoke runs)")
    args = ap.parse_args()
    started = time.time()
    log = lambda s: print(f"[complaint] {s}", flush=True)
    device, corpus = ft.pick_device(args.device), ft.read_corpus(args.corpus)
    if args.limit:
        corpus = limited(corpus, args.limit)
    os.makedirs(args.out, exist_ok=True)
    stage = Stage(args, corpus, device, log)
    before = ft.val_scores(stage.model, stage.batch, corpus["val"])

    # Each brand domain held out in turn; the random tweets always train.
    held_out = np.full(len(stage.texts), np.nan)
    per_domain, readout = {}, {}
    for d in sorted({g for g in stage.groups if not g.startswith("random")}):
        train_idx, test_idx = np.where(stage.groups != d)[0], np.where(stage.groups == d)[0]
        w, b = ft.fit_logistic(stage.frozen[train_idx], stage.y[train_idx])
        readout[d] = 100 * ft.f1(stage.y[test_idx], (stage.frozen[test_idx] @ w + b >= 0).astype(int), 1)
        log(f"  {d} held out: training on {len(train_idx)} rows")
        stage.run(train_idx)
        held_out[test_idx] = stage.complaint_probabilities(test_idx)
        per_domain[d] = 100 * ft.f1(stage.y[test_idx], (held_out[test_idx] >= 0.5).astype(int), 1)
        log(f"  {d}: F1 {per_domain[d]:.1f} (read-out on the multi-task encoder {readout[d]:.1f})")
    scored = ~np.isnan(held_out)
    cv = 100 * ft.f1(stage.y[scored], (held_out[scored] >= 0.5).astype(int), 1)
    log(f"complaint F1 with each brand domain held out: {cv:.1f}")

    log("final run on every domain")
    model = stage.run(np.arange(len(stage.texts)))
    after = ft.val_scores(model, stage.batch, corpus["val"])
    heads, calibration = ft.calibrated_heads(model, stage.batch, corpus["val"], log)
    c = model.heads["complaint"]
    heads.append(ft.head_json("complaint", ["complaint"], "sigmoid", c.weight.detach().float().cpu().numpy(), c.bias.detach().float().cpu().numpy()))

    ft.export_adapter(model, stage.lora, os.path.join(args.out, "adapter.safetensors"))
    file = {**stage.file, "heads": heads}
    with open(os.path.join(args.out, "heads.json"), "w") as f:
        json.dump(file, f)
    with open(os.path.join(args.out, "complaint-cv.json"), "w") as f:
        json.dump({"rows": len(stage.texts), "texts_sha256": text_digest(stage.texts),
                   "probability": [None if math.isnan(p) else round(float(p), 5) for p in held_out]}, f)
    keep = lambda s: {k: v for k, v in s.items() if k != "umsab"}
    metrics = {"complaint_f1_domain_cv": cv, "per_domain": per_domain, "readout_per_domain": readout,
               "val_before": keep(before), "val_after": keep(after), "calibration": calibration,
               "device": str(device), "wall_s": round(time.time() - started),
               "recipe": {k: getattr(args, k) for k in ("epochs", "batch", "lr", "head_lr", "seed")}}
    with open(os.path.join(args.out, "complaint-metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    log(f"val before {json.dumps({k: round(v, 1) for k, v in keep(before).items()})}")
    log(f"val after  {json.dumps({k: round(v, 1) for k, v in keep(after).items()})}")
    log(f"wrote {args.out} in {metrics['wall_s']}s")


if __name__ == "__main__":
    main()
