#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The inspector (`fdid ls`, `fdid dmabuf`) against real processes.

Each case sets up processes of its own (fork, dup, SCM_RIGHTS, pipes, one
file opened twice, epoll sets, processes that exit), runs fdid on them and
checks the groups exactly: every fd the case made is in exactly the group
it belongs to, as the kernel made them, and in no other. JSON is read with
Python's json parser; a crash, a non-JSON output or a wrong group fails.

Prints TAP. The fdid binary is FDID_CLI or ../../src/cli/fdid next to this
script in the build tree; inspect_holder (DRM cases) sits beside it. The
DRM case needs /dev/dri/card0 (the vgem guest) and skips elsewhere.
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FDID = os.environ.get("FDID_CLI") or str(HERE / ".." / ".." / "src" / "cli" / "fdid")
HOLDER = os.environ.get("FDID_INSPECT_HOLDER") or str(HERE / "inspect_holder")


class Skip(Exception):
    pass


# ---- processes that hold fds ---------------------------------------------

class Holder:
    """A forked child that runs setup() (which opens what it holds and
    returns a JSON-able description of it), reports, and waits to be
    released. Forked, so it shares every fd the parent has at that time."""

    def __init__(self, setup=lambda: {}):
        rd, wr = os.pipe()
        self._ctl_r, self._ctl_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(rd)
                os.close(self._ctl_w)
                info = setup()
                os.write(wr, (json.dumps(info) + "\n").encode())
                os.close(wr)
                os.read(self._ctl_r, 1)
            finally:
                os._exit(0)
        os.close(wr)
        os.close(self._ctl_r)
        with os.fdopen(rd) as f:
            line = f.readline()
        if not line:
            raise AssertionError("holder died during setup")
        self.info = json.loads(line)

    def release(self):
        if self._ctl_w is not None:
            os.close(self._ctl_w)
            self._ctl_w = None
            os.waitpid(self.pid, 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def run_fdid(args, env=None, user=None, check=True):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run([FDID] + args, capture_output=True, text=True, env=e,
                       user=user, timeout=120)
    if r.returncode < 0:
        raise AssertionError(f"fdid {' '.join(args)} died of signal {-r.returncode}")
    if check and r.returncode != 0:
        raise AssertionError(f"fdid {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def ls_json(pids, extra=(), env=None, user=None):
    args = ["ls", "-J", "-a"] + list(extra)
    for p in pids:
        args += ["-p", str(p)]
    r = run_fdid(args, env=env, user=user)
    return json.loads(r.stdout)


def check_groups(doc, expected):
    """expected: list of sets of (pid, fd). Every (pid, fd) named there must
    be in exactly one description, whose holders among the named ones are
    exactly its expected set."""
    ours = set().union(*expected)
    seen = {}
    for d in doc["descriptions"]:
        holders = {(h["pid"], h["fd"]) for h in d["holders"]}
        for h in d["holders"]:
            assert isinstance(h["pid"], int) and isinstance(h["fd"], int), h
        mine = frozenset(holders & ours)
        if not mine:
            continue
        for m in mine:
            assert m not in seen, f"{m} is in two descriptions"
            seen[m] = mine
    for e in expected:
        for m in e:
            assert m in seen, f"{m} is not listed"
            assert seen[m] == frozenset(e), \
                f"{m} grouped with {sorted(seen[m])}, expected {sorted(e)}"


def description_of(doc, pid, fd):
    for d in doc["descriptions"]:
        if any(h["pid"] == pid and h["fd"] == fd for h in d["holders"]):
            return d
    raise AssertionError(f"{pid}:{fd} not listed")


# ---- the cases ----------------------------------------------------------

def case_fork_and_dup():
    """A file shared by dup and fork is one description; the same file
    opened again in the child is another one."""
    with tempfile.NamedTemporaryFile() as tmp:
        a = os.open(tmp.name, os.O_RDONLY)
        b = os.dup(a)

        def setup():
            return {"c": os.open(tmp.name, os.O_RDONLY)}

        me = os.getpid()
        with Holder(setup) as h:
            doc = ls_json([me, h.pid])
            c = h.info["c"]
            check_groups(doc, [{(me, a), (me, b), (h.pid, a), (h.pid, b)}, {(h.pid, c)}])
            d = description_of(doc, me, a)
            assert d["type"] == "file" and d["name"] == tmp.name, d
            assert d["verified"] is True
        os.close(a)
        os.close(b)


def case_scm_rights_between_unrelated_processes():
    """An fd passed with SCM_RIGHTS to a process that did not inherit it."""
    s1, s2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)

    def setup():
        s1.close()
        _, fds, _, _ = socket.recv_fds(s2, 16, 1)
        return {"fd": fds[0]}

    with _ScmHolder(setup, s2) as h:
        r, w = os.pipe()  # made after the fork: only SCM_RIGHTS can share it
        socket.send_fds(s1, [b"x"], [r])
        h.wait_ready()
        me = os.getpid()
        doc = ls_json([me, h.pid])
        check_groups(doc, [{(me, r), (h.pid, h.info["fd"])}, {(me, w)}])
        assert description_of(doc, me, r)["type"] == "pipe"
        os.close(r)
        os.close(w)
    s1.close()
    s2.close()


class _ScmHolder(Holder):
    """A Holder whose setup waits for an fd from us: it reports only after
    the fork, so the report is read in wait_ready()."""

    def __init__(self, setup, sock):
        self._rd, wr = os.pipe()
        self._ctl_r, self._ctl_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self._rd)
                os.close(self._ctl_w)
                info = setup()
                os.write(wr, (json.dumps(info) + "\n").encode())
                os.close(wr)
                os.read(self._ctl_r, 1)
            finally:
                os._exit(0)
        os.close(wr)
        os.close(self._ctl_r)

    def wait_ready(self):
        with os.fdopen(self._rd) as f:
            line = f.readline()
        if not line:
            raise AssertionError("holder died during setup")
        self.info = json.loads(line)


