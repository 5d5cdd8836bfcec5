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
DRM cases need vgem (the guests) and skip elsewhere.
"""
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_harness import reporting_helper, run_fdid_in_pty  # noqa: E402
from cli_harness import (FDID, HERE, Holder, Skip, assert_no_raw_controls,  # noqa: E402
                         fdid_for_others, fs_bytes, main, reporting_helper, run_fdid,
                         run_fdid_bytes, set_comm, unescape, vgem_present)

HOLDER = os.environ.get("FDID_INSPECT_HOLDER") or str(HERE / "inspect_holder")


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
        super().__init__(setup, wait=False)


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


def case_named_process_that_does_not_exist_is_an_error():
    """-p naming no process is exit 3 with the pid on stderr and nothing on
    stdout (a process that exits during the scan is counted as vanished,
    see the next case)."""
    gone = Holder()
    gone.release()  # exited and reaped: its pid names nothing now
    me = os.getpid()
    for args in (["ls", "-J"], ["ls"], ["dmabuf"]):
        r = run_fdid(args + ["-p", str(me), "-p", str(gone.pid)], check=False)
        assert r.returncode == 3, (args, r)
        assert str(gone.pid) in r.stderr and r.stdout == "", (args, r)


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


def case_many_epoll_targets_cost_one_question_each():
    """A busy event loop: 1000 eventfds in one set (all on one anonymous
    inode), the set's fd dup'ed. Each target is its own eventfd, found
    with one question (its fd number), not searched among the 2000
    descriptions of that inode: the questions stay within the grouping's
    sort plus one per target (they used to be one per target per eventfd,
    each walking the set in the kernel: 500,000 questions here, minutes at
    10000). And a default
    listing asks none of them."""
    n = 1000
    if not hasattr(os, "eventfd"):
        raise Skip("python lacks os.eventfd")

    def setup():
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE, (n + 256, n + 256))
        ep = __import__("select").epoll()
        fds = [os.eventfd(0) for _ in range(n)]
        for fd in fds:
            ep.register(fd)
        dup = os.dup(ep.fileno())
        setup.keep = ep
        return {"ep": ep.fileno(), "dup": dup, "fds": fds}

    with Holder(setup) as h:
        doc = ls_json([h.pid])
        ids = {(x["pid"], x["fd"]): d["id"] for d in doc["descriptions"] for x in d["holders"]}
        d = description_of(doc, h.pid, h.info["ep"])
        assert (h.pid, h.info["dup"]) in {(x["pid"], x["fd"]) for x in d["holders"]}, d
        targets = {t["fd"]: t["id"] for t in d["targets"]}
        assert targets == {fd: ids[(h.pid, fd)] for fd in h.info["fds"]}, "a target unlinked"
        questions = doc["summary"]["identity_questions"]
        # A sort of n distinct descriptions: about 1.4 n log2 n; plus n.
        assert questions < 20 * n, questions
        assert doc["summary"]["epoll_targets_unsearched"] == 0, doc["summary"]
        table = run_fdid(["ls", "-p", str(h.pid)]).stdout
        assert f"targets={n}" in table, table


THREAD_HOLDER = os.environ.get("FDID_THREAD_HOLDER") or str(HERE / "thread_holder")


def case_fds_held_only_by_a_thread():
    """A thread with a file table of its own (unshare(CLONE_FILES)), and a
    process whose main thread has exited (/proc/PID/fd empty): the fds
    only those threads hold are listed, as the thread's (tid), in both
    fdid ls and fdid mem; a description in both tables is one group."""
    for mode in ("unshare", "exit"):
        with reporting_helper([THREAD_HOLDER, mode], "thread_holder") as i:
            pid, tid = i["pid"], i["tid"]
            doc = ls_json([pid])
            held = {(x["pid"], x["tid"], x["fd"]): d for d in doc["descriptions"]
                    for x in d["holders"]}
            for fd in (i["r"], i["w"]):
                assert (pid, tid, fd) in held, (mode, sorted(held))
                assert held[(pid, tid, fd)]["type"] == "pipe", held[(pid, tid, fd)]
            assert doc["summary"]["processes"] == 1, doc["summary"]
            if mode == "unshare":
                # The copied table holds the process's eventfd: one description.
                d = held[(pid, pid, i["shared"])]
                assert {(pid, pid, i["shared"]), (pid, tid, i["shared"])} <= \
                    {(x["pid"], x["tid"], x["fd"]) for x in d["holders"]}, d
            else:
                assert not any(x[1] == pid for x in held), "the exited main thread holds none"
            mem = json.loads(run_fdid(["mem", "-J", "-p", str(pid)]).stdout)
            assert mem["totals"]["processes"] == 1, mem["totals"]


def case_the_scanners_own_fds_never_split_a_group():
    """fdid scanning every process sees its own fds too, which it compares
    locally (F_DUPFD_QUERY: no order) where the kernel has it, and others'
    with kcmp (ordered). One file opened 8 times is one bucket (one inode)
    of 8 descriptions, held by this process, 24 children and fdid itself:
    each must be one group with every holder, fdid among them. An
    unordered answer once made the sort redo the bucket without order but
    still split it by the ordered answers, so a description's holders went
    to both sides and came out as two verified groups."""
    fd, path = tempfile.mkstemp()
    os.close(fd)
    try:
        fds = [os.open(path, os.O_RDONLY) for _ in range(8)]
        st = os.fstat(fds[0])
        ino = st.st_ino
        # The file, not another with its inode number on another file
        # system (the guest's init held one).
        dev = f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"
        holders = [Holder() for _ in range(24)]
        try:
            want = {os.getpid()} | {h.pid for h in holders}
            for attempt in range(3):
                doc = json.loads(run_fdid(["ls", "-J", "-a"], pass_fds=fds).stdout)
                opens = [d for d in doc["descriptions"] if d["inode"] == ino and
                         d["dev"] == dev and d["type"] == "file"]
                assert len(opens) == 8, \
                    [sorted((h["pid"], h["fd"]) for h in d["holders"]) for d in opens]
                for d in opens:
                    pids = {h["pid"] for h in d["holders"]}
                    assert d["verified"] and pids >= want and len(pids) == len(want) + 1, \
                        (d["verified"], sorted(pids))
        finally:
            for h in holders:
                h.release()
            for fd in fds:
                os.close(fd)
    finally:
        os.unlink(path)


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
    counted as denied and none of its fds is listed. Its hostile command
    name reaches the 'skipped:' line escaped. Runs wherever the build
    lives (under /root too: fdid is copied where the user can run it)."""
    if os.geteuid() != 0:
        raise Skip("needs root to run fdid as another user")
    r, w = os.pipe()

    def setup():
        set_comm(b"x\x1b[2J,y/z\x07")
        return {}

    with Holder(setup) as h, fdid_for_others() as env:
        doc = ls_json([h.pid], user=65534, env=env)
        assert doc["summary"]["processes_denied"] == 1, doc["summary"]
        assert [(k["pid"], k["reason"]) for k in doc["skipped"]] == [(h.pid, "denied")], \
            doc["skipped"]
        assert doc["skipped"][0]["command"] == "x\x1b[2J,y/z\x07", doc["skipped"]
        table = run_fdid_bytes(["ls", "-p", str(h.pid)], user=65534, env=env).stdout
        assert_no_raw_controls(table)
        assert f"skipped: {h.pid}/x\\x1b[2J\\x2cy\\x2fz\\x07 (denied)".encode() in table, table
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
    # lsfd's conventions: +LIST adds to the default columns, -n drops the
    # header, --list-columns lists them, -u keeps a long cell whole.
    r = run_fdid(["ls", "-p", me, "-o", "+INODE", "--raw"])
    assert r.stdout.splitlines()[0].split() == \
        ["ID", "TYPE", "NHOLDERS", "HOLDERS", "NAME", "INFO", "INODE"], r.stdout
    r = run_fdid(["dmabuf", "-o", "+TYPE", "--raw"])
    assert r.stdout.splitlines()[0].split() == \
        ["ID", "INODE", "SIZE", "EXPORTER", "NHOLDERS", "HOLDERS", "TYPE"], r.stdout
    # (IDs number every description of the moment: the runner's own pipes
    # come and go between two runs, so rows are compared without them.)
    r = run_fdid(["ls", "-p", me, "-n", "-o", "TYPE,HOLDERS", "--raw"])
    rows = r.stdout.splitlines()
    assert rows and rows[0].split()[0] != "TYPE", rows
    assert any(f"{me}/" in ln and f"/{a}" in ln and f"/{c}" in ln for ln in rows), rows
    r = run_fdid(["ls", "-p", me, "-n", "-o", "ID,HOLDERS"])
    assert all("HOLDERS" not in ln for ln in r.stdout.splitlines()), r.stdout
    listed = run_fdid(["ls", "--list-columns"]).stdout.splitlines()
    assert [ln.split()[0] for ln in listed] == \
        ["ID", "TYPE", "NHOLDERS", "HOLDERS", "NAME", "INODE", "SIZE", "EXPORTER", "TARGETS",
         "AINODECLASS", "POS", "FLAGS", "MODE", "ENDPOINTS", "SOCK.PROTONAME", "SOCK.STATE",
         "UNIX.PATH", "INET.LADDR", "INET.RADDR", "DELETED", "USER", "MNTID", "NS.TYPE",
         "PIDFD.PID", "PTMX.TTY-INDEX", "TUN.IFACE", "INFO"], listed
    with tempfile.TemporaryDirectory() as d:
        long_name = os.path.join(d, "n" * 200)
        with open(long_name, "w") as held:
            dup = os.dup(held.fileno())
            cut = run_fdid_in_pty(["ls", "-p", me, "-o", "ID,NAME"], 60)
            whole = run_fdid_in_pty(["ls", "-p", me, "-u", "-o", "ID,NAME"], 60)
            os.close(dup)
        assert long_name.encode() not in cut and long_name.encode() in whole, (cut, whole)
    for bad in (["-J", "-n"], ["-J", "-u"], ["-o", "+NOPE"], ["-o", "+"]):
        r = run_fdid(["ls"] + bad, check=False)
        assert r.returncode == 2 and r.stderr, (bad, r)
    for fd in (a, b, c):
        os.close(fd)


