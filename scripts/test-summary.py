#!/usr/bin/env python3
"""Closing lines for scripts/test: tests counted from meson's JSON log, and
each suite's wall time and results (the vm suite per guest)."""
import json
import sys


def main(path):
    results = {"passed": 0, "failed": 0, "skipped": 0}
    suites = {}
    per_suite = {}
    with open(path) as f:
        for line in f:
            t = json.loads(line)
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
    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
