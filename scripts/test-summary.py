#!/usr/bin/env python3
"""Closing lines for scripts/test: tests counted from meson's JSON log, and
each suite's wall time and results (the vm suite per guest)."""
import json
import sys

# Debian 13's guest has every part a test needs but a VA-API driver: any
# other skip there, of a test or a subtest, is a failure.
DEB13_MAY_SKIP = {"deb13/guest_test_va_import"}


def deb13_skips(t):
    """Skipped tests and subtests of a Debian 13 guest test not allowed to."""
    name = t["name"].split(" / ")[-1]
    if not name.startswith("deb13/") or name in DEB13_MAY_SKIP:
        return []
    bad = [name] if t["result"] == "SKIP" else []
    out = t.get("stdout") or ""
    return bad + [f"{name}: {line}" for line in out.splitlines() if "# SKIP" in line]


def main(path):
    results = {"passed": 0, "failed": 0, "skipped": 0}
    suites = {}
    per_suite = {}
    bad_skips = []
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            bad_skips += deb13_skips(t)
            r = t["result"]
            outcome = ("passed" if r in ("OK", "EXPECTEDFAIL") else
                       "skipped" if r == "SKIP" else "failed")
            results[outcome] += 1
            start = t.get("starttime")
            if start is None:
                continue
            # This meson's log names no suite: a guest test is one that
            # runs through the VM runner.
            cmd = t.get("command", [])
            selftest = any(a.endswith("runner-selftest") for a in cmd)
            guest = (cmd[-1] if selftest else
                     cmd[cmd.index("--guest") + 1] if "--guest" in cmd[:-1] else "")
            vm = selftest or any("run-in-vm" in a for a in cmd)
            s = (f"vm {guest or 'deb12'}" if vm
                 else "fuzz" if cmd and "/fuzz/" in cmd[0] else "host")
            per_suite.setdefault(s, {"passed": 0, "failed": 0, "skipped": 0})[outcome] += 1
            lo, hi, n = suites.get(s, (start, start, 0))
            suites[s] = (min(lo, start), max(hi, start + t["duration"]), n + 1)
    for s, (lo, hi, n) in sorted(suites.items()):
        r = per_suite[s]
        print(f"suite {s}: {n} tests, wall time {hi - lo:.1f} s; "
              f"{r['passed']} passed, {r['failed']} failed, {r['skipped']} skipped")
    for b in bad_skips:
        print(f"skipped on Debian 13, where nothing may skip but VA-API hardware: {b}")
    if bad_skips:
        results["failed"] += 1
    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