def anon_inodes():
    """fds of several anonymous inode classes in this process: {class: fd}."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fds = {"eventfd": os.eventfd(0), "pidfd": os.pidfd_open(os.getpid())}
    fds["timerfd"] = libc.timerfd_create(1, 0)  # CLOCK_MONOTONIC
    fds["inotify"] = libc.inotify_init1(0)
    mask = (ctypes.c_ulong * 16)()
    fds["signalfd"] = libc.signalfd(-1, ctypes.byref(mask), 0)
    assert all(fd >= 0 for fd in fds.values()), fds
    return fds


def case_ainode_class_column_json_and_type_filter():
    """AINODECLASS names each anonymous inode's class as lsfd does, in the
    table and in JSON; -t takes a class (or several) as well as a type."""
    fds = anon_inodes()
    me = str(os.getpid())
    try:
        doc = json.loads(run_fdid(["ls", "-a", "-J", "-p", me]).stdout)
        by_fd = {d["holders"][0]["fd"]: d for d in doc["descriptions"]}
        for cls, fd in fds.items():
            assert by_fd[fd]["ainode_class"] == cls, (cls, by_fd[fd])
        assert all(d["ainode_class"] is None for d in doc["descriptions"]
                   if d["type"] not in ("anon", "epoll", "dmabuf")), doc
        rows = run_fdid(["ls", "-a", "-p", me, "--raw", "-n", "-o", "HOLDERS,AINODECLASS"]).stdout
        # (The table ends with its summary line.)
        got = {int(ln.split()[0].rsplit("/", 1)[1]): ln.split()[1:]
               for ln in rows.splitlines() if ln.split() and f"{me}/" in ln.split()[0]}
        for cls, fd in fds.items():
            assert got[fd] == [cls], (cls, got.get(fd))
        for wanted in (["eventfd"], ["timerfd", "inotify"], ["signalfd", "pipe"]):
            args = ["ls", "-a", "-p", me, "-J"]
            for w in wanted:
                args += ["-t", w]
            shown = json.loads(run_fdid(args).stdout)["descriptions"]
            classes = {d["ainode_class"] or d["type"] for d in shown}
            assert classes == set(wanted) or (wanted[-1] == "pipe" and classes <= set(wanted)), \
                (wanted, classes)
            assert {fds[w] for w in wanted if w in fds} <= \
                {d["holders"][0]["fd"] for d in shown}, (wanted, shown)
    finally:
        for fd in fds.values():
            os.close(fd)


def case_position_and_flags_are_the_descriptions():
    """POS, FLAGS and MODE are what a description holds: a read by one
    process moves the position another process sees on the same
    description, F_SETFL changes its flags for both, and a second open of
    the file has its own."""
    import fcntl
    me = str(os.getpid())
    with tempfile.NamedTemporaryFile() as t:
        t.write(b"0123456789")
        t.flush()
        shared = os.open(t.name, os.O_RDWR)
        own = os.open(t.name, os.O_RDONLY)
        with Holder() as child:  # shares `shared` (and `own`) by fork
            os.read(shared, 4)
            fcntl.fcntl(shared, fcntl.F_SETFL, os.O_APPEND | os.O_NONBLOCK)
            doc = json.loads(run_fdid(["ls", "-a", "-J", "-p", me, "-p", str(child.pid)]).stdout)
            by_fd = {}
            for d in doc["descriptions"]:
                for h in d["holders"]:
                    if h["pid"] == os.getpid():
                        by_fd[h["fd"]] = d
            s, o = by_fd[shared], by_fd[own]
            assert {h["pid"] for h in s["holders"]} == {os.getpid(), child.pid}, s
            assert s["pos"] == 4 and s["mode"] == "rw", s
            assert {"append", "nonblock"} <= set(s["flags"].split(",")), s
            assert o["pos"] == 0 and o["mode"] == "r-", o
            assert "append" not in o["flags"].split(","), o
            raw = run_fdid(["ls", "-p", me, "-p", str(child.pid), "--raw", "-n",
                            "-o", "HOLDERS,POS,MODE"]).stdout.split("\n")

            def ours(cell):
                return any(h.startswith(f"{me}/") and h.endswith(f"/{shared}")
                           for h in cell.split(","))
            row = [ln.split() for ln in raw if ln.split() and ours(ln.split()[0])]
            assert len(row) == 1 and row[0][1:] == ["4", "rw"], raw
        os.close(shared)
        os.close(own)


def case_pipe_and_fifo_endpoints_across_processes():
    """ENDPOINTS: a pipe's read end names the process holding its write end
    (another process), and the other way round; a FIFO opened by two
    processes likewise; a pipe whose other end is closed has none."""
    me = os.getpid()
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        r, w = os.pipe()
        lone_r, lone_w = os.pipe()
        os.close(lone_w)
        fifo_r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

        def setup():
            os.close(r)
            return {"fifo_w": os.open(fifo, os.O_WRONLY)}
        with Holder(setup) as child:
            os.close(w)  # the write end is the child's alone
            doc = json.loads(run_fdid(["ls", "-a", "-J", "-t", "pipe", "-p", str(me),
                                       "-p", str(child.pid)]).stdout)
            mine = {h["fd"]: x for x in doc["descriptions"] for h in x["holders"]
                    if h["pid"] == me}

            def ends(x):
                return sorted((e["pid"], e["fd"], e["mode"]) for e in x["endpoints"])
            assert ends(mine[r]) == [(child.pid, w, "w")], mine[r]
            assert ends(mine[fifo_r]) == [(child.pid, child.info["fifo_w"], "w")], mine[fifo_r]
            assert ends(mine[lone_r]) == [], mine[lone_r]
            theirs = [x for x in doc["descriptions"]
                      if any(h["pid"] == child.pid and h["fd"] == w for h in x["holders"])]
            assert len(theirs) == 1 and ends(theirs[0]) == [(me, r, "r")], theirs
            assert all("endpoints" not in x for x in json.loads(
                run_fdid(["ls", "-a", "-J", "-t", "file", "-p", str(me)]).stdout)["descriptions"])
            raw = run_fdid(["ls", "-a", "-t", "pipe", "-p", str(me), "-p", str(child.pid),
                            "--raw", "-n", "-o", "HOLDERS,ENDPOINTS"]).stdout.splitlines()
            row = [ln.split() for ln in raw if ln.split() and ln.split()[0].startswith(f"{me}/")
                   and ln.split()[0].endswith(f"/{r}")]
            assert row and row[0][1].startswith(f"{child.pid}/") and \
                row[0][1].endswith(f"/{w}:w"), raw
        for fd in (r, lone_r, fifo_r):
            os.close(fd)


def case_pty_endpoints_across_processes():
    """ENDPOINTS for ptys: a multiplexer (/dev/ptmx) names the process
    holding its terminal /dev/pts/N (another description, another
    process), and the terminal names the multiplexer's holder; another
    pty's ends are not among them."""
    me = os.getpid()
    master, slave = os.openpty()
    other_m, other_s = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)

    def setup():
        for fd in (master, other_m, other_s):  # the fork's copies: ours alone
            os.close(fd)
        return {"pts": os.open(path, os.O_RDWR | os.O_NOCTTY)}
    try:
        with Holder(setup) as child:
            doc = json.loads(run_fdid(["ls", "-a", "-J", "-t", "chr", "-p", str(me),
                                       "-p", str(child.pid)]).stdout)

            def row(pid, fd):
                found = [x for x in doc["descriptions"]
                         if any(h["pid"] == pid and h["fd"] == fd for h in x["holders"])]
                assert len(found) == 1, (pid, fd, doc["descriptions"])
                return found[0]

            def ends(x):
                return sorted((e["pid"], e["fd"], e["mode"]) for e in x["endpoints"])
            if row(me, master).get("tty_index") is None:
                raise Skip("no tty-index in a ptmx's fdinfo (Linux 5.17+)")
            assert ends(row(me, master)) == [(child.pid, child.info["pts"], None)], \
                row(me, master)
            assert ends(row(child.pid, child.info["pts"])) == [(me, master, None)]
            assert ends(row(me, other_m)) == [(me, other_s, None)], row(me, other_m)
            raw = run_fdid(["ls", "-a", "-t", "chr", "-p", str(me), "-p", str(child.pid),
                            "--raw", "-n", "-o", "HOLDERS,ENDPOINTS"]).stdout.splitlines()
            cells = [ln.split() for ln in raw if ln.split()
                     and ln.split()[0].startswith(f"{me}/")
                     and ln.split()[0].endswith(f"/{master}")]
            assert cells and cells[0][1].startswith(f"{child.pid}/") and \
                cells[0][1].endswith(f"/{child.info['pts']}"), raw
    finally:
        for fd in (master, other_m, other_s):
            os.close(fd)


