#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The public headers speak one vocabulary (docs/api.md, "The words"):

1. fdid's headers include each other as <fdid/...>.
2. Flags and limits are #define'd constants: no anonymous enum.
3. A refcounted fdid object T has `struct T *T_ref(struct T *)`, returning
   its argument (NULL: refused), and `void T_unref(struct T *)`; every
   `_unref`, `_destroy` and `_finish` returns void.
4. Whatever finds or makes a refcounted object hands it out non-const.
5. A `created` out-parameter is `bool *created`.
6. A count (`_count`) is a size_t.
7. A bool answers a question that cannot fail: its comment names no errno.
   A question that can fail returns int: 1 yes, 0 no, or a negative errno.
8. "Not a dma-buf" is -EBADFD wherever a comment names its errno.

    check-vocabulary.py INCLUDE_DIR     (prints TAP; a breach names its header)
"""
import os
import re
import sys

DECL = re.compile(r"(?P<comment>/\*(?:(?!\*/).)*\*/\s*)?^(?P<ret>[a-zA-Z_][\w \*]*?)\s*\b"
                  r"(?P<name>fdid_\w+)\s*\((?P<args>[^;{]*)\)\s*;", re.S | re.M)


def declarations(text):
    for m in DECL.finditer(text):
        ret = " ".join(m.group("ret").split())
        args = " ".join(m.group("args").split())
        yield m.group("name"), ret, args, m.group("comment") or ""


def check(path, text, refcounted):
    name = os.path.basename(path)
    bad = []
    for line in text.splitlines():
        if re.match(r'\s*#\s*include\s*"fdid/', line):
            bad.append(f'{name}: {line.strip()}: fdid headers are included as <fdid/...>')
    if re.search(r"\benum\s*\{", text):
        bad.append(f"{name}: an anonymous enum: flags and limits are #define'd")
    decls = list(declarations(text))
    names = {d[0]: d for d in decls}
    for fn, ret, args, comment in decls:
        if fn.endswith("_ref"):
            t = fn[: -len("_ref")]
            want = f"struct {t} *"
            if ret != want.strip() and ret.replace(" ", "") != want.replace(" ", ""):
                bad.append(f"{name}: {fn} returns '{ret}', not '{want.strip()}'")
            if not re.fullmatch(rf"struct {t} \*\s*\w+", args):
                bad.append(f"{name}: {fn}({args}): takes the object alone")
            if t + "_unref" not in names:
                bad.append(f"{name}: {fn} without {t}_unref")
        if re.search(r"_(unref|destroy|finish)$", fn) and ret != "void":
            bad.append(f"{name}: {fn} returns '{ret}', not void")
        for t in refcounted:
            if re.search(rf"const struct {t} \*\*", args):
                bad.append(f"{name}: {fn} hands out a const struct {t}: it is unref'd later")
        for m in re.finditer(r"([\w ]+?)\*\s*created\b", args):
            if m.group(1).split()[-1] != "bool":
                bad.append(f"{name}: {fn}: created is '{m.group(1).strip()} *', not 'bool *'")
        if fn.endswith("_count") and ret != "size_t":
            bad.append(f"{name}: {fn} counts in '{ret}', not size_t")
        if ret == "bool" and re.search(r"-E[A-Z]{3,}", comment):
            bad.append(f"{name}: {fn} returns bool but its comment names an errno")
    # "not a dma-buf": the errno of the bullet or sentence that says it.
    for m in re.finditer(r"(-E[A-Z]+)(?:(?!-E[A-Z]).){0,120}?not a dma-buf", text, re.S):
        if m.group(1) not in ("-EBADFD", "-EBADF"):
            bad.append(f"{name}: 'not a dma-buf' is {m.group(1)}, not -EBADFD")
    return bad


def main():
    folder = sys.argv[1]
    headers = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".h"))
    texts = {h: open(h).read() for h in headers}
    refcounted = sorted({fn[: -len("_ref")] for t in texts.values()
                         for fn, *_ in declarations(t) if fn.endswith("_ref")})
    print(f"1..{len(headers)}")
    failed = 0
    for i, h in enumerate(headers, 1):
        bad = check(h, texts[h], refcounted)
        for b in bad:
            print(f"# {b}")
        print(f"{'not ok' if bad else 'ok'} {i} - {os.path.basename(h)}")
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
