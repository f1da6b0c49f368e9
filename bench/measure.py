#!/usr/bin/env python3
"""Run a command several times and record wall time, CPU time and peak RSS.

    measure.py [--runs 3] [--warmup 1] [--bytes N] [--append-files DIR]
               [--tag KEY=VALUE]... [--out FILE.jsonl] [--save-stdout FILE]
               [--quiet-wait SECONDS] -- COMMAND [ARG]...

Each run's process tree is reaped with os.wait4, so CPU = user + system time of the
command and every descendant it waited for; peak RSS = ru_maxrss, the largest resident set
of any single process of the tree (what GNU `time -v` reports as "Maximum resident set
size"; memory-mapped file pages count). The command is started through a small `sh`
so that its ru_maxrss does not start at this Python process's own RSS (see run_once).
stdout and stderr go to temporary files, stdin is /dev/null.

While each timed run lasts, /proc/stat is sampled to estimate how much CPU *other*
processes used ("other load", in cores): on a shared machine this says how noisy a
sample was. With --quiet-wait S, each timed run first waits up to S seconds for the
machine to go quiet (other load < 0.25 core over 0.5 s).

--append-files DIR appends every regular file under DIR (sorted, absolute) to COMMAND.

Appends one JSON object to --out (or prints it on stdout): the tags, the median wall
and CPU time, the peak RSS, each run's numbers, the first line of the command's stdout
(and whether it was the same in every run), and the exit status. Stops at the first
failing run; the record then has "error" and the end of stderr.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import json
import os
import shlex
import statistics
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def busy_seconds() -> float:
    """CPU time spent by the whole machine outside idle/iowait/steal, in seconds."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / CLK_TCK


def wait_quiet(limit: float) -> float:
    """Wait (at most `limit` s) until other processes use < 0.25 core; returns seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        b0, w0 = busy_seconds(), time.monotonic()
        time.sleep(0.5)
        if (busy_seconds() - b0) / (time.monotonic() - w0) < 0.25:
            break
    return time.monotonic() - t0


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, so it can reap them with wait4."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def high_fd(fd: int) -> int:
    """The same file on a close-on-exec descriptor >= 10 (clear of the 0-4 the launcher uses)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