def case_files_held_without_an_fd():
    """--assoc: a process's working directory, root, executable and a file
    it maps after closing its fd are listed as held by that process,
    marked cwd, root, exe and mem, each file once, never as a
    description; a file also held by an fd names that fd's description.
    A mapped file's hostile name stays one escaped cell and valid JSON."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    me = os.getpid()
    with tempfile.TemporaryDirectory() as d:
        name = os.path.join(d, "map\x1b[2J\nped")
        with open(name, "wb") as f:
            f.write(b"x" * 4096)
        both = os.path.join(d, "both")
        with open(both, "wb") as f:
            f.write(b"y" * 4096)
        both_fd = os.open(both, os.O_RDONLY)

        def setup():
            os.chdir(d)
            for path in (name, both):
                fd = os.open(path, os.O_RDONLY)
                addr = libc.mmap(None, 4096, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
                assert addr not in (None, ctypes.c_void_p(-1).value)
                os.close(fd)
            return {}
        try:
            with Holder(setup) as child:
                pids = ["-p", str(me), "-p", str(child.pid)]
                doc = json.loads(run_fdid(["ls", "-a", "--assoc", "-J"] + pids).stdout)
                pinned = {(p["dev"], p["inode"]): p for p in doc["pinned"]}
                assert len(pinned) == len(doc["pinned"]), "each file once"

                def entry(path):
                    st = os.stat(path)
                    key = (f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}", st.st_ino)
                    assert key in pinned, (path, sorted(pinned))
                    return pinned[key]

                def held(p, pid):
                    return sorted(h["assoc"] for h in p["holders"] if h["pid"] == pid)
                assert held(entry(d), child.pid) == ["cwd"], entry(d)
                assert "root" in held(entry("/"), child.pid), entry("/")
                assert "exe" in held(entry(f"/proc/{child.pid}/exe"), child.pid)
                mapped = entry(name)
                assert held(mapped, child.pid) == ["mem"] and mapped["descriptions"] == [], mapped
                assert os.fsencode(mapped["name"]).startswith(os.fsencode(d)), mapped
                # The file mapped by the child and open in this process: its
                # description's ID, and never a holder of that description.
                desc = [x["id"] for x in doc["descriptions"]
                        if any(h["pid"] == me and h["fd"] == both_fd for h in x["holders"])]
                b = entry(both)
                assert held(b, child.pid) == ["mem"] and b["descriptions"] == desc, (b, desc)
                for x in doc["descriptions"]:
                    assert all("assoc" not in h for h in x["holders"]), x
                # Tables: one escaped line per file, no raw controls.
                table = run_fdid_bytes(["ls", "--assoc", "--raw"] + pids).stdout
                assert_no_raw_controls(table)
                cells = [ln.split(b" ") for ln in table.splitlines()]
                rows = [c for c in cells if len(c) == 4 and b"map" in c[1]
                        and c[2] == f"{child.pid}/".encode() + c[2].split(b"/")[1] + b"/mem"]
                assert len(rows) == 1 and rows[0][3] == b"", rows
                r = run_fdid(["dmabuf", "--assoc"], check=False)
                assert r.returncode == 2, r
        finally:
            os.close(both_fd)


def case_filter_expressions():
    """-Q as lsfd takes it: comparisons of columns with strings and numbers
    (numbers compare as numbers), regular expressions, && || ! and
    parentheses, a column alone as a truth; on tables and on JSON; every
    malformed expression is an error with its place, exit 2."""
    me = str(os.getpid())
    r, w = os.pipe()
    nulls = [os.open("/dev/null", os.O_RDONLY) for _ in range(12)]
    try:
        def rows(expr, cols="ID,TYPE,NAME,HOLDERS"):
            out = run_fdid(["ls", "-a", "-p", me, "--raw", "-n", "-o", cols, "-Q", expr]).stdout
            return [ln.split() for ln in out.splitlines()[:-1] if ln]

        # This process's own fds are what stays put between two runs (the
        # runner's pipes to each fdid come and go): the rows are checked in
        # themselves, and for which of ours they hold.
        ours = {r: "pipe", w: "pipe", **{n: "null" for n in nulls}}

        def mine(found):
            held = set()
            for x in found:
                for h in x[-1].split(","):
                    fd = int(h.rsplit("/", 1)[1])
                    if h.startswith(me + "/") and fd in ours:
                        held.add(fd)
            return held
        pipes, dev_nulls = {r, w}, set(nulls)
        assert len(rows("ID")) >= 14
        found = rows('TYPE == "pipe"')
        assert {x[1] for x in found} == {"pipe"} and mine(found) == pipes, found
        found = rows("NAME =~ '^/dev/nu'")
        assert {x[2] for x in found} == {"/dev/null"} and mine(found) == dev_nulls, found
        assert not mine(rows('NAME !~ "null"')) & dev_nulls
        assert mine(rows('TYPE == "pipe" || NAME == "/dev/null"')) == pipes | dev_nulls
        assert mine(rows('TYPE eq "pipe" or NAME eq "/dev/null"')) == pipes | dev_nulls
        found = rows('!(TYPE == "pipe")')
        assert "pipe" not in {x[1] for x in found} and mine(found) == dev_nulls, found
        found = rows('TYPE == "chr" && NAME == "/dev/null" and not ID < 3')
        assert found and all(x[1] == "chr" and x[2] == "/dev/null" and int(x[0]) >= 3
                             for x in found), found
        # Numbers as numbers: 10 is after 9 (as strings it would come before).
        found = rows("ID >= 10")
        assert found and all(int(x[0]) >= 10 for x in found), found
        # A column alone: ENDPOINTS holds only for pipe ends whose other end
        # is held here, ours among them.
        found = rows("ENDPOINTS", "ID,TYPE,HOLDERS")
        assert all(x[1] == "pipe" for x in found) and mine(found) == pipes, found
        # JSON, filtered the same.
        doc = json.loads(run_fdid(["ls", "-a", "-p", me, "-J", "-Q", 'MODE == "-w"']).stdout)
        assert doc["descriptions"] and all(d["mode"] == "-w" for d in doc["descriptions"]), doc
        assert any(h["fd"] == w for d in doc["descriptions"] for h in d["holders"]), doc
        for bad, where in (("NOPE == 1", "NOPE"), ("TYPE ==", "offset"), ('(TYPE == "x"', ")"),
                           ('NAME == "open', "closing"), ('NAME =~ "("', "regular"),
                           ("TYPE == pipe", "pipe"), ('ID == 1 ID', "unexpected"), ("", "expected"),
                           ("TARGETS", "TARGETS"), ('NAME =~ NAME', "string"),
                           ("(" * 300 + "ID" + ")" * 300, "deeper"), ("!" * 300 + "ID", "deeper")):
            res = run_fdid(["ls", "-Q", bad], check=False)
            assert res.returncode == 2 and "-Q" in res.stderr and where in res.stderr, (bad, res)
    finally:
        for fd in [r, w] + nulls:
            os.close(fd)


def case_summary_counters_agree_with_lsfd():
    """--summary counts the rows shown (processes, fds, descriptions by
    access mode and type), and agrees with util-linux's own lsfd on a
    process whose fds are each their own description."""
    me = str(os.getpid())
    r, w = os.pipe()
    files = [os.open("/dev/null", flags) for flags in (os.O_RDONLY, os.O_WRONLY, os.O_RDWR)]
    try:
        def counters(args):
            out = run_fdid(["ls", "-a", "-p", me] + args).stdout.splitlines()
            start = out.index("VALUE COUNTER")
            return {ln.split(None, 1)[1]: int(ln.split()[0]) for ln in out[start + 1:]
                    if ln[:5].strip().isdigit()}
        c = counters(["--summary"])
        # (The runner may hand stdout and stderr as one pipe: one description.)
        assert c["processes"] == 1 and c["open files (fds)"] >= c["descriptions"], c
        assert c["pipe descriptions"] >= 2 and c["chr descriptions"] >= 3, c
        # (The runner's own pipes to fdid come and go during a scan: their
        # mode may be unread.)
        assert c["RO descriptions"] + c["WO descriptions"] + c["RW descriptions"] + \
            c.get("descriptions whose mode could not be read", 0) == c["descriptions"], c
        only_pipes = counters(["--summary=append", "-Q", 'TYPE == "pipe"'])
        assert only_pipes["descriptions"] == only_pipes["pipe descriptions"] >= 2, only_pipes
        assert only_pipes["chr descriptions"] == 0, only_pipes
        if shutil.which("lsfd"):
            # A quiet process with fds that stay put (this one's pipes to
            # the commands it runs come and go): stdin /dev/null read-only,
            # stdout write-only, stderr a dup of stdout (one description).
            with open(os.devnull, "rb") as i, open(os.devnull, "wb") as o:
                quiet = subprocess.Popen(["sleep", "60"], stdin=i, stdout=o,
                                         stderr=subprocess.STDOUT)
            # Until it sleeps: just after exec its loader has files open.
            for _ in range(500):
                with open(f"/proc/{quiet.pid}/stat") as st:
                    state = st.read().rsplit(")", 1)[1].split()[0]
                if state == "S" and len(os.listdir(f"/proc/{quiet.pid}/fd")) == 3:
                    break
                time.sleep(0.01)
            try:
                out = subprocess.run(["lsfd", "--summary=only", "-p", str(quiet.pid)],
                                     capture_output=True, text=True,
                                     env={**os.environ, "LC_ALL": "C"}).stdout
                theirs = {ln.split(None, 1)[1]: int(ln.split()[0])
                          for ln in out.splitlines()[1:]}
                me = str(quiet.pid)
                c = counters(["--summary"])
                assert c["descriptions"] == 2 and c["open files (fds)"] == 3, c
            finally:
                quiet.kill()
                quiet.wait()
            # lsfd counts fds, fdid descriptions: equal where no two fds of
            # this process share one (each of its own fds above), never more.
            shared = c["open files (fds)"] - c["descriptions"]
            assert theirs["open files"] == c["open files (fds)"], (theirs, c)
            for mine, lsfds in (("RO descriptions", "RO open files"),
                                ("WO descriptions", "WO open files"),
                                ("pipe descriptions", "fifos/pipes"),
                                ("chr descriptions", "character devices")):
                assert c[mine] <= theirs[lsfds] <= c[mine] + shared, (mine, theirs, c)
        for bad in (["--summary=x"], ["-J", "--summary"]):
            res = run_fdid(["ls"] + bad, check=False)
            assert res.returncode == 2 and res.stderr, (bad, res)
    finally:
        for fd in [r, w] + files:
            os.close(fd)


def case_file_facts_from_the_kernel():
    """SIZE and DELETED of regular files from fstat (a file named
    "x (deleted)" is not deleted), MNTID as the kernel's fdinfo says it,
    NS.TYPE of a namespace fd, PIDFD.PID of a pidfd (and -1 once its
    process is reaped), USER of the holding process."""
    import pwd
    me = str(os.getpid())
    with tempfile.TemporaryDirectory() as d:
        gone = os.path.join(d, "gone")
        with open(gone, "wb") as f:
            f.write(b"x" * 1234)
        gone_fd = os.open(gone, os.O_RDONLY)
        os.unlink(gone)
        liar = os.path.join(d, "x (deleted)")
        with open(liar, "wb") as f:
            f.write(b"y" * 7)
        liar_fd = os.open(liar, os.O_RDONLY)
        ns_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        child = os.fork()
        if child == 0:
            os.read(os.open("/dev/null", os.O_RDONLY), 1)
            time.sleep(30)
            os._exit(0)
        pidfd = os.pidfd_open(child)
        try:
            def rows():
                doc = json.loads(run_fdid(["ls", "-a", "-J", "-p", me]).stdout)
                return {x["holders"][0]["fd"]: x for x in doc["descriptions"]}
            got = rows()
            assert got[gone_fd]["deleted"] is True and got[gone_fd]["size"] == 1234, got[gone_fd]
            assert got[liar_fd]["deleted"] is False and got[liar_fd]["size"] == 7, got[liar_fd]
            assert got[ns_fd]["ns_type"] == "net", got[ns_fd]
            assert got[liar_fd]["ns_type"] is None, got[liar_fd]
            assert got[pidfd]["pidfd_pid"] == child, got[pidfd]
            with open(f"/proc/self/fdinfo/{liar_fd}") as fi:
                mnt = int([ln.split()[1] for ln in fi if ln.startswith("mnt_id:")][0])
            assert got[liar_fd]["mnt_id"] == mnt, (got[liar_fd], mnt)
            assert all(h["uid"] == os.getuid() for h in got[liar_fd]["holders"]), got[liar_fd]
            raw = run_fdid(["ls", "-a", "-p", me, "--raw", "-n", "-o",
                            "HOLDERS,SIZE,DELETED,USER,NS.TYPE,PIDFD.PID"]).stdout.splitlines()
            cells = {int(ln.split()[0].rsplit("/", 1)[1]): ln.split()[1:] for ln in raw
                     if ln.split() and ln.split()[0].startswith(f"{me}/")}
            user = pwd.getpwuid(os.getuid()).pw_name
            assert cells[gone_fd] == ["1234", "1", user], cells[gone_fd]
            assert cells[ns_fd][-2:] == [user, "net"], cells[ns_fd]
            assert cells[pidfd] == [user, str(child)], cells[pidfd]
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            child = 0
            assert rows()[pidfd]["pidfd_pid"] == -1
        finally:
            if child:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            for fd in (gone_fd, liar_fd, ns_fd, pidfd):
                os.close(fd)


def case_sockets_their_addresses_and_peers():
    """Socket columns from the kernel's tables: a socketpair split between
    two processes names each end's peer in ENDPOINTS; a UNIX socket bound
    to a path with a newline and a forged line shows those bytes and forges
    nothing; an abstract name shows as @name; TCP and UDP show their
    addresses as getsockname and getpeername say."""
    me = os.getpid()
    with tempfile.TemporaryDirectory() as d:
        a, b = socket.socketpair()
        hostile = os.path.join(d, "s\n0000000000000000: 00000002 00000000 00010000 0001 01 1 @x")
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(hostile)
        srv.listen()
        abstract = socket.socket(socket.AF_UNIX)
        abstract.bind(b"\0fdid-check-abstract")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        try:
            udp.bind(("::1", 0))
        except OSError:
            udp.close()
            udp = None
        try:
            with Holder() as child:  # holds b (and, by fork, the rest)
                b.close()
                doc = json.loads(run_fdid(["ls", "-a", "-J", "-t", "socket", "-p", str(me),
                                           "-p", str(child.pid)]).stdout)
                mine = {h["fd"]: x for x in doc["descriptions"] for h in x["holders"]
                        if h["pid"] == me}
                bfd = [h["fd"] for x in doc["descriptions"] for h in x["holders"]
                       if h["pid"] == child.pid and x["socket"] and
                       x["socket"]["protocol"] == "UNIX-STREAM" and x["socket"]["state"] ==
                       "connected" and {(e["pid"], e["fd"]) for e in x["endpoints"]} ==
                       {(me, a.fileno()), (child.pid, a.fileno())}]
                assert bfd, doc
                ends = {(e["pid"], e["fd"]) for e in mine[a.fileno()]["endpoints"]}
                assert (child.pid, bfd[0]) in ends, (ends, bfd)
                s = mine[srv.fileno()]["socket"]
                assert s["protocol"] == "UNIX-STREAM" and s["state"] == "listen", s
                assert fs_bytes(s["local"]) == hostile.encode(), s
                assert mine[abstract.fileno()]["socket"]["local"] == "@fdid-check-abstract"
                acc = mine[accepted.fileno()]["socket"]
                assert acc["protocol"] == "TCP" and acc["state"] == "established", acc
                assert acc["local"] == "%s:%d" % accepted.getsockname(), acc
                assert acc["remote"] == "%s:%d" % accepted.getpeername(), acc
                assert mine[listener.fileno()]["socket"]["state"] == "listen"
                if udp:
                    u = mine[udp.fileno()]["socket"]
                    assert u["protocol"] == "UDPv6" and u["local"] == \
                        "[::1]:%d" % udp.getsockname()[1], u
                # No socket in the listing has the forged line's inode.
                assert not any(x["socket"] and x["socket"]["local"] == "@x"
                               for x in doc["descriptions"]), doc
                raw = run_fdid_bytes(["ls", "-a", "-t", "socket", "-p", str(me), "--raw", "-n",
                                      "-o", "HOLDERS,UNIX.PATH"]).stdout
                assert_no_raw_controls(raw)
                row = [ln.split() for ln in raw.splitlines()
                       if ln.split() and ln.split()[0].endswith(b"/%d" % srv.fileno())
                       and ln.split()[0].startswith(b"%d/" % me)]
                assert row and unescape(row[0][1]) == hostile.encode(), row
        finally:
            for sock in (a, srv, abstract, listener, client, accepted) + ((udp,) if udp else ()):
                sock.close()


def case_pty_and_tun_from_fdinfo():
    """PTMX.TTY-INDEX is the pty a /dev/ptmx fd made (its /dev/pts/N);
    TUN.IFACE the interface of a tun fd, a name the process chose (here
    with an escape byte: escaped in tables, exact in JSON). tun needs
    /dev/net/tun and CAP_NET_ADMIN: that part runs where they are."""
    import fcntl
    import struct
    me = str(os.getpid())
    ptmx = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY)
    tun = None
    iface = b"fd\x1b[7mx"
    try:
        tun = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", iface, 0x0001 | 0x1000))  # TUNSETIFF
    except OSError:
        if tun is not None:
            os.close(tun)
        tun = None
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.ptsname.restype = ctypes.c_char_p
        index = int(libc.ptsname(ptmx).rsplit(b"/", 1)[1])
        doc = json.loads(run_fdid(["ls", "-a", "-J", "-p", me]).stdout)
        by_fd = {x["holders"][0]["fd"]: x for x in doc["descriptions"]}
        assert by_fd[ptmx].get("tty_index") == index, by_fd[ptmx]
        raw = run_fdid_bytes(["ls", "-a", "-p", me, "--raw", "-n", "-o",
                              "HOLDERS,PTMX.TTY-INDEX,TUN.IFACE"]).stdout
        assert_no_raw_controls(raw)
        cells = {int(ln.split()[0].rsplit(b"/", 1)[1]): ln.split()[1:] for ln in raw.splitlines()
                 if ln.split() and ln.split()[0].startswith(me.encode() + b"/")}
        assert cells[ptmx] == [str(index).encode()], cells[ptmx]
        if tun is not None:
            assert fs_bytes(by_fd[tun]["tun_iface"]) == iface, by_fd[tun]
            assert [unescape(c) for c in cells[tun]] == [iface], cells[tun]
    finally:
        os.close(ptmx)
        if tun is not None:
            os.close(tun)


def case_the_scanners_kept_directories_are_not_listed():
    """fdid keeps each scanned process's /proc/PID/fd and fdinfo open to
    read names and fdinfo relative to them; scanning itself, it lists none
    of them. (Its own, by its pid: another fdid scanning meanwhile, a test
    beside this one, holds such directories of its own, rightly listed.)"""
    p = subprocess.Popen([FDID, "ls", "-a", "-J"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    doc = json.loads(out)
    mine = [d for d in doc["descriptions"] for h in d["holders"]
            if h["pid"] == p.pid and re.fullmatch(r"/proc/[0-9]+/fd(info)?", d["name"])]
    assert not mine, mine
    assert any(h["pid"] == p.pid for d in doc["descriptions"] for h in d["holders"]), \
        "fdid's own fds (stdout, stderr) are listed"


@contextlib.contextmanager
def drm_holder(names=()):
    """inspect_holder (DRM fds and dma-bufs, then a fork; dma-bufs named
    with `names`, any bytes) for the guest's DRM cases: yields its report,
    and releases it (it must exit 0) at the end."""
    if not vgem_present():
        raise Skip("no vgem (runs in the guest)")
    with reporting_helper([HOLDER] + [n.hex() for n in names], "inspect_holder") as report:
        yield report


def case_drm_and_dmabuf():
    """In the vgem guest: DRM fds and dma-bufs shared by fork, a second
    export of one buffer (GEM keeps one dma-buf per object), a dup; and
    `fdid dmabuf` counts each buffer's size once."""
    with drm_holder() as i:
        P, C = i["parent"], i["child"]
        both = (P, C)
        doc = ls_json([P, C])
        check_groups(doc, [{(x, i["card_a"]) for x in both},
                           {(x, i["card_b"]) for x in both},
                           {(x, fd) for x in both for fd in (i["d1"], i["d2"], i["d3"])},
                           {(x, i["e"]) for x in both}])
        a = description_of(doc, P, i["card_a"])
        assert a["type"] == "drm" and a["name"] == i["card"], a
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


