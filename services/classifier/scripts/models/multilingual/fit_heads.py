#!/usr/bin/env python3
"""Sentiment heads for the fine-tuned multilingual encoder, chosen on UMSAB train only.

Reads embed_onnx.py's cache of the shipped (int8) encoder. Candidates, each scored on the
fine-tune's held-out train slice (100 tweets a language that neither the encoder nor any
head trained on; finetune_umsab.py, seed 1):
  - the fine-tune's own head (one for all languages, trained with the encoder);
  - one logistic regression per language, C by 5-fold CV on that language's rest of train.
One decision for the tier's languages together (100 tweets a language alone move by ±5):
per-language regressions replace the fine-tune's head if their held-out average over the
tier's languages is higher; they are then refitted on the whole train split with their C.
Hindi: whether the encoder's head mixed with character n-grams (what the fast tier uses)
reads romanised Hindi better than the n-grams alone, by 5-fold CV on Hindi train and on
its held-out slice. Val is scored once, at the end,
for the record. --out writes the heads file (byLanguage heads beside the shared one).
Build-time only (numpy, scikit-learn).

  python3 fit_heads.py --cache DIR --heads HEADS.json [--out HEADS.json] [--figures FILE.json]
"""
import argparse, copy, json, os, sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from embed_umsab import LANGUAGES, cache_paths, read_split  # noqa: E402

CODES = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es"}
GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 0.1, 1.0]
SEED = 1


def macro_f1(y, p, k=3):
    f = []
    for c in range(k):
        tp, fp, fn = np.sum((p == c) & (y == c)), np.sum((p == c) & (y != c)), np.sum((p != c) & (y == c))
        f.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return 100 * float(np.mean(f))


def held_out_mask(n, holdout=100):
    """finetune_umsab.splits: per language in LANGUAGES order, one permutation from one generator."""
    rng = np.random.default_rng(SEED)
    masks = {}
    for lang in LANGUAGES:
        perm = rng.permutation(n[lang])
        m = np.zeros(n[lang], bool)
        m[perm[:holdout]] = True
        masks[lang] = m
    return masks


def lr(c):
    return LogisticRegression(C=c, max_iter=2000, class_weight="balanced")


def fit(x, y, c):
    """Logistic regression on standardised embeddings, folded back into raw-embedding weights."""
    s = StandardScaler().fit(x)
    m = lr(c).fit(s.transform(x), y)
    w = m.coef_ / s.scale_
    return w, m.intercept_ - w @ s.mean_


def choose_c(x, y):
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    cv = {c: macro_f1(y, cross_val_predict(lr(c), StandardScaler().fit_transform(x), y, cv=folds)) for c in GRID}
    return max(cv, key=cv.get), cv


def predict(wb, x):
    return (x @ wb[0].T + wb[1]).argmax(1)


