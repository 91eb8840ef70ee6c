/* sqlite: sqlite3 on an in-memory database: 150k rows (x scale) inserted, indexed, updated, sorted
 * and aggregated, with a 64 MiB page cache.
 *   wl_sqlite [scale] */
#include "wl_real.h"

#include <string.h>

static char sql[2048];

static void gen(unsigned char *p, size_t n) { memcpy(p, sql, n); }

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long rows = (long)(150000 * scale);
  int len = snprintf(sql, sizeof sql,
                     "PRAGMA cache_size = -65536;\n"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, s TEXT);\n"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)\n"
                     "INSERT INTO t SELECT i, (i * 7919) %% 1000, printf('%%.*c', 1 + i %% 300, 'x') FROM n;\n"
                     "CREATE INDEX tk ON t (k);\n"
                     "UPDATE t SET s = s || s WHERE k < 100;\n"
                     "SELECT count(*), sum(length(s)) FROM t;\n"
                     "SELECT k, count(*), max(length(s)) FROM t GROUP BY k ORDER BY 3 DESC, k LIMIT 3;\n"
                     "SELECT id FROM t ORDER BY s DESC, id LIMIT 1;\n",
                     rows);
  wl_stdin_from((size_t)len, gen);
  char *const args[] = {"/usr/bin/sqlite3", ":memory:", NULL};
  wl_exec(args);
}