# ---- hostile input: what other processes control -------------------------

# One of each class of byte string a name or a command can hold.
HOSTILE = {
    "invalid_start": b"\xff\xfe",
    "stray_continuation": b"a\x80b",
    "truncated": b"\xe2\x82",
    "overlong": b"\xc0\xaf\xe0\x80\xaf",
    "surrogate": b"\xed\xa0\x80",
    "controls": bytes(range(1, 0x20)),
    "del": b"\x7f",
    "c1_csi": "\u009b31m".encode(),
    "escape_sequence": b"\x1b[31mred\x1b]0;title\x07",
    "multibyte": "\u00e9\u20ac\U0001f600".encode(),
    "quote_backslash": b'"\\x41\\',
    "bidi_override": "\u202egnp.exe".encode(),
    "separators": b"a,b/c",
    "comm_cut_mid_character": "\u00e9" .encode() * 8,  # 16 bytes: cut to 15
}


def hostile_holder(name, path_dir):
    """A holder whose command and one open file's name are the class's
    bytes (file names cannot hold '/'), the file dup'ed once."""
    data = HOSTILE[name]

    def setup():
        set_comm(data)
        fname = b"f-" + data.replace(b"/", b"_")
        fd = os.open(fname, os.O_CREAT | os.O_RDONLY, 0o600, dir_fd=path_dir)
        return {"fd": fd, "dup": os.dup(fd),
                "path": os.fsdecode(os.readlink(f"/proc/self/fd/{fd}".encode()))}

    return Holder(setup)


