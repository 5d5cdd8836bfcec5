#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`fdid sandbox` and `fdid probe` in sandboxes, on the host.

- The printed libseccomp C (-f c) compiles (-Wall -Werror) and builds the
  very filter libfdid-seccomp's helper builds (the same BPF, byte for
  byte), for several method and operation sets.
- JSON, text, systemd and Chromium forms list the same calls.
- `fdid probe` under filters says how each refused method was refused
  (EPERM, ENOSYS, EINVAL), and a method FDID_METHODS forbids is never
  called even where calling it kills.
- A browser-style renderer (kcmp killed unless on its own pid; identity
  by F_DUPFD_QUERY or the epoll trick): `fdid ls` lives and groups right.

Environment (set by meson): FDID_CLI, FDID_RUN_FILTERED, FDID_CC,
FDID_INCLUDE, FDID_LIBDIR."""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "cli"))
from cli_harness import Holder, Skip, main, run_fdid  # noqa: E402

RUN_FILTERED = os.environ.get("FDID_RUN_FILTERED", "")

WRAPPER = r"""
#include <fdid/sandbox_seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rules.c"

static char *
bpf(scmp_filter_ctx ctx, size_t *n)
{
   int fd = memfd_create("bpf", 0);
   if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0)
      exit(3);
   off_t len = lseek(fd, 0, SEEK_END);
   char *buf = malloc(len ? (size_t)len : 1);
   if (!buf || pread(fd, buf, (size_t)len, 0) != len)
      exit(3);
   close(fd);
   *n = (size_t)len;
   return buf;
}

int
main(int argc, char **argv)
{
   if (argc != 3)
      return 2;
   unsigned methods = (unsigned)strtoul(argv[1], NULL, 0), ops = (unsigned)strtoul(argv[2], NULL, 0);
   scmp_filter_ctx a = seccomp_init(SCMP_ACT_KILL_PROCESS), b = seccomp_init(SCMP_ACT_KILL_PROCESS);
   if (!a || !b || fdid_sandbox_rules_add(a, SCMP_ACT_ALLOW) != 0 ||
       fdid_sandbox_seccomp_add(b, methods, ops, SCMP_ACT_ALLOW) != 0)
      return 2;
   size_t na, nb;
   char *x = bpf(a, &na), *y = bpf(b, &nb);
   printf("%zu %zu\n", na, nb);
   int same = na == nb && memcmp(x, y, na) == 0;
   free(x);
   free(y);
   seccomp_release(a);
   seccomp_release(b);
   return same ? 0 : 1;
}
"""

PIN_SELF = 1 << 31
METHODS = {"dupfd_query": 1, "kcmp": 2, "epoll": 4, "all": 7, "none": 0}
OPS = {"identity": 1, "cross_process": 2, "epoll_target": 4, "winsys": 8, "consumers": 16,
       "inspector": 32, "kms": 64}


def mask(names, table):
    return sum(table[n] for n in names.split(",")) if names != "none" else 0


def sandbox(*args):
    return run_fdid(["sandbox"] + list(args)).stdout


def case_printed_libseccomp_c_is_the_helpers_filter():
    """-f c compiles cleanly and gives the helper's filter, byte for byte."""
    cc = os.environ.get("FDID_CC")
    if not cc or not os.environ.get("FDID_INCLUDE"):
        raise Skip("no compiler given (runs under meson)")
    inc, libdir = os.environ["FDID_INCLUDE"], os.environ["FDID_LIBDIR"]
    with tempfile.TemporaryDirectory() as tmp:
        for methods, ops, pin in (("all", "identity", False),
                                  ("kcmp", "cross_process,epoll_target", False),
                                  ("dupfd_query,epoll", "identity,cross_process", False),
                                  ("all", "identity,cross_process,epoll_target,winsys,consumers,"
                                          "inspector,kms", False), ("none", "identity", False),
                                  ("kcmp", "identity", True)):
            Path(tmp, "rules.c").write_text(sandbox("-f", "c", "-m", methods, "-o", ops,
                                                    *(["-p"] if pin else [])))
            Path(tmp, "main.c").write_text(WRAPPER)
            exe = os.path.join(tmp, "filter")
            build = shlex.split(cc) + [
                "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-o", exe,
                os.path.join(tmp, "main.c"), "-I" + inc, "-I" + tmp, "-L" + libdir,
                "-Wl,-rpath," + libdir, "-lfdid-seccomp", "-lfdid", "-lseccomp"]
            r = subprocess.run(build, capture_output=True, text=True)
            assert r.returncode == 0, (methods, ops, r.stderr)
            ops_mask = mask(ops, OPS) | (PIN_SELF if pin else 0)
            r = subprocess.run([exe, str(mask(methods, METHODS)), str(ops_mask)],
                               capture_output=True, text=True)
            assert r.returncode == 0, (methods, ops, r.returncode, r.stdout, r.stderr)


