#!/bin/sh
# sqlite3 on hakmem builds a 200000-row table with an index, updates and deletes rows, and answers
# aggregate queries whose results are known in closed form.
. "$HKM_TOP_SRCDIR/tests/api_preload.sh"
need sqlite3
cat > "$tmp/work.sql" <<'SQL'
PRAGMA cache_size = -65536;
CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, s TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO t SELECT i, i % 1000, printf('%.*c', 1 + i % 300, 'x') FROM n;
CREATE INDEX tk ON t (k);
UPDATE t SET s = s || s WHERE k < 100;
DELETE FROM t WHERE id % 10 = 0;
SELECT count(*), sum(id), sum(length(s)) FROM t;
SELECT count(*) FROM t WHERE k = 7;
SELECT k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 1;
SQL
preloaded sqlite3 "$tmp/db" < "$tmp/work.sql" > "$tmp/out"
ref=$(rm -f "$tmp/db" && sqlite3 "$tmp/db" < "$tmp/work.sql")
got=$(cat "$tmp/out")
echo "$got"
[ "$got" = "$ref" ] || fail "sqlite3 output differs from the run without hakmem: $ref"
# 180000 rows left; ids 1..200000 minus the multiples of 10; k = 7 holds 200 ids, none a multiple of 10.
first=$(echo "$got" | sed -n 1p)
case "$first" in "180000|18000000000|"*) ;; *) fail "count and sum wrong: $first" ;; esac
[ "$(echo "$got" | sed -n 2p)" = 200 ] || fail "k = 7 count wrong"
[ "$(echo "$got" | sed -n 3p)" = "1|200" ] || fail "group by wrong"