def case_hostile_names_and_commands():
    """Processes whose command and file names hold every class of byte:
    `fdid ls -a -J` (the whole machine and -p) is strict JSON with every
    group exact and every string back to its bytes (surrogateescape);
    tables in the C and a UTF-8 locale show no raw control byte, invalid
    UTF-8, C1 control or bidi override, and unescape to the same bytes; a
    command with ',' or '/' is one holder."""
    tmp = tempfile.mkdtemp(prefix="fdid-hostile-")
    dfd = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
    holders = {}
    try:
        for name in HOSTILE:
            holders[name] = hostile_holder(name, dfd)
        pids = [h.pid for h in holders.values()]
        for doc_args in ([], ["-p", "x"]):
            args = ["ls", "-J", "-a"] + [a for p in pids for a in ("-p", str(p))] \
                if doc_args else ["ls", "-J", "-a"]
            out = run_fdid_bytes(args).stdout
            out.decode("utf-8")  # valid UTF-8 as a whole
            doc = json.loads(out)  # Python's parser is strict about controls
            check_groups(doc, [{(h.pid, h.info["fd"]), (h.pid, h.info["dup"])}
                               for h in holders.values()])
            for name, h in holders.items():
                d = description_of(doc, h.pid, h.info["fd"])
                want = os.fsencode(h.info["path"])
                assert fs_bytes(d["name"]) == want, (name, d["name"], want)
                comm = HOSTILE[name][:15]
                for x in d["holders"]:
                    assert fs_bytes(x["command"]) == comm, (name, x["command"], comm)
        sel = [a for p in pids for a in ("-p", str(p))]
        for env, utf8 in (({"LC_ALL": "C"}, False), ({"LC_ALL": "C.UTF-8"}, True)):
            for extra in ([], ["--raw", "-o", "ID,HOLDERS,NAME"]):
                out = run_fdid_bytes(["ls", "-a"] + sel + extra, env=env).stdout
                assert_no_raw_controls(out, utf8=utf8)
            raw = run_fdid_bytes(["ls", "-a", "--raw", "-o", "HOLDERS,NAME"] + sel,
                                 env=env).stdout.splitlines()[1:-1]
            for name, h in holders.items():
                want = os.fsencode(h.info["path"])
                rows = [r for r in raw if unescape(r.split(b" ")[1]) == want]
                assert len(rows) == 1, (name, want, raw)
                cells = rows[0].split(b" ")
                assert len(cells) == 2, rows[0]  # blanks inside cells escaped
                hl = cells[0].split(b",")
                assert len(hl) == 2, (name, hl)  # ',' in a command is escaped
                for one in hl:
                    pid, comm, fd = one.split(b"/")  # so is '/'
                    assert int(pid) == h.pid and unescape(comm) == HOSTILE[name][:15], one
                    assert int(fd) in (h.info["fd"], h.info["dup"])
        # A narrow terminal: a wrapped cell never cuts an escape in two.
        for args in (["ls", "-a"] + sel, ["mem"] + sel):
            narrow = run_fdid_in_pty(args, 30, env={"LC_ALL": "C"})
            for line in narrow.splitlines():
                assert re.fullmatch(rb"(?:[^\\]|\\\\|\\x[0-9a-f]{2})*", line), (args, line)
        # Not one raw control byte on any path, the whole machine too.
        c = {"LC_ALL": "C"}
        assert_no_raw_controls(run_fdid_bytes(["ls"], env=c).stdout)
        assert_no_raw_controls(run_fdid_bytes(["ls", "-a", "--raw"], env=c).stdout)
        assert_no_raw_controls(run_fdid_bytes(["dmabuf"], env=c).stdout)
    finally:
        for h in holders.values():
            h.release()
        os.close(dfd)
        shutil.rmtree(tmp, ignore_errors=True)


