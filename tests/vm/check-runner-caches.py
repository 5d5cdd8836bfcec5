#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guest runner's caches and sources, on the host:
- the initramfs is rebuilt when what goes into it changes, by content: a
  fresh clone (every file new) keeps a cache that is still right, an
  edited init script does not;
- the Debian archive comes from this machine's apt sources, and no file
  of the tree names a package registry's host."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import SourceFileLoader
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load_runner(folder):
    return SourceFileLoader("run_in_vm", str(folder / "run-in-vm")).load_module()


def test_stamp_follows_content():
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        shutil.copy(HERE / "run-in-vm", t / "run-in-vm")
        shutil.copy(HERE / "guest-init", t / "guest-init")
        runner = load_runner(t)
        before = runner.initramfs_stamp("6.1.0-test")
        later = os.stat(t / "guest-init").st_mtime + 1000
        os.utime(t / "guest-init", (later, later))
        os.utime(t / "run-in-vm", (later, later))
        assert runner.initramfs_stamp("6.1.0-test") == before, "a newer file time is no change"
        with open(t / "guest-init", "a") as f:
            f.write("# changed\n")
        assert runner.initramfs_stamp("6.1.0-test") != before, "a changed init script is"
        assert runner.initramfs_stamp("6.12.0-test") != before


def test_mirror_from_apt():
    if shutil.which("apt-get") is None:
        return "skip: no apt here"
    mirror = load_runner(HERE).debian_mirror()
    out = subprocess.run(["apt-get", "indextargets", "--format", "$(REPO_URI)"],
                         capture_output=True, text=True).stdout
    assert mirror and mirror + "/" in out.split(), (mirror, out)
    return None


def test_no_registry_host_in_the_tree():
    pattern = re.compile(rb"https?://[a-z0-9.-]+/debian(-security)?\b", re.I)
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True)
    if files.returncode != 0:
        return "skip: not a git checkout"
    named = [name for name in files.stdout.decode().split("\0") if name and
             (ROOT / name).is_file() and pattern.search((ROOT / name).read_bytes())]
    assert not named, f"files naming a registry host: {named}"
    return None


def main():
    tests = [test_stamp_follows_content, test_mirror_from_apt, test_no_registry_host_in_the_tree]
    print(f"1..{len(tests)}")
    failed = 0
    for i, t in enumerate(tests, 1):
        try:
            skip = t()
            print(f"ok {i} - {t.__name__}" + (f" # SKIP {skip[6:]}" if skip else ""))
        except AssertionError as e:
            failed += 1
            print(f"# {e}\nnot ok {i} - {t.__name__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
