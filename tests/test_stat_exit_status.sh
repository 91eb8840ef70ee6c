#!/bin/sh
# hakmem-stat exits with the command's status and still reports; a command it cannot run, a bad
# option and a missing library each give one clear line and their own status (127, 126, 2, 127); a
# TMPDIR that does not exist is no reason to fail (the reports go through /tmp then).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"

"$stat" "$prog" exit 3 2> "$tmp/err"; rc=$?
[ $rc = 3 ] || fail "exit 3 gave $rc"
expect "$tmp/err" "no report after exit 3" "^ hakmem profile for '$prog exit 3':"
grep -q "processes on hakmem" "$tmp/err" || fail "no totals after exit 3"

TMPDIR="$tmp/no-such-dir" "$stat" --json -o "$tmp/j" "$prog" exit 4 2> "$tmp/err"; rc=$?
[ $rc = 4 ] && [ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "TMPDIR that does not exist gave $rc"; }
check_py "$tmp/j" <<'PY' || fail "TMPDIR that does not exist: no report"
assert j["totals"]["processes"] == 1, j["totals"]
PY

"$stat" "$tmp/no-such-command" arg 2> "$tmp/err"; rc=$?
[ $rc = 127 ] || fail "missing command gave $rc"
[ "$(cat "$tmp/err")" = "hakmem-stat: cannot run '$tmp/no-such-command': No such file or directory" ] ||
  { cat "$tmp/err"; fail "missing command message"; }
"$stat" no-such-command-on-path-hkm 2> "$tmp/err"; rc=$?
[ $rc = 127 ] && grep -q "^hakmem-stat: cannot run 'no-such-command-on-path-hkm': No such file or directory$" "$tmp/err" ||
  fail "command not on PATH gave $rc"

printf '#!/bin/sh\necho hi\n' > "$tmp/noexec"
chmod 644 "$tmp/noexec"
"$stat" "$tmp/noexec" 2> "$tmp/err"; rc=$?
[ $rc = 126 ] || fail "non-executable gave $rc"
[ "$(cat "$tmp/err")" = "hakmem-stat: cannot run '$tmp/noexec': Permission denied" ] || { cat "$tmp/err"; fail "126 message"; }

"$stat" --no-such-option "$prog" exit 0 2> "$tmp/err"; rc=$?
[ $rc = 2 ] || fail "bad option gave $rc"
[ "$(head -1 "$tmp/err")" = "hakmem-stat: unknown option '--no-such-option'" ] || { cat "$tmp/err"; fail "bad option line"; }
sed -n 2p "$tmp/err" | grep -q '^usage: hakmem-stat ' || fail "no usage after the bad option"
for bad in "-r 0" "-r x" "--sites 65" "-M turbo" "-Z"; do
  # shellcheck disable=SC2086
  "$stat" $bad "$prog" exit 0 2> "$tmp/err"; rc=$?
  [ $rc = 2 ] && head -1 "$tmp/err" | grep -q '^hakmem-stat: ' || { cat "$tmp/err"; fail "'$bad' gave $rc"; }
done
"$stat" 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q '^hakmem-stat: no command given$' "$tmp/err" || fail "no command gave $rc"
"$stat" --help > "$tmp/out" && grep -q -- '--per-thread' "$tmp/out" || fail "--help"
"$stat" --version | grep -q '^hakmem-stat (hakmem) [0-9]' || fail "--version"

"$stat" --lib "$tmp/missing/libhakmem.so" "$prog" exit 0 > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc = 127 ] || fail "missing --lib gave $rc"
[ "$(cat "$tmp/err")" = "hakmem-stat: --lib $tmp/missing/libhakmem.so: No such file or directory" ] ||
  { cat "$tmp/err"; fail "missing library message"; }
[ ! -s "$tmp/out" ] || fail "the command ran without its library"
"$stat" --lib "$tmp" "$prog" exit 0 2> "$tmp/err"; rc=$?
[ $rc = 127 ] && [ "$(wc -l < "$tmp/err")" = 1 ] || { cat "$tmp/err"; fail "a directory as --lib gave $rc"; }
"$stat" --lib "$HKM_LIB" "$prog" exit 5 2> /dev/null; rc=$?
[ $rc = 5 ] || fail "--lib with the real library gave $rc"
echo "exit statuses: 3, 127, 126, 2, 127"
