#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every function the built libraries export (libfdid, libfdid-seccomp)
is called by tests/api/test_null_args.c with NULL or invalid arguments:
a new public function without such a call fails this test, by name.

    check-null-args-coverage.py TEST_SOURCE LIBRARY...
"""
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1] for line in out.splitlines()
            if line.split() and line.split()[-1].startswith("fdid_")}


def main():
    source, libs = sys.argv[1], sys.argv[2:]
    text = open(source).read()
    called = set(re.findall(r"\b(fdid_\w+)\s*\(", text))
    print("1..1")
    symbols = set().union(*(exported(lib) for lib in libs))
    missing = sorted(symbols - called)
    if missing:
        print(f"# exported but never called by {source.rsplit('/', 1)[-1]}: {', '.join(missing)}")
        print("not ok 1 - every exported function is called with NULL or invalid arguments")
        return 1
    print(f"# {len(symbols)} exported functions, each called")
    print("ok 1 - every exported function is called with NULL or invalid arguments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
