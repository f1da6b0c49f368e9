#!/usr/bin/env python3
"""The reference's (Python model-signing 1.1.1) root digest of a model, through its API.

    <reference-venv>/bin/python ref_digest.py MODEL [--hash-algorithm sha256|blake2|blake3]
        [--serialization files|shards] [--shard-size N] [--max-workers N] [--manifest]

1.1.1 has no `digest` command. This hashes MODEL with
`model_signing.hashing.Config().use_{file,shard}_serialization(...).hash(MODEL)` (default
ignores: the top-level git paths; symlinks refused) and prints `sha256:<hex>`, where hex is
SHA-256 over the raw digests of `manifest.resource_descriptors()` in their order: the
subject digest of a signature (docs/format.md §2.6), the same line our `model_signing digest`
prints. --manifest also prints every item as `<digest hex> <algorithm> <name>` after it.
"""

import argparse
import hashlib
import sys

from model_signing import hashing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--hash-algorithm", choices=["sha256", "blake2", "blake3"], default="sha256")
    ap.add_argument("--serialization", choices=["files", "shards"], default="files")
    ap.add_argument("--shard-size", type=int, default=1_000_000_000)
    ap.add_argument("--max-workers", type=int, default=None)
    ap.add_argument("--manifest", action="store_true")
    a = ap.parse_args()

    config = hashing.Config()
    if a.serialization == "files":
        config.use_file_serialization(hashing_algorithm=a.hash_algorithm, max_workers=a.max_workers)
    else:
        config.use_shard_serialization(hashing_algorithm=a.hash_algorithm, shard_size=a.shard_size,
                                       max_workers=a.max_workers)
    manifest = config.hash(a.model)

    root = hashlib.sha256()
    items = list(manifest.resource_descriptors())
    for rd in items:
        root.update(rd.digest.digest_value)
    print(f"sha256:{root.hexdigest()}")
    if a.manifest:
        for rd in items:
            print(f"{rd.digest.digest_hex} {rd.digest.algorithm} {rd.identifier}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