def hindi_check(x, y, held, weight=0.7):
    """Hindi: character n-grams (the fast tier's kind of feature) alone against their mix
    with the encoder's own-language head, as the tier mixes them. 5-fold CV on Hindi train
    favours the encoder (it was fine-tuned on most of those tweets), so also on the
    held-out slice, which it never saw (fitted on the rest of train)."""
    texts = np.array(read_split("hindi", "train")[0], dtype=object)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    c, _ = choose_c(x, y)
    e5 = cross_val_predict(lr(c), StandardScaler().fit_transform(x), y, cv=folds, method="predict_proba")
    grams = lambda fit_on: TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True).fit(fit_on)  # noqa: E731
    g = grams(texts).transform(texts)
    cc = max((0.3, 3.0), key=lambda cc: macro_f1(y, cross_val_predict(lr(cc), g, y, cv=folds).astype(int)))
    ng = cross_val_predict(lr(cc), g, y, cv=folds, method="predict_proba")
    out = {"cv": {"char_ngrams": macro_f1(y, ng.argmax(1)), "e5": macro_f1(y, e5.argmax(1)), f"mix_{weight}": macro_f1(y, (weight * e5 + (1 - weight) * ng).argmax(1))}}
    s = StandardScaler().fit(x[~held])
    e5h = lr(c).fit(s.transform(x[~held]), y[~held]).predict_proba(s.transform(x[held]))
    v = grams(texts[~held])
    ngh = lr(cc).fit(v.transform(texts[~held]), y[~held]).predict_proba(v.transform(texts[held]))
    yh = y[held]
    out["held_out"] = {"char_ngrams": macro_f1(yh, ngh.argmax(1)), "e5": macro_f1(yh, e5h.argmax(1)), f"mix_{weight}": macro_f1(yh, (weight * e5h + (1 - weight) * ngh).argmax(1))}
    return {k: {m: round(v, 1) for m, v in d.items()} for k, d in out.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="embed_onnx.py's folder for the shipped encoder")
    ap.add_argument("--heads", required=True, help="the fine-tune's heads file")
    ap.add_argument("--out", help="write the heads file with the chosen per-language heads")
    ap.add_argument("--figures", help="write the figures as JSON")
    a = ap.parse_args()
    data = {(l, s): tuple(np.load(p) for p in cache_paths(a.cache, l, s)) for l in LANGUAGES for s in ("train", "val")}
    held = held_out_mask({l: len(data[(l, "train")][1]) for l in LANGUAGES})
    base = json.load(open(a.heads))
    shared = base["heads"][0]
    ft = (np.array(shared["weights"], np.float32), np.array(shared["bias"], np.float32))
    rest = lambda l: (data[(l, "train")][0][~held[l]], data[(l, "train")][1][~held[l]])  # noqa: E731
    slice_ = lambda l: (data[(l, "train")][0][held[l]], data[(l, "train")][1][held[l]])  # noqa: E731

    fig = {"languages": {}}
    tier = [l for l in LANGUAGES if CODES[l] in base["encoder"]["languages"]]
    own = {}
    for l in LANGUAGES:
        c, cv = choose_c(*rest(l))
        xs, ys = slice_(l)
        xt, yt = data[(l, "train")]
        xv, yv = data[(l, "val")]
        own[l] = fit(xt, yt, c)  # refitted on all of train: what would ship
        fitted = fit(*rest(l), c)
        fig["languages"][l] = {"own_c": c, "own_cv": round(cv[c], 1),
                               "held_out": {"fine_tuned_head": round(macro_f1(ys, predict(ft, xs)), 1),
                                            "own_lr": round(macro_f1(ys, predict(fitted, xs)), 1)},
                               "val": {"fine_tuned_head": round(macro_f1(yv, predict(ft, xv)), 1),
                                       "own_lr": round(macro_f1(yv, predict(own[l], xv)), 1)}}
        print(l, json.dumps(fig["languages"][l]), file=sys.stderr, flush=True)
    mean_held = lambda k: float(np.mean([fig["languages"][l]["held_out"][k] for l in tier]))  # noqa: E731
    fig["kept"] = "own_lr" if mean_held("own_lr") > mean_held("fine_tuned_head") else "fine_tuned_head"
    chosen = {CODES[l]: own[l] for l in tier} if fig["kept"] == "own_lr" else {}
    fig["hindi"] = hindi_check(*data[("hindi", "train")], held["hindi"])
    for what in ("held_out", "val"):
        keys = fig["languages"]["arabic"][what].keys()
        fig[what + "_average"] = {k: round(float(np.mean([fig["languages"][l][what][k] for l in LANGUAGES])), 2) for k in keys}
        fig[what + "_average_tier_languages"] = {k: round(float(np.mean([fig["languages"][l][what][k] for l in tier])), 2) for k in keys}
    print(json.dumps({k: v for k, v in fig.items() if k != "languages"}, indent=1), file=sys.stderr)
    if a.figures:
        json.dump(fig, open(a.figures, "w"), indent=1)
    if a.out:
        out = copy.deepcopy(base)
        r = lambda v: [float(f"{x:.6g}") for x in v]  # noqa: E731
        out["byLanguage"] = {code: [{**{k: shared[k] for k in ("name", "labels", "kind")}, "weights": [r(row) for row in w], "bias": r(b)}]
                             for code, (w, b) in sorted(chosen.items())}
        json.dump(out, open(a.out, "w"))


if __name__ == "__main__":
    main()
