#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`fdid mem` against real processes: DRM clients shared by fork and
SCM_RIGHTS are one client with every holder; dma-bufs held by fd, by
mapping and by both give exact bytes, alone-bytes and proportional
shares; totals count each buffer and each client once, beside the per-fd
sums. The DRM cases need vgem or virtio-gpu (the guests) and skip
elsewhere; the rest runs on the host too.

mem_holder (beside this script in the build tree, or FDID_MEM_HOLDER)
builds the processes; it is started under a hostile file name, so its
command name is hostile too. Prints TAP (piglit's protocol under piglit).
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_harness import (HERE, Holder, Skip, assert_no_raw_controls,  # noqa: E402
                         fdid_for_others, fs_bytes, main, reporting_helper, run_fdid,
                         run_fdid_bytes, run_fdid_in_pty, set_comm, unescape)

MEM_HOLDER = os.environ.get("FDID_MEM_HOLDER") or str(HERE / "mem_holder")
MEM_SWAPPER = os.environ.get("FDID_MEM_SWAPPER") or str(HERE / "mem_swapper")

# The holder's file name, so its command name (the first 15 bytes): an
# escape sequence, a newline, a forged number, separators.
HOSTILE_NAME = b"\x1b[2J\n9999 a,b"


@contextlib.contextmanager
def mem_holder(driver, buffers):
    """The holder's processes (mem_holder.c), run under HOSTILE_NAME;
    yields its report and releases it at the end."""
    if not os.access(MEM_HOLDER, os.X_OK):
        raise Skip("no mem_holder (built with libdrm: -Ddrm=disabled here)")
    tmp = tempfile.mkdtemp(prefix="fdid-mem-")
    exe = os.path.join(os.fsencode(tmp), HOSTILE_NAME)
    shutil.copy(MEM_HOLDER, exe)
    try:
        with reporting_helper([exe, driver] + (["buffers"] if buffers else []), "mem_holder",
                              absent=f"no {driver} (runs in the guest)") as report:
            yield report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def mem_json(pids, env=None, extra=()):
    args = ["mem", "-J"] + list(extra)
    for p in pids:
        args += ["-p", str(p)]
    out = run_fdid(args, env=env).stdout
    assert out.count("\n") == 1, "one document, one line"
    return json.loads(out)


def holders_of(client):
    return {(h["pid"], h["fd"]) for h in client["holders"]}


def check_clients(doc, i):
    """Two clients: A (P and C1, by fork), B (P and C0, by SCM_RIGHTS)."""
    P, C0, C1 = i["p"], i["c0"], i["c1"]
    got = sorted((holders_of(c) for c in doc["clients"]), key=sorted)
    want = sorted([{(P, i["a"]), (C1, i["a"])}, {(P, i["b"]), (C0, i["c0_fds"]["b"])}],
                  key=sorted)
    assert got == want, (got, want)
    for c in doc["clients"]:
        assert c["verified"] is True and c["fdinfo_read"] is True, c
        assert fs_bytes(c["holders"][0]["command"]) == HOSTILE_NAME[:15], c
    t = doc["totals"]
    assert t["drm_clients"] == 2 and t["drm_fds"] == 4 and t["drm_clients_unverified"] == 0, t
    assert t["drm_devices"] == 1 and doc["devices"][0]["clients"] == 2, doc["devices"]
    assert t["fdinfo_reads"] == 2, "one fdinfo read per client, not per fd"
    procs = {p["pid"]: p for p in doc["processes"]}
    assert procs[P]["drm_clients"] == 2 and procs[C0]["drm_clients"] == 1 \
        and procs[C1]["drm_clients"] == 1, procs


def case_vgem_clients_and_buffers():
    """vgem: clients shared by fork and SCM_RIGHTS; buffers by fd only, by
    mapping only (fd closed), by both, and alone: exact bytes, alone-bytes,
    proportional shares and totals."""
    with mem_holder("vgem", True) as i:
        P, C0, C1 = i["p"], i["c0"], i["c1"]
        doc = mem_json([P, C0, C1])
        check_clients(doc, i)
        F, M, B, L = i["f_size"], i["m_size"], i["bo_size"], i["c1_fds"]["l_size"]
        assert len({F, M, B, L}) == 4, "sizes tell the buffers apart"
        bufs = {b["size"]: b for b in doc["dmabufs"]}
        assert sorted(bufs) == sorted([F, M, B, L]), doc["dmabufs"]

        def holders(size):
            return {(h["pid"], h["fds"], h["mapped"]) for h in bufs[size]["holders"]}
        assert holders(F) == {(P, 1, False), (C0, 1, False)}, holders(F)
        assert holders(M) == {(P, 0, True), (C1, 0, True)}, holders(M)
        assert holders(B) == {(P, 1, True), (C0, 1, True), (C1, 0, True)}, holders(B)
        assert holders(L) == {(C1, 1, False)}, holders(L)
        for b in doc["dmabufs"]:
            # From one fd's fdinfo: a buffer only mapped has none to ask.
            assert bool(b["exporter"]) == (b["size"] != M), b

        procs = {p["pid"]: p for p in doc["processes"]}
        want = {P: (3, F + M + B, 0, F // 2 + M // 2 + B // 3),
                C0: (2, F + B, 0, F // 2 + B // 3),
                C1: (3, M + B + L, L, M // 2 + B // 3 + L)}
        for pid, (n, held, alone, pss) in want.items():
            p = procs[pid]
            got = (p["dmabufs"], p["dmabuf_bytes"], p["dmabuf_alone_bytes"],
                   p["dmabuf_pss_bytes"])
            assert got == (n, held, alone, pss), (pid, got, (n, held, alone, pss))
        t = doc["totals"]
        assert t["dmabufs"] == 4 and t["dmabuf_bytes"] == F + M + B + L, t
        assert t["dmabuf_bytes_per_process"] == 2 * F + 2 * M + 3 * B + L, t
        assert t["dmabuf_bytes_per_fd"] == 2 * F + 2 * B + L and t["dmabuf_fds"] == 5, t
        assert t["dmabufs_size_unknown"] == 0 and t["maps_unverified"] == 0, t

        # The table says the same, numbers untouched by the command name.
        table = run_fdid_bytes(["mem", "-b", "-B", "-p", str(P), "-p", str(C0),
                                "-p", str(C1)]).stdout
        assert_no_raw_controls(table)
        total = F + M + B + L
        assert f"dma-bufs: 4, {total} counted once (per holding process: " \
            f"{2 * F + 2 * M + 3 * B + L}, per fd: {2 * F + 2 * B + L})".encode() in table, table
        assert b"DRM: 2 clients on 1 device," in table, table
        assert b"counts whole in each one's DRM-MEM, once in the totals" in table, table
        assert b"\\x1b[2J\\x0a9999" in table, table
        assert not any(ln.startswith(b"9999") for ln in table.splitlines()), table


def case_a_swapped_fd_forges_no_memory():
    """One fd number of a process is a DRM client one moment and a dma-buf
    named "\ndrm-total-x:\t99999999 GiB" the next, swapped by a thread:
    whatever fdid mem finds there when it reads, no number of the name
    reaches a client, a device or the machine (the fdinfo read is of the
    client's own file, pinned, and a dma-buf's text is no client's). An
    O_PATH open of the card is no client at all. (Six runs: the thread swaps
    far more often than a run takes.)"""
    if not os.access(MEM_SWAPPER, os.X_OK):
        raise Skip("no mem_swapper (built with libdrm: -Ddrm=disabled here)")
    with reporting_helper([MEM_SWAPPER], "mem_swapper", absent="no vgem (runs in the guest)") \
            as i:
        pinned = 0
        for _ in range(6):
            doc = mem_json([i["p"]])
            t = doc["totals"]
            assert t["drm_memory_bytes"] < 1 << 40, t
            assert all(c["memory"] < 1 << 40 for c in doc["clients"]), doc["clients"]
            assert all(d["memory_bytes"] < 1 << 40 for d in doc["devices"]), doc["devices"]
            holders = {(h["pid"], h["fd"]) for c in doc["clients"] for h in c["holders"]}
            assert (i["p"], i["opath"]) not in holders, doc["clients"]
            assert t["drm_path_fds"] == 1, t
            pinned += sum(c["fdinfo_pinned"] for c in doc["clients"])
        assert pinned, "root reads a client's fdinfo through its own fd of it"
        ls = json.loads(run_fdid(["ls", "-J", "-a", "-p", str(i["p"])]).stdout)
        path = [d for d in ls["descriptions"]
                if (i["p"], i["opath"]) in {(x["pid"], x["fd"]) for x in d["holders"]}]
        assert len(path) == 1 and path[0]["path_only"] is True, path


def case_virtio_gpu_clients():
    """virtio-gpu: the same two clients, one fdinfo read each."""
    with mem_holder("virtio_gpu", False) as i:
        doc = mem_json([i["p"], i["c0"], i["c1"]])
        check_clients(doc, i)
        assert doc["totals"]["dmabufs"] == 0, doc["totals"]
        # The DRM driver, not the PCI function's (virtio-pci), on 6.1 too,
        # where fdinfo names none.
        assert [d["driver"] for d in doc["devices"]] == ["virtio_gpu"], doc["devices"]


def case_without_kcmp_nothing_is_merged():
    """No identity method allowed: every DRM fd is a client of its own,
    flagged, never merged on a guess; buffers (one inode each) still
    count once."""
    with mem_holder("vgem", True) as i:
        doc = mem_json([i["p"], i["c0"], i["c1"]], env={"FDID_METHODS": "none"})
        assert len(doc["clients"]) == 4, doc["clients"]
        assert all(not c["verified"] and len(c["holders"]) == 1 for c in doc["clients"])
        t = doc["totals"]
        assert t["drm_clients"] == 4 and t["drm_clients_unverified"] == 4, t
        assert t["dmabufs"] == 4, t
        assert t["dmabuf_bytes"] == i["f_size"] + i["m_size"] + i["bo_size"] + \
            i["c1_fds"]["l_size"], t


def case_script_form():
    """-o/--raw/--noheadings: the process table alone, lsfd's way. Raw
    cells are one blank apart (the hostile command's blanks escaped), in
    -o's order; the numbers are the JSON document's."""
    with mem_holder("vgem", True) as i:
        pids = [i["p"], i["c0"], i["c1"]]
        sel = []
        for p in pids:
            sel += ["-p", str(p)]
        doc = mem_json(pids)
        procs = {p["pid"]: p for p in doc["processes"]}
        out = run_fdid_bytes(["mem", "-b", "--raw", "--noheadings", "-o",
                              "pid,COMMAND,held,PSS,Drm-Mem,PID"] + sel).stdout
        lines = out.splitlines()
        assert len(lines) == len(procs), out
        assert_no_raw_controls(out)
        for line in lines:
            cells = line.split(b" ")
            assert len(cells) == 6, line
            pid = int(cells[0])
            assert int(cells[5]) == pid
            p = procs[pid]
            assert unescape(cells[1]) == HOSTILE_NAME[:15], cells[1]
            assert int(cells[2]) == p["dmabuf_bytes"], (line, p)
            assert int(cells[3]) == p["dmabuf_pss_bytes"], (line, p)
            assert int(cells[4]) == p["drm_memory_bytes"], (line, p)
        # +LIST adds to every column; the header names them, in order.
        table = run_fdid(["mem", "-o", "+PID"] + sel).stdout.splitlines()
        assert table[0].split() == ["PID", "COMMAND", "DMABUFS", "HELD", "ALONE", "PSS",
                                    "CLIENTS", "DRM-MEM", "PID"], table[0]
        assert len(table) == 1 + len(procs), table
        # Units stay one cell in a raw table: "1.0MiB", not "1.0 MiB".
        for line in run_fdid_bytes(["mem", "--raw", "-o", "HELD,PID"] + sel).stdout \
                .splitlines()[1:]:
            assert len(line.split(b" ")) == 2, line


def case_live_view():
    """-i/-n: one JSON document per sample, each with the time since the
    one before; under a pseudo-terminal the table is redrawn in place, in
    a pipe the samples follow each other. vgem and virtio-gpu print no
    engine counters: utilisation is checked in test_drm_usage on the
    kernel document's counters."""
    out = run_fdid(["mem", "-J", "-i", "0.2", "-n", "3", "-p", str(os.getpid())]).stdout
    docs = [json.loads(ln) for ln in out.splitlines()]
    assert len(docs) == 3, out
    for d in docs:
        assert 0.1e9 < d["interval_ns"] < 5e9, d["interval_ns"]
    piped = run_fdid_bytes(["mem", "-i", "0.1", "-n", "2", "-p", str(os.getpid())]).stdout
    assert piped.count(b"fdid mem: every 0.1 s") == 2 and b"\x1b" not in piped, piped

    data = run_fdid_in_pty(["mem", "-i", "0.1", "-n", "2", "-p", str(os.getpid())], 80)
    assert data.count(b"\x1b[H\x1b[2J") == 2, data


def case_forbidden_and_vanishing_processes_are_counted():
    """As an unprivileged user a root process is denied, counted, and its
    hostile command escaped; processes that exit during the scan are
    counted or gone, never fatal."""
    if os.geteuid() != 0:
        raise Skip("needs root to run fdid as another user")

    def setup():
        set_comm(b"x\x1b[2J,y/z\x07")
        return {}

    with Holder(setup) as h, fdid_for_others() as env:
        r = run_fdid(["mem", "-J", "-p", str(h.pid)], user=65534, env=env)
        doc = json.loads(r.stdout)
        assert doc["totals"]["processes_denied"] == 1, doc["totals"]
        assert doc["skipped"][0]["command"] == "x\x1b[2J,y/z\x07", doc["skipped"]
        table = run_fdid_bytes(["mem", "-p", str(h.pid)], user=65534, env=env).stdout
        assert_no_raw_controls(table)
        assert f"skipped: {h.pid}/x\\x1b[2J\\x2cy\\x2fz\\x07 (denied)".encode() in table, table

    # Short-lived processes all through a whole-machine scan.
    stop = time.monotonic() + 3
    churn = subprocess.Popen([sys.executable, "-c",
                              "import os,time\n"
                              f"while time.monotonic() < {stop}:\n"
                              "    p = os.fork()\n"
                              "    if p == 0: os._exit(0)\n"
                              "    os.waitpid(p, 0)\n"])
    try:
        while time.monotonic() < stop:
            doc = json.loads(run_fdid(["mem", "-J"]).stdout)
            t = doc["totals"]
            assert t["dmabuf_bytes"] <= t["dmabuf_bytes_per_process"], t
            assert sum(p["dmabuf_pss_bytes"] for p in doc["processes"]) <= t["dmabuf_bytes"], t
    finally:
        churn.wait()


def case_cli_usage():
    """Bad options are errors with a message; a missing pid is exit 3."""
    for bad in (["-i", "0"], ["-i", "x"], ["-i", "1e9"], ["-n", "2"], ["-i", "1", "-n", "0"],
                ["-p", "1x"], ["extra"], ["-i", " 1"], ["-i", "0x1p0"], ["-i", "1e0"],
                ["-i", "+1"], ["-i", "0,5"], ["-i", "1."], ["-i", "inf"], ["-i", "nan"]):
        r = run_fdid(["mem"] + bad, check=False)
        assert r.returncode == 2 and r.stderr, (bad, r.returncode, r.stderr)
    for bad in (["-o", "NOPE"], ["-o", "PID,"], ["-o", ""], ["-o", "PID", "-J"],
                ["--raw", "--format", "prometheus"], ["--noheadings", "-B"],
                ["--format", "yaml"], ["-o", ",".join(["PID"] * 17)]):
        r = run_fdid(["mem"] + bad, check=False)
        assert r.returncode == 2 and r.stderr.startswith("fdid: "), (bad, r.returncode, r.stderr)
    r = run_fdid(["mem", "-p", "2147483647"], check=False)
    assert r.returncode == 3 and "no process" in r.stderr, r
    assert "--interval" in run_fdid(["mem", "--help"]).stdout
    listed = run_fdid(["mem", "--list-columns"]).stdout.split()
    assert "DRM-MEM" in listed and "PSS" in listed, listed


COMMA_LOCALE = """comment_char %
escape_char /
LC_NUMERIC
decimal_point ","
thousands_sep "."
grouping 3;3
END LC_NUMERIC
"""


def case_numbers_ignore_the_locale():
    """In a locale with a decimal comma, -i still takes "0.5" (and not
    "0,5"), and what fdid prints has points: JSON stays JSON."""
    with tempfile.TemporaryDirectory() as loc:
        # Numbers only (German's decimal comma), in ASCII: made in
        # milliseconds, even under emulation.
        Path(loc, "comma").write_text(COMMA_LOCALE)
        subprocess.run(["localedef", "-c", "-f", "ANSI_X3.4-1968", "-i",
                        os.path.join(loc, "comma"), os.path.join(loc, "xx_XX")],
                       capture_output=True)
        if not os.path.isdir(os.path.join(loc, "xx_XX")):
            raise Skip("no locale with a decimal comma can be made here (Debian's locales)")
        env = {"LOCPATH": loc, "LC_ALL": "", "LANG": "C.UTF-8", "LC_NUMERIC": "xx_XX"}
        out = run_fdid(["mem", "-i", "0.5", "-n", "1", "-p", str(os.getpid())], env=env).stdout
        assert "every 0.5 s" in out, out
        r = run_fdid(["mem", "-i", "0,5", "-n", "1"], env=env, check=False)
        assert r.returncode == 2, r
        for line in run_fdid(["mem", "-J", "-i", "0.2", "-n", "2", "-p", str(os.getpid())],
                             env=env).stdout.splitlines():
            json.loads(line)


def prometheus(pids=(), env=None):
    """fdid mem --format=prometheus, read by prometheus_client's own parser
    (Debian's python3-prometheus-client): {(name, labels): value}, label
    values back to their bytes."""
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        # Debian's package, where another python3 comes first on PATH.
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError:
            raise Skip("no prometheus_client (Debian's python3-prometheus-client)")
    args = ["mem", "--format=prometheus"]
    for p in pids:
        args += ["-p", str(p)]
    raw = run_fdid_bytes(args, env=env).stdout
    text = raw.decode("utf-8")  # strict: the format is UTF-8
    assert_no_raw_controls(raw.replace(b"\n", b""), utf8=True)
    got = {}
    for fam in text_string_to_metric_families(text):
        assert fam.type == "gauge" and fam.name.startswith("fdid_"), fam
        for smp in fam.samples:
            labels = tuple(sorted((k, unescape(v.encode("utf-8")))
                                  for k, v in smp.labels.items()))
            assert (smp.name, labels) not in got, ("one series per label set", smp)
            got[(smp.name, labels)] = smp.value
    return got


def compare_prometheus_with_json(pids):
    got = prometheus(pids)
    doc = mem_json(pids)
    t = doc["totals"]
    for key, name in (("dmabufs", "fdid_dmabufs"), ("dmabuf_bytes", "fdid_dmabuf_bytes"),
                      ("dmabuf_fds", "fdid_dmabuf_fds"), ("drm_clients", "fdid_drm_clients"),
                      ("drm_memory_bytes", "fdid_drm_memory_bytes"),
                      ("drm_memory_bytes_per_fd", "fdid_drm_memory_per_fd_bytes")):
        assert got[(name, ())] == t[key], (name, got[(name, ())], t[key])


def case_prometheus_parses_and_matches_json():
    """The totals in Prometheus' text format parse in a real parser and
    are the JSON's numbers; bad uses are errors. In the guests, over the
    holder's processes: the whole machine changes between two scans while
    a batch guest runs another test beside this one."""
    try:
        with mem_holder("vgem", True) as i:
            compare_prometheus_with_json([i["p"], i["c0"], i["c1"]])
    except Skip:
        compare_prometheus_with_json([])
    for bad in (["--format=xml"], ["--format"], ["--format=prometheus", "-i", "1"]):
        r = run_fdid(["mem"] + bad, check=False)
        assert r.returncode == 2 and r.stderr, (bad, r)


def case_prometheus_hostile_names_and_every_process():
    """vgem: per-process, per-device and machine metrics under the hostile
    command name parse cleanly, name the holder's bytes exactly, and are the
    JSON's numbers."""
    with mem_holder("vgem", True) as i:
        pids = [i["p"], i["c0"], i["c1"]]
        got = prometheus(pids)
        doc = mem_json(pids)
        for p in doc["processes"]:
            labels = (("command", fs_bytes(p["command"])), ("pid", str(p["pid"]).encode()))
            assert labels[0][1] == HOSTILE_NAME[:15], labels
            for key, name in (("dmabufs", "fdid_process_dmabufs"),
                              ("dmabuf_bytes", "fdid_process_dmabuf_bytes"),
                              ("dmabuf_alone_bytes", "fdid_process_dmabuf_alone_bytes"),
                              ("dmabuf_pss_bytes", "fdid_process_dmabuf_pss_bytes"),
                              ("drm_clients", "fdid_process_drm_clients"),
                              ("drm_memory_bytes", "fdid_process_drm_memory_bytes")):
                assert got[(name, labels)] == p[key], (name, labels, got.get((name, labels)))
        for d in doc["devices"]:
            labels = (("device", d["device"].encode()), ("driver", d["driver"].encode()))
            assert got[("fdid_device_drm_clients", labels)] == d["clients"], (labels, got)
            assert got[("fdid_device_memory_bytes", labels)] == d["memory_bytes"], (labels, got)
        assert got[("fdid_dmabuf_bytes", ())] == doc["totals"]["dmabuf_bytes"]
        assert got[("fdid_dmabuf_bytes_per_fd", ())] == doc["totals"]["dmabuf_bytes_per_fd"]


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(CASES))
