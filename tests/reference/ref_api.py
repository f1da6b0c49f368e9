"""Drive the reference `model_signing` (1.1.1) Python API from the interop tests.

The reference CLI can only hash with files + SHA-256; this script reaches the other
hashing configurations (blake2, blake3, shards) through the documented API:

    ref_api.py sign   MODEL SIGNATURE --method key --private-key K [hashing options]
    ref_api.py sign   MODEL SIGNATURE --method certificate --private-key K \
        --signing-certificate C --certificate-chain CH [--certificate-chain ...]
    ref_api.py verify MODEL SIGNATURE --method key --public-key P [hashing options]
    ref_api.py verify MODEL SIGNATURE --method certificate --certificate-chain ROOT ...

Hashing options: --hash-algorithm sha256|blake2|blake3, --serialization files|shards,
--shard-size N, --ignore-path P (repeatable; relative to the model or absolute inside
it, as `hashing.Config.set_ignored_paths` takes them), --no-ignore-git-paths.

Verification sets the hashing configuration explicitly (the API's guessing cannot
handle blake2 or shard signatures); the paths the signature records as ignored are
added by the reference itself. Prints `OK` on success; otherwise prints the exception
and exits with status 1.
"""

import argparse
import pathlib
import sys

from model_signing import hashing, signing, verifying


def hashing_config(args):
    config = hashing.Config()
    if args.serialization == "shards":
        kwargs = {"hashing_algorithm": args.hash_algorithm}
        if args.shard_size is not None:
            kwargs["shard_size"] = args.shard_size
        config.use_shard_serialization(**kwargs)
    else:
        if args.shard_size is not None:
            raise SystemExit("--shard-size needs --serialization shards")
        config.use_file_serialization(hashing_algorithm=args.hash_algorithm)
    config.set_ignored_paths(
        paths=args.ignore_path, ignore_git_paths=not args.no_ignore_git_paths
    )
    return config


def sign(args):
    config = signing.Config()
    if args.method == "key":
        config.use_elliptic_key_signer(private_key=args.private_key)
    else:
        config.use_certificate_signer(
            private_key=args.private_key,
            signing_certificate=args.signing_certificate,
            certificate_chain=args.certificate_chain,
        )
    config.set_hashing_config(hashing_config(args))
    config.sign(args.model, args.signature)


def verify(args):
    config = verifying.Config()
    if args.method == "key":
        config.use_elliptic_key_verifier(public_key=args.public_key)
    else:
        config.use_certificate_verifier(certificate_chain=args.certificate_chain)
    config.set_hashing_config(hashing_config(args))
    config.verify(args.model, args.signature)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["sign", "verify"])
    parser.add_argument("model", type=pathlib.Path)
    parser.add_argument("signature", type=pathlib.Path)
    parser.add_argument("--method", choices=["key", "certificate"], required=True)
    parser.add_argument("--private-key")
    parser.add_argument("--public-key")
    parser.add_argument("--signing-certificate")
    parser.add_argument("--certificate-chain", action="append", default=[])
    parser.add_argument(
        "--hash-algorithm", choices=["sha256", "blake2", "blake3"], default="sha256"
    )
    parser.add_argument(
        "--serialization", choices=["files", "shards"], default="files"
    )
    parser.add_argument("--shard-size", type=int)
    parser.add_argument("--ignore-path", action="append", default=[])
    parser.add_argument("--no-ignore-git-paths", action="store_true")
    args = parser.parse_args()

    needed = {
        ("sign", "key"): ["private_key"],
        ("sign", "certificate"): ["private_key", "signing_certificate"],
        ("verify", "key"): ["public_key"],
        ("verify", "certificate"): [],
    }[(args.command, args.method)]
    for name in needed:
        if getattr(args, name) is None:
            parser.error(f"--{name.replace('_', '-')} is required here")

    try:
        if args.command == "sign":
            sign(args)
        else:
            verify(args)
    except Exception as e:  # noqa: BLE001 - report whatever the reference raised
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
