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

# 2. Installed, through pkg-config.
meson setup "$work/lib" "$src" --prefix="$work/root" -Dvm=disabled >/dev/null
meson compile -C "$work/lib" >/dev/null
meson install -C "$work/lib" >/dev/null
pcdir=$(dirname "$(find "$work/root" -name fdid.pc)")
libdir=$(dirname "$(find "$work/root" -name 'libfdid.so' | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
cc "$work/consumer.c" -o "$work/consumer" $(pkg-config --cflags --libs fdid)
LD_LIBRARY_PATH="$libdir" "$work/consumer"
# Only the public API is exported.
unexported=$(nm -D --defined-only "$libdir/libfdid.so" | awk '$2 == "T" && $3 !~ /^fdid_/ {print $3}')
[ -z "$unexported" ] || { echo "non-API symbols exported: $unexported"; exit 1; }
echo "pkg-config: ok"
