#!/bin/sh
# A destination that cannot be used (a path in a missing directory, a malformed fd:, a closed fd)
# costs one warning line; the report then goes to stderr and the program exits normally.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
export HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json
for dest in "$tmp/missing/dir/p.json" fd:x fd:57; do
  HAKMEM_TIMING_FILE=$dest "$prog" work 2> "$tmp/err" || fail "program failed with $dest"
  n=$(grep -c "^hakmem: HAKMEM_TIMING_FILE=$dest" "$tmp/err")
  [ "$n" -eq 1 ] || { cat "$tmp/err"; fail "$n warning lines for $dest, want 1"; }
  [ "$(grep -c '^hakmem:' "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "other warnings for $dest"; }
  check_json "$tmp/err" <<'PY' || fail "no report on stderr for $dest"
assert len(r) == 1 and cat(r[0], "hak_alloc")["count"] > 0
PY
  echo "$dest: one warning, report on stderr"
done
