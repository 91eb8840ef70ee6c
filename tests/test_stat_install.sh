#!/bin/sh
# make install puts everything where a user looks for it, with DESTDIR and without, and the
# installed hakmem-stat finds the installed library on its own. A fresh build of this tree's
# distribution files (make distdir) in a scratch directory, configured with --prefix there, so the
# test never touches the real prefix and works the same under make distcheck.
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
  for f in bin/hakmem-stat lib/libhakmem.so include/hakmem.h lib/pkgconfig/hakmem.pc share/man/man3/hakmem.3 \
    share/man/man1/hakmem-stat.1; do
    [ -e "$root/$f" ] || fail "$root/$f not installed"
  done
  [ -x "$root/bin/hakmem-stat" ] || fail "$root/bin/hakmem-stat not executable"
done

cd "$tmp" || exit 1
"$tmp/prefix/bin/hakmem-stat" --json -o "$tmp/j" "$py" -c 'print("installed")' > "$tmp/out" || fail "installed hakmem-stat failed"
[ "$(cat "$tmp/out")" = installed ] || fail "the program's output: $(cat "$tmp/out")"
check_py "$tmp/j" "$tmp/prefix/lib/libhakmem.so" <<'PY' || fail "the installed hakmem-stat did not use the installed library"
assert j["library"] == sys.argv[2], (j["library"], sys.argv[2])
assert j["totals"]["processes"] == 1, j["totals"]
PY
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --libs hakmem | grep -q -- "-L$tmp/prefix/lib" ||
  fail "hakmem.pc does not point at the installed library"
echo "installed: bin, lib, include, pkgconfig, man1, man3; hakmem-stat finds its library"