def case_every_form_lists_the_same_calls():
    """JSON, text, systemd and Chromium: the same calls, in one order."""
    for methods, ops in (("all", "all"), ("epoll", "identity"), ("kcmp", "cross_process")):
        doc = json.loads(sandbox("-f", "json", "-m", methods, "-o", ops))
        calls = [r["syscall"] for r in doc["rules"]]
        assert calls and all(r["nr"] >= 0 for r in doc["rules"]), doc
        for r in doc["rules"]:
            for a in r["args"]:
                assert a["op"] == "eq" and (a["value"] == "self" or isinstance(a["value"], int))
        names = list(dict.fromkeys(calls))
        text = [ln.split()[0] for ln in sandbox("-m", methods, "-o", ops).splitlines()
                if ln and not ln.startswith(("#", " "))]
        assert text == calls, (text, calls)
        line = [ln for ln in sandbox("-f", "systemd", "-m", methods, "-o", ops).splitlines()
                if ln.startswith("SystemCallFilter=")]
        assert line == ["SystemCallFilter=" + " ".join(names)], (line, names)
        chromium = sandbox("-f", "chromium", "-m", methods, "-o", ops)
        cases = [ln.split("__NR_")[1].split(":")[0] for ln in chromium.splitlines()
                 if "case __NR_" in ln]
        assert cases == names, (cases, names)
    # The browser renderer's rules: no kcmp at all.
    doc = json.loads(sandbox("-f", "json", "-m", "dupfd_query,epoll", "-o",
                             "identity,cross_process"))
    assert "kcmp" not in [r["syscall"] for r in doc["rules"]], doc
    assert {"pidfd_open", "pidfd_getfd"} <= {r["syscall"] for r in doc["rules"]}, doc


def case_bad_arguments_are_errors():
    """An empty list (a generator script's unset variable) is no "none",
    "none" goes alone, a trailing comma leaves a name out."""
    for args in (["-m", "kcmp,nope"], ["-o", "nothing"], ["-f", "yaml"], ["-o", ""],
                 ["extra"], ["-m", "\x1b[2J"], ["-m", ""], ["-m", "none,kcmp"],
                 ["-m", "kcmp,"], ["-m", ",kcmp"], ["-o", "identity,,kms"]):
        r = run_fdid(["sandbox"] + args, check=False)
        assert r.returncode == 2 and r.stderr and "\x1b" not in r.stderr, (args, r)
    assert sandbox("-m", "none") == sandbox("-m", "none", "-o", "identity")


def case_repeated_lists_add_up():
    assert sandbox("-m", "kcmp", "-m", "epoll") == sandbox("-m", "kcmp,epoll")
    assert sandbox("-o", "identity", "-o", "kms", "-f", "json") == \
        sandbox("-o", "identity,kms", "-f", "json")


def case_no_rule_names_a_pid_unless_pinned():
    """A pid in a filter does not follow a fork: by default no rule names
    one; -p pins kcmp on the process's own fds to the loader's pid."""
    plain = json.loads(sandbox("-f", "json", "-m", "all", "-o", "all"))
    assert not plain["pin_self"], plain
    assert all(a["value"] != "self" for r in plain["rules"] for a in r["args"]), plain
    kcmp = [r for r in plain["rules"] if r["syscall"] == "kcmp"]
    assert [a["name"] for r in kcmp for a in r["args"]] == ["KCMP_FILE", "KCMP_EPOLL_TFD", "KCMP_FILES"], kcmp
    pinned = json.loads(sandbox("-f", "json", "-m", "kcmp", "-p"))
    assert pinned["pin_self"], pinned
    assert [a["value"] for r in pinned["rules"] if r["syscall"] == "kcmp"
            for a in r["args"]][:2] == ["self", "self"], pinned


