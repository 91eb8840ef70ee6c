#!/bin/sh
# A program linked with libhakmem.a, fully static (-static) or not, runs on hakmem and reports its
# profile at exit, like one on libhakmem.so, and hakmem-stat reads that report although it preloads
# nothing into a static program. The static link gives no warning (libhakmem.a never refers to
# dlopen: it does not load libpfm4, so HAKMEM_PMU knows perf's generic names there and shows any
# other as <not supported> with the reason).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
archive="$HKM_TOP_BUILDDIR/src/.libs/libhakmem.a"
[ -f "$archive" ] || { echo "no libhakmem.a (configure --disable-static): skipped"; exit 77; }
cc=${HKM_CC:-cc}
libs=$(sed -n 's/^Libs.private: *//p' "$HKM_TOP_BUILDDIR/hakmem.pc")
cd "$tmp" || exit 1
printf 'int main(void) { return 0; }\n' > empty.c
$cc -static empty.c -o empty 2> /dev/null || { echo "no static C library (libc.a): skipped"; exit 77; }

cat > app.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <hakmem.h>
int main(void) {
  static void *volatile p[1000];
  for (int i = 0; i < 1000; i++) p[i] = malloc(100);
  for (int i = 0; i < 1000; i++) free(p[i]);
  printf("%s\n", hak_version());
  return 0;
}
C
# shellcheck disable=SC2086
$cc -static -I"$HKM_TOP_SRCDIR/src" app.c "$archive" $libs -o app_static 2> link.err || { cat link.err; fail "static link"; }
[ ! -s link.err ] || { cat link.err; fail "the static link warned"; }
# shellcheck disable=SC2086
$cc -I"$HKM_TOP_SRCDIR/src" app.c "$archive" $libs -o app_archive 2> link.err || { cat link.err; fail "link with libhakmem.a"; }

for app in app_static app_archive; do
  HAKMEM_TIMING=1 "./$app" > out 2> err || fail "$app failed"
  grep -qx '[0-9][0-9.]*' out || fail "$app: its output: $(cat out)"
  expect err "$app: no report at exit" '^HAKMEM profile (pid [0-9]*'
  "$stat" -j -o j "./$app" > out || fail "hakmem-stat $app failed"
  check_py j "$app" <<'PY' || fail "hakmem-stat did not read $app's report"
assert j["totals"]["processes"] == 1, (sys.argv[2], j["totals"])
if j["profile"]["timing_compiled"]:
    cats = {c["name"]: c for c in j["profile"]["categories"]}
    assert cats["tiny_alloc"]["count"] >= 1000, (sys.argv[2], cats["tiny_alloc"])
PY
done

[ "$(timing_compiled)" = 1 ] || { echo "static programs report; PMU part skipped (--disable-timing)"; exit 0; }
HAKMEM_PMU=page-faults,INST_RETIRED:ANY_P HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_FILE=pmu.json \
  ./app_static > /dev/null 2> err || fail "app_static with HAKMEM_PMU failed"
[ ! -s err ] || { cat err; fail "app_static with HAKMEM_PMU printed warnings"; }
check_py pmu.json <<'PY' || fail "HAKMEM_PMU in a static program"
ev = {e["name"]: e for e in j["pmu"]["events"]}
assert ev["page-faults"]["supported"] or "not allowed" in ev["page-faults"]["error"], ev
assert not ev["INST_RETIRED:ANY_P"]["supported"], ev
assert ev["INST_RETIRED:ANY_P"]["error"] == "libhakmem.a does not load libpfm4: only perf's generic names", ev
PY
echo "libhakmem.a: static and dynamic programs report; no link warning; generic events"
