#!/bin/sh
# make install puts everything where a user looks for it, with DESTDIR and without, and the
# installed hakmem-stat finds the installed library on its own (libhakmem-prof.so, the counting build), also when the built tree is
# configured again with another --prefix and installed there; the README's cc command for such a
# prefix builds a program that runs. A fresh build of this tree's distribution files (make distdir)
# in a scratch directory, configured with --prefix there, so the test never touches the real prefix
# and works the same under make distcheck.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
log="$tmp/log"
make -C "$HKM_TOP_BUILDDIR" distdir distdir="$tmp/src" top_distdir="$tmp/src" > "$log" 2>&1 ||
  { tail -20 "$log"; fail "make distdir"; }
mkdir "$tmp/build" && cd "$tmp/build" || fail "no build directory"
"$tmp/src/configure" --prefix="$tmp/prefix" > "$log" 2>&1 || { tail -20 "$log"; fail "configure"; }
make -j2 > "$log" 2>&1 || { tail -20 "$log"; fail "make"; }
make install DESTDIR="$tmp/dest" > "$log" 2>&1 || { tail -20 "$log"; fail "make install DESTDIR"; }
make install > "$log" 2>&1 || { tail -20 "$log"; fail "make install"; }
for root in "$tmp/dest$tmp/prefix" "$tmp/prefix"; do
  for f in bin/hakmem-stat lib/libhakmem.so lib/libhakmem-prof.so include/hakmem.h lib/pkgconfig/hakmem.pc share/man/man3/hakmem.3 \
    share/man/man1/hakmem-stat.1; do
    [ -e "$root/$f" ] || fail "$root/$f not installed"
  done
  [ -x "$root/bin/hakmem-stat" ] || fail "$root/bin/hakmem-stat not executable"
done

cd "$tmp" || exit 1
"$tmp/prefix/bin/hakmem-stat" --json -o "$tmp/j" "$py" -c 'print("installed")' > "$tmp/out" || fail "installed hakmem-stat failed"
[ "$(cat "$tmp/out")" = installed ] || fail "the program's output: $(cat "$tmp/out")"
check_py "$tmp/j" "$tmp/prefix/lib/libhakmem-prof.so" <<'PY' || fail "the installed hakmem-stat did not use the installed library"
assert j["library"] == sys.argv[2], (j["library"], sys.argv[2])
assert j["totals"]["processes"] == 1, j["totals"]
PY
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --libs hakmem | grep -q -- "-L$tmp/prefix/lib" ||
  fail "hakmem.pc does not point at the installed library"

# The README's command for a prefix the system does not search builds a program that runs on the
# installed library; without the rpath it would not start.
cmd=$(sed -n 's/^\(cc app\.c .*-rpath.*\)$/\1/p' "$HKM_TOP_SRCDIR/README.md")
[ -n "$cmd" ] || fail "README: no cc command with an rpath"
printf '#include <hakmem.h>\n#include <stdio.h>\nint main(void) { puts(hak_version()); return 0; }\n' > app.c
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" sh -c "$cmd -o app" > "$log" 2>&1 || { cat "$log"; fail "README: $cmd"; }
./app > "$tmp/out" 2>&1 && grep -qx '[0-9][0-9.]*' "$tmp/out" || { cat "$tmp/out"; fail "the README's program did not run"; }
ldd ./app | grep -q "$tmp/prefix/lib/libhakmem.so" || { ldd ./app; fail "the README's program is not on the installed library"; }

# A built tree configured again with another prefix installs a hakmem-stat that looks in the new
# libdir first, not in the old one (which still holds a library here).
cd "$tmp/build" || exit 1
"$tmp/src/configure" --prefix="$tmp/prefix2" > "$log" 2>&1 || { tail -20 "$log"; fail "configure again"; }
make -j2 install > "$log" 2>&1 || { tail -20 "$log"; fail "make install after configure again"; }
cd "$tmp" || exit 1
"$tmp/prefix2/bin/hakmem-stat" --json -o "$tmp/j2" "$py" -c 'pass' || fail "hakmem-stat of the new prefix failed"
check_py "$tmp/j2" "$tmp/prefix2/lib/libhakmem-prof.so" <<'PY' || fail "after configure --prefix again, hakmem-stat took the old prefix's library"
assert j["library"] == sys.argv[2], (j["library"], sys.argv[2])
PY
echo "installed: bin, lib, include, pkgconfig, man1, man3; hakmem-stat finds its library, also after a new --prefix"