def case_pid_twice_or_thread_id_invents_no_sharing():
    """-p P -p P, or a thread id next to its process, scan the process once:
    no fd is listed twice, nothing looks shared that is not."""
    r, w = os.pipe()

    def setup():
        import threading
        ready = threading.Event()
        tid = []

        def sit():
            tid.append(threading.get_native_id())
            ready.set()
            time.sleep(3600)

        threading.Thread(target=sit, daemon=True).start()
        ready.wait()
        a, b = os.pipe()
        return {"tid": tid[0], "alone": a}

    def groups(doc):
        return sorted(sorted((x["pid"], x["fd"]) for x in d["holders"])
                      for d in doc["descriptions"])

    with Holder(setup) as h:
        tid = h.info["tid"]
        assert tid != h.pid
        once = groups(ls_json([h.pid]))
        for pids in ([h.pid, h.pid], [h.pid, tid], [tid], [tid, h.pid, tid]):
            doc = ls_json(pids)
            assert doc["summary"]["processes"] == 1, (pids, doc["summary"])
            assert groups(doc) == once, (pids, groups(doc), once)
            for d in doc["descriptions"]:
                pairs = [(x["pid"], x["fd"]) for x in d["holders"]]
                assert len(pairs) == len(set(pairs)), (pids, d)
            alone = description_of(doc, h.pid, h.info["alone"])
            assert len(alone["holders"]) == 1, (pids, alone)
        # fdid same with a thread id answers as with the pid, by every
        # method that works here. Without kcmp, a thread's table is reached
        # by pidfd_open(PIDFD_THREAD) (Linux 6.9; F_DUPFD_QUERY came in
        # 6.10): before it fdid cannot tell, as the README says.
        try:
            os.close(os.pidfd_open(tid, 0o200))  # PIDFD_THREAD
            thread_pidfd = True
        except OSError:
            thread_pidfd = False
        pair = [f"{tid}:{h.info['alone']}", f"{h.pid}:{h.info['alone']}"]
        r2 = run_fdid(["same"] + pair, check=False)
        assert (r2.returncode, r2.stdout) == (0, "same\n"), r2
        for methods in ("dupfd_query", "kcmp", "epoll"):
            probe = run_fdid(["probe"], env={"FDID_METHODS": methods}).stdout
            row = [ln.split() for ln in probe.splitlines() if ln.startswith(methods + " ")]
            if row[0][2] != "yes":
                continue  # the method is not there on this kernel
            r2 = run_fdid(["same"] + pair, env={"FDID_METHODS": methods}, check=False)
            if methods != "kcmp" and not thread_pidfd:
                assert r2.returncode == 2 and "not supported" in r2.stderr, (methods, r2)
            else:
                assert (r2.returncode, r2.stdout) == (0, "same\n"), (methods, r2)
    os.close(r)
    os.close(w)