def case_pipe_ends_are_two_descriptions():
    """Both ends of a pipe have one inode and two descriptions."""
    r, w = os.pipe()
    me = os.getpid()
    with Holder() as h1, Holder() as h2:
        doc = ls_json([me, h1.pid, h2.pid])
        check_groups(doc, [{(p, r) for p in (me, h1.pid, h2.pid)},
                           {(p, w) for p in (me, h1.pid, h2.pid)}])
        dr, dw = description_of(doc, me, r), description_of(doc, me, w)
        assert dr["inode"] == dw["inode"] and dr["id"] != dw["id"]
    os.close(r)
    os.close(w)


def case_file_opened_twice():
    """Two opens of one file: two descriptions, each alone, and without
    --all neither is listed."""
    with tempfile.NamedTemporaryFile() as tmp:
        a = os.open(tmp.name, os.O_RDONLY)
        b = os.open(tmp.name, os.O_RDONLY)
        me = os.getpid()
        doc = ls_json([me])
        check_groups(doc, [{(me, a)}, {(me, b)}])
        shared = json.loads(run_fdid(["ls", "-J", "-p", str(me)]).stdout)
        listed = {(h["pid"], h["fd"]) for d in shared["descriptions"] for h in d["holders"]}
        assert (me, a) not in listed and (me, b) not in listed
        for d in shared["descriptions"]:
            assert len(d["holders"]) > 1, d
        os.close(a)
        os.close(b)


def case_type_filter():
    r, w = os.pipe()
    x = os.dup(r)
    me = os.getpid()
    doc = ls_json([me], extra=["--type", "pipe"])
    assert doc["descriptions"], "no pipe listed"
    for d in doc["descriptions"]:
        assert d["type"] == "pipe", d
    check_groups(doc, [{(me, r), (me, x)}, {(me, w)}])
    for fd in (r, w, x):
        os.close(fd)


def case_exited_process_is_counted_not_fatal():
    gone = Holder()
    gone.release()  # exited and reaped: its pid names nothing now
    r, w = os.pipe()
    me = os.getpid()
    doc = ls_json([gone.pid, me])
    assert doc["summary"]["processes_vanished"] == 1, doc["summary"]
    assert {"pid": gone.pid, "reason": "vanished"}.items() <= doc["skipped"][0].items(), \
        doc["skipped"]
    check_groups(doc, [{(me, r)}, {(me, w)}])
    os.close(r)
    os.close(w)


