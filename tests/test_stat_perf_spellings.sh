#!/bin/sh
# perf stat's spellings work where users type them from habit: -j and --json-output as well as
# --json; -M is the mode here, and perf stat's meaning of -M (--metrics) cannot pass for one: a
# metric name is refused with a line that names --mode.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"

for j in -j --json-output --json; do
  "$stat" $j -o "$tmp/j" "$prog" exit 0 || fail "$j failed"
  check_py "$tmp/j" <<'PY' || fail "$j gave no JSON report"
assert j["schema"] == "hakmem-stat" and j["totals"]["processes"] == 1, j
PY
done
"$stat" -j -x , "$prog" exit 0 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q '^hakmem-stat: -j/--json and -x cannot be combined$' "$tmp/err" || { cat "$tmp/err"; fail "-j -x gave $rc"; }

for m in "-M IPC" "--mode=Frontend_Bound" "-M fast,IPC"; do
  # shellcheck disable=SC2086
  "$stat" $m "$prog" exit 0 > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ $rc = 2 ] && head -1 "$tmp/err" | grep -q \
    '^hakmem-stat: -M/--mode wants minimal, fast, balanced, learning or research, not .* (-M is hakmem.s mode here, not perf stat.s --metrics)$' ||
    { cat "$tmp/err"; fail "'$m' gave $rc"; }
  [ ! -s "$tmp/out" ] || fail "'$m' ran the command"
done
"$stat" -q --mode fast -j -o "$tmp/j" "$py" -c 'import os; print(os.environ["HAKMEM_MODE"])' > "$tmp/out" ||
  fail "--mode fast failed"
[ "$(cat "$tmp/out")" = fast ] || fail "--mode fast gave HAKMEM_MODE=$(cat "$tmp/out")"
"$stat" --help > "$tmp/help" || fail "--help"
expect "$tmp/help" "--help: -j" -- '-j, --json'
expect "$tmp/help" "--help: --json-output" -- '--json-output'
expect "$tmp/help" "--help: -M is not --metrics" -- '--metrics'
echo "-j, --json-output, --json; -M/--mode refuses metric names"
