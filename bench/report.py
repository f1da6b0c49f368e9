#!/usr/bin/env python3
"""Turn bench/measure.py records into the digest benchmark's report.

    report.py RESULTS.jsonl [--header FILE] [--out FILE] [--quick]

Prints (and writes to --out) the table of every case and tool, the digest checks, the
ours-vs-reference matrices and the project's targets. Exit status: 0 when every command
ran and every digest matched, 2 on a digest MISMATCH, 1 when a command failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

CASE_ORDER = ["files-sha256", "files-blake2", "files-blake3", "shards-sha256"]
TOOL_ORDER = ["ours", "ref", "openssl", "b3sum", "sha2-core", "sha2-ring"]


def files_root(items: list[tuple[str, str]], model_dir: str) -> str:
    """The files-method root digest of (path, hex digest) pairs (docs/format.md §2.5-2.6)."""
    keyed = sorted((os.path.relpath(p, model_dir).split("/"), bytes.fromhex(d)) for p, d in items)
    h = hashlib.sha256()
    for _, d in keyed:
        h.update(d)
    return "sha256:" + h.hexdigest()


def read_lines(path: str) -> list[str] | None:
    """A tool's saved output, line by line; None when it is not there."""
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return None


def b3sum_root(stdout_file: str, model_dir: str) -> str | None:
    """The files+blake3 root digest rebuilt from b3sum's per-file output."""
    lines = read_lines(stdout_file)
    if lines is None:
        return None
    items = []
    for line in lines:
        if not line.strip():
            continue
        hexd, _, path = line.partition("  ")
        if hexd.startswith("\\"):
            return None  # escaped (unusual) file name: not handled
        items.append((path, hexd))
    return files_root(items, model_dir)