def run_once(argv: list[str], cwd: str | None) -> dict:
    """Runs argv once; wall time, rusage and output of its process tree.

    The command is not spawned by this (Python) process directly: Linux records the RSS of
    the memory image a process had before exec() in its ru_maxrss, and a child forked or
    vforked from Python starts with Python's ~15 MiB. So a small `sh` forks a subshell (a
    copy of sh's own small image) and exits; the subshell is re-parented to us (a child
    subreaper), waits for a go on a pipe, execs the command, and is reaped with wait4.
    The clock starts at the go, so sh's start-up is not timed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid_r, pid_w = map(high_fd, os.pipe())
        go_r, go_w = map(high_fd, os.pipe())
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            (os.POSIX_SPAWN_DUP2, pid_w, 3),
            (os.POSIX_SPAWN_DUP2, go_r, 4),
        ]
        launcher = ["/bin/sh", "-c", '{ read -r go <&4; exec 4<&- "$@"; } 3>&- & echo $! >&3', "sh"] + argv
        old = os.getcwd()
        if cwd:
            os.chdir(cwd)
        try:
            sh_pid = os.posix_spawn("/bin/sh", launcher, os.environ, file_actions=actions)
        finally:
            os.chdir(old)
        os.close(pid_w)
        os.close(go_r)
        with os.fdopen(pid_r, "rb") as r:
            reported = r.read().strip()  # EOF once sh has exited
        os.waitpid(sh_pid, 0)
        if not reported.isdigit():
            os.close(go_w)
            raise RuntimeError(f"launcher did not report a pid: {reported!r}")
        pid = int(reported)
        b0 = busy_seconds()
        t0 = time.perf_counter()
        os.write(go_w, b"go\n")
        os.close(go_w)
        ru = status = None
        while ru is None:
            got, st, usage = os.wait4(-1, 0)
            if got == pid:
                ru, status = usage, st
        wall = time.perf_counter() - t0
        b1 = busy_seconds()
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        stderr = err.read()
    cpu = ru.ru_utime + ru.ru_stime
    return {
        "wall": wall,
        "cpu": cpu,
        "user": ru.ru_utime,
        "sys": ru.ru_stime,
        "rss_kib": ru.ru_maxrss,
        "other_load": max(0.0, (b1 - b0) - cpu) / wall if wall > 0 else 0.0,
        "rc": os.waitstatus_to_exitcode(status),
        "stdout": stdout,
        "stderr": stderr,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--bytes", type=int, default=0, help="bytes processed, for MB/s")
    ap.add_argument("--append-files", metavar="DIR")
    ap.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--out", help="JSON-lines file to append the record to")
    ap.add_argument("--save-stdout", metavar="FILE", help="write the last run's full stdout here")
    ap.add_argument("--quiet-wait", type=float, default=0.0, metavar="SECONDS")
    ap.add_argument("--cwd")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not argv:
        ap.error("no command given")
    if a.append_files:
        files = []
        for root, dirs, names in os.walk(os.path.abspath(a.append_files)):
            dirs.sort()
            files.extend(os.path.join(root, n) for n in names)
        argv = argv + sorted(files)

    rec: dict = {}
    for t in a.tag:
        k, _, v = t.partition("=")
        rec[k] = v
    shown = argv if not a.append_files else argv[:len(argv) - len(files)] + [f"<{len(files)} files under {a.append_files}>"]
    rec.update({"cmd": shlex.join(shown), "bytes": a.bytes,
                "runs": a.runs, "warmup": a.warmup})

    become_subreaper()
    samples = []
    outputs = []
    waited = 0.0
    for i in range(a.warmup + a.runs):
        timed = i >= a.warmup
        if timed and a.quiet_wait > 0:
            waited += wait_quiet(a.quiet_wait)
        r = run_once(argv, a.cwd)
        if r["rc"] != 0:
            rec["error"] = f"exit status {r['rc']} ({'timed run' if timed else 'warm-up'} {i + 1})"
            rec["stderr_tail"] = r["stderr"].decode(errors="replace")[-2000:]
            rec["stdout_head"] = r["stdout"].decode(errors="replace")[:500]
            break
        outputs.append(r["stdout"])
        if timed:
            samples.append(r)
        last = r

    if samples:
        rec["wall"] = statistics.median(s["wall"] for s in samples)
        rec["cpu"] = statistics.median(s["cpu"] for s in samples)
        rec["rss_mib"] = max(s["rss_kib"] for s in samples) / 1024
        rec["other_load"] = statistics.median(s["other_load"] for s in samples)
        rec["walls"] = [round(s["wall"], 4) for s in samples]
        rec["cpus"] = [round(s["cpu"], 3) for s in samples]
        rec["rss_mibs"] = [round(s["rss_kib"] / 1024, 1) for s in samples]
        rec["other_loads"] = [round(s["other_load"], 2) for s in samples]
        rec["quiet_waited"] = round(waited, 1)
        text = last["stdout"].decode(errors="replace")
        rec["output"] = text.splitlines()[0][:300] if text.strip() else ""
        rec["output_lines"] = len(text.splitlines())
        rec["output_stable"] = all(o == outputs[0] for o in outputs)
        if a.save_stdout:
            with open(a.save_stdout, "wb") as f:
                f.write(last["stdout"])
        if a.bytes and rec["wall"] > 0:
            rec["mb_s"] = a.bytes / 1e6 / rec["wall"]

    line = json.dumps(rec, sort_keys=True)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")
    else:
        print(line)
    if "error" in rec:
        print(f"[measure] FAILED: {rec['cmd']}: {rec['error']}\n{rec['stderr_tail']}", file=sys.stderr)
        return 1
    print(f"[measure] {' '.join(f'{k}={rec[k]}' for k in ('model', 'case', 'tool') if k in rec)}: "
          f"wall {rec['wall']:.3f}s cpu {rec['cpu']:.2f}s rss {rec['rss_mib']:.1f}MiB "
          f"other-load {rec['other_load']:.2f} walls {rec['walls']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
