#!/usr/bin/env python3
"""Closing lines for scripts/test: tests and subtests counted from meson's
JSON log, and each suite's wall time (the vm suite's target is < 60 s)."""
import json
import sys


def main(path):
    results = {"passed": 0, "failed": 0, "skipped": 0}
    suites = {}
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            r = t["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                results["passed"] += 1
            elif r == "SKIP":
                results["skipped"] += 1
            else:
                results["failed"] += 1
            start = t.get("starttime")
            if start is None:
                continue
            # This meson's log names no suite: a guest test is one that
            # runs through the VM runner.
            cmd = t.get("command", [])
            s = ("vm" if any("run-in-vm" in a for a in cmd)
                 else "fuzz" if cmd and "/fuzz/" in cmd[0] else "host")
            lo, hi, n = suites.get(s, (start, start, 0))
            suites[s] = (min(lo, start), max(hi, start + t["duration"]), n + 1)
    for s, (lo, hi, n) in sorted(suites.items()):
        print(f"suite {s}: {n} tests, wall time {hi - lo:.1f} s")
    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