def case_processes_exit_during_the_scan():
    """Processes with many fds come and go while fdid scans the whole
    machine: every run ends well, with JSON, and a stable pair stays
    grouped right."""
    SCANS = 6
    r, w = os.pipe()
    stop_r, stop_w = os.pipe()
    churner = os.fork()
    if churner == 0:
        os.close(stop_w)
        os.set_blocking(stop_r, False)
        try:
            while True:
                try:
                    if os.read(stop_r, 1) == b"":
                        break
                except BlockingIOError:
                    pass
                kids = []
                for _ in range(8):
                    pid = os.fork()
                    if pid == 0:
                        fds = [os.dup(r) for _ in range(200)]
                        time.sleep(0.002)
                        os._exit(0)
                    kids.append(pid)
                for k in kids:
                    os.waitpid(k, 0)
        finally:
            os._exit(0)
    os.close(stop_r)
    me = os.getpid()
    try:
        with Holder() as h:
            vanished = 0
            for _ in range(SCANS):
                doc = json.loads(run_fdid(["ls", "-J"]).stdout)
                s = doc["summary"]
                vanished += s["processes_vanished"] + s["fds_vanished"]
                d = description_of(doc, h.pid, w)
                holders = {(x["pid"], x["fd"]) for x in d["holders"]}
                assert {(me, w), (h.pid, w)} <= holders, holders
                assert description_of(doc, me, r)["id"] != d["id"]
    finally:
        os.close(stop_w)
        os.waitpid(churner, 0)
    os.close(r)
    os.close(w)
    print(f"# {vanished} processes or fds vanished during {SCANS} scans")


def case_epoll_target_after_its_fd_is_closed():
    """An epoll set watches an eventfd added as fd N; N is closed, a dup
    keeps the eventfd open: the set's target is still its description."""
    ep = __import__("select").epoll()
    ev = os.eventfd(0) if hasattr(os, "eventfd") else None
    if ev is None:
        raise Skip("python lacks os.eventfd")
    other = os.eventfd(0)
    ep.register(ev)
    ep.register(other)
    kept = os.dup(ev)
    old = ev
    os.close(ev)
    me = os.getpid()
    # Ids are per listing: targets are checked against the same run.
    doc = ls_json([me])
    d = description_of(doc, me, ep.fileno())
    assert d["type"] == "epoll", d
    targets = {t["fd"]: t["id"] for t in d["targets"]}
    assert set(targets) == {old, other}, d
    assert targets[old] == description_of(doc, me, kept)["id"], (d, targets)
    assert targets[other] == description_of(doc, me, other)["id"]
    only = ls_json([me], extra=["--type", "epoll"])
    assert [x["type"] for x in only["descriptions"]] == ["epoll"], only
    ep.close()
    os.close(kept)
    os.close(other)


def case_without_kcmp_same_groups():
    """kcmp not allowed: pidfd_getfd and a local method give the same
    groups for pollable files; a regular file may only be left unverified,
    never grouped wrongly."""
    r, w = os.pipe()
    s1, s2 = socket.socketpair()
    e1 = os.eventfd(0)
    e2 = os.dup(e1)
    me = os.getpid()
    env = {"FDID_METHODS": "dupfd_query,epoll"}
    with Holder() as h:
        doc = ls_json([me, h.pid], env=env)
        both = (me, h.pid)
        check_groups(doc, [{(p, r) for p in both}, {(p, w) for p in both},
                           {(p, s1.fileno()) for p in both},
                           {(p, s2.fileno()) for p in both},
                           {(p, fd) for p in both for fd in (e1, e2)}])
    for fd in (r, w, e1, e2):
        os.close(fd)
    s1.close()
    s2.close()


def case_method_that_cannot_decide_leaves_fds_unverified():
    """Only the epoll trick allowed: it cannot compare regular files, so a
    shared file's holders are each listed alone, unverified; a pipe shared
    the same way is still grouped."""
    with tempfile.NamedTemporaryFile() as tmp:
        f = os.open(tmp.name, os.O_RDONLY)
        r, w = os.pipe()
        me = os.getpid()
        with Holder() as h:
            doc = ls_json([me, h.pid], env={"FDID_METHODS": "epoll"})
            check_groups(doc, [{(me, f)}, {(h.pid, f)}, {(me, r), (h.pid, r)},
                               {(me, w), (h.pid, w)}])
            assert description_of(doc, me, f)["verified"] is False
            assert description_of(doc, h.pid, f)["verified"] is False
            assert description_of(doc, me, r)["verified"] is True
            assert doc["summary"]["processes_unverifiable"] == 0
        for fd in (f, r, w):
            os.close(fd)


