#!/usr/bin/env python3
"""Deterministic synthetic models for bench/digest-bench.sh.

    gen_model.py --mode full|quick --out DIR [--seed N] [--list] MODEL...

Models (MODEL is one of the names below; the same names are used in both modes):

  name        full                                   quick
  llm-2g      4 x 512 MiB .safetensors + 2 json      4 x 16 MiB + 2 json
  single-2g   1 x 2 GiB .safetensors                 1 x 64 MiB
  small-10k   10,000 files, log-uniform 4 KiB-1 MiB  1,000 files, same distribution
              in 100 directories                     in 100 directories
  tiny        4 x 1 MiB                              4 x 1 MiB

Each model is written once to DIR/<name>/ and described by DIR/<name>.stamp (outside the
model, so it is never part of what is hashed). When the stamp matches the wanted spec
and the files on disk still have the recorded count and total size, nothing is written.
A model is built in a temporary directory and renamed into place, so an interrupted run
never leaves a half-written model behind a valid stamp.

Content is pseudo-random and fully determined by (seed, model name, spec): one keystream
per model, AES-128-CTR over zeros (`openssl enc`, several hundred MB/s, the same bytes on
every machine), carved into the model's files in order. Without an `openssl` binary, a
SHAKE-128 counter-mode stream is used instead (slower, and different bytes; the stamp
records which one was used). File sizes of small-10k come from random.Random(seed).

Prints one line per model on stdout: name <TAB> path <TAB> total bytes <TAB> file count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

GENERATOR_VERSION = 1
KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
CHUNK = 4 * MiB

SPECS = {
    "full": {
        "llm-2g": {"shape": "llm", "files": 4, "size": 512 * MiB},
        "single-2g": {"shape": "single", "size": 2 * GiB},
        "small-10k": {"shape": "small", "files": 10_000, "dirs": 100, "min": 4 * KiB, "max": 1 * MiB},
        "tiny": {"shape": "llm", "files": 4, "size": 1 * MiB, "json": False},
    },
    "quick": {
        "llm-2g": {"shape": "llm", "files": 4, "size": 16 * MiB},
        "single-2g": {"shape": "single", "size": 64 * MiB},
        "small-10k": {"shape": "small", "files": 1_000, "dirs": 100, "min": 4 * KiB, "max": 1 * MiB},
        "tiny": {"shape": "llm", "files": 4, "size": 1 * MiB, "json": False},
    },
}


def log(msg: str) -> None:
    print(f"[gen_model] {msg}", file=sys.stderr, flush=True)


class KeyStream:
    """A deterministic byte stream: AES-128-CTR(key, iv=0) over zeros, or SHAKE-128 blocks."""

    def __init__(self, key: bytes):
        self.key = key
        self.proc = None
        self.counter = 0
        self.pending = b""
        openssl = shutil.which("openssl")
        if openssl and not os.environ.get("GEN_MODEL_NO_OPENSSL"):
            self.method = "aes-128-ctr"
            self.proc = subprocess.Popen(
                [openssl, "enc", "-aes-128-ctr", "-nosalt", "-K", key[:16].hex(),
                 "-iv", "00" * 16, "-in", "/dev/zero", "-bufsize", str(MiB)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        else:
            self.method = "shake128-ctr"

    def read(self, n: int) -> bytes:
        if self.proc is not None:
            buf = bytearray(n)
            view = memoryview(buf)
            got = 0
            while got < n:
                k = self.proc.stdout.readinto(view[got:])
                if not k:
                    raise RuntimeError("openssl enc stopped early")
                got += k
            return bytes(buf)
        out = [self.pending]
        have = len(self.pending)
        while have < n:
            block = hashlib.shake_128(self.key + self.counter.to_bytes(8, "little")).digest(MiB)
            self.counter += 1
            out.append(block)
            have += len(block)
        data = b"".join(out)
        self.pending = data[n:]
        return data[:n]

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc = None


def layout(name: str, spec: dict, seed: int) -> list[tuple[str, int | bytes]]:
    """The model's files in write order: (relative path, size in bytes or literal content)."""
    shape = spec["shape"]
    files: list[tuple[str, int | bytes]] = []
    if shape == "llm":
        n = spec["files"]
        if n == 1:
            files.append(("model.safetensors", spec["size"]))
        else:
            for i in range(n):
                files.append((f"model-{i + 1:05d}-of-{n:05d}.safetensors", spec["size"]))
        if spec.get("json", True):
            config = {
                "architectures": ["BenchForCausalLM"], "model_type": "bench", "hidden_size": 4096,
                "intermediate_size": 11008, "num_attention_heads": 32, "num_hidden_layers": 32,
                "vocab_size": 32000, "torch_dtype": "bfloat16", "bench_seed": seed,
            }
            tok = {"model_max_length": 4096, "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "padding_side": "left", "bench_model": name}
            files.append(("config.json", (json.dumps(config, indent=2) + "\n").encode()))
            files.append(("tokenizer_config.json", (json.dumps(tok, indent=2) + "\n").encode()))
    elif shape == "single":
        files.append(("model.safetensors", spec["size"]))
    elif shape == "small":
        rng = random.Random(f"{seed}:{name}:sizes")
        lo, hi = math.log(spec["min"]), math.log(spec["max"])
        dirs = spec["dirs"]
        for i in range(spec["files"]):
            size = int(round(math.exp(rng.uniform(lo, hi))))
            size = max(spec["min"], min(spec["max"], size))
            files.append((f"d{i % dirs:03d}/f{i:05d}.bin", size))
    else:
        raise ValueError(f"unknown shape {shape}")
    return files


def expected_stamp(name: str, spec: dict, seed: int, files) -> dict:
    total = sum(x if isinstance(x, int) else len(x) for _, x in files)
    return {"generator": GENERATOR_VERSION, "name": name, "seed": seed, "spec": spec,
            "files": len(files), "bytes": total}


def on_disk(path: str) -> tuple[int, int]:
    count = total = 0
    for root, _dirs, names in os.walk(path):
        for n in names:
            st = os.lstat(os.path.join(root, n))
            count += 1
            total += st.st_size
    return count, total


def ensure(out: str, name: str, spec: dict, seed: int) -> tuple[str, int, int]:
    files = layout(name, spec, seed)
    want = expected_stamp(name, spec, seed, files)
    path = os.path.join(out, name)
    stamp_path = path + ".stamp"
    try:
        with open(stamp_path) as f:
            have = json.load(f)
    except (OSError, ValueError):
        have = None
    if have is not None and {k: have.get(k) for k in want} == want and os.path.isdir(path):
        if on_disk(path) == (want["files"], want["bytes"]):
            return path, want["bytes"], want["files"]
        log(f"{name}: files on disk differ from the stamp; regenerating")

    os.makedirs(out, exist_ok=True)
    if os.path.exists(stamp_path):
        os.unlink(stamp_path)
    tmp = os.path.join(out, f".{name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    t0 = time.monotonic()
    key = hashlib.sha256(f"model-signing-rs bench v{GENERATOR_VERSION} seed={seed} model={name}".encode()).digest()
    stream = KeyStream(key)
    try:
        for rel, what in files:
            dst = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                if isinstance(what, bytes):
                    f.write(what)
                    continue
                left = what
                while left:
                    n = min(CHUNK, left)
                    f.write(stream.read(n))
                    left -= n
    finally:
        stream.close()
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)
    stamp = dict(want, content=stream.method)
    with open(stamp_path + ".tmp", "w") as f:
        json.dump(stamp, f, indent=1)
        f.write("\n")
    os.rename(stamp_path + ".tmp", stamp_path)
    dt = time.monotonic() - t0
    log(f"{name}: wrote {want['files']} files, {want['bytes'] / 1e6:.1f} MB in {dt:.1f}s "
        f"({want['bytes'] / 1e6 / max(dt, 1e-9):.0f} MB/s, {stream.method})")
    return path, want["bytes"], want["files"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=sorted(SPECS), default="full")
    ap.add_argument("--out", required=True, help="cache directory (models go to OUT/<name>)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="print the model names of --mode and exit")
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    specs = SPECS[a.mode]
    if a.list:
        print("\n".join(specs))
        return 0
    unknown = [m for m in a.models if m not in specs]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(specs)}")
    for m in a.models or list(specs):
        path, total, count = ensure(os.path.abspath(a.out), m, specs[m], a.seed)
        print(f"{m}\t{path}\t{total}\t{count}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
