#!/bin/sh
# hakmem is silent in a clean environment; an unknown HAKMEM_* name or a bad value costs exactly one
# warning line and the default; learning runs balanced's caches silently, research prints one notice
# and runs as learning with the profiler on (its report sent elsewhere here). The
# mode in force is read from how many whale mappings it keeps (api_env_prog), with the ring's decay
# pushed out of the way.
prog="$HKM_TESTS_BUILDDIR/api_env_prog"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
fail() { echo "FAIL: $*"; exit 1; }

# run EXPECTED_STDOUT EXPECTED_STDERR_LINES REGEX [VAR=VALUE...]: every stderr line must match REGEX
# (EXPECTED_STDOUT - : any).
run() {
  want_out=$1 want_lines=$2 re=$3
  shift 3
  env HAKMEM_RECLAIM_DELAY_MS=10000 "$@" "$prog" > "$tmp/out" 2> "$tmp/err" || fail "$* : exit status $?"
  lines=$(wc -l < "$tmp/err")
  [ "$lines" -eq "$want_lines" ] || { cat "$tmp/err"; fail "$* : $lines stderr lines, expected $want_lines"; }
  if [ "$want_lines" -gt 0 ] && grep -Ev "$re" "$tmp/err"; then fail "$* : unexpected stderr line above"; fi
  [ "$want_out" = - ] || [ "$(cat "$tmp/out")" = "$want_out" ] || fail "$* : whale ring kept $(cat "$tmp/out"), expected $want_out"
  echo "ok: $* -> $lines line(s), ring $want_out"
}

# Silent: nothing set, and every variable set to a valid value.
env "$prog" > /dev/null 2> "$tmp/err" || fail "plain run failed"
[ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "stderr not empty in a clean environment"; }
LD_PRELOAD="$HKM_LIB" ls -lR "$HKM_TOP_SRCDIR/src" > /dev/null 2> "$tmp/err" || fail "ls under LD_PRELOAD failed"
[ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "stderr not empty under LD_PRELOAD in a clean environment"; }
run 1 0 x
run 0 0 x HAKMEM_MODE=minimal
run 16 0 x HAKMEM_MODE=fast HAKMEM_VERBOSE=0 HAKMEM_TIMING=0 HAKMEM_TIMING_FORMAT=json HAKMEM_RECLAIM=thread \
  HAKMEM_RECLAIM_BATCH=8 HAKMEM_RECLAIM_ADVICE=dontneed HAKMEM_REGION_CAP_MB=64 HAKMEM_WHALE_SLOTS=16

# Unknown names: one line each, naming the variable.
run 1 1 '^hakmem: unknown variable HAKMEM_BOGUS ignored' HAKMEM_BOGUS=1
run 1 1 '^hakmem: unknown variable HAKMEM_MODES ignored' HAKMEM_MODES=fast
run 1 2 '^hakmem: unknown variable HAKMEM_(A|B) ignored' HAKMEM_A=1 HAKMEM_B=

# Bad values: one line, and the default (balanced: 1 mapping) is used.
run 1 1 '^hakmem: HAKMEM_MODE=turbo is not one of .*; using balanced$' HAKMEM_MODE=turbo
run 1 1 '^hakmem: HAKMEM_MODE=FAST is not one of .*; using balanced$' HAKMEM_MODE=FAST
run 1 1 '^hakmem: HAKMEM_WHALE_SLOTS=lots ' HAKMEM_WHALE_SLOTS=lots
run 1 1 '^hakmem: HAKMEM_WHALE_SLOTS=65 ' HAKMEM_WHALE_SLOTS=65
run 1 1 '^hakmem: HAKMEM_VERBOSE=maybe ' HAKMEM_VERBOSE=maybe
run 1 1 '^hakmem: HAKMEM_RECLAIM=fast ' HAKMEM_RECLAIM=fast
run 1 1 '^hakmem: HAKMEM_RECLAIM_BATCH=0 ' HAKMEM_RECLAIM_BATCH=0

# learning: balanced's caches and the site learner, silently (what the ring holds then depends on
# what the learner decided by the time of the frees); with the sync backend there is no thread to
# learn on, which one line says. A bad HAKMEM_LEARN_FORCE: one line, and no rule is forced.
run - 0 x HAKMEM_MODE=learning
run - 1 '^hakmem: HAKMEM_MODE=learning: HAKMEM_RECLAIM=sync leaves no helper thread for the learner' \
  HAKMEM_MODE=learning HAKMEM_RECLAIM=sync
run 1 1 '^hakmem: HAKMEM_LEARN_FORCE=giant is not lazy, huge or prefault' HAKMEM_LEARN_FORCE=giant
run 1 0 x HAKMEM_LEARN_FORCE=huge
run 20 0 x HAKMEM_LEARN_FORCE=huge,own # freed blocks wait in their site's own cache
# research: learning with profiling and fault sampling, said in one notice; the report goes to the file.
# (HAKMEM_TIMING_QUIET keeps its decision log off stderr, as under hakmem-stat)
run - 1 '^hakmem: HAKMEM_MODE=research: learning, exploring every backing' HAKMEM_MODE=research \
  HAKMEM_TIMING_FILE="$tmp/research.prof" HAKMEM_TIMING_QUIET=1
if grep -q 'HKM_ENABLE_TIMING 1' "$HKM_TOP_BUILDDIR/config.h"; then
  grep -q '^induced: ' "$tmp/research.prof" || fail "research mode: no induced section in its report"
fi