def case_no_method_never_groups():
    """No identity method at all: shared fds are listed alone, marked
    unverified; none is put in a group on fstat's word."""
    r, w = os.pipe()
    x = os.dup(r)
    me = os.getpid()
    doc = ls_json([me], env={"FDID_METHODS": "none"})
    check_groups(doc, [{(me, r)}, {(me, x)}, {(me, w)}])
    for fd in (r, x):
        assert description_of(doc, me, fd)["verified"] is False
    for fd in (r, w, x):
        os.close(fd)


def case_forbidden_process_is_counted():
    """As an unprivileged user, a root process's fds cannot be read: it is
    counted as denied and none of its fds is listed."""
    if os.geteuid() != 0:
        raise Skip("needs root to run fdid as another user")
    r, w = os.pipe()
    with Holder() as h:
        doc = ls_json([h.pid], user=65534)
        assert doc["summary"]["processes_denied"] == 1, doc["summary"]
        assert [(k["pid"], k["reason"]) for k in doc["skipped"]] == [(h.pid, "denied")], \
            doc["skipped"]
        table = run_fdid(["ls", "-p", str(h.pid)], user=65534).stdout
        assert f"skipped: {h.pid}/" in table and "(denied)" in table, table
        assert not any(x["pid"] == h.pid for d in doc["descriptions"] for x in d["holders"])
    os.close(r)
    os.close(w)


def case_large_fd_table():
    """Up to 20000 fds of one description in one process, 1000 pipes alone: one
    group, found with about one question per fd, not n log n. (Pipes, not
    eventfds: every eventfd shares one anonymous inode, a bucket that
    costs n log n questions.)"""
    n_alone = 1000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    n_dup = min(20000, hard - 2 * n_alone - 200)  # no CAP_SYS_RESOURCE here
    if n_dup < 1000:
        raise Skip(f"RLIMIT_NOFILE hard limit {hard} is too low")
    r, w = os.pipe()

    def setup():
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        dups = [os.dup(r) for _ in range(n_dup)]
        alone = [fd for _ in range(n_alone) for fd in os.pipe()]
        return {"dups": [dups[0], dups[-1]], "alone": [alone[0], alone[-1]]}

    with Holder(setup) as h:
        t0 = time.monotonic()
        doc = ls_json([h.pid])
        elapsed = time.monotonic() - t0
        d = description_of(doc, h.pid, h.info["dups"][0])
        assert len(d["holders"]) == n_dup + 1, len(d["holders"])  # + r itself
        assert description_of(doc, h.pid, h.info["dups"][1])["id"] == d["id"]
        a0 = description_of(doc, h.pid, h.info["alone"][0])
        assert len(a0["holders"]) == 1
        q = doc["summary"]["identity_questions"]
        fds = doc["summary"]["fds"]
        assert q <= fds, f"{q} questions for {fds} fds"
        print(f"# {fds} fds grouped in {elapsed:.3f} s with {q} questions")
    os.close(r)
    os.close(w)


def case_cli_usage():
    r = run_fdid(["--help"])
    assert "Usage" in r.stdout
    r = run_fdid(["ls", "--help"])
    assert "--json" in r.stdout and "HOLDERS" in r.stdout
    r = run_fdid(["ls", "-o", "ID,NOPE"], check=False)
    assert r.returncode == 2 and "NOPE" in r.stderr, r
    r = run_fdid(["ls", "-p", "abc"], check=False)
    assert r.returncode == 2 and "abc" in r.stderr, r
    r = run_fdid(["ls", "--type", "nonsense"], check=False)
    assert r.returncode == 2 and "nonsense" in r.stderr, r
    r = run_fdid(["ls", "stray"], check=False)
    assert r.returncode == 2, r
    # A table with the columns asked for; raw output has no padding.
    a, b = os.pipe()
    c = os.dup(a)
    me = str(os.getpid())
    r = run_fdid(["ls", "-p", me, "-o", "ID,TYPE,HOLDERS", "--raw"])
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "HOLDERS"], lines
    assert any(f"{me}/" in ln and f"/{a}" in ln and f"/{c}" in ln for ln in lines[1:]), lines
    # No command at all is `fdid ls`.
    r = run_fdid([])
    assert "HOLDERS" in r.stdout.splitlines()[0]
    for fd in (a, b, c):
        os.close(fd)


