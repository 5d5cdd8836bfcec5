#!/bin/sh
# fdid as other projects use it: as a meson subproject (dependency('fdid')
# through meson.override_dependency) and installed, through pkg-config.
# Usage: check-consumers.sh SOURCE_ROOT
set -eu
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/consumer.c" <<'C'
#include <fcntl.h>
#include <unistd.h>
#include <fdid/os_file.h>
int main(void)
{
   int a = open("/dev/null", O_RDONLY), b = dup(a), c = open("/dev/null", O_RDONLY);
   /* Mesa's contract: 0 same, >0 different. */
   return !(os_same_file_description(a, b) == 0 && os_same_file_description(a, c) > 0);
}
C

# 1. As a subproject.
mkdir -p "$work/sub/subprojects"
cp "$work/consumer.c" "$work/sub/"
ln -s "$src" "$work/sub/subprojects/fdid"
cat > "$work/sub/meson.build" <<'M'
project('consumer', 'c')
executable('consumer', 'consumer.c', dependencies: dependency('fdid'))
M
meson setup "$work/sub/build" "$work/sub" -Dfdid:vm=disabled >/dev/null
meson compile -C "$work/sub/build" >/dev/null
"$work/sub/build/consumer"
echo "subproject: ok"

# 2. Installed, through pkg-config. Only what is installed is built (the
# libraries; not the command, the tests or the examples).
meson setup "$work/lib" "$src" --prefix="$work/root" -Dvm=disabled -Dcli=disabled >/dev/null
installed=$(meson introspect --targets "$work/lib" | python3 -c '
import json, sys
print(" ".join(t["name"] for t in json.load(sys.stdin) if t["installed"]))')
meson compile -C "$work/lib" $installed >/dev/null
meson install -C "$work/lib" --no-rebuild >/dev/null
pcdir=$(dirname "$(find "$work/root" -name fdid.pc)")
libdir=$(dirname "$(find "$work/root" -name 'libfdid.so' | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
cc "$work/consumer.c" -o "$work/consumer" $(pkg-config --cflags --libs fdid)
LD_LIBRARY_PATH="$libdir" "$work/consumer"
# Only the public API is exported.
unexported=$(nm -D --defined-only "$libdir/libfdid.so" | awk '$2 == "T" && $3 !~ /^fdid_/ {print $3}')
[ -z "$unexported" ] || { echo "non-API symbols exported: $unexported"; exit 1; }
echo "pkg-config: ok"

# 3. The sandbox rules into a libseccomp filter, through fdid-seccomp.pc
# (where libseccomp was found): a filter that allows fdid's identity calls
# and refuses the rest, loaded in a child that then asks a question.
if [ -f "$pcdir/fdid-seccomp.pc" ]; then
    cat > "$work/sandboxed.c" <<'C'
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fdid/identity.h>
#include <fdid/sandbox_seccomp.h>
int main(void)
{
   int a = open("/dev/null", O_RDONLY), b = dup(a);
   pid_t pid = fork();
   if (pid == 0) {
      /* The process's own baseline: glibc aborts when futex fails. */
      scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
      if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0) != 0 ||
          seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0) != 0 ||
          seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 0) != 0 ||
          fdid_sandbox_seccomp_add(ctx, FDID_METHOD_ALL, FDID_OP_IDENTITY, SCMP_ACT_ALLOW) != 0 ||
          seccomp_load(ctx) != 0)
         _exit(2);
      _exit(fdid_same_file_description(a, b) == 0 ? 0 : 1);
   }
   int status;
   return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
C
    cc "$work/sandboxed.c" -o "$work/sandboxed" $(pkg-config --cflags --libs fdid-seccomp)
    LD_LIBRARY_PATH="$libdir" "$work/sandboxed"
    unexported=$(nm -D --defined-only "$libdir/libfdid-seccomp.so" |
        awk '$2 == "T" && $3 !~ /^fdid_/ {print $3}')
    [ -z "$unexported" ] || { echo "non-API symbols exported: $unexported"; exit 1; }
    echo "fdid-seccomp: ok"
fi