def case_chromium_fragment_falls_through():
    """The bpf_dsl fragment gives what it does not allow to the policy's
    own verdict, never an error of its own."""
    text = sandbox("-f", "chromium", "-m", "all", "-o", "all")
    assert "Error(" not in text, text
    assert "ResultExpr FdidAllow(int sysno, ResultExpr otherwise)" in text, text
    assert text.count("default:\n      return otherwise;") == 1, text
    assert "policy_pid" not in text, text
    pinned = sandbox("-f", "chromium", "-m", "kcmp", "-p")
    assert "Arg<pid_t>(0) == policy_pid" in pinned, pinned


def filtered(rules, command, env=None):
    if not RUN_FILTERED:
        raise Skip("no run_filtered (runs under meson)")
    e = dict(os.environ)
    e.update(env or {})
    fdid = os.environ.get("FDID_CLI")
    return subprocess.run([RUN_FILTERED] + rules + ["--", fdid] + command, capture_output=True,
                          text=True, env=e, timeout=120)


def probe_rows(out):
    return {ln.split()[0]: ln.split()[1:4] for ln in out.splitlines()
            if ln.split() and ln.split()[0] in ("dupfd_query", "kcmp", "epoll")}


def case_probe_says_how_a_filter_refused():
    r = filtered(["kcmp=EPERM", "fcntl:1027=ENOSYS"], ["probe"])
    assert r.returncode == 0, r
    rows = probe_rows(r.stdout)
    assert rows["kcmp"][:3] == ["yes", "no", "(EPERM)"], rows
    assert rows["dupfd_query"][:3] == ["yes", "no", "(ENOSYS)"], rows
    assert rows["epoll"][:2] == ["yes", "yes"], rows
    r = filtered(["epoll_create1=EINVAL"], ["probe"])
    assert probe_rows(r.stdout)["epoll"][:3] == ["yes", "no", "(EINVAL)"], r.stdout


def case_a_method_not_allowed_is_never_called():
    """Calling kcmp or F_DUPFD_QUERY would kill; FDID_METHODS=epoll says
    never to: probe and ls live."""
    for cmd in (["probe"], ["ls", "-p", str(os.getpid())]):
        r = filtered(["kcmp=kill", "fcntl:1027=kill"], cmd, env={"FDID_METHODS": "epoll"})
        assert r.returncode == 0, (cmd, r.returncode, r.stderr)
    rows = probe_rows(filtered(["kcmp=kill", "fcntl:1027=kill"], ["probe"],
                               env={"FDID_METHODS": "epoll"}).stdout)
    assert rows["kcmp"][:2] == ["no", "-"] and rows["epoll"][:2] == ["yes", "yes"], rows


def case_browser_renderer_groups_right():
    """A renderer's filter: kcmp killed unless both pids are its own (so
    FDID_METHODS leaves kcmp out: fdid cannot know which pids a filter
    allows). fdid ls compares across processes with pidfd_getfd and
    F_DUPFD_QUERY or the epoll trick, and groups a shared pipe right."""
    rd, wr = os.pipe()
    try:
        with Holder() as h:
            r = filtered(["kcmp:others=kill"], ["ls", "-J", "-a", "-p", str(h.pid), "-p",
                                                str(os.getpid())],
                         env={"FDID_METHODS": "dupfd_query,epoll"})
            assert r.returncode == 0, (r.returncode, r.stderr)
            doc = json.loads(r.stdout)
            for fd in (rd, wr):
                groups = [d for d in doc["descriptions"]
                          if any(x["pid"] == h.pid and x["fd"] == fd for x in d["holders"])]
                assert len(groups) == 1 and groups[0]["verified"], groups
                assert {(x["pid"], x["fd"]) for x in groups[0]["holders"]} >= \
                    {(h.pid, fd), (os.getpid(), fd)}, groups
    finally:
        os.close(rd)
        os.close(wr)


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(CASES))