def case_drm_and_dmabuf():
    """In the vgem guest: DRM fds and dma-bufs shared by fork, a second
    export of one buffer (GEM keeps one dma-buf per object), a dup; and
    `fdid dmabuf` counts each buffer's size once."""
    if not os.path.exists("/dev/dri/card0"):
        raise Skip("no /dev/dri/card0 (runs in the vgem guest)")
    p = subprocess.Popen([HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        if not line:
            raise AssertionError("inspect_holder failed")
        i = json.loads(line)
        P, C = i["parent"], i["child"]
        both = (P, C)
        doc = ls_json([P, C])
        check_groups(doc, [{(x, i["card_a"]) for x in both},
                           {(x, i["card_b"]) for x in both},
                           {(x, fd) for x in both for fd in (i["d1"], i["d2"], i["d3"])},
                           {(x, i["e"]) for x in both}])
        a = description_of(doc, P, i["card_a"])
        assert a["type"] == "drm" and a["name"] == "/dev/dri/card0", a
        d = description_of(doc, P, i["d1"])
        assert d["type"] == "dmabuf" and d["size"] == i["d_size"], d
        assert d["exporter"], d  # GEM PRIME exports name the DRM core

        dm = json.loads(run_fdid(["dmabuf", "-J", "-p", str(P), "-p", str(C)]).stdout)
        for x in dm["descriptions"]:
            assert x["type"] == "dmabuf", x
        assert len(dm["descriptions"]) == 2, dm["descriptions"]
        s = dm["summary"]
        assert s["dmabufs"] == 2 and s["dmabuf_bytes"] == i["d_size"] + i["e_size"], s
        assert s["dmabuf_bytes_per_fd"] == 6 * i["d_size"] + 2 * i["e_size"], s
        table = run_fdid(["dmabuf", "-p", str(P), "-p", str(C)]).stdout
        assert f"{i['d_size'] + i['e_size']} bytes" in table, table
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    assert p.returncode == 0


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]


def main():
    """TAP for meson; piglit's protocol under piglit (PIGLIT_PLATFORM set),
    like the C test programs. Arguments (piglit adds -auto -fbo) are
    ignored."""
    piglit = "PIGLIT_PLATFORM" in os.environ or "FDID_TEST_PIGLIT" in os.environ
    if not os.access(FDID, os.X_OK):
        print(f"Bail out! no fdid binary at {FDID}" if not piglit else
              'PIGLIT: {"result": "fail" }')
        return 1
    if not piglit:
        print(f"1..{len(CASES)}")
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for n, case in enumerate(CASES, 1):
        name = case.__name__[5:]
        sys.stdout.flush()
        why = ""
        t0 = time.monotonic()
        try:
            case()
            result = "pass"
        except Skip as e:
            result, why = "skip", str(e)
        except Exception as e:  # a failed check or an unexpected error
            result, why = "fail", f"{type(e).__name__}: {e}"
        counts[result] += 1
        if not piglit:
            print(f"# {name}: {time.monotonic() - t0:.2f} s")
        if piglit:
            print(f'PIGLIT: {{"subtest": {{"{name}" : "{result}"}}}}')
            if why:
                print(f"{name}: {why}", file=sys.stderr)
        elif result == "pass":
            print(f"ok {n} - {name}")
        elif result == "skip":
            print(f"ok {n} - {name} # SKIP {why}")
        else:
            print(f"not ok {n} - {name}")
            for ln in why.splitlines():
                print(f"# {ln}")
        sys.stdout.flush()
    if piglit:
        overall = "fail" if counts["fail"] else "pass" if counts["pass"] else "skip"
        print(f'PIGLIT: {{"result": "{overall}" }}')
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