def openssl_root(stdout_file: str, model_dir: str) -> str | None:
    """The files root rebuilt from `openssl dgst` output (`ALG(path)= hex` lines)."""
    lines = read_lines(stdout_file)
    if lines is None:
        return None
    items = []
    for line in lines:
        head, sep, hexd = line.rpartition(")= ")
        if not sep or "(" not in head:
            return None
        items.append((head.split("(", 1)[1], hexd.strip()))
    return files_root(items, model_dir)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--header")
    ap.add_argument("--out")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()

    recs = []
    payload_checks = []
    with open(a.results) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                (payload_checks if r.get("tool") == "payload-check" else recs).append(r)

    lines: list[str] = []
    p = lines.append
    if a.header:
        with open(a.header) as f:
            lines.extend(f.read().rstrip("\n").splitlines())
        p("")

    models: list[str] = []
    for r in recs:
        if r["model"] not in models:
            models.append(r["model"])
    by = {(r["model"], r["case"], r["tool"]): r for r in recs}

    def get(model, case, tool):
        r = by.get((model, case, tool))
        return r if r is not None and "error" not in r else None

    # Digest checks.
    mismatches: list[str] = []
    errors: list[str] = []
    checks: dict[tuple, str] = {}
    for r in recs:
        key = (r["model"], r["case"], r["tool"])
        if "error" in r:
            checks[key] = "ERROR"
            errors.append(f"{'/'.join(key)}: {r['error']}: {r.get('stderr_tail', '').strip()[-500:]}")
            continue
        note = ""
        if not r.get("output_stable", True):
            note = "UNSTABLE"
            mismatches.append(f"{'/'.join(key)}: output differs between runs")
        if r["tool"] == "ours":
            ref = get(r["model"], r["case"], "ref")
            if ref is None:
                note = note or "no ref"
            elif ref["output"] == r["output"] and r["output"].startswith("sha256:"):
                note = note or "= ref"
            else:
                note = "MISMATCH"
                mismatches.append(f"{r['model']} {r['case']}: ours {r['output']!r} != ref {ref['output']!r}")
        elif r["tool"] in ("sha2-core", "sha2-ring"):
            ours = get(r["model"], r["case"], "ours")
            note = note or ("= ours" if ours and ours["output"] == r["output"] else "MISMATCH")
            if note == "MISMATCH":
                mismatches.append(f"{r['model']} {r['case']}: {r['tool']} {r['output']!r} != ours")
        elif r["tool"] in ("b3sum", "openssl"):
            rebuild = b3sum_root if r["tool"] == "b3sum" else openssl_root
            root = rebuild(r.get("stdout_file", ""), r.get("model_dir", ""))
            r["derived"] = root
            ours = get(r["model"], r["case"], "ours")
            if root is None or ours is None:
                note = note or "n/a"
            elif root == ours["output"]:
                note = note or "= ours"
            else:
                note = "MISMATCH"
                mismatches.append(f"{r['model']} {r['case']}: root from {r['tool']} {root} != ours {ours['output']}")
        checks[key] = note

    # The table.
    p(f"{'model':<10} {'case':<16} {'tool':<9} {'wall s':>8} {'MB/s':>8} {'CPU s':>7} "
      f"{'RSS MiB':>8} {'other':>5}  {'digest':<23} check")
    p("-" * 109)
    for model in models:
        cases = [c for c in CASE_ORDER if any(k[0] == model and k[1] == c for k in by)]
        cases += sorted({k[1] for k in by if k[0] == model} - set(cases))
        for case in cases:
            for tool in TOOL_ORDER:
                r = by.get((model, case, tool))
                if r is None:
                    continue
                chk = checks[(model, case, tool)]
                if "error" in r:
                    p(f"{model:<10} {case:<16} {tool:<9} {'-':>8} {'-':>8} {'-':>7} {'-':>8} {'-':>5}  "
                      f"{'-':<23} ERROR")
                    continue
                digest = r.get("derived") if tool in ("b3sum", "openssl") else r["output"]
                short = (digest or "")[:23]
                mbs = f"{r['mb_s']:8.0f}" if "mb_s" in r else f"{'-':>8}"
                p(f"{model:<10} {case:<16} {tool:<9} {r['wall']:8.3f} {mbs} {r['cpu']:7.2f} "
                  f"{r['rss_mib']:8.1f} {r['other_load']:5.2f}  {short:<23} {chk}")
        p("")
    p("wall, CPU: medians of the timed runs; RSS: the largest peak RSS of a process of the tree,")
    p("over the timed runs (mmap'ed file pages count); MB/s: 10^6 bytes of model per wall second;")
    p("other: CPU cores used by other processes during the runs (median; > ~0.3 means a noisy sample);")
    p("digest: the sha256:<root> printed (openssl, b3sum: rebuilt from their per-file digests, files rule);")
    p("openssl: two parallel `openssl dgst` processes, each over half the files (one for a one-file model).")
    p("sha2-core, sha2-ring: the same simple harness (examples/sha256_impls.rs) with core's SHA-256")
    p("(sha2, what ours uses) and with ring's: which implementation is faster here.")
    p("")

    # Matrices: ours vs ref.
    def matrix(title, fn, fmt):
        p(title)
        p(f"  {'case':<14}" + "".join(f"{m:>12}" for m in models))
        for case in CASE_ORDER:
            cells = []
            for m in models:
                o, r = get(m, case, "ours"), get(m, case, "ref")
                cells.append(f"{fmt(fn(o, r)):>12}" if o and r else f"{'-':>12}")
            if any(c.strip() != "-" for c in cells):
                p(f"  {case:<14}" + "".join(cells))
        p("")

    matrix("Speed-up, ours vs ref (ref wall / ours wall):",
           lambda o, r: r["wall"] / o["wall"], lambda x: f"{x:.2f}x")
    matrix("Peak RSS, ours / ref:", lambda o, r: o["rss_mib"] / r["rss_mib"], lambda x: f"{x:.3f}")

    # Targets.
    targets: list[tuple[str, float | None, str, bool | None]] = []

    def speedup_target(label, fast, slow, want):
        if fast is None or slow is None:
            targets.append((label, None, f">= {want}x", None))
            return
        x = slow["wall"] / fast["wall"]
        targets.append((label, x, f">= {want}x", x >= want))

    speedup_target("files-sha256  llm-2g     ours vs ref", get("llm-2g", "files-sha256", "ours"),
                   get("llm-2g", "files-sha256", "ref"), 1.7)
    # The distance to the hardware: ours / the tool that runs at its pace, at most `want`.
    def at_most(label, ours, tool, want):
        if ours is None or tool is None:
            targets.append((label, None, f"<= {want}x", None))
            return
        x = ours["wall"] / tool["wall"]
        targets.append((label, x, f"<= {want}x", x <= want))

    for model, case, tool, want, what in (
        ("llm-2g", "files-sha256", "openssl", 1.1, "ours / 2 x openssl dgst"),
        ("single-2g", "files-sha256", "openssl", 1.1, "ours / 1 x openssl dgst"),
        ("llm-2g", "files-blake2", "openssl", 1.15, "ours / 2 x openssl dgst"),
        ("llm-2g", "files-blake3", "b3sum", 1.1, "ours / b3sum"),
        ("small-10k", "files-sha256", "openssl", 1.2, "ours / 2 x openssl dgst"),
    ):
        if (model, case, "ours") in by:
            at_most(f"{case:<13} {model:<10} {what}", get(model, case, "ours"), get(model, case, tool), want)
    speedup_target("shards-sha256 single-2g  ours shards vs ours files",
                   get("single-2g", "shards-sha256", "ours"), get("single-2g", "files-sha256", "ours"), 1.8)
    scratch, incremental = get("llm-2g", "sign-scratch", "ours"), get("llm-2g", "sign-incremental", "ours")
    if ("llm-2g", "sign-scratch", "ours") in by:
        x = incremental["wall"] / scratch["wall"] if scratch and incremental else None
        same = all(c.get("same_payload") for c in payload_checks) and bool(payload_checks)
        targets.append(("sign          llm-2g     re-sign / from scratch",
                        x, "< 0.05x", None if x is None else (x < 0.05 and same)))
        if not same:
            mismatches.append("llm-2g incremental re-signing: its payload differs from signing from scratch")
    for model, want in (("small-10k", 3), ("tiny", 30)):
        for case in CASE_ORDER:
            if (model, case, "ours") in by or (model, case, "ref") in by:
                speedup_target(f"{case:<13} {model:<10} ours vs ref", get(model, case, "ours"),
                               get(model, case, "ref"), want)
    for model in models:
        for case in CASE_ORDER:
            o, r = get(model, case, "ours"), get(model, case, "ref")
            if (model, case, "ours") not in by:
                continue
            label = f"{case:<13} {model:<10} peak RSS ours / ref"
            if o and r:
                x = o["rss_mib"] / r["rss_mib"]
                targets.append((label, x, "< 0.333", x < 1 / 3))
            else:
                targets.append((label, None, "< 0.333", None))

    p("Targets" + (" (QUICK mode: small inputs, indicative only)" if a.quick else "") + ":")
    for label, x, want, ok in targets:
        if "RSS" in label:
            val = f"{x:.3f}" if x is not None else "-"
        else:
            # Small ratios (incremental re-signing) need more digits than speed-ups.
            val = (f"{x:.2f}x" if x >= 0.1 else f"{x:.4f}x") if x is not None else "-"
        verdict = "n/a" if ok is None else ("ok" if ok else "MISSED")
        p(f"  {label:<52} {val:>8}   target {want:<8} {verdict}")
    missed = sum(1 for t in targets if t[3] is False)
    p(f"  {len(targets) - missed - sum(1 for t in targets if t[3] is None)} met, {missed} missed, "
      f"{sum(1 for t in targets if t[3] is None)} n/a")
    p("")

    timed = [r for r in recs if "error" not in r]
    noisy = [r for r in timed if r["other_load"] > 0.3]
    if noisy:
        p(f"NOTE: {len(noisy)} of {len(timed)} commands ran while other processes used > 0.3 core "
          f"(median {sorted(r['other_load'] for r in timed)[len(timed) // 2]:.2f} cores): the machine was "
          "busy, treat these numbers as noisy (BENCH_QUIET_WAIT=30 waits up to 30 s for quiet before each run).")
        p("")
    if errors:
        p("ERRORS:")
        for e in errors:
            p(f"  {e}")
        p("")
    if mismatches:
        p("!" * 78)
        p(f"!!! DIGEST MISMATCH: {len(mismatches)} case(s) -- ours and the reference disagree")
        for m in mismatches:
            p(f"!!!   {m}")
        p("!!! To see which items differ, dump the reference's manifest:")
        for r in recs:
            if r["tool"] == "ref" and any(m.startswith(f"{r['model']} {r['case']}:") for m in mismatches):
                p(f"!!!   {r['cmd']} --manifest")
        p("!" * 78)
    else:
        n = sum(1 for v in checks.values() if v in ("= ref", "= ours"))
        n += sum(1 for c in payload_checks if c.get("same_payload"))
        p(f"Digests: all {n} comparisons equal (ours = ref for every case; openssl- and b3sum-derived "
          "roots = ours; the incremental payload = from scratch).")

    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if mismatches:
        return 2
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
