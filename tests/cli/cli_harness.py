# SPDX-License-Identifier: MIT
"""What the command-line checkers (check-inspector.py, check-mem.py)
share: forked holders of fds, running fdid, the terminal escape's
inverse, and the TAP (or piglit) runner of their case_ functions.

The fdid binary is FDID_CLI or ../../src/cli/fdid next to this file in the
build tree; the C helpers (inspect_holder, mem_holder) sit beside it."""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FDID = os.environ.get("FDID_CLI") or str(HERE / ".." / ".." / "src" / "cli" / "fdid")


class Skip(Exception):
    pass


# ---- processes that hold fds ---------------------------------------------

class Holder:
    """A forked child that runs setup() (which opens what it holds and
    returns a JSON-able description of it), reports, and waits to be
    released. Forked, so it shares every fd the parent has at that time."""

    # Control pipes of the holders alive: a holder forked later must not
    # keep an earlier one's open, or that one never sees its release.
    _alive = set()

    def __init__(self, setup=lambda: {}, wait=True):
        self._rd, wr = os.pipe()
        self._ctl_r, self._ctl_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self._rd)
                os.close(self._ctl_w)
                for fd in Holder._alive:
                    os.close(fd)
                info = setup()
                os.write(wr, (json.dumps(info) + "\n").encode())
                os.close(wr)
                os.read(self._ctl_r, 1)
            finally:
                os._exit(0)
        os.close(wr)
        os.close(self._ctl_r)
        Holder._alive.add(self._ctl_w)
        if wait:
            self.wait_ready()

    def wait_ready(self):
        """Reads the holder's report (setup() done)."""
        with os.fdopen(self._rd) as f:
            line = f.readline()
        if not line:
            raise AssertionError("holder died during setup")
        self.info = json.loads(line)

    def release(self):
        if self._ctl_w is not None:
            Holder._alive.discard(self._ctl_w)
            os.close(self._ctl_w)
            self._ctl_w = None
            os.waitpid(self.pid, 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


@contextlib.contextmanager
def reporting_helper(argv, name, absent=""):
    """A C helper (inspect_holder, mem_holder) that sets up fds, prints one
    JSON line saying where they are, and holds them until its stdin
    closes: yields that report, then releases it, and it must exit 0. An
    exit of 77 before any report says what it needs is absent here: a skip,
    `absent` saying why."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        if not line and p.wait(timeout=30) == 77:
            raise Skip(absent)
        if not line:
            raise AssertionError(f"{name} failed")
        yield json.loads(line)
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    assert p.returncode == 0, (name, p.returncode)


def run_fdid(args, env=None, user=None, check=True, text=True, pass_fds=()):
    e = dict(os.environ)
    e.update(env or {})
    binary = e.pop("FDID_CLI_COPY", FDID)
    r = subprocess.run([binary] + args, capture_output=True, text=text, env=e,
                       user=user, timeout=120, pass_fds=pass_fds)
    if r.returncode < 0:
        raise AssertionError(f"fdid {' '.join(args)} died of signal {-r.returncode}")
    if check and r.returncode != 0:
        raise AssertionError(f"fdid {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def run_fdid_bytes(args, env=None, user=None, check=True):
    """Output as bytes: what reaches a terminal, undecoded."""
    return run_fdid(args, env=env, user=user, check=check, text=False)


class fdid_for_others:
    """fdid and libfdid copied to a directory every user may read, for runs
    as another user: the build tree may sit where they cannot (/root).
    Yields the environment for run_fdid."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="fdid-cli-")
        os.chmod(self.dir, 0o755)
        binary = os.path.join(self.dir, "fdid")
        shutil.copy2(FDID, binary)
        # The library the binary found through its RUNPATH.
        out = subprocess.run(["ldd", FDID], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0].startswith("libfdid") and parts[1] == "=>":
                shutil.copy2(parts[2], os.path.join(self.dir, parts[0]))
        for f in os.listdir(self.dir):
            os.chmod(os.path.join(self.dir, f), 0o755)
        return {"FDID_CLI_COPY": binary, "LD_LIBRARY_PATH": self.dir}

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def set_comm(name):
    """This process's command name, any bytes (the kernel keeps 15)."""
    with open("/proc/self/comm", "wb") as f:
        f.write(name)


def assert_no_raw_controls(out, utf8=False):
    """Terminal output: no control byte but newlines, no DEL; in the C
    locale only ASCII; in a UTF-8 locale valid UTF-8 without C1 controls
    or bidirectional overrides."""
    for i, b in enumerate(out):
        assert b == 0x0a or 0x20 <= b < 0x7f or (utf8 and b >= 0x80), \
            f"raw byte {b:#04x} at {i}: {out[max(0, i - 40):i + 40]!r}"
    if utf8:
        text = out.decode("utf-8")  # strict: raises on invalid UTF-8
        for ch in text:
            assert not (0x80 <= ord(ch) < 0xa0) and ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029", \
                f"raw {ch!r} in {text!r}"


def unescape(cell):
    """The inverse of fdid's terminal escape: \\\\ and \\xHH."""
    out = bytearray()
    i = 0
    while i < len(cell):
        if cell[i:i + 2] == b"\\\\":
            out += b"\\"
            i += 2
        elif cell[i:i + 2] == b"\\x":
            out.append(int(cell[i + 2:i + 4], 16))
            i += 4
        else:
            assert cell[i] != 0x5c, f"lone backslash in {cell!r}"
            out.append(cell[i])
            i += 1
    return bytes(out)


def fs_bytes(s):
    """A JSON string back to the bytes it stands for (surrogateescape)."""
    return s.encode("utf-8", "surrogateescape")


def vgem_present():
    """Is there a vgem node? vgem's device is the platform device "vgem"
    (it has no driver link in sysfs); inspect_holder finds the node itself
    by the DRM driver's name."""
    for card in Path("/sys/class/drm").glob("card[0-9]*"):
        device = card / "device"
        if "-" not in card.name and device.exists() and device.resolve().name == "vgem":
            return True
    return False


def main(cases):
    """TAP for meson; piglit's protocol under piglit (PIGLIT_PLATFORM set),
    like the C test programs. Arguments (piglit adds -auto -fbo) are
    ignored."""
    piglit = "PIGLIT_PLATFORM" in os.environ or "FDID_TEST_PIGLIT" in os.environ
    if not os.access(FDID, os.X_OK):
        print(f"Bail out! no fdid binary at {FDID}" if not piglit else
              'PIGLIT: {"result": "fail" }')
        return 1
    if not piglit:
        print(f"1..{len(cases)}")
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for n, case in enumerate(cases, 1):
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
            import traceback
            where = traceback.extract_tb(e.__traceback__)[-1]
            result, why = "fail", f"{type(e).__name__}: {e}\n" \
                f"(at {os.path.basename(where.filename)}:{where.lineno}, {where.name})"
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


def run_fdid_in_pty(args, columns, env=None):
    """fdid's output on a terminal `columns` wide (a pseudo-terminal), as
    bytes: where tables wrap."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env or {})
        os.environ.pop("COLUMNS", None)
        os.execv(FDID, ["fdid"] + list(args))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    data = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, data
    return data.replace(b"\r\n", b"\n")