def case_name_longer_than_path_max():
    """An fd whose path is longer than PATH_MAX (the kernel then gives no
    name) shows "(name too long)", not "closed during the scan"."""
    tmp = tempfile.mkdtemp(prefix="fdid-long-")
    try:
        def setup():
            d = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
            for _ in range(20):  # 20 * 251 bytes > PATH_MAX
                os.mkdir("d" * 250, dir_fd=d)
                nd = os.open("d" * 250, os.O_RDONLY | os.O_DIRECTORY, dir_fd=d)
                os.close(d)
                d = nd
            fd = os.open("f", os.O_CREAT | os.O_RDONLY, 0o600, dir_fd=d)
            return {"fd": fd, "dup": os.dup(fd)}

        with Holder(setup) as h:
            doc = ls_json([h.pid])
            check_groups(doc, [{(h.pid, h.info["fd"]), (h.pid, h.info["dup"])}])
            d = description_of(doc, h.pid, h.info["fd"])
            assert d["name"] == "(name too long)", d
            table = run_fdid(["ls", "-p", str(h.pid)]).stdout
            assert "(name too long)" in table and "closed during" not in table, table
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_command_line_contract():
    """-o is checked before any scan; -t accumulates; -J takes no -o or
    --raw; -p takes exactly what `fdid same` takes; HOLDERS says how many
    it did not show."""
    me = str(os.getpid())
    for bad in ("", "ID,", ",ID", "ID,,TYPE", "NOPE"):
        r = run_fdid(["ls", "-o", bad], check=False)
        assert r.returncode == 2 and r.stdout == "" and "column" in r.stderr, (bad, r)
    r = run_fdid(["ls", "-J", "-o", "ID"], check=False)
    assert r.returncode == 2 and r.stdout == "", r
    r = run_fdid(["ls", "-J", "--raw"], check=False)
    assert r.returncode == 2 and r.stdout == "", r
    # Many columns, repeated: no silent cap.
    cols = ",".join(["ID"] * 40)
    r = run_fdid(["ls", "-p", me, "--raw", "-o", cols])
    assert len(r.stdout.splitlines()[0].split()) == 40, r.stdout
    # -t twice: either type.
    a, b = os.pipe()
    s1, s2 = socket.socketpair()
    keep = [os.dup(a), os.dup(s1.fileno())]
    doc = ls_json([me], extra=["-t", "pipe", "-t", "socket"])
    types = {d["type"] for d in doc["descriptions"]}
    assert types == {"pipe", "socket"}, types
    # -p: decimal digits, 1 to INT_MAX; `fdid same` the same.
    for bad in ("+1", " 1", "1 ", "0x10", "0", "-1", "2147483648", "1e3", ""):
        r = run_fdid(["ls", "-p", bad], check=False)
        assert r.returncode == 2 and "bad pid" in r.stderr, (bad, r)
        r = run_fdid(["same", f"{bad}:0", f"{me}:0"], check=False)
        assert r.returncode == 2 and "Usage" in r.stderr, (bad, r)
    r = run_fdid(["ls", "-p", "0" + me, "-J"])  # leading zeros are decimal
    assert json.loads(r.stdout)["summary"]["processes"] == 1
    # HOLDERS: the first ten, then how many more.
    many = [os.dup(a) for _ in range(14)]
    out = run_fdid(["ls", "-p", me, "--raw", "-o", "NHOLDERS,HOLDERS"]).stdout
    row = [ln for ln in out.splitlines() if ln.startswith("16 ")]  # a, a dup, 14 more
    assert row and row[0].count(",") == 10 and row[0].endswith(",+6\\x20more"), out
    for fd in many + keep + [a, b]:
        os.close(fd)
    s1.close()
    s2.close()


