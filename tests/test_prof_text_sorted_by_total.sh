#!/bin/sh
# The text report: the header line, one line per category that recorded anything, largest total
# first, and the footer that says times are inclusive and what the overhead is.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null PROF_TEST_TEXT=1 "$prog" tiers 100 50 20 6 4 > "$tmp/t" ||
  fail "program failed"
cat "$tmp/t"
"$py" - "$tmp/t" <<'PY' || fail "text report"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert re.fullmatch(r"HAKMEM profile \(pid \d+, \d+ threads?, tsc \d+\.\d\d GHz, overhead \d+ cycles/measurement\)", lines[0]), lines[0]
assert lines[1].split() == ["category", "count", "timed", "avg_cyc", "avg_ns", "min_cyc", "max_cyc", "total_cyc", "+-",
                           "share"], lines[1]
rows = []
for l in lines[2:]:
    if l.startswith("top level"):
        break
    f = l.split()
    rows.append((f[0], int(f[1]), int(f[7]), f[9]))
    assert f[2] == f[1] and f[8] == "0.0%", l  # every call timed (HAKMEM_TIMING_SAMPLE=1): exact
counts = {name: n for name, n, _, _ in rows}
assert counts["tiny_alloc"] == 100 and counts["whale_put"] == 4 and counts["hak_alloc"] == 180, counts
assert all(n > 0 for n in counts.values()) and "elo_select" not in counts
totals = [t for _, _, t, _ in rows]
assert totals == sorted(totals, reverse=True), totals
assert all(re.fullmatch(r"\d+\.\d%", s) for _, _, _, s in rows)
text = "\n".join(lines)
assert "inclusive" in text and "overhead:" in text
PY
