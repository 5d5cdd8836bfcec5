#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fdid(1), bash completion and --version, against the command itself:
- the man page renders with `man -l` without a warning, and names every
  command of `fdid --help` and every option of each command's --help;
- the completion offers the commands, each command's options (every one
  its --help lists), and the values of -t, -m, -o and -f;
- `fdid --version` prints the project's version.

Environment (set by meson): FDID_CLI, FDID_MAN (the built page, absent
without asciidoctor), FDID_COMPLETION, FDID_VERSION."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_harness import Skip, main, run_fdid  # noqa: E402

COMMANDS = ["ls", "dmabuf", "mem", "probe", "same", "sandbox"]
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


def listed_options(cmd):
    text = run_fdid([cmd, "--help"]).stdout
    return {o for pair in re.findall(r"^\s+(-\w), (--[\w-]+)", text, re.M) for o in pair}


def case_man_page_renders_and_covers_every_option():
    page = os.environ.get("FDID_MAN")
    if not page or not os.path.exists(page):
        raise Skip("no man page built (asciidoctor not found)")
    if shutil.which("man") is None:
        raise Skip("no man here")
    r = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                       env={**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0"})
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    text = re.sub(r".\x08", "", r.stdout)
    assert "fdid - list open file descriptions" in text, text[:400]
    for cmd in COMMANDS:
        assert re.search(rf"^\s+{cmd}\b", text, re.M), f"command {cmd} not described"
        for opt in listed_options(cmd):
            assert opt in text, f"fdid {cmd} {opt} is not in the man page"
    assert "--version" in text and "FDID_METHODS" in text


def complete(line):
    comp = os.environ.get("FDID_COMPLETION")
    if not comp or not os.path.exists(BASH_COMPLETION):
        raise Skip("no bash-completion here")
    words = line.split(" ")
    script = (f"source {BASH_COMPLETION}; source {comp}; "
              f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
              f"COMP_LINE={line!r}; COMP_POINT={len(line)}; _fdid_module; "
              "printf '%s\\n' \"${COMPREPLY[@]}\"")
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def case_completion_offers_commands_options_and_values():
    assert complete("fdid ") == set(COMMANDS), complete("fdid ")
    assert complete("fdid sa") == {"same", "sandbox"}
    assert complete("fdid san") == {"sandbox"}
    for cmd in COMMANDS:
        offered = complete(f"fdid {cmd} -")
        missing = listed_options(cmd) - offered
        assert not missing, (cmd, missing)
    assert complete("fdid sandbox -f ") == {"text", "json", "c", "systemd", "chromium"}
    assert complete("fdid sandbox -m ") == {"dupfd_query", "kcmp", "epoll", "all", "none"}
    assert "inspector" in complete("fdid sandbox -o ")
    assert "HOLDERS" in complete("fdid ls -o ")
    assert "dmabuf" in complete("fdid ls -t ")
    assert str(os.getpid()) in complete("fdid mem -p ")


def case_version():
    out = run_fdid(["--version"]).stdout
    assert out == f"fdid {os.environ.get('FDID_VERSION', '')}\n", out
    assert run_fdid(["-V"]).stdout == out


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]

if __name__ == "__main__":
    sys.exit(main(CASES))