def case_hostile_dmabuf_names():
    """In the vgem guest: dma-buf names (DMA_BUF_SET_NAME, printed last in
    fdinfo) that inject size:, exp_name:, ino: and count: lines change no
    number: sizes are the inodes', the exporter the kernel's, and each
    name comes back byte for byte."""
    names = [b"x\nsize:\t99999999999", b"y\nsize:\t0", b"e\nexp_name:\ti915",
             b"i\nino:\t1\ncount:\t99", b"\x1b[31m\xff\n\tsize:1", b"size:\t7"]
    with drm_holder(names) as i:
        P, C = i["parent"], i["child"]
        doc = json.loads(run_fdid(["dmabuf", "-J", "-p", str(P), "-p", str(C)]).stdout)
        exporters = set()
        for n, nb in zip(i["named"], names):
            d = description_of(doc, P, n["fd"])
            assert d["size"] == n["size"], (nb, d)
            assert fs_bytes(d["buffer_name"]) == nb, (nb, d)
            exporters.add(d["exporter"])
        plain = description_of(doc, P, i["d1"])
        assert exporters == {plain["exporter"]} and plain["buffer_name"] is None, \
            (exporters, plain)
        s = doc["summary"]
        want = i["d_size"] + i["e_size"] + sum(n["size"] for n in i["named"])
        assert s["dmabufs"] == 2 + len(names) and s["dmabuf_bytes"] == want, s
        table = run_fdid_bytes(["dmabuf", "-p", str(P), "-p", str(C)]).stdout
        assert_no_raw_controls(table)
        assert f"{want} bytes".encode() in table and b"i915" not in table, table
        assert_no_raw_controls(run_fdid_bytes(["ls", "-a", "-p", str(P)]).stdout)


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(CASES))
